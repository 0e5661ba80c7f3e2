package io.sightline.describer;

import java.util.List;

/**
 * Scores the correctness degree of entities: how likely each one correctly identifies the object
 * in the target image (claims 5 and 6). Implementations:
 * <ul>
 *   <li>{@link GbdtEntityScorer}: a LightGBM gradient-boosted decision tree trained from labelled
 *       examples (seed [0031]);</li>
 *   <li>{@link HeuristicEntityScorer}: a documented formula, for use before any training;</li>
 *   <li>{@link MajorityVoteScorer}: the share of matched references mentioning the entity, a
 *       baseline;</li>
 *   <li>{@link LstmEntityScorer}: an LSTM over the sequence of an entity's mentions (seed [0036]),
 *       a {@link SequenceEntityScorer}.</li>
 * </ul>
 * Implementations must be thread-safe.
 */
public interface EntityScorer {
  /** @return id and version, reported with every description */
  String id();

  /** @return the score threshold to use when the caller sets none */
  double defaultThreshold();

  /**
   * @param schema the feature schema rows will have
   * @throws io.sightline.core.ModelException when this scorer cannot score such rows (e.g. a
   *     model trained on other features)
   */
  void checkSchema(FeatureSchema schema);

  /**
   * @param schema the schema of the rows
   * @param rows feature rows
   * @return one score per row, higher = more likely correct
   */
  double[] score(FeatureSchema schema, List<double[]> rows);
}
