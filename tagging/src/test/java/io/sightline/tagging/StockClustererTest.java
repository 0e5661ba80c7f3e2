package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StockClustererTest {
  private static final int D = 8;

  /** Fraction of vectors whose cluster agrees with the majority cluster of their true blob. */
  private static double purity(int[] labels, int[] truth, int blobs) {
    int agree = 0;
    for (int b = 0; b < blobs; b++) {
      Map<Integer, Integer> votes = new HashMap<>();
      for (int i = 0; i < labels.length; i++) {
        if (truth[i] == b) {
          votes.merge(labels[i], 1, Integer::sum);
        }
      }
      agree += votes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
    return agree / (double) labels.length;
  }

  @ParameterizedTest
  @CsvSource({"KMEANS,RANDOM", "KMEANS,KMEANS_PLUS_PLUS", "MINI_BATCH_KMEANS,RANDOM",
      "MINI_BATCH_KMEANS,KMEANS_PLUS_PLUS"})
  void recoversSeparatedBlobs(ClusteringMethod method, CentreInit init) {
    int[] truth = new int[4 * 60];
    double[][] data = Blobs.data(4, 60, D, 1, truth);
    ClusteringOptions o = ClusteringOptions.defaults().withMethod(method).withInit(init).withClusters(4)
        .withMiniBatch(32).withMethod(method).withMaxIterations(300);
    List<String> messages = new ArrayList<>();
    ProgressListener l = (task, done, total, msg) -> messages.add(task + " " + msg);
    StockClusterer.Run run = StockClusterer.cluster(data, o, null, l, CancellationToken.NONE);
    assertThat(purity(run.labels(), truth, 4)).isEqualTo(1.0);
    // every cluster owns exactly one blob: 4 distinct labels
    assertThat(java.util.Arrays.stream(run.labels()).distinct().count()).isEqualTo(4);
    assertThat(run.deviations()).isNotEmpty();
    assertThat(messages).anyMatch(m -> m.contains("D="));
    // D of tight blobs (noise 0.05, 8 dims) is about n * d * 0.0025
    assertThat(run.finalDeviation()).isLessThan(data.length * D * 0.0025 * 1.5);
    assertThat(run.converged()).isTrue();
  }

  @Test
  void miniBatchWarmStartKeepsTheCentresItStartsFrom() {
    int[] truth = new int[4 * 60];
    double[][] data = Blobs.data(4, 60, D, 1, truth);
    ClusteringOptions o = ClusteringOptions.defaults().withMethod(ClusteringMethod.MINI_BATCH_KMEANS)
        .withInit(CentreInit.KMEANS_PLUS_PLUS).withClusters(4).withMiniBatch(32).withMaxIterations(300);
    StockClusterer.Run first = StockClusterer.cluster(data, o, null, ProgressListener.NONE, CancellationToken.NONE);
    // one more batch from the converged centres: each centre stands for its ~60 vectors, so it
    // moves by about 1/60 of a vector's offset, not onto the first vector it absorbs
    StockClusterer.Run warm = StockClusterer.cluster(data, o.withMaxIterations(1), first.centres(),
        ProgressListener.NONE, CancellationToken.NONE);
    double moved = 0;
    double spread = 0;
    for (int c = 0; c < 4; c++) {
      moved = Math.max(moved, distance(first.centres()[c], warm.centres()[c]));
    }
    for (int i = 0; i < data.length; i++) {
      spread += distance(data[i], first.centres()[first.labels()[i]]) / data.length;
    }
    assertThat(moved).as("largest centre move vs mean distance to a centre %s", spread).isLessThan(spread * 0.2);
  }

  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(s);
  }

  @Test
  void kmeansDeviationNeverIncreasesWithoutRelocation() {
    int[] truth = new int[5 * 40];
    double[][] data = Blobs.data(5, 40, D, 3, truth);
    ClusteringOptions o = ClusteringOptions.defaults().withClusters(5).withInit(CentreInit.KMEANS_PLUS_PLUS)
        .withTolerance(0);
    StockClusterer.Run run = StockClusterer.cluster(data, o, null, ProgressListener.NONE, CancellationToken.NONE);
    double[] d = run.deviations();
    for (int i = 1; i < d.length; i++) {
      assertThat(d[i]).isLessThanOrEqualTo(d[i - 1] + 1e-9);
    }
  }

  @ParameterizedTest
  @CsvSource({"KMEANS,RANDOM", "KMEANS,KMEANS_PLUS_PLUS", "MINI_BATCH_KMEANS,RANDOM",
      "MINI_BATCH_KMEANS,KMEANS_PLUS_PLUS"})
  void sameSeedSameClusters(ClusteringMethod method, CentreInit init) {
    int[] truth = new int[6 * 30];
    double[][] data = Blobs.data(6, 30, D, 5, truth);
    ClusteringOptions o = ClusteringOptions.defaults().withMiniBatch(20).withMethod(method).withInit(init)
        .withClusters(3).withSeed(99);
    StockClusterer.Run a = StockClusterer.cluster(data, o, null, ProgressListener.NONE, CancellationToken.NONE);
    StockClusterer.Run b = StockClusterer.cluster(data, o, null, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(a.labels()).isEqualTo(b.labels());
    assertThat(a.centres()).isDeepEqualTo(b.centres());
    assertThat(a.deviations()).isEqualTo(b.deviations());
  }

  @Test
  void warmStartFromGoodCentresConvergesAtOnce() {
    int[] truth = new int[4 * 50];
    double[][] data = Blobs.data(4, 50, D, 7, truth);
    ClusteringOptions o = ClusteringOptions.defaults().withClusters(4).withInit(CentreInit.KMEANS_PLUS_PLUS);
    StockClusterer.Run first = StockClusterer.cluster(data, o, null, ProgressListener.NONE, CancellationToken.NONE);
    StockClusterer.Run warm = StockClusterer.cluster(data, o, first.centres(), ProgressListener.NONE,
        CancellationToken.NONE);
    assertThat(warm.iterations()).isLessThanOrEqualTo(2);
    assertThat(warm.labels()).isEqualTo(first.labels());
  }

  @Test
  void cancellationStopsTheRun() {
    int[] truth = new int[4 * 50];
    double[][] data = Blobs.data(4, 50, D, 7, truth);
    CancellationToken token = new CancellationToken();
    ProgressListener cancelAfterFirst = (task, done, total, msg) -> {
      if (done >= 1) {
        token.cancel();
      }
    };
    assertThatThrownBy(() -> StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(4)
        .withTolerance(0), null, cancelAfterFirst, token)).isInstanceOf(CancelledException.class);
  }

  @Test
  void refusesMoreClustersThanVectorsAndEmptyInput() {
    double[][] data = {{1, 0}, {0, 1}};
    assertThatThrownBy(() -> StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(3), null,
        ProgressListener.NONE, CancellationToken.NONE))
        .isInstanceOf(InsufficientStockException.class).hasMessageContaining("3 clusters from 2");
    assertThatThrownBy(() -> StockClusterer.cluster(new double[0][], ClusteringOptions.defaults(), null,
        ProgressListener.NONE, CancellationToken.NONE))
        .isInstanceOf(InsufficientStockException.class).hasMessageContaining("empty");
  }

  @Test
  void randomInitWithManyEmptyCentresStillUsesEveryCluster() {
    int[] truth = new int[3 * 30];
    double[][] data = Blobs.data(3, 30, D, 11, truth);
    StockClusterer.Run run = StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(12), null,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(java.util.Arrays.stream(run.labels()).distinct().count()).isEqualTo(12);
  }

  @Test
  void gaussianMixtureAndDbscanFindTheBlobs() {
    int[] truth = new int[4 * 60];
    double[][] data = Blobs.data(4, 60, D, 13, truth);
    StockClusterer.Run em = StockClusterer.cluster(data, ClusteringOptions.defaults()
        .withMethod(ClusteringMethod.GAUSSIAN_MIXTURE).withClusters(4), null, ProgressListener.NONE,
        CancellationToken.NONE);
    assertThat(purity(em.labels(), truth, 4)).isGreaterThanOrEqualTo(0.95);
    assertThat(em.centres().length).isEqualTo(4);

    StockClusterer.Run db = StockClusterer.cluster(data, ClusteringOptions.defaults().withDbscan(0.4, 5), null,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(db.centres().length).isEqualTo(4);
    assertThat(purity(db.labels(), truth, 4)).isEqualTo(1.0);

    assertThatThrownBy(() -> StockClusterer.cluster(data, ClusteringOptions.defaults().withDbscan(1e-6, 5), null,
        ProgressListener.NONE, CancellationToken.NONE))
        .isInstanceOf(InsufficientStockException.class).hasMessageContaining("noise");
  }

  @ParameterizedTest
  @CsvSource({"RANDOM", "KMEANS_PLUS_PLUS"})
  void highDimensionalKmeansUsesTheParallelStepAndStillConverges(CentreInit init) {
    int dim = StockClusterer.BBD_MAX_DIMENSION + 16;
    int[] truth = new int[5 * 40];
    double[][] data = Blobs.data(5, 40, dim, 17, truth);
    StockClusterer.Run run = StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(5)
        .withInit(init).withMaxIterations(200), null, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(purity(run.labels(), truth, 5)).isEqualTo(1.0);
    assertThat(run.converged()).isTrue();
    assertThat(run.finalDeviation()).isLessThan(data.length * dim * 0.0025 * 1.5);
  }
}
