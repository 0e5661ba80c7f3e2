package io.sightline.posters;

/**
 * Weights of the poster score (seed (66): "weighted and averaged"). A component that is absent
 * for a poster (no face → no expression; no attractiveness model; no feedback yet) is left out
 * and the remaining weights are renormalised.
 *
 * @param resolution weight of the resolution score
 * @param sharpness weight of the sharpness score
 * @param expression weight of the expression score
 * @param attractiveness weight of the attractiveness score
 * @param feedback weight of the user-feedback score
 */
public record ScoreWeights(double resolution, double sharpness, double expression, double attractiveness,
    double feedback) {
  /** Equal-ish defaults: 1, 1, 1, 1, 2 (feedback, when there is some, counts double). */
  public static final ScoreWeights DEFAULT = new ScoreWeights(1, 1, 1, 1, 2);

  /** Validates. */
  public ScoreWeights {
    for (double w : new double[] {resolution, sharpness, expression, attractiveness, feedback}) {
      if (!(w >= 0 && Double.isFinite(w))) {
        throw new IllegalArgumentException("weights must be finite and non-negative");
      }
    }
    if (resolution + sharpness + expression + attractiveness + feedback <= 0) {
      throw new IllegalArgumentException("at least one weight must be positive");
    }
  }
}
