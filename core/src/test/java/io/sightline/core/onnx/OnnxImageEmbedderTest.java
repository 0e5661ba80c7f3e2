package io.sightline.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ModelException;
import io.sightline.core.image.ImageOps;
import io.sightline.core.image.Layout;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImageEmbedderTest {
  static final float[] MEAN = {0.5f, 0.4f, 0.3f};
  static final float[] STD = {0.2f, 0.25f, 0.3f};

  @TempDir static Path dir;
  static Path chw;
  static Path hwc;

  @BeforeAll
  static void writeModels() throws Exception {
    chw = dir.resolve("tiny-embedder.onnx");
    hwc = dir.resolve("tiny-embedder-hwc.onnx");
    Files.write(chw, OnnxModelWriter.tinyEmbedder(false));
    Files.write(hwc, OnnxModelWriter.tinyEmbedder(true));
  }

  static BufferedImage randomImage(int w, int h, long seed) {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    return img;
  }

  /** The tiny model's function, computed in plain Java from the 8x8 pixels. */
  static float[] channelMeans(BufferedImage img8) {
    double[] sum = new double[3];
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int p = img8.getRGB(x, y);
        sum[0] += (((p >> 16) & 255) / 255.0 - MEAN[0]) / STD[0];
        sum[1] += (((p >> 8) & 255) / 255.0 - MEAN[1]) / STD[1];
        sum[2] += ((p & 255) / 255.0 - MEAN[2]) / STD[2];
      }
    }
    return new float[] {(float) (sum[0] / 64), (float) (sum[1] / 64), (float) (sum[2] / 64)};
  }

  static float[] expectedEmbedding(BufferedImage img8) {
    float[] m = channelMeans(img8);
    float[] out = new float[4];
    for (int j = 0; j < 4; j++) {
      double s = OnnxModelWriter.EMBED_B[j];
      for (int c = 0; c < 3; c++) {
        s += m[c] * OnnxModelWriter.EMBED_W[c][j];
      }
      out[j] = (float) s;
    }
    return out;
  }

  static OnnxImageEmbedder.Builder base(Path model) {
    return OnnxImageEmbedder.builder().modelPath(model).inputSize(8, 8).normalization(MEAN, STD);
  }

  static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("component %d", i).isCloseTo(expected[i], within(1e-4f));
    }
  }

  @Test
  void outputEqualsHandComputedValues() {
    BufferedImage img = randomImage(8, 8, 1);
    try (OnnxImageEmbedder e = base(chw).outputName("embedding").build()) {
      assertThat(e.dimension()).isEqualTo(4);
      float[] v = e.embed(img);
      assertClose(v, expectedEmbedding(img));
      // not a constant: another image gives another vector
      assertThat(e.embed(randomImage(8, 8, 2))).isNotEqualTo(v);
    }
  }

  @Test
  void resizesLargerImagesWithImageOps() {
    BufferedImage img = randomImage(40, 30, 3);
    try (OnnxImageEmbedder e = base(chw).build()) {
      assertClose(e.embed(img), expectedEmbedding(ImageOps.resize(img, 8, 8)));
    }
  }

  @Test
  void batchingEqualsSingleCalls() {
    List<BufferedImage> images = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      images.add(randomImage(8 + i, 8 + 2 * i, 10 + i));
    }
    try (OnnxImageEmbedder e = base(chw).batchSize(3).build()) {
      assertThat(e.batchSize()).isEqualTo(3);
      List<float[]> all = e.embedAll(images);
      assertThat(all).hasSize(7);
      for (int i = 0; i < 7; i++) {
        assertClose(all.get(i), e.embed(images.get(i)));
        assertClose(all.get(i), expectedEmbedding(ImageOps.resize(images.get(i), 8, 8)));
      }
    }
  }

  @Test
  void hwcLayoutGivesTheSameValues() {
    BufferedImage img = randomImage(8, 8, 4);
    try (OnnxImageEmbedder e = base(hwc).layout(Layout.HWC).build()) {
      assertClose(e.embed(img), expectedEmbedding(img));
    }
  }

  @Test
  void selectsOutputByNameOrIndexAndNormalises() {
    BufferedImage img = randomImage(8, 8, 5);
    try (OnnxImageEmbedder byName = base(chw).outputName("pooled").build();
        OnnxImageEmbedder byIndex = base(chw).outputIndex(1).build();
        OnnxImageEmbedder unit = base(chw).l2Normalize(true).build()) {
      assertThat(byName.dimension()).isEqualTo(3);
      assertClose(byName.embed(img), channelMeans(img));
      assertClose(byIndex.embed(img), channelMeans(img));
      float[] raw = expectedEmbedding(img);
      double n = Math.sqrt(raw[0] * raw[0] + raw[1] * raw[1] + raw[2] * raw[2] + raw[3] * raw[3]);
      float[] expected = new float[4];
      for (int i = 0; i < 4; i++) {
        expected[i] = (float) (raw[i] / n);
      }
      assertClose(unit.embed(img), expected);
    }
  }

  @Test
  void idNamesFileAndHash() throws Exception {
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(chw)));
    try (OnnxImageEmbedder e = base(chw).build()) {
      assertThat(e.id()).isEqualTo("onnx:tiny-embedder.onnx@sha256:" + sha.substring(0, 12));
    }
  }

  @Test
  void concurrentCallsAreSafe() throws Exception {
    List<BufferedImage> images = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      images.add(randomImage(8, 8, 100 + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (OnnxImageEmbedder e = base(chw).build()) {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (BufferedImage img : images) {
          futures.add(pool.submit(() -> e.embed(img)));
        }
      }
      for (int i = 0; i < futures.size(); i++) {
        assertClose(futures.get(i).get(), expectedEmbedding(images.get(i % images.size())));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void wrongOutputNameIsAModelException() {
    assertThatThrownBy(() -> base(chw).outputName("features").build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("tiny-embedder.onnx")
        .hasMessageContaining("no output named 'features'")
        .hasMessageContaining("embedding");
    assertThatThrownBy(() -> base(chw).outputIndex(2).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("no output #2");
  }

  @Test
  void missingFileIsAModelException() {
    Path missing = dir.resolve("nope.onnx");
    assertThatThrownBy(() -> base(missing).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("nope.onnx")
        .hasMessageContaining("does not exist");
  }

  @Test
  void garbageFileIsAModelException() throws Exception {
    Path garbage = dir.resolve("garbage.onnx");
    Files.writeString(garbage, "this is not a protobuf, just some text pretending to be a model");
    assertThatThrownBy(() -> base(garbage).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("garbage.onnx")
        .hasMessageContaining("not a valid ONNX model");
  }

  @Test
  void wrongInputSizeOrLayoutIsAModelException() {
    assertThatThrownBy(() -> OnnxImageEmbedder.builder().modelPath(chw).inputSize(16, 16).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("tiny-embedder.onnx")
        .hasMessageContaining("16x16");
    assertThatThrownBy(() -> base(chw).layout(Layout.HWC).inputSize(8, 4).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("HWC");
  }

  @Test
  void declaredDimensionIsChecked() {
    assertThatThrownBy(() -> base(chw).dimension(5).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("tiny-embedder.onnx")
        .hasMessageContaining("4 values per image; expected dimension 5");
  }

  @Test
  void builderNamesMissingParts() {
    assertThatThrownBy(() -> OnnxImageEmbedder.builder().inputSize(8, 8).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("modelPath");
    assertThatThrownBy(() -> OnnxImageEmbedder.builder().modelPath(chw).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("inputSize");
  }

  @Test
  void nullImageIsTyped() {
    try (OnnxImageEmbedder e = base(chw).build()) {
      assertThatThrownBy(() -> e.embed(null)).isInstanceOf(ImageDecodeException.class);
    }
  }
}
