package io.sightline.crossmodal;

/** Package internals of the retrieval ranking for the evaluation programs under {@code eval}. */
public final class RetrievalTestAccess {
  private RetrievalTestAccess() {}

  /**
   * @param x values
   * @return their z-scores, exactly as {@code CrossModalModel.retrieve(..., cosineWeight)} uses them
   */
  public static double[] zScores(double[] x) {
    return ModelRetrieval.zScores(x);
  }
}
