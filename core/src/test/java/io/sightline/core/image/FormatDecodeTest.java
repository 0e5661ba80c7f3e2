package io.sightline.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * WebP (lossy and lossless) and CMYK JPEG, decoded by the TwelveMonkeys plugins, compared with the
 * reference decoders that made the files (libwebp's {@code dwebp}; Pillow for CMYK): see
 * {@code testdata/README.md} for how each file was produced.
 */
class FormatDecodeTest {
  private static final Path FORMATS = Path.of("../testdata/formats");
  private static final ImageLoader LOADER = ImageLoader.defaults();

  /** Mean absolute difference per channel (0-255) between two images of the same size. */
  static double meanAbsDiff(BufferedImage a, BufferedImage b) {
    assertThat(a.getWidth()).isEqualTo(b.getWidth());
    assertThat(a.getHeight()).isEqualTo(b.getHeight());
    long sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int s = 0; s <= 16; s += 8) {
          sum += Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF));
        }
      }
    }
    return sum / (3.0 * a.getWidth() * a.getHeight());
  }

  @Test
  void losslessWebpEqualsLibwebpPixelForPixel() {
    assertThat(LOADER.probe(FORMATS.resolve("coffee-lossless.webp")).format()).isEqualTo("webp");
    BufferedImage webp = LOADER.load(FORMATS.resolve("coffee-lossless.webp"));
    BufferedImage ref = LOADER.load(FORMATS.resolve("coffee-lossless.dwebp.png"));
    assertThat(meanAbsDiff(webp, ref)).isZero();
  }

  @Test
  void lossyWebpMatchesLibwebpWithinRounding() {
    BufferedImage webp = LOADER.load(FORMATS.resolve("chelsea-lossy.webp"));
    BufferedImage ref = LOADER.load(FORMATS.resolve("chelsea-lossy.dwebp.png"));
    // measured 1.18: decoders differ in chroma upsampling and YUV->RGB rounding, not in content
    assertThat(meanAbsDiff(webp, ref)).isLessThan(3.0);
  }

  @Test
  void cmykJpegDecodesToTheRightColours() {
    BufferedImage cmyk = LOADER.load(FORMATS.resolve("chelsea-cmyk.jpg"));
    BufferedImage source = LOADER.load(FORMATS.resolve("chelsea-160.png"));
    assertThat(cmyk.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    double diff = meanAbsDiff(cmyk, source);
    // measured 2.2 (JPEG loss); inverted or mis-ordered channels give differences near 100
    assertThat(diff).as("mean |CMYK JPEG decode - RGB source|").isLessThan(8.0);
  }
}
