package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, eighth part: the depth-of-field cue. A subject in focus in front of a soft background
 * (the usual shallow-depth-of-field photo) is found by its fine detail, even where the blurred
 * background has more colour and more contrast.
 */
class FocusMapTest {
  private static final int W = 1280;
  private static final int H = 720;

  /**
   * A soft "bokeh" background: large, strongly coloured blobs of high contrast, smooth everywhere
   * (sums of wide Gaussians), as an out-of-focus garden behind a flower.
   */
  static BufferedImage bokeh(long seed) {
    Random r = new Random(seed);
    int n = 14;
    double[][] blobs = new double[n][6];
    for (double[] b : blobs) {
      b[0] = r.nextDouble() * W;
      b[1] = r.nextDouble() * H;
      b[2] = 40 + r.nextDouble() * 60;
      b[3] = r.nextDouble();
      b[4] = r.nextDouble();
      b[5] = r.nextDouble();
    }
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        double cr = 40;
        double cg = 70;
        double cb = 40;
        for (double[] b : blobs) {
          double g = Math.exp(-((x - b[0]) * (x - b[0]) + (y - b[1]) * (y - b[1])) / (2 * b[2] * b[2]));
          cr += 215 * g * b[3];
          cg += 185 * g * b[4];
          cb += 215 * g * b[5];
        }
        img.setRGB(x, y, clamp(cr) << 16 | clamp(cg) << 8 | clamp(cb));
      }
    }
    return img;
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  /**
   * A sharp subject of modest colour: fine dark strokes (one to two pixels wide) on a muted
   * olive patch, like the veins of a leaf in focus.
   */
  static void sharpSubject(BufferedImage img, Box b, long seed) {
    Random r = new Random(seed);
    for (int y = (int) b.y(); y < b.y2(); y++) {
      for (int x = (int) b.x(); x < b.x2(); x++) {
        boolean stroke = (x + 2 * y) % 7 < 2 || (3 * x - y + 1000) % 11 < 1;
        int v = stroke ? 60 + r.nextInt(20) : 120 + r.nextInt(20);
        img.setRGB(x, y, (v + 10) << 16 | (v + 10) << 8 | (v - 20));
      }
    }
  }

  @Test
  void withFocusWithSurroundAndWithBorderChangeOnlyTheirOwnWeight() {
    ImportanceMap.Weights d = ImportanceMap.Weights.DEFAULT;
    assertThat(d.withBorder(0)).isEqualTo(new ImportanceMap.Weights(d.edge(), d.saturation(), d.skin(), d.spectral(),
        d.fine(), d.colour(), d.surround(), d.edgeSurround(), 0, d.power(), d.uniqueness(), d.focus()));
    assertThat(ImportanceMap.Weights.UNIQUE.withFocus(d.focus())).isEqualTo(ImportanceMap.Weights.FOCUSED);
    assertThat(ImportanceMap.Weights.FOCUSED.withSurround(d.surround())).isEqualTo(d);
    assertThat(d.focus()).isEqualTo(0.25);
    assertThat(d.surround()).isEqualTo(0.3);
    assertThat(ImportanceMap.Weights.FOCUSED.surround()).isEqualTo(1.0);
    assertThat(ImportanceMap.Weights.UNIQUE.focus()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withFocus(-1))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.withSurround(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eachMapCellIsTheMeanAbsoluteLaplacianOfItsFourPixels() {
    // at twice the map's size no resizing happens, so each cell must be the mean of |4-neighbour
    // Laplacian| over its 2x2 pixels, computed here by hand (interior cells: no border rule)
    int side = 16;
    int[][] g = new int[side][side];
    Random r = new Random(5);
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        g[y][x] = r.nextInt(256);
        img.setRGB(x, y, g[y][x] << 16 | g[y][x] << 8 | g[y][x]);
      }
    }
    float[] f;
    try (Mat bgr = CvImages.toBgr(img)) {
      f = FocusMap.compute(bgr, side / 2, side / 2);
    }
    for (int cy = 1; cy < side / 2 - 1; cy++) {
      for (int cx = 1; cx < side / 2 - 1; cx++) {
        double sum = 0;
        for (int y = 2 * cy; y < 2 * cy + 2; y++) {
          for (int x = 2 * cx; x < 2 * cx + 2; x++) {
            sum += Math.abs(g[y - 1][x] + g[y + 1][x] + g[y][x - 1] + g[y][x + 1] - 4 * g[y][x]);
          }
        }
        assertThat((double) f[cy * (side / 2) + cx]).as("cell %d,%d", cx, cy).isCloseTo(sum / 4, within(1e-3));
      }
    }
  }

  @Test
  void fineDetailScoresHigherThanABlurredEdgeOfMoreContrast() {
    BufferedImage img = new BufferedImage(512, 256, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 256; y++) {
      for (int x = 0; x < 512; x++) {
        int v;
        if (x < 256) {
          v = ((x / 2 + y / 2) % 2 == 0) ? 110 : 150;
        } else {
          // a black-to-white ramp 40 px wide: the contrast of a blurred edge, no fine detail
          v = clamp(255 / (1 + Math.exp(-(x - 384) / 8.0)));
        }
        img.setRGB(x, y, v << 16 | v << 8 | v);
      }
    }
    float[] f;
    try (Mat bgr = CvImages.toBgr(img)) {
      f = FocusMap.compute(bgr, 128, 64);
    }
    double left = 0;
    double right = 0;
    for (int y = 4; y < 60; y++) {
      for (int x = 4; x < 60; x++) {
        left += f[y * 128 + x];
        right += f[y * 128 + 64 + x];
      }
    }
    assertThat(left).isGreaterThan(5 * right);
  }

  @Test
  void aSharpSubjectInFrontOfASoftColourfulBackgroundIsKeptWholeWithTheFocusCue() {
    int withFocus = 0;
    int without = 0;
    int n = 0;
    for (long seed = 1; seed <= 4; seed++) {
      for (int x : new int[] {120, 560, 1000}) {
        BufferedImage img = bokeh(seed);
        Box subject = new Box(x, 250, 160, 200);
        sharpSubject(img, subject, seed);
        withFocus += PosterComposerTest.inside(SurroundAndBorderTest.crop(img, ImportanceMap.Weights.DEFAULT), subject)
            ? 1 : 0;
        without += PosterComposerTest.inside(SurroundAndBorderTest.crop(img, ImportanceMap.Weights.UNIQUE), subject)
            ? 1 : 0;
        n++;
      }
    }
    // 12 of 12 with the cue and 8 of 12 without it when written
    assertThat(withFocus).isEqualTo(n);
    assertThat(without).isLessThan(n);
  }
}
