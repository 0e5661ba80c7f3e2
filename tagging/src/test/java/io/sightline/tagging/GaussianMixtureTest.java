package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Gaussian mixture of {@link StockClusterer}: EM with diagonal covariances started from the
 * k-means++ K-means solution, checked against a textbook EM written here from the formulas
 * (Bishop, PRML §9.2.2, diagonal covariances), on overlapping clusters where variances and
 * weights move the means. Also DBSCAN's centres, progress and cancellation.
 */
class GaussianMixtureTest {
  /** The implementation's variance floor, added to every variance estimate. */
  private static final double FLOOR = 1e-6;

  /** Three overlapping 2-D clusters with unequal sizes and unequal, axis-aligned spreads. */
  private static double[][] overlapping(long seed) {
    Random rnd = new Random(seed);
    double[][] mu = {{0, 0}, {2.5, 0.5}, {1, 3}};
    double[][] sd = {{0.5, 1.2}, {1.0, 0.4}, {0.8, 0.8}};
    int[] size = {150, 90, 60};
    List<double[]> out = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < size[c]; i++) {
        out.add(new double[] {mu[c][0] + sd[c][0] * rnd.nextGaussian(), mu[c][1] + sd[c][1] * rnd.nextGaussian()});
      }
    }
    return out.toArray(new double[0][]);
  }

  /** Reference EM result. */
  private record Em(double[][] means, double[] deviations, int iterations, boolean converged) {}

  /** Textbook EM for a diagonal-covariance mixture, started from the K-means solution. */
  private static Em referenceEm(double[][] x, int k, ClusteringOptions o) {
    int n = x.length;
    int d = x[0].length;
    StockClusterer.Run km = StockClusterer.cluster(x, o.withMethod(ClusteringMethod.KMEANS)
        .withInit(CentreInit.KMEANS_PLUS_PLUS), null, ProgressListener.NONE, CancellationToken.NONE);
    double[][] mu = new double[k][];
    double[][] var = new double[k][d];
    double[] pi = new double[k];
    for (int c = 0; c < k; c++) {
      mu[c] = km.centres()[c].clone();
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (km.labels()[i] == c) {
          count++;
          for (int j = 0; j < d; j++) {
            var[c][j] += Math.pow(x[i][j] - mu[c][j], 2);
          }
        }
      }
      for (int j = 0; j < d; j++) {
        var[c][j] = var[c][j] / Math.max(count, 1) + FLOOR;
      }
      pi[c] = Math.max(count, 1) / (double) n;
    }
    List<Double> devs = new ArrayList<>();
    double previous = Double.NEGATIVE_INFINITY;
    int it = 0;
    boolean converged = false;
    while (it < o.maxIterations()) {
      // E-step: γ(z_ic) = π_c N(x_i | μ_c, Σ_c) / Σ_c' π_c' N(x_i | μ_c', Σ_c'); log L = Σ_i log Σ_c π_c N
      double[][] gamma = new double[n][k];
      double logL = 0;
      for (int i = 0; i < n; i++) {
        double[] logP = new double[k];
        double top = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double lp = Math.log(pi[c]);
          for (int j = 0; j < d; j++) {
            double z = x[i][j] - mu[c][j];
            lp += -0.5 * Math.log(2 * Math.PI * var[c][j]) - z * z / (2 * var[c][j]);
          }
          logP[c] = lp;
          top = Math.max(top, lp);
        }
        double total = 0;
        for (int c = 0; c < k; c++) {
          total += Math.exp(logP[c] - top);
        }
        for (int c = 0; c < k; c++) {
          gamma[i][c] = Math.exp(logP[c] - top) / total;
        }
        logL += top + Math.log(total);
      }
      // M-step: N_c = Σ γ, μ = Σ γ x / N_c, σ² = Σ γ (x − μ)² / N_c (+ floor), π = N_c / n
      for (int c = 0; c < k; c++) {
        double nc = 0;
        for (int i = 0; i < n; i++) {
          nc += gamma[i][c];
        }
        if (nc < 1e-9) {
          continue;
        }
        double[] m = new double[d];
        for (int j = 0; j < d; j++) {
          for (int i = 0; i < n; i++) {
            m[j] += gamma[i][c] * x[i][j];
          }
          m[j] /= nc;
        }
        for (int j = 0; j < d; j++) {
          double s = 0;
          for (int i = 0; i < n; i++) {
            s += gamma[i][c] * Math.pow(x[i][j] - m[j], 2);
          }
          var[c][j] = s / nc + FLOOR;
        }
        mu[c] = m;
        pi[c] = nc / n;
      }
      it++;
      double dev = 0;
      for (double[] xi : x) {
        double best = Double.POSITIVE_INFINITY;
        for (double[] m : mu) {
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += Math.pow(xi[j] - m[j], 2);
          }
          best = Math.min(best, s);
        }
        dev += best;
      }
      devs.add(dev);
      if (Math.abs(logL - previous) <= o.tolerance() * Math.abs(logL)) {
        converged = true;
        break;
      }
      previous = logL;
    }
    return new Em(mu, devs.stream().mapToDouble(Double::doubleValue).toArray(), it, converged);
  }

  @ParameterizedTest
  @CsvSource({"3, 1e-7, 500, 1", "3, 1e-3, 500, 2", "2, 1e-9, 500, 3", "3, 0, 4, 4", "3, 1e-7, 1, 5"})
  void emMatchesTextbookEmFromTheKmeansSolution(int k, double tol, int max, long seed) {
    double[][] x = overlapping(seed);
    ClusteringOptions o = ClusteringOptions.defaults().withMethod(ClusteringMethod.GAUSSIAN_MIXTURE).withClusters(k)
        .withTolerance(tol).withMaxIterations(max).withSeed(seed);
    Em expected = referenceEm(x, k, o);
    StockClusterer.Run run = StockClusterer.cluster(x, o, null, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.iterations()).isEqualTo(expected.iterations());
    assertThat(run.converged()).isEqualTo(expected.converged());
    assertThat(run.centres()).hasNumberOfRows(k);
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < 2; j++) {
        assertThat(run.centres()[c][j]).as("mean %d dim %d", c, j).isCloseTo(expected.means()[c][j], within(1e-9));
      }
    }
    assertThat(run.deviations()).hasSize(expected.deviations().length);
    for (int i = 0; i < expected.deviations().length; i++) {
      assertThat(run.deviations()[i]).isCloseTo(expected.deviations()[i], within(1e-9 * expected.deviations()[i]));
    }
    double[] dev = new double[1];
    assertThat(run.labels()).isEqualTo(StockClusterer.assign(x, run.centres(), dev));
    assertThat(run.finalDeviation()).isCloseTo(dev[0], within(1e-9));
  }

  @Test
  void emRunsIterationsAndMovesTheMeansOffTheKmeansCentres() {
    double[][] x = overlapping(1);
    ClusteringOptions o = ClusteringOptions.defaults().withMethod(ClusteringMethod.GAUSSIAN_MIXTURE).withClusters(3)
        .withTolerance(1e-7);
    StockClusterer.Run km = StockClusterer.cluster(x, o.withMethod(ClusteringMethod.KMEANS)
        .withInit(CentreInit.KMEANS_PLUS_PLUS), null, ProgressListener.NONE, CancellationToken.NONE);
    List<String> progress = new ArrayList<>();
    StockClusterer.Run em = StockClusterer.cluster(x, o, null, (task, done, total, msg) -> progress.add(task + " " + done),
        CancellationToken.NONE);
    assertThat(em.iterations()).isGreaterThan(5);
    assertThat(em.converged()).isTrue();
    assertThat(progress).contains("gaussian-mixture 1", "gaussian-mixture " + em.iterations());
    double moved = 0;
    for (int c = 0; c < 3; c++) {
      double nearest = Double.POSITIVE_INFINITY;
      for (double[] m : em.centres()) {
        nearest = Math.min(nearest, Math.hypot(m[0] - km.centres()[c][0], m[1] - km.centres()[c][1]));
      }
      moved = Math.max(moved, nearest);
    }
    // the clusters overlap and have unequal spreads: EM's means differ visibly from K-means'
    assertThat(moved).isGreaterThan(0.05);
  }

  @Test
  void withZeroToleranceEmStopsOnlyWhenTheLogLikelihoodNoLongerChanges() {
    // well-separated blobs: responsibilities become exactly 0 or 1, so EM reaches a fixed point
    int[] truth = new int[3 * 40];
    double[][] data = Blobs.data(3, 40, 4, 5, truth);
    StockClusterer.Run run = StockClusterer.cluster(data, ClusteringOptions.defaults()
        .withMethod(ClusteringMethod.GAUSSIAN_MIXTURE).withClusters(3).withTolerance(0).withMaxIterations(200), null,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.converged()).isTrue();
    assertThat(run.iterations()).isLessThan(200);
  }

  @Test
  void cancellingDuringEmStopsBeforeTheNextIteration() {
    double[][] x = overlapping(1);
    CancellationToken token = new CancellationToken();
    List<Long> seen = new ArrayList<>();
    ProgressListener cancelAtFirst = (task, done, total, msg) -> {
      if (task.equals("gaussian-mixture")) {
        seen.add(done);
        token.cancel();
      }
    };
    assertThatThrownBy(() -> StockClusterer.cluster(x, ClusteringOptions.defaults()
        .withMethod(ClusteringMethod.GAUSSIAN_MIXTURE).withClusters(3).withTolerance(1e-9), null, cancelAtFirst, token))
        .isInstanceOf(CancelledException.class);
    assertThat(seen).containsExactly(1L);
  }

  @Test
  void dbscanCentresAreTheMeansOfTheirClustersAndProgressIsReported() {
    int[] truth = new int[4 * 60];
    double[][] data = Blobs.data(4, 60, 8, 13, truth);
    List<String> messages = new ArrayList<>();
    StockClusterer.Run db = StockClusterer.cluster(data, ClusteringOptions.defaults().withDbscan(0.4, 5), null,
        (task, done, total, msg) -> messages.add(task + " " + done + "/" + total + " " + msg), CancellationToken.NONE);
    assertThat(db.centres()).hasNumberOfRows(4);
    for (int c = 0; c < 4; c++) {
      double[] mean = new double[8];
      int count = 0;
      for (int i = 0; i < data.length; i++) {
        if (db.labels()[i] == c) {
          count++;
          for (int j = 0; j < 8; j++) {
            mean[j] += data[i][j];
          }
        }
      }
      assertThat(count).isEqualTo(60);
      for (int j = 0; j < 8; j++) {
        assertThat(db.centres()[c][j]).isCloseTo(mean[j] / count, within(1e-9));
      }
    }
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0)).isEqualTo("dbscan 0/1 radius 0.4, 5 points");
    assertThat(messages.get(1)).startsWith("dbscan 1/1 4 clusters, D=");
  }

  @Test
  void cancellingDbscanBeforeOrDuringTheFitThrows() {
    int[] truth = new int[2 * 30];
    double[][] data = Blobs.data(2, 30, 4, 13, truth);
    ClusteringOptions o = ClusteringOptions.defaults().withDbscan(0.4, 5);
    CancellationToken before = new CancellationToken();
    before.cancel();
    List<String> messages = new ArrayList<>();
    assertThatThrownBy(() -> StockClusterer.cluster(data, o, null, (task, done, total, msg) -> messages.add(task),
        before)).isInstanceOf(CancelledException.class);
    assertThat(messages).as("a cancelled run starts no work").isEmpty();
    CancellationToken during = new CancellationToken();
    assertThatThrownBy(() -> StockClusterer.cluster(data, o, null, (task, done, total, msg) -> during.cancel(),
        during)).isInstanceOf(CancelledException.class);
  }
}
