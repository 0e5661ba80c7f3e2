package io.sightline.describer;

import java.util.List;

/**
 * A scorer that reads, for each entity, the sequence of its per-mention feature rows (seed
 * [0036]: "a probability of each entity correctly identifying the object ... predicted based on
 * feature parameters of each entity using a long short-term memory (LSTM) network or a sequence
 * model such as a Transformer model").
 *
 * <p>In {@link ScoringMode#PER_MENTION} mode, {@link ImageDescriber} gives such a scorer one
 * sequence per entity: the entity's mentions on the matched reference pages, best-matching
 * reference first, each a row of {@link FeatureSchema#PER_MENTION}. The entity gets the
 * sequence's score (instead of its best single mention's score, as with row scorers).
 *
 * <p>{@link #score} (one row at a time) must still work: it scores each row as a sequence of one.
 * Implementations must be thread-safe.
 */
public interface SequenceEntityScorer extends EntityScorer {
  /**
   * @param schema the schema of the rows ({@link FeatureSchema#PER_MENTION})
   * @param sequences one non-empty list of rows per entity, best-matching reference first
   * @return one score per sequence, higher = more likely correct
   */
  double[] scoreSequences(FeatureSchema schema, List<List<double[]>> sequences);
}
