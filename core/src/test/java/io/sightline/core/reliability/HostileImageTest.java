package io.sightline.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.SightlineException;
import io.sightline.core.TestImages;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Hostile and mutated images: every case must end in a typed {@link SightlineException} or a
 * valid image, never another exception, a hang or an OutOfMemoryError.
 */
class HostileImageTest {
  private static final ImageLoader LOADER = ImageLoader.withLimits(20_000_000, 8 << 20);

  @Test
  void fuzzedImagesEndInTypedExceptionOrValidImage() throws Exception {
    BufferedImage img = TestImages.synthetic(3, 160, 120);
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("png", TestImages.encode(img, "png"));
    seeds.put("jpeg", TestImages.jpegBytes(img, 0.8f));
    seeds.put("gif", TestImages.encode(img, "gif"));
    seeds.put("bmp", TestImages.encode(img, "bmp"));
    seeds.put("tiff", TestImages.encode(img, "tiff"));
    java.nio.file.Path formats = java.nio.file.Path.of("../testdata/formats");
    seeds.put("webp-lossless", java.nio.file.Files.readAllBytes(formats.resolve("coffee-lossless.webp")));
    seeds.put("webp-lossy", java.nio.file.Files.readAllBytes(formats.resolve("chelsea-lossy.webp")));
    seeds.put("jpeg-cmyk", java.nio.file.Files.readAllBytes(formats.resolve("chelsea-cmyk.jpg")));
    Random rnd = new Random(20261123L);
    GlobalDescriptorEmbedder emb = new GlobalDescriptorEmbedder();
    int decoded = 0;
    int refused = 0;
    List<String> unexpected = new ArrayList<>();
    for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
      for (int i = 0; i < 80; i++) {
        byte[] b = mutate(seed.getValue(), rnd);
        try {
          BufferedImage out = LOADER.load(b);
          assertThat(out.getWidth()).isPositive();
          assertThat(emb.embed(out)).hasSize(emb.dimension());
          decoded++;
        } catch (SightlineException e) {
          assertThat(e.getMessage()).isNotBlank();
          refused++;
        } catch (Throwable t) {
          unexpected.add(seed.getKey() + "#" + i + ": " + t);
        }
      }
    }
    assertThat(unexpected).isEmpty();
    assertThat(decoded + refused).isEqualTo(80 * seeds.size());
    org.slf4j.LoggerFactory.getLogger(HostileImageTest.class).info(
        "fuzz: {} mutated images from {} seeds: {} decoded, {} refused with a typed exception", decoded + refused,
        seeds.size(), decoded, refused);
    assertThat(refused).isPositive();
  }

  @Test
  void tiffAndAnimatedGifDecode() throws Exception {
    BufferedImage a = TestImages.synthetic(4, 64, 48);
    assertThat(LOADER.load(TestImages.encode(a, "tiff")).getWidth()).isEqualTo(64);
    // two-frame GIF: the first frame is returned
    ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bos)) {
      w.setOutput(out);
      w.prepareWriteSequence(null);
      IIOMetadata meta = w.getDefaultImageMetadata(new javax.imageio.ImageTypeSpecifier(a), null);
      w.writeToSequence(new IIOImage(a, null, meta), null);
      w.writeToSequence(new IIOImage(TestImages.synthetic(5, 64, 48), null, meta), null);
      w.endWriteSequence();
    }
    assertThat(LOADER.load(bos.toByteArray()).getHeight()).isEqualTo(48);
  }

  @Test
  void wrongExtensionIsJudgedByContent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path f = dir.resolve("photo.jpg");
    java.nio.file.Files.write(f, TestImages.encode(TestImages.synthetic(6, 30, 20), "png"));
    assertThat(LOADER.load(f).getWidth()).isEqualTo(30);
    java.nio.file.Path z = dir.resolve("archive.png");
    java.nio.file.Files.write(z, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0});
    assertThatThrownBy(() -> LOADER.load(z)).isInstanceOf(ImageDecodeException.class);
  }

  private static byte[] mutate(byte[] src, Random rnd) {
    byte[] b = src.clone();
    switch (rnd.nextInt(4)) {
      case 0 -> { // flip random bytes
        int n = 1 + rnd.nextInt(20);
        for (int k = 0; k < n; k++) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      case 1 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length)); // truncate
      case 2 -> { // corrupt the header region, where sizes live
        int n = 1 + rnd.nextInt(6);
        for (int k = 0; k < n; k++) {
          b[rnd.nextInt(Math.min(64, b.length))] = (byte) rnd.nextInt(256);
        }
      }
      default -> { // splice a block from elsewhere
        int len = 1 + rnd.nextInt(Math.max(1, b.length / 8));
        int from = rnd.nextInt(b.length - len);
        int to = rnd.nextInt(b.length - len);
        System.arraycopy(src, from, b, to, len);
      }
    }
    return b;
  }
}
