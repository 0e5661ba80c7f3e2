package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.detect.Box;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, third part: the surround contrast terms and the border prior of the importance map,
 * each on its own and together in the crop.
 */
class SurroundAndBorderTest {
  private static final int W = 1280;
  private static final int H = 720;

  /** A colour wheel (saturated hues round a white centre, like scikit-image's color.png). */
  private static BufferedImage wheel() {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        double dx = x - W / 2.0;
        double dy = y - H / 2.0;
        float hue = (float) ((Math.atan2(dy, dx) / (2 * Math.PI)) + 0.5);
        float sat = (float) Math.min(1, Math.hypot(dx, dy) / 500);
        img.setRGB(x, y, Color.HSBtoRGB(hue, sat, 1f));
      }
    }
    return img;
  }

  /** Pastes a grey, finely textured patch (a grey photo crop stands in for it) at the box. */
  private static void greyPatch(BufferedImage img, Box b, long seed) {
    Random r = new Random(seed);
    for (int y = (int) b.y(); y < b.y2(); y++) {
      for (int x = (int) b.x(); x < b.x2(); x++) {
        int g = 110 + r.nextInt(50);
        img.setRGB(x, y, g << 16 | g << 8 | g);
      }
    }
  }

  /** The default crop search at 9:16 on the map of the image with the given weights (no faces). */
  static Box crop(BufferedImage img, ImportanceMap.Weights w) {
    ImportanceMap m = ImportanceMap.compute(img, OpenCvSaliency.spectralResidual().compute(img), false, w);
    return new CropSearch().search(W, H, AspectRatio.PORTRAIT_9_16, m, List.of(), null, new CropPlanner()).crop();
  }

  @Test
  void aGreySubjectOnAColourfulBackgroundIsKeptWholeOnlyWithTheSurroundAndBorderTerms() {
    int plainWhole = 0;
    int nowWhole = 0;
    int n = 0;
    for (int x : new int[] {300, 500, 700, 860, 1000}) {
      for (int y : new int[] {60, 500}) {
        BufferedImage img = wheel();
        Box subject = new Box(x, y, 170, 150);
        greyPatch(img, subject, 3);
        Box now = crop(img, ImportanceMap.Weights.DEFAULT);
        assertThat(PosterComposerTest.inside(now, subject)).as("default crop " + now + " of " + subject).isTrue();
        nowWhole++;
        plainWhole += PosterComposerTest.inside(crop(img, ImportanceMap.Weights.PLAIN), subject) ? 1 : 0;
        n++;
      }
    }
    assertThat(nowWhole).isEqualTo(n);
    // the map without the new terms ranks the saturated wheel (its edge) above the grey subject
    assertThat(plainWhole).isZero();
  }

  @Test
  void theComposerUsesTheImportanceWeightsItIsGiven() {
    BufferedImage img = wheel();
    Box subject = new Box(700, 300, 170, 150);
    greyPatch(img, subject, 4);
    PosterTemplate t = new PosterTemplate("t", 90, 160, List.of(), List.of());
    try (PosterComposer now = PosterComposer.builder().template(t).noExpressionScorer().minSharpness(0).build();
        PosterComposer plain = PosterComposer.builder().template(t).noExpressionScorer().minSharpness(0)
            .importanceWeights(ImportanceMap.Weights.PLAIN).build()) {
      Box a = now.compose(img, "wheel", null).kept().get(0).crop().crop();
      Box b = plain.compose(img, "wheel", null).kept().get(0).crop().crop();
      assertThat(PosterComposerTest.inside(a, subject)).as(a.toString()).isTrue();
      assertThat(PosterComposerTest.inside(b, subject)).as(b.toString()).isFalse();
    }
  }

  @Test
  void surroundColourContrastIsHighOnACompactPatchAndLowOnASmoothGradient() {
    BufferedImage img = wheel();
    Box subject = new Box(900, 200, 120, 120);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(new Color(40, 40, 40));
    g.fillRect((int) subject.x(), (int) subject.y(), (int) subject.w(), (int) subject.h());
    g.dispose();
    int w = 320;
    int h = 180;
    float[] cs;
    try (Mat bgr = CvImages.toBgr(io.sightline.core.image.ImageOps.resize(img, w, h))) {
      cs = SurroundContrast.colour(bgr, w, h, SurroundContrast.SCALES);
    }
    float inPatch = cs[(int) (subject.y() + subject.h() / 2) / 4 * w + (int) (subject.x() + subject.w() / 2) / 4];
    // a point of the smooth wheel as far from the patch and the centre as the patch is
    float onWheel = cs[(int) (200 + 60) / 4 * w + (int) (260 + 60) / 4];
    assertThat(inPatch).isGreaterThan(3 * onWheel);
  }

  @Test
  void edgeDensityContrastIsHighOnATexturedPatchInAFlatSurroundAndNotOnAnEvenTexture() {
    int w = 320;
    int h = 180;
    float[] mag = new float[w * h];
    Random r = new Random(5);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean patch = x >= 40 && x < 80 && y >= 60 && y < 100;
        boolean evenTexture = x >= 200; // the right side is textured all over
        mag[y * w + x] = patch || evenTexture ? 50 + 50 * r.nextFloat() : 1;
      }
    }
    float[] es;
    try (Mat m = CvImages.fromFloats(mag, w, h)) {
      assertThat(m.type()).isEqualTo(opencv_core.CV_32F);
      es = SurroundContrast.edgeDensity(m, w, h, SurroundContrast.SCALES);
    }
    float patch = es[80 * w + 60];
    float even = es[90 * w + 280]; // deep inside the even texture
    assertThat(patch).isGreaterThan(3 * even);
  }

  @Test
  void borderPriorDampsARegionAlongTheBorderAndLeavesAnInnerOneAlone() {
    int w = 100;
    int h = 60;
    float[] v = new float[w * h];
    for (int y = 20; y < 40; y++) {
      for (int x = 0; x < 20; x++) {
        v[y * w + x] = 1f; // touches the left border along 20 pixels
      }
      for (int x = 50; x < 70; x++) {
        v[y * w + x] = 1f; // same size, inside the frame
      }
    }
    float[] off = v.clone();
    BorderPrior.apply(off, w, h, 0);
    assertThat(off).containsExactly(v);
    BorderPrior.apply(v, w, h, 8);
    assertThat(v[30 * w + 60]).isEqualTo(1f);
    assertThat(v[30 * w + 10]).isLessThan(0.01f); // connectivity 20/√400 = 1: exp(−8)
  }

  @Test
  void borderPriorDampsARegionAlongEachOfTheFourSidesAlike() {
    int w = 100;
    int h = 60;
    // a 20x20 region against the left, right, top and bottom side in turn, and one inside
    int[][] regions = {{0, 20}, {80, 20}, {40, 0}, {40, 40}};
    for (int[] r : regions) {
      float[] v = new float[w * h];
      for (int y = r[1]; y < r[1] + 20; y++) {
        for (int x = r[0]; x < r[0] + 20; x++) {
          v[y * w + x] = 1f;
        }
      }
      int inner = r[0] == 0 ? 62 : 12; // an inner 10x10 region away from the first
      for (int y = 25; y < 35; y++) {
        for (int x = inner; x < inner + 10; x++) {
          v[y * w + x] = 1f;
        }
      }
      BorderPrior.apply(v, w, h, 8);
      assertThat(v[(r[1] + 10) * w + r[0] + 10]).as("region at %d,%d", r[0], r[1]).isLessThan(0.01f);
      assertThat(v[30 * w + inner + 4]).as("inner region with %d,%d", r[0], r[1]).isEqualTo(1f);
    }
  }

  @Test
  void weightsValidateTheNewTermsAndTheOldConstructorLeavesThemOff() {
    assertThatThrownBy(() -> new ImportanceMap.Weights(0, 0, 0, 0, 0, 1, -1, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap.Weights(0, 0, 0, 0, 0, 1, 0, 0, Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
    ImportanceMap.Weights old = new ImportanceMap.Weights(0.1, 0.3, 0.1, 0.25, 0.1, 0.35, 4);
    assertThat(old).isEqualTo(ImportanceMap.Weights.PLAIN);
    assertThat(old.surround() + old.edgeSurround() + old.border()).isZero();
    assertThat(ImportanceMap.Weights.DEFAULT.border()).isPositive();
  }
}
