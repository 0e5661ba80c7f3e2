package io.sightline.describer;

/** What adding one reference did. */
public enum AddOutcome {
  /** A new reference with a new image vector. */
  ADDED,
  /** A new reference whose image was already stored (same content hash): its page was merged
   * onto the existing vector, no second vector was added. */
  MERGED,
  /** An existing reference id: its page, statistics and image were replaced. */
  UPDATED
}
