package io.sightline.crossmodal;

/** What the masking task (claim 2) masks in each positive sample. */
public enum MaskingMode {
  /** Text units only. */
  TEXT,
  /** Objects only. */
  OBJECTS,
  /** Text units and objects in the same sample. */
  BOTH,
  /** Per sample, one of TEXT, OBJECTS, BOTH at random. */
  MIXED
}
