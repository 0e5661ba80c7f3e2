package io.sightline.posters;

/**
 * A poster's score with every component (seed (64)–(67)); absent components are NaN.
 *
 * @param resolution crop pixels per poster pixel, capped at 1
 * @param sharpness normalised Laplacian variance of the cropped poster before layers
 * @param laplacianVariance the raw Laplacian variance
 * @param expression mean expression score of the faces in the poster, NaN when none
 * @param attractiveness attractiveness model score, NaN without a model
 * @param feedback user-feedback score, NaN before feedback
 * @param total weighted mean of the present components
 * @param kept whether the poster passed every threshold
 * @param reason why it was dropped (empty when kept)
 */
public record PosterScore(double resolution, double sharpness, double laplacianVariance, double expression,
    double attractiveness, double feedback, double total, boolean kept, String reason) {

  /**
   * @param weights the weights
   * @return the weighted mean of the present components
   */
  static double weighted(ScoreWeights weights, double resolution, double sharpness, double expression,
      double attractiveness, double feedback) {
    double s = 0;
    double w = 0;
    double[] v = {resolution, sharpness, expression, attractiveness, feedback};
    double[] ws = {weights.resolution(), weights.sharpness(), weights.expression(), weights.attractiveness(),
        weights.feedback()};
    for (int i = 0; i < v.length; i++) {
      if (!Double.isNaN(v[i]) && ws[i] > 0) {
        s += ws[i] * v[i];
        w += ws[i];
      }
    }
    return w == 0 ? 0 : s / w;
  }
}
