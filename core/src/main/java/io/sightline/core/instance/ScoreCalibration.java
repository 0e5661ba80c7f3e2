package io.sightline.core.instance;

/**
 * Maps a verified inlier count to a probability that the stored image shows the same object:
 * {@code p = 1 / (1 + exp(-(slope · ln(1 + inliers) + intercept)))}.
 *
 * <p>{@link #DEFAULT} was fitted (logistic regression) on the tuning split of the project's
 * "new shot" evaluation (see BENCHMARKS.md, instance recognition): right and wrong top
 * candidates of queries showing stored objects, and top candidates of queries showing objects
 * that were never stored. With the default threshold 0.5 it accepts about
 * {@link #DEFAULT_INLIERS_AT_HALF} inliers and more.
 *
 * @param slope weight of {@code ln(1 + inliers)}
 * @param intercept bias
 */
public record ScoreCalibration(double slope, double intercept) {
  /** Inlier count at which {@link #DEFAULT} gives 0.5. */
  public static final int DEFAULT_INLIERS_AT_HALF = 10;
  /** The project's calibration (see the class documentation). */
  public static final ScoreCalibration DEFAULT = new ScoreCalibration(4.0, -4.0 * Math.log(1 + DEFAULT_INLIERS_AT_HALF));

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
