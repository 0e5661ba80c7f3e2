package io.sightline.crossmodal;

/** How unmatched (negative) training samples are made (claim 4). */
public enum NegativeSampling {
  /** A fixed text with a randomly chosen other image. */
  RANDOM_IMAGE,
  /** A fixed image with a randomly chosen other text. */
  RANDOM_TEXT,
  /** Both kinds, alternating. */
  BOTH
}
