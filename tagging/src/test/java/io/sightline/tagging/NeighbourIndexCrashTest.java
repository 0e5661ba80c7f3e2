package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.index.Metric;
import io.sightline.core.index.Vectors;
import io.sightline.index.lucene.LuceneVectorIndex;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process that keeps changing a stock whose neighbour index is on Lucene (issue 21):
 * after each kill, every change the process saw return is there, and the reopened index holds
 * exactly the stock (same ids, vectors and tags), at three different moments of the stream.
 */
class NeighbourIndexCrashTest {
  static final int D = 6;
  static final String EMBEDDER = "test-embedder/1";

  @TempDir
  Path dir;

  static TagRecommender.Builder builder(Path model) {
    return TagRecommender.builder().vectors(EMBEDDER, D).directory(model).strategy(Strategy.NEAREST_NEIGHBOURS)
        .clustering(ClusteringOptions.defaults().withClusters(3).withInit(CentreInit.KMEANS_PLUS_PLUS));
  }

  /** Runs the writer until it has reported {@code lines} returned calls, then kills it (SIGKILL). */
  private List<String> runAndKill(Path model, long seed, int lines) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        NeighbourIndexCrashMain.class.getName(), model.toString(), Long.toString(seed))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> seen = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (seen.size() < lines && (line = out.readLine()) != null) {
        seen.add(line);
      }
      p.destroyForcibly();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(seen).as("the writer ran").hasSize(lines);
    return seen;
  }

  @Test
  void afterAKillTheIndexHoldsExactlyTheStockWithEveryReturnedChange() throws Exception {
    Path model = dir.resolve("m");
    try (TagRecommender r = builder(model).neighbourIndex(LuceneVectorIndex.factory(model.resolve("neighbours")))
        .build()) {
      r.addStock(Blobs.stock(10, D, 2));
      r.train();
    }
    int[] kills = {4, 11, 7};
    for (int round = 0; round < kills.length; round++) {
      List<String> seen = runAndKill(model, round, kills[round]);
      try (TagRecommender r = builder(model).neighbourIndex(LuceneVectorIndex.factory(model.resolve("neighbours")))
          .build()) {
        for (String line : seen) {
          String[] w = line.split(" ");
          if (w[0].equals("added")) {
            for (int j = 0; j < 5; j++) {
              String id = w[1] + "-" + j;
              // a later round's writer may have removed -0 and re-tagged -1 since
              assertThat(j == 0 || r.stockImage(id).isPresent()).as("%s after round %d", id, round).isTrue();
            }
          } else if (w[0].equals("removed")) {
            assertThat(r.stockImage(w[1])).as("%s removed", w[1]).isEmpty();
          } else {
            assertThat(r.stockImage(w[1]).orElseThrow().tags()).contains(w[2]);
          }
        }
        assertIndexHoldsTheStock(model, r);
      }
    }
  }

  /** The Lucene index, opened read-only after the recommender repaired it, holds exactly the stock. */
  private static void assertIndexHoldsTheStock(Path model, TagRecommender r) {
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.openReadOnly(model.resolve("neighbours"), D, Metric.COSINE,
        EMBEDDER)) {
      assertThat(idx.size()).isEqualTo(r.stockSize());
      for (String id : idx.keys()) {
        StockImage s = r.stockImage(id).orElseThrow(() -> new AssertionError(id + " in the index, not in the stock"));
        assertThat(Vectors.cosine(idx.vector(id).orElseThrow(), s.vector())).as(id).isGreaterThan(0.99999f);
        assertThat(idx.attributes(id).orElseThrow())
            .isEqualTo(TagRecommenderIndex.attributes(s.post(), s.tags()));
      }
    }
  }
}
