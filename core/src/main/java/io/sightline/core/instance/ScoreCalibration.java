package io.sightline.core.instance;

/**
 * Maps a verified inlier count to a probability that the stored image shows the same object:
 * {@code p = 1 / (1 + exp(-(slope · ln(1 + inliers) + intercept)))}.
 *
 * <p>{@link #DEFAULT} was fitted (logistic regression, Newton's method) on the tuning split of
 * the project's "new shot" evaluation (BENCHMARKS.md, "Instance recognition"): the top candidate
 * of each of 200 queries showing a stored object (label: is it the right one) and of 100 queries
 * showing objects never stored (label 0). It gives 0.45 at 4 inliers and 0.63 at 5, so at the
 * default threshold 0.5 an image is verified from {@link #DEFAULT_MIN_INLIERS} inliers on. On
 * the test split that accepted 68 % of the stored objects with 1 % wrong answers and 3 % of the
 * unknown ones.
 *
 * @param slope weight of {@code ln(1 + inliers)}
 * @param intercept bias
 */
public record ScoreCalibration(double slope, double intercept) {
  /** Fewest inliers that {@link #DEFAULT} scores at 0.5 or above. */
  public static final int DEFAULT_MIN_INLIERS = 5;
  /** The project's calibration (see the class documentation). */
  public static final ScoreCalibration DEFAULT = new ScoreCalibration(4.023, -6.667);

  /** Checks the parameters. */
  public ScoreCalibration {
    if (!(slope > 0) || !Double.isFinite(slope) || !Double.isFinite(intercept)) {
      throw new IllegalArgumentException("slope must be positive and finite, intercept finite: " + slope
          + ", " + intercept);
    }
  }

  /**
   * @param inliers verified inliers
   * @return the calibrated probability
   */
  public double probability(int inliers) {
    return 1.0 / (1.0 + Math.exp(-(slope * Math.log1p(Math.max(0, inliers)) + intercept)));
  }
}
