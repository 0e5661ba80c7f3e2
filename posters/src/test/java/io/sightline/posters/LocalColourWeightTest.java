package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, tenth part: the local colour contrast ({@code surround}) is weighted 0.3 by default, so
 * a soft, detail-free patch of colour in a photo's background does not outweigh the sharp, detailed
 * subject.
 */
class LocalColourWeightTest {
  private static final int W = 1280;
  private static final int H = 720;

  /**
   * A photo-like scene: a muted, softly varying background with mild grain; a sharp, detailed,
   * neutral-coloured subject (fine texture with hard edges); elsewhere a soft blob of saturated colour
   * (an out-of-focus flower or light behind the subject) with no detail of its own.
   */
  static BufferedImage scene(Box subject, double blobX, double blobY, Color blob, long seed) {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(seed);
    float[] hsb = Color.RGBtoHSB(blob.getRed(), blob.getGreen(), blob.getBlue(), null);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        double base = 105 + 25 * Math.sin(x / 310.0) * Math.cos(y / 270.0) + r.nextGaussian() * 2;
        int rr = (int) base + 6;
        int gg = (int) base + 10;
        int bb = (int) base;
        // the soft blob: a wide Gaussian of colour, no edges inside it
        double d2 = (Math.pow(x - blobX, 2) + Math.pow(y - blobY, 2)) / (2 * 55.0 * 55.0);
        double a = Math.exp(-d2);
        if (a > 0.01) {
          int c = Color.HSBtoRGB(hsb[0], hsb[1], hsb[2]);
          rr = (int) ((1 - a) * rr + a * ((c >> 16) & 255));
          gg = (int) ((1 - a) * gg + a * ((c >> 8) & 255));
          bb = (int) ((1 - a) * bb + a * (c & 255));
        }
        if (x >= subject.x() && x < subject.x2() && y >= subject.y() && y < subject.y2()) {
          // the subject: hard-edged fine structure in natural browns and greys
          boolean dark = ((x - (int) subject.x()) / 6 + (y - (int) subject.y()) / 6) % 2 == 0;
          int v = dark ? 40 + r.nextInt(30) : 170 + r.nextInt(40);
          rr = v + 20;
          gg = v + 8;
          bb = v;
        }
        img.setRGB(x, y, clamp(rr) << 16 | clamp(gg) << 8 | clamp(bb));
      }
    }
    return img;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  @Test
  void aSoftBlobOfColourDoesNotOutweighTheSharpSubjectAtTheDefaultWeight() {
    int defaultWhole = 0;
    int heavyWhole = 0;
    int n = 0;
    Color[] colours = {new Color(230, 60, 40), new Color(250, 200, 30), new Color(60, 120, 240), new Color(220, 60, 200)};
    for (int k = 0; k < colours.length; k++) {
      for (int side = 0; side < 2; side++) {
        Box subject = side == 0 ? new Box(180, 260, 160, 200) : new Box(940, 240, 160, 200);
        double blobX = side == 0 ? 930 : 330;
        BufferedImage img = scene(subject, blobX, 380, colours[k], 11 + k);
        defaultWhole += PosterComposerTest.inside(SurroundAndBorderTest.crop(img, ImportanceMap.Weights.DEFAULT),
            subject) ? 1 : 0;
        heavyWhole += PosterComposerTest.inside(SurroundAndBorderTest.crop(img, ImportanceMap.Weights.FOCUSED),
            subject) ? 1 : 0;
        n++;
      }
    }
    assertThat(defaultWhole).as("subjects kept whole at the default weight 0.3").isEqualTo(n);
    // at weight 1 (the ninth part's default) the blob pulls the window away from the subject
    assertThat(heavyWhole).as("subjects kept whole at weight 1").isLessThanOrEqualTo(n - 2);
  }
}
