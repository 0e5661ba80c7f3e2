package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * K-means rules of {@link StockClusterer}: random initial centres in the bounding box, empty-centre
 * relocation onto the farthest vector, the relative-decrease stopping rule, the iteration limit,
 * and sampling without replacement. Expected values are worked out by hand from those rules.
 */
class KMeansRulesTest {

  /** Pads 1-D values into {@code dim} dimensions (other coordinates 0). */
  private static double[][] line(int dim, double... xs) {
    double[][] out = new double[xs.length][dim];
    for (int i = 0; i < xs.length; i++) {
      out[i][0] = xs[i];
    }
    return out;
  }

  /**
   * Stock 0, 1, 3 | 10, 11, 12 warm-started from centres 1, 11 and 1000. Worked by hand:
   * the first pass leaves 1000 empty and moves centre 0 to 4/3; iteration 1 relocates 1000 onto
   * the vector farthest from its own centre (3: distance² 25/9, against 16/9 for 0 and 1 for 10,
   * 12) and reassigns (D = 16/9 + 1/9 + 0 + 1 + 0 + 1 = 35/9); centre 0 becomes 0.5; iteration 2
   * gives D = 0.25 + 0.25 + 0 + 2 = 2.5 (a decrease, not converged); iteration 3 gives 2.5 again
   * and stops. Runs on the BBD tree (1 dimension) and on the parallel brute force (above
   * {@link StockClusterer#BBD_MAX_DIMENSION}).
   */
  @ParameterizedTest
  @CsvSource({"1, 1e-4", "30, 1e-4", "1, 0", "30, 0"})
  void emptyWarmStartCentreMovesOntoTheFarthestVectorAndIsCounted(int dim, double tolerance) {
    double[][] data = line(dim, 0, 1, 3, 10, 11, 12);
    double[][] warm = line(dim, 1, 11, 1000);
    // with tolerance 0 an unchanged D (2.5 twice) still counts as converged: the decrease 0 is <= 0
    StockClusterer.Run run = StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(3)
        .withTolerance(tolerance), warm,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.relocated()).isEqualTo(1);
    assertThat(run.centres()[0][0]).isCloseTo(0.5, within(1e-12));
    assertThat(run.centres()[1][0]).isCloseTo(11, within(1e-12));
    assertThat(run.centres()[2][0]).isCloseTo(3, within(1e-12));
    assertThat(run.labels()).containsExactly(0, 0, 2, 1, 1, 1);
    assertThat(run.deviations()).hasSize(3);
    assertThat(run.deviations()[0]).isCloseTo(35.0 / 9, within(1e-9));
    assertThat(run.deviations()[1]).isCloseTo(2.5, within(1e-9));
    assertThat(run.deviations()[2]).isCloseTo(2.5, within(1e-9));
    assertThat(run.iterations()).isEqualTo(3);
    assertThat(run.converged()).isTrue();
    assertThat(run.finalDeviation()).isCloseTo(2.5, within(1e-9));
    // the warm start is copied, not moved
    assertThat(warm[2][0]).isEqualTo(1000);
  }

  @Test
  void randomInitialCentresAreUniformNumbersInsideTheStockBoundingBoxNotStockVectors() {
    // dimension 0 lives in [5, 6], dimension 1 in [-6, -5]: a box that contains neither 0 nor 1
    Random rnd = new Random(3);
    double[][] data = new double[50][];
    for (int i = 0; i < data.length; i++) {
      data[i] = new double[] {5 + rnd.nextDouble(), -6 + rnd.nextDouble()};
    }
    ClusteringOptions random = ClusteringOptions.defaults().withClusters(6).withInit(CentreInit.RANDOM);
    double[][] centres = StockClustererKMeans.initialCentres(data, 6, random, ProgressListener.NONE);
    double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE};
    double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE};
    for (double[] x : data) {
      for (int j = 0; j < 2; j++) {
        lo[j] = Math.min(lo[j], x[j]);
        hi[j] = Math.max(hi[j], x[j]);
      }
    }
    Set<List<Double>> rows = new HashSet<>();
    for (double[] x : data) {
      rows.add(List.of(x[0], x[1]));
    }
    assertThat(centres).hasNumberOfRows(6);
    for (double[] c : centres) {
      for (int j = 0; j < 2; j++) {
        assertThat(c[j]).isBetween(lo[j], hi[j]);
      }
      assertThat(rows).doesNotContain(List.of(c[0], c[1]));
    }
    // k-means++ instead picks stock vectors
    double[][] plus = StockClustererKMeans.initialCentres(data, 6, random.withInit(CentreInit.KMEANS_PLUS_PLUS),
        ProgressListener.NONE);
    for (double[] c : plus) {
      assertThat(rows).contains(List.of(c[0], c[1]));
    }
  }

  @Test
  void theDefaultOptionsStartFromRandomCentresNotKmeansPlusPlus() {
    // Through the public path: the D reported for the initial centres is the D of the random
    // centres drawn by the rule (k-means++ would report seeding and start from stock vectors).
    double[][] data = new double[40][];
    for (int i = 0; i < 40; i++) {
      double a = 2 * Math.PI * i / 40;
      data[i] = new double[] {Math.cos(a), Math.sin(a)};
    }
    assertThat(ClusteringOptions.defaults().init()).isEqualTo(CentreInit.RANDOM);
    ClusteringOptions o = ClusteringOptions.defaults().withClusters(4).withMaxIterations(1);
    List<String> initial = new ArrayList<>();
    ProgressListener l = (task, done, total, msg) -> {
      if (msg.contains("initial centres")) {
        initial.add(msg);
      }
    };
    List<String> seeding = new ArrayList<>();
    StockClusterer.cluster(data, o, null, (task, done, total, msg) -> {
      l.onProgress(task, done, total, msg);
      if (task.equals("kmeans++")) {
        seeding.add(msg);
      }
    }, CancellationToken.NONE);
    assertThat(initial).hasSize(1);
    assertThat(seeding).as("random initialisation runs no k-means++ seeding").isEmpty();
    // the random centres, computed by the rule: uniform in the box
    double[][] expected = StockClustererKMeans.initialCentres(data, 4, o, ProgressListener.NONE);
    double[] d0 = new double[1];
    StockClusterer.assign(data, expected, d0);
    assertThat(initial.get(0)).startsWith(String.format(java.util.Locale.ROOT, "D=%.6g", d0[0]));
  }

  @Test
  void kmeansPlusPlusReportsItsSeedingAndMiniBatchSeedsOnASample() {
    int[] truth = new int[500];
    double[][] data = Blobs.data(5, 100, 4, 21, truth);
    List<String> messages = new ArrayList<>();
    ProgressListener l = (task, done, total, msg) -> messages.add(task + " " + done + "/" + total + " " + msg);
    // mini-batch seeds on min(n, max(3 * batch, 10 * K)) vectors: max(60, 20) = 60 of 500
    ClusteringOptions mb = ClusteringOptions.defaults().withClusters(2).withMiniBatch(20)
        .withInit(CentreInit.KMEANS_PLUS_PLUS).withMaxIterations(3);
    StockClusterer.cluster(data, mb, null, l, CancellationToken.NONE);
    assertThat(messages).contains("kmeans++ 0/2 seeding on 60 vectors", "kmeans++ 2/2 ");
    messages.clear();
    // max(3 * 20, 10 * 9) = 90
    StockClusterer.cluster(data, mb.withClusters(9), null, l, CancellationToken.NONE);
    assertThat(messages).contains("kmeans++ 0/9 seeding on 90 vectors");
    messages.clear();
    // a sample as large as the stock is the stock: max(3 * 200, 20) = 600 > 500
    StockClusterer.cluster(data, mb.withMiniBatch(200), null, l, CancellationToken.NONE);
    assertThat(messages).contains("kmeans++ 0/2 seeding on 500 vectors");
    messages.clear();
    // K-means seeds on every vector
    StockClusterer.cluster(data, mb.withMethod(ClusteringMethod.KMEANS), null, l, CancellationToken.NONE);
    assertThat(messages).contains("kmeans++ 0/2 seeding on 500 vectors");
  }

  @Test
  void kmeansStopsAtTheFirstIterationWhoseRelativeDecreaseIsWithinTheTolerance() {
    // one Gaussian cloud cut into 6 clusters: D falls slowly over many iterations
    Random rnd = new Random(5);
    double[][] data = new double[300][];
    for (int i = 0; i < data.length; i++) {
      data[i] = new double[] {rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()};
    }
    for (double tol : new double[] {0.05, 0.01, 1e-3}) {
      StockClusterer.Run run = StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(6)
          .withInit(CentreInit.KMEANS_PLUS_PLUS).withTolerance(tol), null, ProgressListener.NONE, CancellationToken.NONE);
      double[] d = run.deviations();
      assertThat(run.relocated()).isZero();
      assertThat(run.converged()).isTrue();
      assertThat(d).hasSize(run.iterations());
      assertThat(d.length).isGreaterThanOrEqualTo(3);
      for (int i = 1; i < d.length - 1; i++) {
        assertThat(d[i - 1] - d[i]).as("iteration %d of %s with tolerance %s", i + 1, Arrays.toString(d), tol)
            .isGreaterThan(tol * d[i - 1]);
      }
      assertThat(d[d.length - 2] - d[d.length - 1]).isLessThanOrEqualTo(tol * d[d.length - 2]);
      assertThat(d[0]).isPositive();
      // the final D is against the centres after the last move, so no larger than the last step's
      assertThat(run.finalDeviation()).isLessThanOrEqualTo(d[d.length - 1] + 1e-9);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5})
  void kmeansRunsAtMostMaxIterationsAndSaysItDidNotConverge(int max) {
    Random rnd = new Random(8);
    double[][] data = new double[200][];
    for (int i = 0; i < data.length; i++) {
      data[i] = new double[] {rnd.nextGaussian(), rnd.nextGaussian()};
    }
    StockClusterer.Run run = StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(8)
        .withTolerance(0).withMaxIterations(max), null, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.iterations()).isEqualTo(max);
    assertThat(run.deviations()).hasSize(max);
    assertThat(run.converged()).isFalse();
  }

  @Test
  void sampleWithoutReplacementDrawsDistinctIndicesInRange() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int[] nm : new int[][] {{100, 10}, {100, 24}, {100, 25}, {100, 60}, {100, 99}, {7, 1}}) {
      for (int rep = 0; rep < 20; rep++) {
        int[] s = StockClusterer.sampleWithoutReplacement(nm[0], nm[1], rng);
        assertThat(s).hasSize(nm[1]);
        assertThat(Arrays.stream(s).distinct().count()).isEqualTo(nm[1]);
        assertThat(Arrays.stream(s).allMatch(v -> v >= 0 && v < nm[0])).isTrue();
      }
    }
    // a sample at least as large as the population is the whole population, in order
    assertThat(StockClusterer.sampleWithoutReplacement(5, 5, rng)).containsExactly(0, 1, 2, 3, 4);
    assertThat(StockClusterer.sampleWithoutReplacement(5, 9, rng)).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void samplesCoverThePopulationEvenly() {
    // every index is equally likely: 4000 draws of 10 from 100 hit each index about 400 times
    SplittableRandom rng = new SplittableRandom(2);
    int[] hits = new int[100];
    for (int rep = 0; rep < 4000; rep++) {
      for (int v : StockClusterer.sampleWithoutReplacement(100, 10, rng)) {
        hits[v]++;
      }
    }
    assertThat(Arrays.stream(hits).min().getAsInt()).isGreaterThan(300);
    assertThat(Arrays.stream(hits).max().getAsInt()).isLessThan(500);
    // the same for samples of half the population (about 2000 hits each)
    int[] half = new int[100];
    for (int rep = 0; rep < 4000; rep++) {
      for (int v : StockClusterer.sampleWithoutReplacement(100, 50, rng)) {
        half[v]++;
      }
    }
    assertThat(Arrays.stream(half).min().getAsInt()).isGreaterThan(1800);
    assertThat(Arrays.stream(half).max().getAsInt()).isLessThan(2200);
  }

  @Test
  void asManyClustersAsVectorsIsAllowedAndFitsExactly() {
    double[][] data = line(2, 0, 1, 5, 9);
    StockClusterer.Run run = StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(4)
        .withInit(CentreInit.KMEANS_PLUS_PLUS), null, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(Arrays.stream(run.labels()).distinct().count()).isEqualTo(4);
    assertThat(run.finalDeviation()).isZero();
  }

  @Test
  void clusterSizesCountTheVectorsNearestToEachCentre() {
    double[][] data = line(1, 0, 1, 3, 10, 11, 12, 13);
    assertThat(StockClusterer.sizes(data, line(1, 1, 11, 1000))).containsExactly(3, 4, 0);
  }
}
