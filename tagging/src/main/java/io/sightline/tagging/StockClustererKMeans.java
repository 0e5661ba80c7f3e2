package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import smile.clustering.BBDTree;
import smile.clustering.PartitionClustering;
import smile.math.MathEx;

/**
 * K-means for {@link StockClusterer}: the initial centres (random in the data's bounding box, or
 * Smile's k-means++), Lloyd iterations on Smile's BBD tree or as a parallel brute force, and
 * relocation of empty centres. Stateless.
 */
final class StockClustererKMeans {
  private static final Logger LOG = LoggerFactory.getLogger(StockClusterer.class);

  private StockClustererKMeans() {}

  static double[][] initialCentres(double[][] data, int k, ClusteringOptions options,
      ProgressListener listener) {
    int n = data.length;
    int d = data[0].length;
    double[][] centres = new double[k][];
    if (options.init() == CentreInit.RANDOM) {
      double[] lo = new double[d];
      double[] hi = new double[d];
      Arrays.fill(lo, Double.POSITIVE_INFINITY);
      Arrays.fill(hi, Double.NEGATIVE_INFINITY);
      for (double[] x : data) {
        for (int j = 0; j < d; j++) {
          lo[j] = Math.min(lo[j], x[j]);
          hi[j] = Math.max(hi[j], x[j]);
        }
      }
      SplittableRandom rng = new SplittableRandom(options.seed());
      for (int i = 0; i < k; i++) {
        double[] c = new double[d];
        for (int j = 0; j < d; j++) {
          c[j] = lo[j] + rng.nextDouble() * (hi[j] - lo[j]);
        }
        centres[i] = c;
      }
      return centres;
    }
    // k-means++ by Smile; for mini-batch on a sample, as mini-batch never looks at all vectors at once
    double[][] pool = data;
    if (options.method() == ClusteringMethod.MINI_BATCH_KMEANS) {
      int sample = Math.min(n, Math.max(3 * options.batchSize(), 10 * k));
      if (sample < n) {
        SplittableRandom rng = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
        int[] idx = StockClusterer.sampleWithoutReplacement(n, sample, rng);
        pool = new double[sample][];
        for (int i = 0; i < sample; i++) {
          pool[i] = data[idx[i]];
        }
      }
    }
    listener.onProgress("kmeans++", 0, k, "seeding on " + pool.length + " vectors");
    MathEx.setSeed(options.seed());
    double[][] seeded = new double[k][];
    PartitionClustering.seed(pool, seeded, new int[pool.length], MathEx::squaredDistance);
    for (int i = 0; i < k; i++) {
      centres[i] = seeded[i].clone(); // Smile hands back the data rows themselves
    }
    listener.onProgress("kmeans++", k, k, "");
    return centres;
  }

  static StockClusterer.Run lloyd(double[][] data, double[][] centres, ClusteringOptions options,
      ProgressListener listener, CancellationToken token) {
    int n = data.length;
    int k = centres.length;
    int d = data[0].length;
    BBDTree tree = d <= StockClusterer.BBD_MAX_DIMENSION ? new BBDTree(data) : null;
    LloydStep step = tree != null ? tree::clustering : bruteForceStep(data);
    int[] labels = new int[n];
    int[] size = new int[k];
    double[][] sums = new double[k][d];
    List<Double> deviations = new ArrayList<>();
    double previous = Double.NaN;
    boolean converged = false;
    int relocated = 0;
    int max = options.maxIterations();
    int it = 0;
    // Each call assigns every vector to its nearest centre (returning D for the centres as they
    // were corrected by the previous call), then corrects the centres in place.
    double d0 = step.run(centres, sums, size, labels);
    listener.onProgress("kmeans", 0, max, String.format(java.util.Locale.ROOT, "D=%.6g (initial centres)", d0));
    while (it < max) {
      token.throwIfCancelled();
      int moved = relocateEmpty(data, centres, size, labels);
      relocated += moved;
      double dev = step.run(centres, sums, size, labels);
      it++;
      deviations.add(dev);
      listener.onProgress("kmeans", it, max, String.format(java.util.Locale.ROOT, "D=%.6g", dev));
      if (moved == 0 && !Double.isNaN(previous) && previous - dev <= options.tolerance() * previous) {
        converged = true;
        break;
      }
      previous = dev;
    }
    relocated += relocateEmpty(data, centres, size, labels);
    double[] finalDev = new double[1];
    int[] finalLabels = StockClusterer.assign(data, centres, finalDev);
    LOG.debug("k-means: {} iterations, converged={}, D={}", it, converged, finalDev[0]);
    return new StockClusterer.Run(centres, finalLabels, StockClusterer.toArray(deviations), finalDev[0], it, converged,
        relocated);
  }

  /** One Lloyd iteration with the contract of {@code BBDTree.clustering}. */
  @FunctionalInterface
  private interface LloydStep {
    /**
     * Assigns every vector to its nearest centre and moves each non-empty centre to the mean of
     * its vectors, in place.
     *
     * @return D of the assignment (against the centres before they moved)
     */
    double run(double[][] centres, double[][] sums, int[] size, int[] labels);
  }

  private static LloydStep bruteForceStep(double[][] data) {
    return (centres, sums, size, labels) -> {
      double[] dev = new double[1];
      int[] l = StockClusterer.assign(data, centres, dev);
      System.arraycopy(l, 0, labels, 0, l.length);
      int k = centres.length;
      int d = data[0].length;
      Arrays.fill(size, 0);
      for (double[] s : sums) {
        Arrays.fill(s, 0);
      }
      for (int i = 0; i < data.length; i++) {
        int c = labels[i];
        size[c]++;
        double[] s = sums[c];
        double[] x = data[i];
        for (int j = 0; j < d; j++) {
          s[j] += x[j];
        }
      }
      for (int c = 0; c < k; c++) {
        if (size[c] > 0) {
          for (int j = 0; j < d; j++) {
            centres[c][j] = sums[c][j] / size[c];
          }
        }
      }
      return dev[0];
    };
  }

  /** Moves centres that own no vector onto the vectors farthest from their own centres. */
  private static int relocateEmpty(double[][] data, double[][] centres, int[] size, int[] labels) {
    int empty = 0;
    for (int s : size) {
      if (s == 0) {
        empty++;
      }
    }
    if (empty == 0) {
      return 0;
    }
    double[] dist = new double[data.length];
    IntStream.range(0, data.length).parallel()
        .forEach(i -> dist[i] = MathEx.squaredDistance(data[i], centres[labels[i]]));
    Integer[] order = new Integer[data.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(dist[b], dist[a]));
    int next = 0;
    for (int c = 0; c < centres.length && next < order.length; c++) {
      if (size[c] == 0) {
        int victim = order[next++];
        centres[c] = data[victim].clone();
        size[c] = 1;
      }
    }
    return empty;
  }
}
