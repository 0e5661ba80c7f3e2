package io.sightline.posters;

/** How a floating (non-fixed) layer picks its place inside its allowed region. */
public enum PlacementStrategy {
  /**
   * Claims 1 and 11: the candidate that least intersects the merged face-and-salient region; when
   * several do not intersect it at all, the one with the smallest pixel variance among them (ties
   * in intersection also fall back to the smallest variance).
   */
  AVOID_SUBJECTS,
  /** Claim 9: the candidate with the smallest pixel variance, whatever it covers. */
  LOWEST_VARIANCE
}
