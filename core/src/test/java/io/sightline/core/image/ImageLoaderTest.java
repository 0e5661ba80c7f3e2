package io.sightline.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ImageTooLargeException;
import io.sightline.core.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLoaderTest {
  private final ImageLoader loader = ImageLoader.defaults();

  @Test
  void decodesPngJpegBmpFromPathBytesAndStream(@TempDir Path dir) throws IOException {
    BufferedImage img = TestImages.synthetic(1, 120, 80);
    for (String fmt : new String[] {"png", "bmp", "gif"}) {
      byte[] bytes = TestImages.encode(img, fmt);
      Path f = dir.resolve("a." + fmt);
      Files.write(f, bytes);
      assertThat(loader.load(f).getWidth()).isEqualTo(120);
      assertThat(loader.load(bytes).getHeight()).isEqualTo(80);
      assertThat(loader.load(new ByteArrayInputStream(bytes)).getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
      assertThat(loader.probe(f).format()).isNotEmpty();
    }
    assertThat(loader.load(TestImages.jpegBytes(img, 0.8f)).getWidth()).isEqualTo(120);
  }

  @Test
  void readsBundledPublicDomainPhotos() {
    Path photos = TestImages.testdata().resolve("photos");
    assertThat(loader.load(photos.resolve("astronaut.png")).getWidth()).isEqualTo(512);
    assertThat(loader.load(photos.resolve("rocket.jpg")).getHeight()).isPositive();
    ImageInfo info = loader.probe(photos.resolve("coffee.png"));
    assertThat(info.format()).isEqualTo("png");
    assertThat(info.width()).isEqualTo(600);
  }

  @Test
  void emptyInputIsRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("empty.png");
    Files.write(f, new byte[0]);
    assertThatThrownBy(() -> loader.load(f)).isInstanceOf(ImageDecodeException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> loader.load(new byte[0])).isInstanceOf(ImageDecodeException.class);
  }

  @Test
  void nonImageAndMissingFilesAreRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("notes.jpg");
    Files.writeString(f, "this is a text file pretending to be a jpeg", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> loader.load(f)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("not an image");
    assertThatThrownBy(() -> loader.load(dir.resolve("nope.png"))).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("no such file");
    assertThatThrownBy(() -> loader.load(dir)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("directory");
  }

  @Test
  void truncatedPngAndJpegAreRefused() {
    BufferedImage img = TestImages.synthetic(2, 200, 150);
    byte[] png = TestImages.encode(img, "png");
    byte[] jpg = TestImages.jpegBytes(img, 0.9f);
    assertThatThrownBy(() -> loader.load(Arrays.copyOf(png, png.length / 2)))
        .isInstanceOf(ImageDecodeException.class);
    assertThatThrownBy(() -> loader.load(Arrays.copyOf(jpg, jpg.length / 2)))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> loader.load(Arrays.copyOf(png, 20))).isInstanceOf(ImageDecodeException.class);
  }

  @Test
  void decompressionBombIsRefusedBeforeDecoding() throws IOException {
    // A valid PNG header declaring 100000 x 100000 pixels; the payload is a few bytes.
    byte[] bomb = pngDeclaring(100_000, 100_000);
    long before = usedMemory();
    assertThatThrownBy(() -> loader.load(bomb)).isInstanceOf(ImageTooLargeException.class)
        .hasMessageContaining("decompression bomb");
    assertThat(usedMemory() - before).isLessThan(256L * 1024 * 1024);
  }

  @Test
  void byteAndPixelBudgetsAreConfigurable() {
    BufferedImage img = TestImages.synthetic(3, 300, 200);
    byte[] png = TestImages.encode(img, "png");
    assertThatThrownBy(() -> ImageLoader.withLimits(300 * 199, 1 << 20).load(png))
        .isInstanceOf(ImageTooLargeException.class);
    assertThatThrownBy(() -> ImageLoader.withLimits(1 << 20, 100).load(png))
        .isInstanceOf(ImageTooLargeException.class);
    assertThatThrownBy(() -> ImageLoader.withLimits(1 << 20, 100).load(new ByteArrayInputStream(png)))
        .isInstanceOf(ImageTooLargeException.class);
    assertThat(ImageLoader.withLimits(300 * 200, 1 << 20).load(png).getWidth()).isEqualTo(300);
  }

  @Test
  void alphaIsCompositedOnWhiteButKeptByLoadRaw(@TempDir Path dir) throws IOException {
    BufferedImage argb = new BufferedImage(10, 10, BufferedImage.TYPE_INT_ARGB);
    Path f = dir.resolve("t.png");
    ImageIO.write(argb, "png", f.toFile());
    assertThat(loader.load(f).getRGB(5, 5) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    assertThat(loader.loadRaw(f).getColorModel().hasAlpha()).isTrue();
  }

  @Test
  void anImageOverTheDecodeBudgetIsDecodedSubsampledNotRefused() {
    BufferedImage img = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 300; y++) {
      for (int x = 0; x < 400; x++) {
        img.setRGB(x, y, x < 200 ? 0xFF0000 : 0x0000FF);
      }
    }
    byte[] png = TestImages.encode(img, "png");
    BufferedImage full = loader.withDecodeBudget(400L * 300 * ImageLoader.BYTES_PER_DECODED_PIXEL).load(png);
    assertThat(full.getWidth()).isEqualTo(400);
    BufferedImage half = loader.withDecodeBudget(400L * 300 * ImageLoader.BYTES_PER_DECODED_PIXEL / 4).load(png);
    assertThat(half.getWidth()).isEqualTo(200);
    assertThat(half.getHeight()).isEqualTo(150);
    assertThat(half.getRGB(10, 75) & 0xFFFFFF).isEqualTo(0xFF0000);
    assertThat(half.getRGB(190, 75) & 0xFFFFFF).isEqualTo(0x0000FF);
    BufferedImage third = loader.withDecodeBudget(400L * 300 * ImageLoader.BYTES_PER_DECODED_PIXEL / 5).load(png);
    assertThat(third.getWidth()).isEqualTo(134);
  }

  @Test
  void subsamplingTakesTheSmallestStepThatFits() {
    assertThat(ImageLoader.subsampling(7000, 7000, 7000L * 7000 * 8)).isEqualTo(1);
    assertThat(ImageLoader.subsampling(7000, 7000, 7000L * 7000 * 8 - 1)).isEqualTo(2);
    assertThat(ImageLoader.subsampling(7000, 7000, 64L << 20)).isEqualTo(3);
    assertThat(ImageLoader.subsampling(10, 10, 1)).isEqualTo(10);
  }

  /** A 49-megapixel PNG in a 256 MB heap: subsampled, and the good image next to it still loads. */
  @Test
  void aHugeImageInASmallHeapDoesNotRunOutOfMemory(@TempDir Path dir) throws Exception {
    Path huge = dir.resolve("huge.png");
    Files.write(huge, blackPng(7000, 7000));
    Path small = dir.resolve("small.png");
    Files.write(small, TestImages.encode(TestImages.synthetic(1, 64, 48), "png"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        LoadImagesMain.class.getName(), huge.toString(), small.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("huge.png 2334x2334").contains("small.png 64x48");
  }

  /** A valid, all-black RGB PNG, deflated row by row (small on disk, w x h when decoded). */
  static byte[] blackPng(int w, int h) throws IOException {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat, new Deflater(9))) {
      byte[] row = new byte[1 + 3 * w];
      for (int y = 0; y < h; y++) {
        z.write(row);
      }
    }
    return png(w, h, idat.toByteArray());
  }

  private static long usedMemory() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  static byte[] pngDeclaring(int w, int h) throws IOException {
    Deflater def = new Deflater();
    def.setInput(new byte[4096]);
    def.finish();
    byte[] buf = new byte[8192];
    int n = def.deflate(buf);
    return png(w, h, Arrays.copyOf(buf, n));
  }

  /** An RGB PNG of w x h with the given compressed pixel data. */
  private static byte[] png(int w, int h, byte[] idat) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bos);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(ihdr);
    d.writeInt(w);
    d.writeInt(h);
    d.write(new byte[] {8, 2, 0, 0, 0});
    chunk(out, "IHDR", ihdr.toByteArray());
    chunk(out, "IDAT", idat);
    chunk(out, "IEND", new byte[0]);
    return bos.toByteArray();
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    out.writeInt(data.length);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}
