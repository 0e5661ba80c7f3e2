package io.sightline.posters;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * The composer's scoring job: the resolution and sharpness filter before any layer is drawn
 * (claim 7), the expression score of the faces in the crop (claim 10), attractiveness, user
 * feedback (seed (66), (76)), the weighted total and the thresholds. Immutable and thread-safe
 * when its scorers are.
 */
final class PosterScoring {
  /** Resolution and sharpness of one crop, measured before layers are drawn. */
  record Quality(double resolution, double laplacianVariance, double sharpness) {}

  private final double sharpnessHalfPoint;
  private final double minResolution;
  private final double minSharpness;
  private final ImageScorer expressionScorer;
  private final double minExpression;
  private final ImageScorer attractivenessScorer;
  private final ScoreWeights weights;
  private final double minScore;
  private final double ctrAtFull;

  /**
   * @param sharpnessHalfPoint Laplacian variance that normalises to 0.5
   * @param minResolution smallest resolution kept
   * @param minSharpness smallest normalised sharpness kept
   * @param expressionScorer expression scorer of face crops, or null for none
   * @param minExpression smallest mean expression score kept
   * @param attractivenessScorer attractiveness model of whole posters, or null
   * @param weights score weights
   * @param minScore smallest total kept
   * @param ctrAtFull click-through rate that gives feedback score 1
   */
  PosterScoring(double sharpnessHalfPoint, double minResolution, double minSharpness, ImageScorer expressionScorer,
      double minExpression, ImageScorer attractivenessScorer, ScoreWeights weights, double minScore,
      double ctrAtFull) {
    this.sharpnessHalfPoint = sharpnessHalfPoint;
    this.minResolution = minResolution;
    this.minSharpness = minSharpness;
    this.expressionScorer = expressionScorer;
    this.minExpression = minExpression;
    this.attractivenessScorer = attractivenessScorer;
    this.weights = weights;
    this.minScore = minScore;
    this.ctrAtFull = ctrAtFull;
  }

  /** Measures resolution (crop pixels per poster pixel, at most 1) and sharpness of a crop. */
  Quality quality(Box crop, BufferedImage cropped, PosterTemplate t) {
    double resolution = Math.min(1.0, crop.w() / t.width());
    double lapVar = Sharpness.laplacianVariance(ImageOps.fitWithin(cropped, 512));
    return new Quality(resolution, lapVar, Sharpness.normalise(lapVar, sharpnessHalfPoint));
  }

  /**
   * @return the score of a crop that fails the resolution or sharpness filter (kept false, with
   *     the reason), or null when it passes
   */
  PosterScore rejected(Quality q, Box crop, PosterTemplate t) {
    if (q.resolution() >= minResolution && q.sharpness() >= minSharpness) {
      return null;
    }
    String reason = q.resolution() < minResolution
        ? String.format(Locale.ROOT, "resolution %.3f is below the threshold %.3f (crop %dx%d for a "
            + "%dx%d poster)", q.resolution(), minResolution, (int) crop.w(), (int) crop.h(), t.width(), t.height())
        : String.format(Locale.ROOT, "sharpness %.3f is below the threshold %.3f", q.sharpness(), minSharpness);
    double total = PosterScore.weighted(weights, q.resolution(), q.sharpness(), Double.NaN, Double.NaN, Double.NaN);
    return new PosterScore(q.resolution(), q.sharpness(), q.laplacianVariance(), Double.NaN, Double.NaN,
        Double.NaN, total, false, reason);
  }

  /**
   * Scores a finished poster: mean expression of the faces at least half inside the crop,
   * attractiveness of the poster, the weighted total and the thresholds.
   */
  PosterScore score(Quality q, BufferedImage src, List<Detection> targets, Box crop, BufferedImage poster) {
    double expression = Double.NaN;
    if (expressionScorer != null) {
      double s = 0;
      int n = 0;
      for (Detection d : targets) {
        if (!"face".equals(d.label())) {
          continue;
        }
        Box in = d.box().intersection(crop);
        if (in.area() < 0.5 * d.box().area() || in.w() < 8 || in.h() < 8) {
          continue;
        }
        s += expressionScorer.score(ImageOps.crop(src, (int) in.x(), (int) in.y(), (int) Math.ceil(in.w()),
            (int) Math.ceil(in.h())));
        n++;
      }
      expression = n == 0 ? Double.NaN : s / n;
    }
    double attract = attractivenessScorer == null ? Double.NaN : attractivenessScorer.score(poster);
    double total = PosterScore.weighted(weights, q.resolution(), q.sharpness(), expression, attract, Double.NaN);
    String reason = "";
    if (!Double.isNaN(expression) && expression < minExpression) {
      reason = String.format(Locale.ROOT, "expression %.3f is below the threshold %.3f", expression, minExpression);
    } else if (total < minScore) {
      reason = scoreReason(total);
    }
    return new PosterScore(q.resolution(), q.sharpness(), q.laplacianVariance(), expression, attract, Double.NaN,
        total, reason.isEmpty(), reason);
  }

  /** See {@link PosterComposer#rescore(Poster, Feedback)}. */
  Poster rescore(Poster poster, Feedback feedback) {
    PosterScore s = poster.score();
    double fb = feedback.score(ctrAtFull);
    double total = PosterScore.weighted(weights, s.resolution(), s.sharpness(), s.expression(), s.attractiveness(), fb);
    boolean wasDroppedOtherwise = !s.kept() && !s.reason().startsWith("score ");
    boolean ok = !wasDroppedOtherwise && total >= minScore;
    String reason = wasDroppedOtherwise ? s.reason() : ok ? "" : scoreReason(total);
    return poster.withScore(new PosterScore(s.resolution(), s.sharpness(), s.laplacianVariance(), s.expression(),
        s.attractiveness(), fb, total, ok, reason));
  }

  private String scoreReason(double total) {
    return String.format(Locale.ROOT, "score %.3f is below the threshold %.3f", total, minScore);
  }

  /** @return the score marked dropped for the reason */
  static PosterScore drop(PosterScore s, String reason) {
    return new PosterScore(s.resolution(), s.sharpness(), s.laplacianVariance(), s.expression(), s.attractiveness(),
        s.feedback(), s.total(), false, reason);
  }
}
