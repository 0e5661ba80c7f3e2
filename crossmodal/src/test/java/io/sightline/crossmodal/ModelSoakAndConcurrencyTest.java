package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.reliability.NativeSoak;

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

  /**
   * Exact leak check: scoring, captioning and retrieval attach nothing to the model's own manager
   * (an array attached there lives until the model closes, which the soak below saw as ~2 KB per
   * call before the fix).
   */
  @Test
  void callsAttachNoArrayToTheModelsManager() {
    ImageFeatures f = model.featureExtractor().extract(pairs.get(1).image(), List.of());
    model.score("a red square", f);
    int before = model.managedArrays();
    for (int i = 0; i < 20; i++) {
      model.score(i % 2 == 0 ? "a red square" : "a blue disc", f);
      model.caption(pairs.get(i % pairs.size()).image());
    }
    assertThat(model.managedArrays()).isEqualTo(before);
  }

  /**
   * Rounds of 500 scorings and 4 load/close cycles; the resident set beyond the committed heap is
   * measured after each. Bounds the total growth and the growth over rounds 2..N (a leak keeps
   * growing, allocator caches settle). {@code -Dsightline.soak.rounds=N} runs a longer soak.
   */
  @Test
  void scoringAndReloadingDoNotLeakNativeMemory() throws Exception {
    int rounds = NativeSoak.rounds(4);
    ImageFeatures f = model.featureExtractor().extract(pairs.get(0).image(), List.of());
    for (int i = 0; i < 200; i++) {
      model.score("a red square", f);
    }
    Path dir = tmp.resolve("soak-model");
    model.save(dir);
    NativeSoak.Result r = NativeSoak.run(rounds, () -> {
      int ops = 0;
      for (int i = 0; i < 500; i++) {
        assertThat(Double.isFinite(model.score(i % 2 == 0 ? "a red square" : "a blue disc", f).logit())).isTrue();
        ops++;
      }
      for (int i = 0; i < 4; i++) {
        try (CrossModalModel loaded = CrossModalModel.load(dir)) {
          loaded.score("a green disc", f);
        }
        ops++;
      }
      return ops;
    });
    LOG.info("crossmodal soak (PyTorch scoring, model load/close): {} (bounds 200 and 60 MB)", r.summary());
    assertThat(r.totalMb()).isLessThan(200);
    assertThat(r.slopeMb()).as("growth beyond the heap over rounds 2-%d (a leak keeps growing)", rounds)
        .isLessThan(60);
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
