package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the scoring job on its own (claims 7 and 10, seed (64)–(67)): the filters, the
 * expression mean over the faces in the crop, the weighted total, the thresholds and feedback.
 */
class PosterScoringTest {
  private static final PosterTemplate T = new PosterTemplate("t", 400, 200, List.of(), List.of());

  /** Scores an image by its mean red (0..1); records how many images it saw and their sizes. */
  private static final class RedScorer implements ImageScorer {
    final List<int[]> seen = new ArrayList<>();

    @Override
    public double score(BufferedImage image) {
      seen.add(new int[] {image.getWidth(), image.getHeight()});
      double s = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          s += (image.getRGB(x, y) >> 16) & 255;
        }
      }
      return s / (255.0 * image.getWidth() * image.getHeight());
    }

    @Override
    public String id() {
      return "red";
    }
  }

  private static PosterScoring scoring(ImageScorer expression, double minExpression, ImageScorer attract,
      ScoreWeights w, double minScore) {
    return new PosterScoring(100, 0.5, 0.2, expression, minExpression, attract, w, minScore, 0.1);
  }

  /** Left half red 255, right half red 51 (0.2), 400x200. */
  private static BufferedImage twoTone() {
    BufferedImage img = new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 200; y++) {
      for (int x = 0; x < 400; x++) {
        img.setRGB(x, y, (x < 200 ? 255 : 51) << 16);
      }
    }
    return img;
  }

  private static BufferedImage noise(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(3);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = r.nextInt(256);
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    return img;
  }

  @Test
  void weightedTotalIsTheMeanOfThePresentComponentsWithPositiveWeight() {
    ScoreWeights w = new ScoreWeights(1, 3, 2, 0, 4);
    // attractiveness has weight 0, expression and feedback are absent
    assertThat(PosterScore.weighted(w, 0.2, 0.6, Double.NaN, 0.9, Double.NaN)).isCloseTo((0.2 + 3 * 0.6) / 4,
        within(1e-12));
    assertThat(PosterScore.weighted(w, 0.2, 0.6, 1.0, 0.9, 0.5))
        .isCloseTo((0.2 + 3 * 0.6 + 2 * 1.0 + 4 * 0.5) / 10, within(1e-12));
    assertThat(PosterScore.weighted(new ScoreWeights(0, 0, 1, 0, 0), 0.7, 0.7, Double.NaN, 0.7, 0.7)).isZero();
  }

  @Test
  void qualityIsCropPixelsPerPosterPixelCappedAtOneAndASharpCropIsSharper() {
    PosterScoring s = scoring(null, 0, null, ScoreWeights.DEFAULT, 0);
    BufferedImage sharp = noise(200, 100);
    BufferedImage flat = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
    PosterScoring.Quality half = s.quality(new Box(0, 0, 200, 100), sharp, T);
    assertThat(half.resolution()).isCloseTo(0.5, within(1e-12));
    assertThat(s.quality(new Box(0, 0, 800, 400), sharp, T).resolution()).isEqualTo(1.0);
    PosterScoring.Quality blank = s.quality(new Box(0, 0, 200, 100), flat, T);
    assertThat(half.sharpness()).isGreaterThan(0.9);
    assertThat(blank.sharpness()).isZero();
    assertThat(half.laplacianVariance()).isGreaterThan(blank.laplacianVariance());
    assertThat(half.sharpness()).isCloseTo(half.laplacianVariance() / (half.laplacianVariance() + 100), within(1e-9));
  }

  @Test
  void filtersPassAtTheThresholdAndNameWhatFailed() {
    PosterScoring s = scoring(null, 0, null, new ScoreWeights(1, 1, 0, 0, 0), 0);
    Box crop = new Box(0, 0, 200, 100);
    assertThat(s.rejected(new PosterScoring.Quality(0.5, 50, 0.2), crop, T)).isNull(); // both exactly at the bar
    PosterScore lowRes = s.rejected(new PosterScoring.Quality(0.49, 500, 0.9), crop, T);
    assertThat(lowRes.kept()).isFalse();
    assertThat(lowRes.reason()).startsWith("resolution 0.490 is below the threshold 0.500 (crop 200x100 for a 400x200");
    assertThat(lowRes.total()).isCloseTo((0.49 + 0.9) / 2, within(1e-12));
    assertThat(lowRes.expression()).isNaN();
    PosterScore blurry = s.rejected(new PosterScoring.Quality(1.0, 5, 0.19), crop, T);
    assertThat(blurry.kept()).isFalse();
    assertThat(blurry.reason()).isEqualTo("sharpness 0.190 is below the threshold 0.200");
    assertThat(blurry.laplacianVariance()).isEqualTo(5);
  }

  @Test
  void expressionIsTheMeanOverFacesAtLeastHalfInsideTheCropAndAtLeast8Pixels() {
    RedScorer red = new RedScorer();
    PosterScoring s = scoring(red, 0, null, new ScoreWeights(0, 0, 1, 0, 0), 0);
    BufferedImage src = twoTone();
    PosterScoring.Quality q = new PosterScoring.Quality(1, 500, 0.9);
    Box crop = new Box(0, 0, 400, 200);
    List<Detection> targets = List.of(
        new Detection(new Box(20, 20, 40, 40), "face", 0.9f), // red 1.0
        new Detection(new Box(300, 20, 40, 40), "face", 0.9f), // red 0.2
        new Detection(new Box(100, 100, 40, 40), "cat", 0.9f), // not a face
        new Detection(new Box(150, 150, 7, 30), "face", 0.9f)); // under 8 px wide
    PosterScore sc = s.score(q, src, targets, crop, src);
    assertThat(sc.expression()).isCloseTo(0.6, within(1e-6));
    assertThat(sc.total()).isCloseTo(0.6, within(1e-6));
    assertThat(red.seen).hasSize(2);
    // a face only partly in the crop is scored on its visible part, and only when half of it is in
    red.seen.clear();
    Box rightCrop = new Box(180, 0, 220, 200);
    PosterScore part = s.score(q, src, List.of(new Detection(new Box(170, 20, 40, 40), "face", 0.9f),
        new Detection(new Box(150, 20, 40, 40), "face", 0.9f)), rightCrop, src);
    assertThat(red.seen).hasSize(1);
    assertThat(red.seen.get(0)).containsExactly(30, 40);
    assertThat(part.expression()).isCloseTo((20 * 1.0 + 10 * 0.2) / 30, within(1e-6));
    // no face in the crop: no expression, not dropped for it
    PosterScore none = s.score(q, src, List.of(), crop, src);
    assertThat(none.expression()).isNaN();
    assertThat(none.kept()).isTrue();
  }

  @Test
  void expressionAndTotalThresholdsDropWithTheirReason() {
    RedScorer red = new RedScorer();
    BufferedImage src = twoTone();
    PosterScoring.Quality q = new PosterScoring.Quality(1, 500, 0.9);
    Box crop = new Box(0, 0, 400, 200);
    List<Detection> dull = List.of(new Detection(new Box(300, 20, 40, 40), "face", 0.9f)); // 0.2
    List<Detection> happy = List.of(new Detection(new Box(20, 20, 40, 40), "face", 0.9f)); // 1.0
    PosterScoring strict = scoring(red, 0.5, null, ScoreWeights.DEFAULT, 0);
    PosterScore d = strict.score(q, src, dull, crop, src);
    assertThat(d.kept()).isFalse();
    assertThat(d.reason()).isEqualTo("expression 0.200 is below the threshold 0.500");
    assertThat(strict.score(q, src, happy, crop, src).kept()).isTrue();
    // at the expression bar exactly: kept
    assertThat(scoring(red, 0.2, null, ScoreWeights.DEFAULT, 0).score(q, src, dull, crop, src).kept()).isTrue();
    // the total: (1 + 0.9 + 0.2 + attractiveness 0.2) / 4 = 0.575
    PosterScoring total = scoring(red, 0, red, new ScoreWeights(1, 1, 1, 1, 0), 0.6);
    PosterScore t = total.score(q, src, dull, crop, new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB));
    assertThat(t.attractiveness()).isZero();
    assertThat(t.total()).isCloseTo((1 + 0.9 + 0.2) / 4, within(1e-6));
    assertThat(t.kept()).isFalse();
    assertThat(t.reason()).startsWith("score 0.525 is below the threshold 0.600");
    PosterScore atBar = scoring(red, 0, null, new ScoreWeights(1, 1, 0, 0, 0), 0.75)
        .score(new PosterScoring.Quality(1, 500, 0.5), src, dull, crop, src);
    assertThat(atBar.total()).isEqualTo(0.75);
    assertThat(atBar.kept()).isTrue();
    assertThat(atBar.reason()).isEmpty();
  }

  @Test
  void aSharpHappyPosterScoresAboveABlurryDullOne() {
    RedScorer red = new RedScorer();
    PosterScoring s = scoring(red, 0, null, ScoreWeights.DEFAULT, 0);
    BufferedImage src = twoTone();
    Box crop = new Box(0, 0, 400, 200);
    PosterScore good = s.score(s.quality(crop, noise(400, 200), T), src,
        List.of(new Detection(new Box(20, 20, 40, 40), "face", 0.9f)), crop, src);
    PosterScore bad = s.score(s.quality(new Box(0, 0, 300, 150), new BufferedImage(300, 150,
        BufferedImage.TYPE_INT_RGB), T), src, List.of(new Detection(new Box(300, 20, 40, 40), "face", 0.9f)), crop,
        src);
    assertThat(good.total()).isGreaterThan(bad.total() + 0.5);
  }

  @Test
  void feedbackRescoresAndCanReviveOnlyAPosterDroppedForItsScore() {
    PosterScoring s = scoring(null, 0, null, new ScoreWeights(1, 1, 0, 0, 2), 0.625);
    PosterScore low = new PosterScore(0.5, 0.5, 50, Double.NaN, Double.NaN, Double.NaN, 0.5, false,
        "score 0.500 is below the threshold 0.625");
    Poster p = new Poster("id", "t", 400, 200, null, null, List.of(), null, List.of(), low, null, Double.NaN);
    // ctr 0.1 = ctrAtFull -> 1, retention 0.8: feedback 0.9; total (0.5 + 0.5 + 2*0.9)/4 = 0.7
    Poster up = s.rescore(p, new Feedback(0.1, 0.8));
    assertThat(up.score().feedback()).isCloseTo(0.9, within(1e-12));
    assertThat(up.score().total()).isCloseTo(0.7, within(1e-12));
    assertThat(up.score().kept()).isTrue();
    assertThat(up.score().reason()).isEmpty();
    Poster down = s.rescore(p, new Feedback(0.0, 0.1));
    assertThat(down.score().kept()).isFalse();
    assertThat(down.score().reason()).isEqualTo("score 0.275 is below the threshold 0.625");
    // exactly at the threshold: kept
    Poster at = s.rescore(p, new Feedback(Double.NaN, 0.75));
    assertThat(at.score().total()).isEqualTo(0.625);
    assertThat(at.score().kept()).isTrue();
    // dropped for blur: good feedback does not bring it back, the reason stays
    PosterScore blurry = new PosterScore(0.5, 0.1, 5, Double.NaN, Double.NaN, Double.NaN, 0.3, false,
        "sharpness 0.100 is below the threshold 0.200");
    Poster b = s.rescore(p.withScore(blurry), new Feedback(0.1, 1.0));
    assertThat(b.score().kept()).isFalse();
    assertThat(b.score().reason()).isEqualTo(blurry.reason());
    PosterScore dropped = PosterScoring.drop(up.score(), "duplicate");
    assertThat(dropped.kept()).isFalse();
    assertThat(dropped.reason()).isEqualTo("duplicate");
    assertThat(dropped.total()).isEqualTo(up.score().total());
    assertThat(dropped.feedback()).isEqualTo(up.score().feedback());
  }
}
