package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/** The faster pixel paths of {@link CvImages} give exactly the pixels of the plain Java ones (issue 13). */
class CvImagesTest {
  @Test
  void theAnalysisCopyHasExactlyThePixelsOfTheJava2dReduction() {
    // even sides (OpenCV halvings), sides that turn odd after one halving, odd sides (Java2D only),
    // several halvings, a portrait and a panorama
    int[][] sizes = {{1920, 1080}, {1920, 1082}, {1921, 1081}, {4000, 3000}, {1080, 1920}, {3000, 800}, {600, 400}};
    for (int[] s : sizes) {
      BufferedImage img = noise(s[0], s[1], s[0] * 31L + s[1]);
      double k = CvImages.analysisScale(s[0], s[1], 560);
      BufferedImage reference = k >= 1 ? img : ImageOps.resize(img, Math.max(1, (int) Math.round(s[0] * k)),
          Math.max(1, (int) Math.round(s[1] * k)));
      BufferedImage fast = CvImages.reduced(img, 560);
      assertThat(fast.getWidth()).as("%dx%d", s[0], s[1]).isEqualTo(reference.getWidth());
      assertThat(fast.getHeight()).isEqualTo(reference.getHeight());
      assertThat(pixels(fast)).as("pixels of %dx%d", s[0], s[1]).isEqualTo(pixels(reference));
    }
  }

  @Test
  void theBgrMatrixHasTheImagesBytesWhateverItsLayout() {
    BufferedImage img = noise(37, 23, 5);
    // a sub-image shares the parent's raster with an offset: it must not take the packed path wrongly
    BufferedImage sub = noise(60, 40, 6).getSubimage(7, 5, 37, 23);
    BufferedImage rgbCopy = ImageOps.copy(sub);
    for (BufferedImage b : new BufferedImage[] {img, sub}) {
      int[] px = b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth());
      try (Mat m = CvImages.toBgr(b)) {
        byte[] bytes = new byte[b.getWidth() * b.getHeight() * 3];
        m.data().get(bytes);
        for (int i = 0; i < px.length; i++) {
          assertThat(bytes[3 * i] & 255).isEqualTo(px[i] & 255);
          assertThat(bytes[3 * i + 1] & 255).isEqualTo((px[i] >> 8) & 255);
          assertThat(bytes[3 * i + 2] & 255).isEqualTo((px[i] >> 16) & 255);
        }
      }
    }
    assertThat(pixels(CvImages.toImage(CvImages.toBgr(sub)))).isEqualTo(pixels(rgbCopy));
  }

  private static BufferedImage noise(int w, int h, long seed) {
    Random r = new Random(seed);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        // smooth shapes plus noise, so that means of neighbours vary in every way
        int base = (int) (127 + 100 * Math.sin(x / 17.0) * Math.cos(y / 11.0));
        img.setRGB(x, y, (clamp(base + r.nextInt(61) - 30) << 16) | (clamp(255 - base + r.nextInt(41) - 20) << 8)
            | r.nextInt(256));
      }
    }
    return img;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static int[] pixels(BufferedImage b) {
    return b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth());
  }
}
