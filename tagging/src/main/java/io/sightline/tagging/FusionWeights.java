package io.sightline.tagging;

/**
 * How {@link Strategy#FUSED} combines its evidence: score(tag) = (neighbours · vote share +
 * clusters · soft-cluster frequency + zeroShot · zero-shot share) / prior(tag)^liftExponent, where
 * the zero-shot share is a softmax of the tag cosines at {@code temperature} and prior is the
 * share of stock posts carrying the tag.
 *
 * @param neighbours weight of the nearest-neighbour vote share (≥ 0)
 * @param clusters weight of the soft-cluster frequency (≥ 0)
 * @param zeroShot weight of the zero-shot share (≥ 0; ignored without a text embedder)
 * @param temperature softmax temperature of the zero-shot cosines (> 0)
 * @param liftExponent 0 ranks by the fused score, 1 by its full lift over the prior (0..1)
 */
public record FusionWeights(double neighbours, double clusters, double zeroShot, double temperature,
    double liftExponent) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException on a negative weight, all weights 0, a temperature ≤ 0 or a
   *     lift exponent outside 0..1
   */
  public FusionWeights {
    if (!(neighbours >= 0) || !(clusters >= 0) || !(zeroShot >= 0) || neighbours + clusters + zeroShot <= 0) {
      throw new IllegalArgumentException("fusion weights must be >= 0 and not all 0, got " + neighbours + ", "
          + clusters + ", " + zeroShot);
    }
    if (!(temperature > 0) || !(liftExponent >= 0 && liftExponent <= 1)) {
      throw new IllegalArgumentException("temperature must be > 0 and liftExponent in 0..1, got " + temperature
          + ", " + liftExponent);
    }
  }

  /**
   * The defaults, chosen on the tuning families of the held-out openclipart evaluation with the
   * shipped encoder (models module, {@code TagEvaluation}; the test families were not used):
   * neighbour votes and zero-shot shares with equal weight, no soft clusters, temperature 0.02, no
   * lift — on those tags dividing by the prior did not help. See BENCHMARKS.md, section models.
   *
   * @return the default weights
   */
  public static FusionWeights defaults() {
    return new FusionWeights(1.0, 0.0, 1.0, 0.02, 0.0);
  }
}
