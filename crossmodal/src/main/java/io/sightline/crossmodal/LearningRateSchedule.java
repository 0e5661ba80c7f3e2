package io.sightline.crossmodal;

/** How the learning rate moves over training: a linear warm-up, then constant or decaying. */
public enum LearningRateSchedule {
  /** The same rate throughout (no warm-up). */
  CONSTANT,
  /** Linear warm-up, then a cosine decay to zero at the end of training. */
  WARMUP_COSINE,
  /** Linear warm-up, then a linear decay to zero at the end of training. */
  WARMUP_LINEAR;

  /**
   * @param progress share of training done, in [0, 1] (capped)
   * @param warmup share of training spent warming up
   * @return the factor applied to the base learning rate
   */
  public double factor(double progress, double warmup) {
    double p = Math.min(1, Math.max(0, progress));
    if (this == CONSTANT) {
      return 1;
    }
    if (p < warmup) {
      return Math.max(0.01, p / warmup);
    }
    double d = warmup >= 1 ? 1 : (p - warmup) / (1 - warmup);
    double f = this == WARMUP_COSINE ? 0.5 * (1 + Math.cos(Math.PI * d)) : 1 - d;
    return Math.max(0.01, f);
  }
}
