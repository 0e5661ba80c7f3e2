package io.sightline.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.OnnxModelWriter;
import io.sightline.core.rerank.LocalFeatureReranker;
import io.sightline.core.rerank.LocalFeatures;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Thousands of operations that allocate native memory (ONNX Runtime tensors through DJL
 * NDManagers, OpenCV Mats in ORB + RANSAC), measuring the process resident set before and after:
 * native memory must be released, so the RSS stays flat up to a generous bound.
 *
 * <p>The bound is on the resident set minus the growth of the committed Java heap (the heap may
 * legitimately expand while garbage is produced; that is not a native leak). Both figures are
 * logged; BENCHMARKS.md records them.
 */
class NativeMemorySoakTest {
  private static final Logger LOG = LoggerFactory.getLogger(NativeMemorySoakTest.class);
  private static final long BOUND_MB = 150;
  private static final long SLOPE_BOUND_MB = 40;
  /** Rounds of the soak; {@code -Dsightline.soak.rounds=N} runs a longer one (BENCHMARKS.md). */
  private static final int ROUNDS = NativeSoak.rounds(4);
  private static final int SIDE = 224;

  @TempDir
  Path dir;

  static BufferedImage texture(Random rnd, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(rnd.nextInt(1 << 24)));
    g.fillRect(0, 0, w, h);
    for (int i = 0; i < 40; i++) {
      g.setColor(new Color(rnd.nextInt(1 << 24)));
      int x = rnd.nextInt(w);
      int y = rnd.nextInt(h);
      if (rnd.nextBoolean()) {
        g.fillRect(x, y, 8 + rnd.nextInt(40), 8 + rnd.nextInt(40));
      } else {
        g.fillOval(x, y, 8 + rnd.nextInt(40), 8 + rnd.nextInt(40));
      }
    }
    g.dispose();
    return img;
  }

  private static BufferedImage shifted(BufferedImage src, int dx, int dy) {
    BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.drawImage(src, dx, dy, null);
    g.dispose();
    return out;
  }

  private static int work(Path model, LocalFeatureReranker reranker, BufferedImage[] images, int embeds, int reopens,
      int pairs, Random rnd) {
    int ops = 0;
    try (OnnxImageEmbedder e = OnnxImageEmbedder.builder().modelPath(model).inputSize(SIDE, SIDE).build()) {
      for (int i = 0; i < embeds; i++) {
        float[] v = e.embed(images[i % images.length]);
        assertThat(v).hasSize(e.dimension());
        ops++;
      }
    }
    for (int i = 0; i < reopens; i++) {
      try (OnnxImageEmbedder e = OnnxImageEmbedder.builder().modelPath(model).inputSize(SIDE, SIDE).build()) {
        e.embed(images[i % images.length]);
        ops++;
      }
    }
    for (int i = 0; i < pairs; i++) {
      BufferedImage a = images[rnd.nextInt(images.length)];
      LocalFeatures fa = reranker.computeFeatures(a);
      LocalFeatures fb = reranker.computeFeatures(shifted(a, 3, 2));
      LocalFeatureReranker.Verification v = reranker.verify(fa, fb);
      assertThat(v.inliers()).isLessThanOrEqualTo(v.matches());
      ops += 3;
    }
    return ops;
  }

  /**
   * The tiny embedder of {@link OnnxModelWriter} at {@code side x side} input, so that every
   * inference moves a realistic tensor (3 x 224 x 224 floats = 588 KiB) through native memory and
   * a leaked input tensor would add that much per call.
   */
  static byte[] embedderModel(int side) {
    OnnxModelWriter w = OnnxModelWriter.create(13);
    w.input("pixels", OnnxModelWriter.FLOAT, "N", 3, side, side);
    float[] weights = new float[12];
    for (int r = 0; r < 3; r++) {
      System.arraycopy(OnnxModelWriter.EMBED_W[r], 0, weights, r * 4, 4);
    }
    w.initializer("W", new long[] {3, 4}, weights);
    w.initializer("B", new long[] {4}, OnnxModelWriter.EMBED_B);
    w.node("GlobalAveragePool", new String[] {"pixels"}, new String[] {"gap"});
    w.node("Flatten", new String[] {"gap"}, new String[] {"pooled"}, OnnxModelWriter.intAttr("axis", 1));
    w.node("MatMul", new String[] {"pooled", "W"}, new String[] {"mm"});
    w.node("Add", new String[] {"mm", "B"}, new String[] {"embedding"});
    w.output("embedding", OnnxModelWriter.FLOAT, "N", 4);
    return w.toBytes();
  }

  /**
   * Runs the same batch of native operations (750 inferences, 10 model open/close cycles, 200 ORB
   * extractions and 100 RANSAC verifications) in {@link #ROUNDS} rounds after a warm-up, with
   * {@link NativeSoak}. Bounds the total growth and the growth after round 1 (the slope), which a leak of one input tensor per
   * inference (588 KiB x 750 = 430 MB per round) or one Mat per ORB extraction would exceed many
   * times over.
   */
  @Test
  void nativeMemoryStaysFlatOverThousandsOfOperations() throws Exception {
    Assumptions.assumeTrue(NativeSoak.supported(), "needs Linux /proc");
    Path model = dir.resolve("embedder-224.onnx");
    Files.write(model, embedderModel(SIDE));
    Random rnd = new Random(42);
    BufferedImage[] images = new BufferedImage[16];
    for (int i = 0; i < images.length; i++) {
      images[i] = texture(rnd, 320, 240);
    }
    LocalFeatureReranker reranker = LocalFeatureReranker.defaults();

    int warm = work(model, reranker, images, 750, 5, 40, rnd);
    NativeSoak.Result r = NativeSoak.run(ROUNDS, () -> work(model, reranker, images, 750, 10, 100, rnd));
    LOG.info("native soak (ONNX inferences at {}x{}, model open/close, ORB + RANSAC; {} warm-up operations): {}"
        + " (bounds {} and {} MB)", SIDE, SIDE, warm, r.summary(), BOUND_MB, SLOPE_BOUND_MB);
    assertThat(r.operations()).isGreaterThanOrEqualTo(1000 * ROUNDS);
    assertThat(r.totalMb()).as("RSS growth beyond the Java heap after %d native operations", r.operations())
        .isLessThan(BOUND_MB);
    assertThat(r.slopeMb()).as("RSS growth beyond the heap over rounds 2-%d (a leak keeps growing)", ROUNDS)
        .isLessThan(SLOPE_BOUND_MB);
  }
}
