package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.DimensionMismatchException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.InvalidVectorException;
import io.sightline.core.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagRecommenderTest {
  private static final int D = 6;

  private static TagRecommender.Builder builder() {
    return TagRecommender.builder().vectors("test-embedder/1", D)
        .clustering(ClusteringOptions.defaults().withClusters(3).withInit(CentreInit.KMEANS_PLUS_PLUS));
  }

  private static TagRecommender trained() {
    TagRecommender r = builder().build();
    r.addStock(Blobs.stock(20, D, 1));
    r.train();
    return r;
  }

  @Test
  void suggestsTheTagsOfTheNearestClusterByFrequency() {
    try (TagRecommender r = trained()) {
      float[] q = Blobs.near(1, D, new Random(9), 0.05);
      TagSuggestion s = r.suggestVector(q);
      assertThat(s.strategy()).isEqualTo(Strategy.NEAREST_CLUSTER);
      assertThat(s.tagNames()).containsExactly("forest", "tree", "green");
      // 20 stand-alone images: forest on all, tree on every second, green on every fifth
      assertThat(s.tags().get(0).frequency()).isCloseTo(1.0, within(1e-9));
      assertThat(s.tags().get(1).frequency()).isCloseTo(0.5, within(1e-9));
      assertThat(s.tags().get(2).frequency()).isCloseTo(0.2, within(1e-9));
      assertThat(s.clusters()).hasSize(1);
      assertThat(s.clusters().get(0).similarity()).isGreaterThan(0.9);
      assertThat(s.clusters().get(0).posts()).isEqualTo(20);
      TagModel m = r.model().orElseThrow();
      assertThat(m.clusterCount()).isEqualTo(3);
      assertThat(m.cluster(s.cluster()).images()).isEqualTo(20);
    }
  }

  @Test
  void topNAndFrequencyThresholdSelections() {
    try (TagRecommender r = trained()) {
      float[] q = Blobs.near(0, D, new Random(3), 0.05);
      assertThat(r.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.top(1)).tagNames())
          .containsExactly("beach");
      assertThat(r.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.minFrequency(0.5)).tagNames())
          .containsExactly("beach", "sea");
      assertThat(r.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.minFrequency(0.6)).tagNames())
          .containsExactly("beach");
      assertThat(r.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.topAbove(5, 0.1)).tagNames())
          .containsExactly("beach", "sea", "sun");
    }
  }

  @Test
  void tagsCountOncePerPost() {
    try (TagRecommender r = builder().clustering(ClusteringOptions.defaults().withClusters(1)).build()) {
      List<StockImage> stock = new ArrayList<>();
      Random rnd = new Random(1);
      // post p1: three images all tagged "cat"; two stand-alone images tagged "dog"
      for (int i = 0; i < 3; i++) {
        stock.add(new StockImage("p1-" + i, Blobs.near(0, D, rnd, 0.01), Set.of("cat"), "p1"));
      }
      stock.add(new StockImage("a", Blobs.near(0, D, rnd, 0.01), Set.of("dog"), null));
      stock.add(new StockImage("b", Blobs.near(0, D, rnd, 0.01), Set.of("dog", "cat"), ""));
      r.addStock(stock);
      r.train();
      ClusterTags c = r.model().orElseThrow().cluster(0);
      assertThat(c.images()).isEqualTo(5);
      assertThat(c.posts()).isEqualTo(3);
      assertThat(c.counts()).containsEntry("cat", 2).containsEntry("dog", 2);
      assertThat(c.frequency("cat")).isCloseTo(2 / 3.0, within(1e-9));
      assertThat(r.model().orElseThrow().overall().counts()).containsEntry("cat", 2);
    }
  }

  @Test
  void softClustersNeighboursAndPopularBaseline() {
    try (TagRecommender r = trained()) {
      float[] q = Blobs.near(2, D, new Random(4), 0.05);
      TagSuggestion soft = r.suggestVector(q, Strategy.SOFT_CLUSTERS, TagSelection.top(2));
      assertThat(soft.clusters()).hasSize(3);
      assertThat(soft.clusters().stream().mapToDouble(ClusterMatch::weight).sum()).isCloseTo(1.0, within(1e-9));
      assertThat(soft.clusters().get(0).weight()).isGreaterThan(soft.clusters().get(2).weight());
      assertThat(soft.tagNames()).containsExactly("city", "car");

      TagSuggestion nn = r.suggestVector(q, Strategy.NEAREST_NEIGHBOURS, TagSelection.top(2));
      assertThat(nn.neighbours()).hasSize(10);
      assertThat(nn.neighbours()).allMatch(n -> n.image().startsWith("b2-"));
      assertThat(nn.tagNames()).containsExactly("city", "car");
      assertThat(nn.tags().get(0).frequency()).isCloseTo(1.0, within(1e-6));

      TagSuggestion pop = r.suggestVector(q, Strategy.MOST_POPULAR, TagSelection.top(3));
      assertThat(pop.cluster()).isEqualTo(-1);
      assertThat(pop.tagNames()).containsExactly("beach", "city", "forest");
    }
  }

  @Test
  void acceptedTagsCountAtOnceAndAnnotateRecordsSuggestions() {
    try (TagRecommender r = trained()) {
      Random rnd = new Random(5);
      float[] q = Blobs.near(1, D, rnd, 0.05);
      int cluster = r.suggestVector(q).cluster();
      for (int i = 0; i < 30; i++) {
        r.acceptVector("user-" + i, Blobs.near(1, D, rnd, 0.05), List.of("autumn"), "upload-" + i);
      }
      assertThat(r.stockSize()).isEqualTo(90);
      assertThat(r.model().orElseThrow().cluster(cluster).frequency("autumn")).isCloseTo(0.6, within(1e-9));
      assertThat(r.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.top(1)).tagNames())
          .containsExactly("autumn");
      // the neighbour index follows the stock too
      assertThat(r.suggestVector(q, Strategy.NEAREST_NEIGHBOURS, TagSelection.top(1)).tagNames())
          .containsAnyOf("autumn", "forest");

      TagSuggestion applied = r.annotateVector("auto-1", Blobs.near(0, D, rnd, 0.05), null);
      assertThat(applied.tagNames()).containsExactly("beach", "sea", "sun");
      assertThat(r.stockImage("auto-1").orElseThrow().tags()).containsExactly("beach", "sea", "sun");

      assertThat(r.removeStock(List.of("user-0", "user-1", "missing"))).isEqualTo(2);
      assertThat(r.model().orElseThrow().cluster(cluster).counts()).containsEntry("autumn", 28);
    }
  }

  @Test
  void updateWarmStartsFromCurrentCentresOrReclusters() {
    try (TagRecommender r = trained()) {
      long g = r.model().orElseThrow().generation();
      Random rnd = new Random(8);
      List<StockImage> more = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        more.add(new StockImage("new-" + i, Blobs.near(2, D, rnd, 0.05), Set.of("night"), null));
      }
      r.addStock(more);
      List<String> progress = new ArrayList<>();
      TrainingReport warm = r.update(UpdateMode.WARM_START, (t, d, n, m) -> progress.add(t + ":" + m),
          CancellationToken.NONE);
      assertThat(warm.warmStarted()).isTrue();
      assertThat(warm.stockImages()).isEqualTo(70);
      assertThat(warm.iterations()).isLessThanOrEqualTo(3);
      assertThat(progress).anyMatch(p -> p.startsWith("kmeans:D="));
      assertThat(r.model().orElseThrow().generation()).isEqualTo(g + 1);
      assertThat(r.suggestVector(Blobs.near(2, D, rnd, 0.05)).tagNames()).contains("city", "night");

      TrainingReport fresh = r.update(UpdateMode.RECLUSTER, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(fresh.warmStarted()).isFalse();
      assertThat(r.model().orElseThrow().generation()).isEqualTo(g + 2);
    }
  }

  @Test
  void cancelledTrainingKeepsThePreviousModel(@TempDir Path dir) {
    try (TagRecommender r = builder().directory(dir).build()) {
      r.addStock(Blobs.stock(20, D, 1));
      r.train();
      TagModel before = r.model().orElseThrow();
      CancellationToken token = new CancellationToken();
      assertThatThrownBy(() -> r.train((t, d, n, m) -> token.cancel(), token))
          .isInstanceOf(CancelledException.class);
      assertThat(r.model().orElseThrow()).isSameAs(before);
      assertThat(TagModel.load(dir.resolve(TagRecommender.MODEL_FILE), null).generation())
          .isEqualTo(before.generation());
    }
  }

  @Test
  void modelAndStockReopenFromTheDirectory(@TempDir Path dir) {
    float[] q = Blobs.near(1, D, new Random(2), 0.05);
    TagSuggestion first;
    try (TagRecommender r = builder().directory(dir).build()) {
      r.addStock(Blobs.stock(20, D, 1));
      r.train();
      r.acceptVector("extra", q, List.of("moss"), null);
      first = r.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.top(4));
    }
    try (TagRecommender r = builder().directory(dir).build()) {
      assertThat(r.stockSize()).isEqualTo(61);
      assertThat(r.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.top(4))).isEqualTo(first);
    }
    TagModel alone = TagModel.load(dir.resolve(TagRecommender.MODEL_FILE), "test-embedder/1");
    assertThat(alone.clusterCount()).isEqualTo(3);
    assertThat(alone.overall().counts()).containsEntry("moss", 1);
  }

  @Test
  void aModelOfAnotherEmbedderIsRefused(@TempDir Path dir) {
    try (TagRecommender r = builder().directory(dir).build()) {
      r.addStock(Blobs.stock(5, D, 1));
      r.train();
    }
    assertThatThrownBy(() -> TagRecommender.builder().vectors("other-embedder/2", D).directory(dir).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("test-embedder/1");
    assertThatThrownBy(() -> TagModel.load(dir.resolve(TagRecommender.MODEL_FILE), "other-embedder/2"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("retrain");
  }

  @Test
  void badVectorsAndBadStockFailClearly() {
    try (TagRecommender r = builder().build()) {
      assertThatThrownBy(r::train).isInstanceOf(InsufficientStockException.class).hasMessageContaining("empty");
      assertThatThrownBy(() -> r.suggestVector(new float[D])).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("train()");
      float[] nan = Blobs.near(0, D, new Random(1), 0.01);
      nan[2] = Float.NaN;
      List<StockImage> withNan = new ArrayList<>(Blobs.stock(2, D, 1));
      withNan.add(new StockImage("nan", nan, Set.of("x"), null));
      assertThatThrownBy(() -> r.addStock(withNan)).isInstanceOf(InvalidVectorException.class)
          .hasMessageContaining("nan").hasMessageContaining("NaN");
      assertThat(r.stockSize()).isZero(); // nothing of the batch was stored
      assertThatThrownBy(() -> r.addStock(List.of(new StockImage("short", new float[3], Set.of("x"), null))))
          .isInstanceOf(DimensionMismatchException.class);
      assertThatThrownBy(() -> new StockImage("untagged", new float[D], Set.of(" "), null))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("no tag");
      r.addStock(Blobs.stock(1, D, 1));
      assertThat(r.train().clusters()).isEqualTo(3); // K equal to the stock size is allowed
    }
    try (TagRecommender r = builder().clustering(ClusteringOptions.defaults().withClusters(5)).build()) {
      r.addStock(Blobs.stock(1, D, 1));
      assertThatThrownBy(r::train).isInstanceOf(InsufficientStockException.class)
          .hasMessageContaining("5 clusters from 3");
    }
  }

  @Test
  void defaultClusteringPicksKFromTheStockSize() {
    // a first try with a small stock and no clustering options: K = round(sqrt(60 / 2)) = 5
    try (TagRecommender r = TagRecommender.builder().vectors("test-embedder/1", D).build()) {
      r.addStock(Blobs.stock(20, D, 1));
      assertThat(r.train().clusters()).isEqualTo(5);
    }
    assertThat(ClusteringOptions.defaults().clusters()).isEqualTo(ClusteringOptions.AUTO);
    assertThat(ClusteringOptions.defaults().clustersFor(1)).isEqualTo(1);
    assertThat(ClusteringOptions.defaults().clustersFor(1_000_000)).isEqualTo(100);
    assertThat(ClusteringOptions.defaults().withClusters(7).clustersFor(1_000_000)).isEqualTo(7);
  }

  @Test
  void builderNamesWhatIsMissing() {
    assertThatThrownBy(() -> TagRecommender.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("embedder");
    assertThatThrownBy(() -> TagRecommender.builder().vectors("x", D).strategy(null).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("strategy");
    try (TagRecommender r = TagRecommender.builder().vectors("x", D).build()) {
      assertThatThrownBy(() -> r.suggest(new java.awt.image.BufferedImage(4, 4, 1)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("embedder");
    }
  }

  @Test
  void miniBatchTrainingGivesTheSameTags() {
    try (TagRecommender r = builder().clustering(ClusteringOptions.defaults().withClusters(3)
        .withMiniBatch(16).withMaxIterations(200)).build()) {
      r.addStock(Blobs.stock(20, D, 1));
      TrainingReport rep = r.train();
      assertThat(rep.method()).isEqualTo(ClusteringMethod.MINI_BATCH_KMEANS);
      assertThat(rep.clusters()).isEqualTo(3);
      for (int b = 0; b < 3; b++) {
        assertThat(r.suggestVector(Blobs.near(b, D, new Random(b), 0.05), Strategy.NEAREST_CLUSTER,
            TagSelection.top(1)).tagNames()).containsExactly(Blobs.TAGS[b][0]);
      }
    }
  }

  @Test
  void gaussianMixtureAndDbscanAlternativesBehindTheSameApi() {
    ClusteringOptions[] alternatives = {
        ClusteringOptions.defaults().withMethod(ClusteringMethod.GAUSSIAN_MIXTURE).withClusters(3),
        ClusteringOptions.defaults().withDbscan(0.3, 4)};
    for (ClusteringOptions o : alternatives) {
      try (TagRecommender r = builder().clustering(o).build()) {
        r.addStock(Blobs.stock(20, D, 1));
        TrainingReport rep = r.train();
        assertThat(rep.method()).isEqualTo(o.method());
        assertThat(rep.clusters()).isEqualTo(3);
        for (int b = 0; b < 3; b++) {
          assertThat(r.suggestVector(Blobs.near(b, D, new Random(b), 0.05), Strategy.NEAREST_CLUSTER,
              TagSelection.top(1)).tagNames()).containsExactly(Blobs.TAGS[b][0]);
        }
        // warm start is not defined for these methods: update re-clusters
        assertThat(r.update(UpdateMode.WARM_START, ProgressListener.NONE, CancellationToken.NONE).warmStarted())
            .isFalse();
      }
    }
  }

  /** Every strategy that needs no text embedder. */
  static final List<Strategy> IMAGE_ONLY = java.util.Arrays.stream(Strategy.values())
      .filter(s -> s != Strategy.ZERO_SHOT).toList();

  @Test
  void suggestionsRunConcurrentlyWithStockChangesAndRetraining() throws Exception {
    try (TagRecommender r = trained()) {
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      List<java.util.concurrent.Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int blob = t;
        readers.add(pool.submit(() -> {
          Random rnd = new Random(blob);
          int ok = 0;
          while (!stop.get()) {
            TagSuggestion s = r.suggestVector(Blobs.near(blob, D, rnd, 0.05),
                IMAGE_ONLY.get(ok % IMAGE_ONLY.size()), TagSelection.top(1));
            if (s.strategy() != Strategy.MOST_POPULAR && s.tagNames().equals(List.of(Blobs.TAGS[blob][0]))) {
              ok++;
            } else if (s.strategy() == Strategy.MOST_POPULAR) {
              ok++;
            }
          }
          return ok;
        }));
      }
      Random rnd = new Random(42);
      for (int i = 0; i < 20; i++) {
        r.acceptVector("c" + i, Blobs.near(i % 3, D, rnd, 0.05), List.of(Blobs.TAGS[i % 3][0]), null);
        if (i % 7 == 0) {
          r.update(UpdateMode.WARM_START, ProgressListener.NONE, CancellationToken.NONE);
        }
      }
      stop.set(true);
      for (java.util.concurrent.Future<Integer> f : readers) {
        assertThat(f.get()).isPositive(); // no reader failed, and every one got its blob's top tag
      }
      pool.shutdown();
      assertThat(r.stockSize()).isEqualTo(80);
    }
  }

  @Test
  void aModelFileWithoutItsStockSuggestsButRefusesStockChanges(@TempDir Path dir) throws Exception {
    float[] q = Blobs.near(2, D, new Random(2), 0.05);
    TagSuggestion expected;
    try (TagRecommender r = builder().directory(dir.resolve("full")).build()) {
      r.addStock(Blobs.stock(20, D, 1));
      r.train();
      expected = r.suggestVector(q);
    }
    java.nio.file.Files.createDirectories(dir.resolve("shipped"));
    java.nio.file.Files.copy(dir.resolve("full").resolve(TagRecommender.MODEL_FILE),
        dir.resolve("shipped").resolve(TagRecommender.MODEL_FILE));
    try (TagRecommender r = builder().directory(dir.resolve("shipped")).build()) {
      assertThat(r.suggestVector(q)).isEqualTo(expected);
      assertThatThrownBy(() -> r.acceptVector("x", q, List.of("new"), null))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("without its stock");
    }
  }

  @Test
  void incrementalCountsEqualAFullRecount(@TempDir Path dir) {
    Random rnd = new Random(11);
    String[] tags = {"a", "b", "c", "d"};
    TagModel incremental;
    try (TagRecommender r = builder().directory(dir).build()) {
      r.addStock(Blobs.stock(10, D, 1));
      r.train();
      for (int step = 0; step < 120; step++) {
        String id = "x" + rnd.nextInt(25);
        int op = rnd.nextInt(4);
        if (op == 0) {
          r.removeStock(List.of(id));
        } else {
          Set<String> t = new java.util.HashSet<>();
          t.add(tags[rnd.nextInt(4)]);
          t.add(tags[rnd.nextInt(4)]);
          String post = op == 1 ? null : "p" + rnd.nextInt(6); // posts shared by several images
          r.acceptVector(id, Blobs.near(rnd.nextInt(3), D, rnd, 0.05), t, post);
        }
      }
      incremental = r.model().orElseThrow();
    }
    try (TagRecommender r = builder().directory(dir).build()) {
      TagModel full = r.model().orElseThrow(); // reopening recounts everything from the stock
      assertThat(incremental.overall()).isEqualTo(full.overall());
      assertThat(incremental.clusters()).isEqualTo(full.clusters());
    }
  }
}
