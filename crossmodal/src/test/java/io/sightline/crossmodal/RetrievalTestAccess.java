package io.sightline.crossmodal;

/** Package internals of the retrieval ranking for the evaluation programs under {@code eval}. */
public final class RetrievalTestAccess {
  private RetrievalTestAccess() {}

  /**
   * @param cos one query's cosines with its candidates
   * @param logit the matching logits (NaN where not needed)
   * @param settings the ranking
   * @return the candidates' indices in the order {@link RetrievalEvaluation} ranks them
   */
  public static java.util.List<Integer> ranked(float[] cos, float[] logit, RetrievalSettings settings) {
    return RetrievalEvaluation.ranked(cos, logit, settings);
  }
}
