package io.sightline.crossmodal;

/** Which objects the masking task masks together (claim 3). */
public enum ObjectMasking {
  /** Several objects whose display areas overlap, masked together. */
  OVERLAPPING_GROUP,
  /** One object whose display area overlaps no other object. */
  ISOLATED,
  /** Per sample, an overlapping group when the image has one, else an isolated object. */
  AUTO
}
