package io.sightline.describer;

import java.util.Objects;

/**
 * One labelled entity candidate for training a scorer.
 *
 * @param query the query it came from (for grouping and reports)
 * @param candidate the candidate with its features
 * @param correct whether the entity correctly identifies the object in the query image
 */
public record TrainingExample(String query, EntityCandidate candidate, boolean correct) {
  /** Validates. */
  public TrainingExample {
    Objects.requireNonNull(candidate, "candidate");
  }
}
