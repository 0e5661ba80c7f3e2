package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules of the importance map, one component at a time (issue "tests that bite"): small
 * synthetic images (at most 256 px, so the map is the image, pixel for pixel) and hand-made
 * components; every expected value is worked out from the documented rule.
 */
class ImportanceMapRulesTest {
  private static final float[] NONE = null;

  private static BufferedImage image(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    fill(img, 0, 0, w, h, rgb);
    return img;
  }

  private static void fill(BufferedImage img, int x0, int y0, int w, int h, int rgb) {
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
  }

  private static int rgb(int r, int g, int b) {
    return r << 16 | g << 8 | b;
  }

  private static ImportanceMap.Components components(BufferedImage img) {
    return ImportanceMap.components(img, null, false, null);
  }

  private static float[] constant(int n, double v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, (float) v);
    return a;
  }

  // ---- size ---------------------------------------------------------------------------------------

  @Test
  void theMapIs256OnTheShorterSideUnlessTheLongerWouldPass512AndNeverUpscales() {
    ImportanceMap.Components wide = components(image(1280, 720, rgb(90, 90, 90)));
    assertThat(wide.width()).isEqualTo(455); // 1280·256/720 = 455.1
    assertThat(wide.height()).isEqualTo(256);
    assertThat(wide.imageWidth()).isEqualTo(1280);
    assertThat(wide.imageHeight()).isEqualTo(720);
    ImportanceMap.Components panorama = components(image(2400, 600, rgb(90, 90, 90)));
    assertThat(panorama.width()).isEqualTo(512); // 256/600 would make the longer side 1024
    assertThat(panorama.height()).isEqualTo(128);
    assertThat(panorama.edge()).hasSize(512 * 128);
    ImportanceMap.Components small = components(image(100, 50, rgb(90, 90, 90)));
    assertThat(small.width()).isEqualTo(100);
    assertThat(small.height()).isEqualTo(50);
  }

  // ---- skin ---------------------------------------------------------------------------------------

  @Test
  void skinColouredPixelsAreSkinAndEachSideOfTheYCrCbBoxIsNot() {
    // 16x16 blocks (the 1.2 % blur reaches 3 px, the centres are 8 px inside)
    int[] colours = {
      rgb(224, 172, 140), // skin: Y 184, Cr 157, Cb 103
      rgb(40, 20, 10), //    skin chroma but too dark: Y 25
      rgb(255, 60, 60), //   Cr 226 > 173
      rgb(120, 140, 130), // Cr 119 < 135
      rgb(230, 200, 40), //  Cb 43 < 77
      rgb(200, 100, 220), // Cb 171 > 127
      rgb(128, 128, 128), // grey
      rgb(224, 172, 140), // skin again
    };
    BufferedImage img = image(64, 32, 0);
    for (int i = 0; i < 8; i++) {
      fill(img, (i % 4) * 16, (i / 4) * 16, 16, 16, colours[i]);
    }
    float[] skin = components(img).skin();
    for (int i = 0; i < 8; i++) {
      float at = skin[((i / 4) * 16 + 8) * 64 + (i % 4) * 16 + 8];
      boolean isSkin = i == 0 || i == 7;
      assertThat(at).as("block %d", i).isCloseTo(isSkin ? 1f : 0f, within(1e-4f));
    }
  }

  @Test
  void skinColouredPixelsScoreHigherThanGreyOnesWithEqualEdges() {
    // a skin square (luma 184) and a grey one (luma 184) on a darker grey, mirrored about the centre:
    // the same edges, the same centre prior; fused on edges and skin, only the skin square lights up
    BufferedImage img = image(64, 32, rgb(100, 100, 100));
    fill(img, 8, 8, 16, 16, rgb(224, 172, 140));
    fill(img, 40, 8, 16, 16, rgb(184, 184, 184));
    ImportanceMap.Components c = components(img);
    assertThat(c.edge()[16 * 64 + 8]).isCloseTo(c.edge()[16 * 64 + 55], within(0.02f));
    ImportanceMap m = c.fuse(new ImportanceMap.Weights(1, 0, 1, 0, 0, 0, 1));
    float skin = m.values()[16 * 64 + 16];
    float grey = m.values()[16 * 64 + 47];
    assertThat(skin).isGreaterThan(0.4f);
    assertThat(grey).isLessThan(0.01f);
  }

  @Test
  void theComponentsAreSmoothedByAGaussianOfOnePointTwoPercentOfTheLongerSide() {
    // a skin half-plane: the first pixel outside gets the kernel's weight on the skin side
    BufferedImage img = image(64, 64, rgb(128, 128, 128));
    fill(img, 0, 0, 32, 64, rgb(224, 172, 140));
    float[] skin = components(img).skin();
    double sigma = 0.012 * 64;
    double inside = 0;
    double all = 1;
    for (int k = 1; k <= 3; k++) { // OpenCV's kernel: 7 taps for σ = 0.77
      double g = Math.exp(-k * k / (2 * sigma * sigma));
      inside += g;
      all += 2 * g;
    }
    assertThat(skin[32 * 64 + 32]).isCloseTo((float) (inside / all), within(1e-3f));
    assertThat(skin[32 * 64 + 31]).isCloseTo((float) (1 - inside / all), within(1e-3f));
  }

  // ---- saturation, edges, colour contrast ---------------------------------------------------------

  @Test
  void saturationIsMaxMinusMinScaledSoTheMostSaturatedPatchReadsOne() {
    // grey background (saturation 0 = the median), a pure red patch (1) and a pink one (64/255)
    BufferedImage img = image(64, 64, rgb(128, 128, 128));
    fill(img, 8, 8, 16, 16, rgb(255, 0, 0));
    fill(img, 40, 40, 16, 16, rgb(192, 128, 128));
    float[] sat = components(img).saturation();
    assertThat(sat[16 * 64 + 16]).isCloseTo(1f, within(1e-4f));
    assertThat(sat[48 * 64 + 48]).isCloseTo(64 / 255f, within(1e-4f));
    assertThat(sat[48 * 64 + 16]).isZero();
  }

  @Test
  void edgesAreHighOnASharpBorderAndZeroOnFlatAreas() {
    BufferedImage img = image(64, 64, rgb(128, 128, 128));
    fill(img, 16, 16, 32, 32, rgb(20, 20, 20));
    float[] edge = components(img).edge();
    assertThat(edge[32 * 64 + 16]).as("left border of the square").isGreaterThan(0.5f);
    assertThat(edge[16 * 64 + 32]).as("top border").isGreaterThan(0.5f);
    assertThat(edge[32 * 64 + 32]).as("inside").isZero();
    assertThat(edge[4 * 64 + 4]).as("background").isZero();
  }

  @Test
  void aRareColourFarFromTheRestHasTheMostColourContrastAndNearOnesTheirShare() {
    // histogram contrast: each colour's mean distance to all pixels (over 8x8x8 RGB bins). Grey
    // background A, B a little redder, D a little greener (each in a bin of its own), C pure red.
    // After the median (A) is subtracted and the 99th percentile (C) scaled to 1, a colour k reads
    // (s_k − s_A) / (s_C − s_A)
    int[][] colours = {{128, 128, 128}, {160, 128, 128}, {128, 160, 128}, {255, 0, 0}};
    int[][] at = {{0, 0}, {8, 8}, {8, 40}, {40, 40}};
    double[] count = {64 * 64 - 3 * 256, 256, 256, 256};
    BufferedImage img = image(64, 64, rgb(128, 128, 128));
    for (int k = 1; k < 4; k++) {
      fill(img, at[k][0], at[k][1], 16, 16, rgb(colours[k][0], colours[k][1], colours[k][2]));
    }
    double[] sal = new double[4];
    for (int k = 0; k < 4; k++) {
      for (int j = 0; j < 4; j++) {
        double dr = colours[k][0] - colours[j][0];
        double dg = colours[k][1] - colours[j][1];
        double db = colours[k][2] - colours[j][2];
        sal[k] += count[j] * Math.sqrt(dr * dr + dg * dg + db * db) / 4096;
      }
    }
    float[] colour = components(img).colour();
    for (int k = 1; k < 4; k++) {
      float got = colour[(at[k][1] + 8) * 64 + at[k][0] + 8];
      assertThat(got).as("colour %d", k).isCloseTo((float) ((sal[k] - sal[0]) / (sal[3] - sal[0])), within(1e-4f));
    }
    assertThat(colour[32 * 64 + 4]).isZero();
  }

  // ---- spectral and fine-grained saliency ---------------------------------------------------------

  @Test
  void aSpectralMapOfAnotherSizeIsResizedToTheMapAndOneOfTheSameSizeIsUsedAsItIs() {
    BufferedImage img = image(64, 64, rgb(128, 128, 128));
    float[] quarter = new float[4 * 4];
    quarter[0] = 1f; // the top-left cell of a 4x4 map
    ImportanceMap.Components c = ImportanceMap.components(img, new SaliencyMap(4, 4, quarter), false, null);
    assertThat(c.spectral()).hasSize(64 * 64);
    assertThat(c.spectral()[4 * 64 + 4]).isCloseTo(1f, within(1e-4f));
    assertThat(c.spectral()[48 * 64 + 48]).isZero();
    float[] same = new float[64 * 64];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        same[y * 64 + x] = x / 63f;
      }
    }
    ImportanceMap.Components s = ImportanceMap.components(img, new SaliencyMap(64, 64, same), false, null);
    assertThat(s.spectral()).containsExactly(MapOps.contrast(same));
    assertThat(components(img).spectral()).isNull();
  }

  @Test
  void fineGrainedSaliencyIsComputedOnlyWhenAskedFor() {
    BufferedImage img = image(64, 64, rgb(128, 128, 128));
    fill(img, 24, 24, 16, 16, rgb(250, 250, 250));
    assertThat(ImportanceMap.components(img, null, false, null).fine()).isNull();
    assertThat(ImportanceMap.components(img, null, true, null).fine()).hasSize(64 * 64);
  }

  @Test
  void theSurroundTermsAreComputedWhenTheWeightsUseEitherOfThem() {
    BufferedImage img = image(64, 64, rgb(128, 128, 128));
    fill(img, 24, 24, 16, 16, rgb(250, 40, 40));
    // would throw "the surround components were not computed" otherwise
    ImportanceMap a = ImportanceMap.compute(img, null, false, new ImportanceMap.Weights(0, 0, 0, 0, 0, 1, 1, 0, 0, 1));
    ImportanceMap b = ImportanceMap.compute(img, null, false, new ImportanceMap.Weights(0, 0, 0, 0, 0, 1, 0, 1, 0, 1));
    ImportanceMap plain = ImportanceMap.compute(img, null, false, ImportanceMap.Weights.PLAIN);
    for (ImportanceMap m : List.of(a, b, plain)) {
      assertThat(m.width()).isEqualTo(64);
      assertThat(m.values()[32 * 64 + 32]).isGreaterThan(m.values()[4 * 64 + 4]);
    }
  }

  // ---- contrast against the median ----------------------------------------------------------------

  @Test
  void contrastMapsTheMedianToZeroAndThe99thPercentileToOne() {
    // 0..999 in a scrambled order: median 500, 99th percentile 990
    float[] v = new float[1000];
    for (int i = 0; i < 1000; i++) {
      v[i] = (i * 337) % 1000;
    }
    float[] c = MapOps.contrast(v);
    for (int i = 0; i < 1000; i++) {
      float expected = Math.max(0f, Math.min(1f, (v[i] - 500f) / 490f));
      assertThat(c[i]).as("value %s", v[i]).isCloseTo(expected, within(1e-6f));
    }
    assertThat(MapOps.contrast(constant(50, 0.3))).containsOnly(0f);
  }

  @Test
  void contrastOfALargeMapSamplesEverySecondValue() {
    // 40000 values i: a stride of 2 samples 0, 2, ..., 39998: median 20000, 99th percentile 39600
    float[] v = new float[40000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    float[] c = MapOps.contrast(v);
    assertThat(c[29800]).isCloseTo(0.5f, within(1e-5f));
    assertThat(c[20000]).isZero();
    assertThat(c[39600]).isEqualTo(1f);
  }

  // ---- fusion -------------------------------------------------------------------------------------

  /** 5x3 components with the given constants (null: component absent). */
  private static ImportanceMap.Components uniform(double edge, double sat, double skin, Double spectral, Double fine,
      double colour, Double surround, Double edgeSurround) {
    int n = 15;
    return new ImportanceMap.Components(5, 3, 50, 30, constant(n, edge), constant(n, sat), constant(n, skin),
        spectral == null ? NONE : constant(n, spectral), fine == null ? NONE : constant(n, fine), constant(n, colour),
        surround == null ? NONE : constant(n, surround), edgeSurround == null ? NONE : constant(n, edgeSurround));
  }

  /** Centre of the 5x3 map: (2, 1), where the centre prior is 1. */
  private static float centre(ImportanceMap m) {
    return m.values()[1 * 5 + 2];
  }

  @Test
  void theFusedValueIsTheWeightedMeanOfTheComponentsRaisedToThePower() {
    ImportanceMap.Components c = uniform(0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.6, 0.4);
    double mean = (1 * 0.9 + 2 * 0.1 + 3 * 0.5 + 4 * 0.3 + 5 * 0.7 + 6 * 0.2 + 7 * 0.6 + 8 * 0.4) / 36;
    assertThat(centre(c.fuse(new ImportanceMap.Weights(1, 2, 3, 4, 5, 6, 7, 8, 0, 1))))
        .isCloseTo((float) mean, within(1e-6f));
    assertThat(centre(c.fuse(new ImportanceMap.Weights(1, 2, 3, 4, 5, 6, 7, 8, 0, 2))))
        .isCloseTo((float) (mean * mean), within(1e-6f));
    assertThat(centre(c.fuse(new ImportanceMap.Weights(1, 2, 3, 4, 5, 6, 7, 8, 0, 0.5))))
        .isCloseTo((float) Math.sqrt(mean), within(1e-6f));
  }

  @Test
  void anAbsentComponentDoesNotDiluteTheOthers() {
    // no spectral, fine-grained or surround maps: their weights leave the normalisation
    ImportanceMap.Components c = uniform(0.9, 0.1, 0.5, null, null, 0.2, null, null);
    double mean = (1 * 0.9 + 2 * 0.1 + 3 * 0.5 + 6 * 0.2) / 12;
    assertThat(centre(c.fuse(new ImportanceMap.Weights(1, 2, 3, 4, 5, 6, 0, 0, 0, 1))))
        .isCloseTo((float) mean, within(1e-6f));
    // but asking for a surround term that was not computed is an error
    assertThatThrownBy(() -> c.fuse(new ImportanceMap.Weights(1, 2, 3, 4, 5, 6, 1, 0, 0, 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.fuse(new ImportanceMap.Weights(1, 2, 3, 4, 5, 6, 0, 1, 0, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void allWeightsZeroGiveAnEmptyMapNotNaN() {
    ImportanceMap m = uniform(0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.6, 0.4)
        .fuse(new ImportanceMap.Weights(0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
    assertThat(m.values()).containsOnly(0f);
  }

  @Test
  void theCentrePriorRaisesTheCentreRelativeToTheCorners() {
    // 1 − 0.2·d², d² the mean of the squared distances normalised by the half sides (2 and 1)
    ImportanceMap m = uniform(1, 1, 1, null, null, 1, null, null).fuse(new ImportanceMap.Weights(1, 1, 1, 0, 0, 1, 1));
    float[] v = m.values();
    assertThat(v[1 * 5 + 2]).isCloseTo(1f, within(1e-6f)); // centre
    assertThat(v[0]).isCloseTo(0.8f, within(1e-6f)); // corner: d² = (1 + 1) / 2
    assertThat(v[2 * 5 + 4]).isCloseTo(0.8f, within(1e-6f)); // opposite corner
    assertThat(v[1 * 5 + 4]).isCloseTo(0.9f, within(1e-6f)); // middle of the right side: d² = 1/2
    assertThat(v[0 * 5 + 1]).isCloseTo(0.875f, within(1e-6f)); // (1, 0): d² = (1/4 + 1) / 2
    assertThat(m.imageWidth()).isEqualTo(50);
    assertThat(m.imageHeight()).isEqualTo(30);
  }

  @Test
  void fusionDampsARegionAlongTheBorderAndNotAnInnerOne() {
    int w = 20;
    int h = 20;
    float[] e = new float[w * h];
    for (int y = 6; y < 14; y++) {
      for (int x = 0; x < 5; x++) {
        e[y * w + x] = 1f; // along the left border
      }
      for (int x = 12; x < 17; x++) {
        e[y * w + x] = 1f; // inside
      }
    }
    float[] z = new float[w * h];
    ImportanceMap.Components c = new ImportanceMap.Components(w, h, w, h, e, z, z, null, null, z, null, null);
    ImportanceMap off = c.fuse(new ImportanceMap.Weights(1, 0, 0, 0, 0, 0, 0, 0, 0, 1));
    ImportanceMap on = c.fuse(new ImportanceMap.Weights(1, 0, 0, 0, 0, 0, 0, 0, 8, 1));
    int left = 10 * w + 2;
    int inner = 10 * w + 14;
    assertThat(on.values()[inner]).isEqualTo(off.values()[inner]);
    assertThat(on.values()[left]).isLessThan(0.1f * off.values()[left]);
  }

  // ---- the record: boosts, copies, equality, validation ------------------------------------------

  @Test
  void aBoostAddsInsideItsBoxInMapPixelsAndIsClippedToOne() {
    // 8x4 map of an 80x40 image: the box (20,10)-(50,30) covers map cells x 2..4, y 1..2
    ImportanceMap m = new ImportanceMap(8, 4, 80, 40, constant(32, 0.5));
    ImportanceMap b = m.boosted(List.of(new Box(20, 10, 30, 20)), 0.3f);
    float[] v = b.values();
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 8; x++) {
        boolean in = x >= 2 && x <= 4 && y >= 1 && y <= 2;
        assertThat(v[y * 8 + x]).as("cell %d,%d", x, y).isCloseTo(in ? 0.8f : 0.5f, within(1e-6f));
      }
    }
    assertThat(m.values()).containsOnly(0.5f); // the original is untouched
    // overlapping boosts are clipped to 1; a box running off the image is clamped to it
    ImportanceMap twice = m.boosted(List.of(new Box(20, 10, 30, 20), new Box(30, 10, 100, 10)), 0.3f);
    assertThat(twice.values()[1 * 8 + 3]).isEqualTo(1f);
    assertThat(twice.values()[1 * 8 + 7]).isCloseTo(0.8f, within(1e-6f));
    assertThat(twice.values()[2 * 8 + 7]).isCloseTo(0.5f, within(1e-6f));
    assertThat(m.boosted(List.of(), 0.3f)).isSameAs(m);
  }

  @Test
  void valuesAreACopyAndMapsWithEqualContentAreEqual() {
    float[] raw = constant(6, 0.25);
    ImportanceMap m = new ImportanceMap(3, 2, 30, 20, raw);
    m.values()[0] = 1f;
    assertThat(m.values()[0]).isEqualTo(0.25f);
    ImportanceMap same = new ImportanceMap(3, 2, 30, 20, constant(6, 0.25));
    assertThat(m).isEqualTo(same);
    assertThat(m.hashCode()).isEqualTo(same.hashCode());
    assertThat(m).isNotEqualTo(new ImportanceMap(2, 3, 30, 20, constant(6, 0.25)));
    assertThat(m).isNotEqualTo(new ImportanceMap(3, 2, 31, 20, constant(6, 0.25)));
    assertThat(m).isNotEqualTo(new ImportanceMap(3, 2, 30, 21, constant(6, 0.25)));
    assertThat(m).isNotEqualTo(new ImportanceMap(3, 2, 30, 20, constant(6, 0.5)));
    assertThat(m).isNotEqualTo("a map");
  }

  @Test
  void aMapNeedsAtLeastOnePixelAndOneValuePerPixel() {
    assertThat(new ImportanceMap(1, 1, 10, 10, new float[1]).width()).isEqualTo(1);
    assertThatThrownBy(() -> new ImportanceMap(0, 1, 10, 10, new float[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap(1, 0, 10, 10, new float[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap(2, 2, 10, 10, new float[3]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap(2, 2, 10, 10, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void weightsMustBeFiniteAndNonNegativeAndThePowerInZeroToEight() {
    assertThat(new ImportanceMap.Weights(0, 0, 0, 0, 0, 0, 0, 0, 0, 8).power()).isEqualTo(8);
    assertThat(new ImportanceMap.Weights(999_999, 0, 0, 0, 0, 0, 1e-9).edge()).isEqualTo(999_999);
    assertThatThrownBy(() -> new ImportanceMap.Weights(1e6, 0, 0, 0, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap.Weights(0, -1e-9, 0, 0, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap.Weights(0, 0, 0, 0, 0, 0, 0, 0, Double.POSITIVE_INFINITY, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap.Weights(0, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap.Weights(0, 0, 0, 0, 0, 0, 8.001))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap.Weights(0, 0, 0, 0, 0, 0, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
