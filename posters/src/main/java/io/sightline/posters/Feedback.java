package io.sightline.posters;

/**
 * User feedback on a published poster (seed (66), (76)): click-through and retention rates.
 *
 * @param clickThroughRate clicks / impressions, in [0,1], or NaN when unknown
 * @param retentionRate share of viewers who stayed after the click, in [0,1], or NaN when unknown
 */
public record Feedback(double clickThroughRate, double retentionRate) {
  /** Validates. */
  public Feedback {
    if (!(Double.isNaN(clickThroughRate) || (clickThroughRate >= 0 && clickThroughRate <= 1))
        || !(Double.isNaN(retentionRate) || (retentionRate >= 0 && retentionRate <= 1))) {
      throw new IllegalArgumentException("rates must be in [0,1] (or NaN when unknown): "
          + clickThroughRate + ", " + retentionRate);
    }
    if (Double.isNaN(clickThroughRate) && Double.isNaN(retentionRate)) {
      throw new IllegalArgumentException("feedback needs at least one of click-through rate and retention rate");
    }
  }

  /**
   * @param ctrAtFull the click-through rate that scores 1 (CTRs are small, e.g. 0.1)
   * @return the feedback score in [0,1]: mean of {@code min(1, ctr/ctrAtFull)} and the retention rate
   */
  public double score(double ctrAtFull) {
    double s = 0;
    int n = 0;
    if (!Double.isNaN(clickThroughRate)) {
      s += Math.min(1, clickThroughRate / ctrAtFull);
      n++;
    }
    if (!Double.isNaN(retentionRate)) {
      s += retentionRate;
      n++;
    }
    return s / n;
  }
}
