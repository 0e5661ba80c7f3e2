package io.sightline.describer;

/** How entities are scored. */
public enum ScoringMode {
  /**
   * Claims 4-5: identical entities from all matched references form a group; the statistics of
   * their feature parameters (sums, averages, maxima, number of distinct references) are scored
   * once per group. Features: {@link FeatureSchema#GROUPED}.
   */
  GROUPED,
  /**
   * Claim 6: every entity of every matched reference is scored on its own feature parameters; the
   * best-scoring occurrence of an entity represents it. Features: {@link FeatureSchema#PER_MENTION}.
   */
  PER_MENTION
}
