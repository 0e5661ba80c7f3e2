package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The uniqueness weighting of the importance map's components (issue 13, sixth part): a component
 * with one peak outweighs one with many, so a single coloured subject on a grey, busy photo is not
 * outvoted by the edges of the background.
 */
class UniquenessTest {
  private static final int W = 1280;
  private static final int H = 720;

  @Test
  void oneMapWithOnePeakAndOneWithManyEqualPeaks() {
    int w = 200;
    int h = 100;
    float[] one = new float[w * h];
    float[] many = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        one[y * w + x] = (float) Math.exp(-(Math.pow(x - 50, 2) + Math.pow(y - 50, 2)) / 50);
        double m = 0;
        for (int c = 0; c < 8; c++) {
          m = Math.max(m, Math.exp(-(Math.pow(x - 12 - 25 * c, 2) + Math.pow(y - 50, 2)) / 20));
        }
        many[y * w + x] = (float) m;
      }
    }
    assertThat(Uniqueness.factor(one, w, h, 4)).isEqualTo(1.0);
    // eight equal peaks: the mean of the others is the peak itself
    assertThat(Uniqueness.factor(many, w, h, 4)).isLessThan(0.01);
    // a peak at half height beside the main one: (1 − 0.5)^2
    float[] two = one.clone();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        two[y * w + x] = Math.max(two[y * w + x],
            0.5f * (float) Math.exp(-(Math.pow(x - 150, 2) + Math.pow(y - 50, 2)) / 50));
      }
    }
    assertThat(Uniqueness.factor(two, w, h, 2)).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.01));
    // a clipped top (a plateau of equal maxima) is one peak, not many
    float[] plateau = new float[w * h];
    for (int i = 0; i < plateau.length; i++) {
      plateau[i] = Math.min(1f, 3 * one[i]);
    }
    assertThat(Uniqueness.factor(plateau, w, h, 4)).isEqualTo(1.0);
    // exponent 0: exactly 1, whatever the map (the maps of earlier parts are unchanged)
    assertThat(Uniqueness.factor(many, w, h, 0)).isEqualTo(1.0);
  }

  /** Grey photo-like scene: many bright, textured discs (strong edges), one plain coloured shape. */
  private static BufferedImage coinsAndHorse(Box subject, long seed) {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(new Color(95, 95, 95));
    g.fillRect(0, 0, W, H);
    Random r = new Random(seed);
    for (int cy = 60; cy < H; cy += 200) {
      for (int cx = 70; cx < W; cx += 210) {
        int rad = 70 + r.nextInt(15);
        g.setColor(new Color(225, 225, 225));
        g.fillOval(cx - rad, cy - rad, 2 * rad, 2 * rad);
        g.setColor(new Color(70, 70, 70));
        for (int k = 0; k < 45; k++) {
          int a = r.nextInt(2 * rad) - rad;
          int b = r.nextInt(2 * rad) - rad;
          if (a * a + b * b < rad * rad * 0.7) {
            g.fillOval(cx + a - 6, cy + b - 6, 12, 12);
          }
        }
      }
    }
    // a brown drawing of thick strokes, the only colour in the scene, as dark as the background
    g.setColor(new Color(120, 88, 55));
    g.setStroke(new java.awt.BasicStroke(11));
    int x0 = (int) subject.x();
    int y0 = (int) subject.y();
    int sw = (int) subject.w();
    int sh = (int) subject.h();
    g.drawLine(x0 + 7, y0 + sh / 3, x0 + sw - 7, y0 + sh / 3);
    g.drawLine(x0 + 20, y0 + sh / 3, x0 + 7, y0 + sh - 7);
    g.drawLine(x0 + sw - 20, y0 + sh / 3, x0 + sw - 7, y0 + sh - 7);
    g.drawLine(x0 + sw - 30, y0 + sh / 3, x0 + sw - 7, y0 + 7);
    g.dispose();
    return img;
  }

  @Test
  void theOnlyColouredSubjectAmongGreyCoinsIsKeptWholeWithTheWeighting() {
    int withWhole = 0;
    int withoutWhole = 0;
    int n = 0;
    for (int x : new int[] {80, 300, 880, 1020}) {
      for (int y : new int[] {150, 420}) {
        Box subject = new Box(x, y, 180, 140);
        BufferedImage img = coinsAndHorse(subject, 11);
        withWhole += PosterComposerTest.inside(SurroundAndBorderTest.crop(img, ImportanceMap.Weights.DEFAULT), subject) ? 1 : 0;
        withoutWhole += PosterComposerTest.inside(SurroundAndBorderTest.crop(img, ImportanceMap.Weights.SURROUND), subject) ? 1 : 0;
        n++;
      }
    }
    assertThat(withWhole).isEqualTo(n);
    // without the weighting the edges of the coins outvote the drawing in half the scenes or more
    assertThat(withoutWhole).isLessThanOrEqualTo(n / 2);
  }

  @Test
  void whenEveryComponentHasManyEqualPeaksTheyCountByTheirWeightsAlone() {
    int w = 200;
    int h = 100;
    float[] many = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double m = 0;
        for (int c = 0; c < 8; c++) {
          m = Math.max(m, Math.exp(-(Math.pow(x - 12 - 25 * c, 2) + Math.pow(y - 50, 2)) / 20));
        }
        many[y * w + x] = (float) m;
      }
    }
    ImportanceMap.Components c = new ImportanceMap.Components(w, h, 2 * w, 2 * h, many, many, many, many, null, many,
        many, many, many);
    float[] with = c.fuse(ImportanceMap.Weights.DEFAULT).values();
    ImportanceMap.Weights d = ImportanceMap.Weights.DEFAULT;
    float[] without = c.fuse(new ImportanceMap.Weights(d.edge(), d.saturation(), d.skin(), d.spectral(), d.fine(),
        d.colour(), d.surround(), d.edgeSurround(), d.border(), d.power(), 0, d.focus())).values();
    assertThat(with).containsExactly(without);
    float max = 0;
    for (float f : with) {
      max = Math.max(max, f);
    }
    assertThat(max).isGreaterThan(0.1f);
  }
}
