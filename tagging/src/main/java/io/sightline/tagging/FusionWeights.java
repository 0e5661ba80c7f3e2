package io.sightline.tagging;

/**
 * How {@link Strategy#FUSED} combines its evidence: score(tag) = (neighbours · vote share +
 * clusters · soft-cluster frequency + zeroShot · zero-shot share + probe · linear-probe score) /
 * prior(tag)^liftExponent, where the zero-shot share is a softmax of the tag cosines at
 * {@code temperature}, the linear-probe score is {@link Strategy#LINEAR_PROBE}'s (unclipped), and
 * prior is the share of stock posts carrying the tag.
 *
 * @param neighbours weight of the nearest-neighbour vote share (≥ 0)
 * @param clusters weight of the soft-cluster frequency (≥ 0)
 * @param zeroShot weight of the zero-shot share (≥ 0; ignored without a text embedder)
 * @param temperature softmax temperature of the zero-shot cosines (> 0)
 * @param liftExponent 0 ranks by the fused score, 1 by its full lift over the prior (0..1)
 * @param probe weight of the linear-probe score (≥ 0; 0 leaves the probe out, and it is then
 *     never fitted for this strategy)
 */
public record FusionWeights(double neighbours, double clusters, double zeroShot, double temperature,
    double liftExponent, double probe) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException on a negative weight, all weights 0, a temperature ≤ 0 or a
   *     lift exponent outside 0..1
   */
  public FusionWeights {
    if (!(neighbours >= 0) || !(clusters >= 0) || !(zeroShot >= 0) || !(probe >= 0)
        || neighbours + clusters + zeroShot + probe <= 0) {
      throw new IllegalArgumentException("fusion weights must be >= 0 and not all 0, got " + neighbours + ", "
          + clusters + ", " + zeroShot + ", " + probe);
    }
    if (!(temperature > 0) || !(liftExponent >= 0 && liftExponent <= 1)) {
      throw new IllegalArgumentException("temperature must be > 0 and liftExponent in 0..1, got " + temperature
          + ", " + liftExponent);
    }
  }

  /**
   * Weights without the linear-probe term (its weight 0).
   *
   * @param neighbours weight of the nearest-neighbour vote share (≥ 0)
   * @param clusters weight of the soft-cluster frequency (≥ 0)
   * @param zeroShot weight of the zero-shot share (≥ 0)
   * @param temperature softmax temperature of the zero-shot cosines (> 0)
   * @param liftExponent 0 ranks by the fused score, 1 by its full lift over the prior (0..1)
   */
  public FusionWeights(double neighbours, double clusters, double zeroShot, double temperature,
      double liftExponent) {
    this(neighbours, clusters, zeroShot, temperature, liftExponent, 0);
  }

  /**
   * The defaults, chosen on the tuning families of the held-out openclipart evaluation with the
   * shipped encoder (models module, {@code TagEvaluation}; the test families were not used):
   * neighbour votes and zero-shot shares with equal weight, no soft clusters, temperature 0.02, no
   * lift — on those tags dividing by the prior did not help — and the linear probe at weight 0.5
   * (chosen among 0, 0.5, 1 and 2 with the other weights fixed). See BENCHMARKS.md, section models.
   *
   * @return the default weights
   */
  public static FusionWeights defaults() {
    return new FusionWeights(1.0, 0.0, 1.0, 0.02, 0.0, 0.5);
  }
}
