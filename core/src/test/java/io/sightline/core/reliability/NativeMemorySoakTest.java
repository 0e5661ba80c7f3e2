package io.sightline.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.OnnxModelWriter;
import io.sightline.core.rerank.LocalFeatureReranker;
import io.sightline.core.rerank.LocalFeatures;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
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
  private static final int EMBEDS = 3000;
  private static final int MODEL_REOPENS = 40;
  private static final int FEATURE_PAIRS = 400;

  @TempDir
  Path dir;

  static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  static long heapCommittedKb() {
    return Runtime.getRuntime().totalMemory() / 1024;
  }

  static void settle() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      Thread.sleep(50);
    }
  }

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

  private int work(Path model, LocalFeatureReranker reranker, BufferedImage[] images, int embeds, int reopens,
      int pairs, Random rnd) {
    int ops = 0;
    try (OnnxImageEmbedder e = OnnxImageEmbedder.builder().modelPath(model).inputSize(8, 8).build()) {
      for (int i = 0; i < embeds; i++) {
        float[] v = e.embed(images[i % images.length]);
        assertThat(v).hasSize(e.dimension());
        ops++;
      }
    }
    for (int i = 0; i < reopens; i++) {
      try (OnnxImageEmbedder e = OnnxImageEmbedder.builder().modelPath(model).inputSize(8, 8).build()) {
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

  @Test
  void nativeMemoryStaysFlatOverThousandsOfOperations() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux /proc");
    Path model = dir.resolve("tiny-embedder.onnx");
    Files.write(model, OnnxModelWriter.tinyEmbedder(false));
    Random rnd = new Random(42);
    BufferedImage[] images = new BufferedImage[16];
    for (int i = 0; i < images.length; i++) {
      images[i] = texture(rnd, 320, 240);
    }
    LocalFeatureReranker reranker = LocalFeatureReranker.defaults();

    int warm = work(model, reranker, images, 300, 5, 40, rnd);
    settle();
    long rss0 = rssKb();
    long heap0 = heapCommittedKb();

    int ops = work(model, reranker, images, EMBEDS, MODEL_REOPENS, FEATURE_PAIRS, rnd);
    settle();
    long rss1 = rssKb();
    long heap1 = heapCommittedKb();

    long rssGrowthMb = (rss1 - rss0) / 1024;
    long heapGrowthMb = (heap1 - heap0) / 1024;
    long nativeGrowthMb = rssGrowthMb - heapGrowthMb;
    LOG.info("native soak: {} warm-up + {} operations ({} ONNX inferences, {} model open/close, {} ORB extractions"
        + " + {} RANSAC verifications); RSS {} MB -> {} MB ({} MB), committed heap {} MB -> {} MB ({} MB),"
        + " native growth {} MB (bound {} MB)", warm, ops, EMBEDS, MODEL_REOPENS, 2 * FEATURE_PAIRS, FEATURE_PAIRS,
        rss0 / 1024, rss1 / 1024, rssGrowthMb, heap0 / 1024, heap1 / 1024, heapGrowthMb, nativeGrowthMb, BOUND_MB);
    assertThat(ops).isGreaterThanOrEqualTo(4000);
    assertThat(nativeGrowthMb).as("RSS growth beyond the Java heap after %d native operations", ops)
        .isLessThan(BOUND_MB);
  }
}
