package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch native memory (NDArrays, model parameters) is released: thousands of scoring calls and
 * repeated save/load cycles leave the process resident set flat within a generous bound; and
 * concurrent callers get the same scores as a single caller.
 */
class ModelSoakAndConcurrencyTest {
  private static final Logger LOG = LoggerFactory.getLogger(ModelSoakAndConcurrencyTest.class);
  @TempDir
  static Path tmp;
  static List<ImageTextPair> pairs;
  static CrossModalModel model;

  @BeforeAll
  static void train() throws Exception {
    pairs = Fixtures.shapes(tmp.resolve("img"), 3, 5);
    model = CrossModalTrainer.builder().pairs(pairs).width(32).layers(1).heads(2).epochs(2)
        .batchSize(16).learningRate(3e-3f).seed(5).build().train().model();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static long rssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  static long heapMb() {
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
  }

  static void settle() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
  }

  @Test
  void scoringAndReloadingDoNotLeakNativeMemory() throws Exception {
    ImageFeatures f = model.featureExtractor().extract(pairs.get(0).image(), List.of());
    for (int i = 0; i < 200; i++) {
      model.score("a red square", f);
    }
    Path dir = tmp.resolve("soak-model");
    model.save(dir);
    settle();
    long rss0 = rssMb();
    long heap0 = heapMb();
    int ops = 0;
    for (int i = 0; i < 2000; i++) {
      assertThat(Double.isFinite(model.score(i % 2 == 0 ? "a red square" : "a blue disc", f).logit())).isTrue();
      ops++;
    }
    for (int i = 0; i < 15; i++) {
      try (CrossModalModel loaded = CrossModalModel.load(dir)) {
        loaded.score("a green disc", f);
      }
      ops++;
    }
    settle();
    long rss1 = rssMb();
    long heap1 = heapMb();
    long nativeGrowth = (rss1 - rss0) - Math.max(0, heap1 - heap0);
    LOG.info("crossmodal soak: {} operations, RSS {} -> {} MB, heap {} -> {} MB, growth beyond heap {} MB",
        ops, rss0, rss1, heap0, heap1, nativeGrowth);
    assertThat(nativeGrowth).isLessThan(200);
  }

  @Test
  void concurrentCallersGetTheSameScores() throws Exception {
    List<ImageFeatures> feats = new ArrayList<>();
    for (ImageTextPair p : pairs.subList(0, 4)) {
      feats.add(model.featureExtractor().extract(p.image(), List.of()));
    }
    String[] texts = {"a red square", "a green disc", "a blue square", "a yellow disc"};
    double[][] expected = new double[texts.length][feats.size()];
    for (int t = 0; t < texts.length; t++) {
      for (int i = 0; i < feats.size(); i++) {
        expected[t][i] = model.score(texts[t], feats.get(i)).logit();
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Boolean>> futures = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      final int worker = w;
      futures.add(pool.submit(() -> {
        for (int r = 0; r < 25; r++) {
          int t = (worker + r) % texts.length;
          int i = r % feats.size();
          if (Math.abs(model.score(texts[t], feats.get(i)).logit() - expected[t][i]) > 1e-5) {
            return false;
          }
        }
        return true;
      }));
    }
    for (Future<Boolean> fu : futures) {
      assertThat(fu.get(120, TimeUnit.SECONDS)).isTrue();
    }
    pool.shutdown();
  }
}
