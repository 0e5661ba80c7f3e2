package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Clusters feature vectors with K-means or mini-batch K-means, iterating until the feature
 * deviation {@code D = Σ_i min_r ||x_i − c_r||²} of seed [0049] converges, and reporting D per
 * iteration through a {@link ProgressListener}.
 *
 * <p>K-means runs each Lloyd iteration with Smile's BBD-tree filtering step in up to
 * {@value #BBD_MAX_DIMENSION} dimensions and as a parallel brute force above (where the tree no
 * longer prunes); k-means++ seeding is Smile's. Random initial centres (the seed's variant), warm starts from existing centres,
 * empty-cluster relocation, mini-batch updates, progress and cancellation are added here because
 * Smile 2.6 offers neither mini-batch K-means nor per-iteration hooks.
 *
 * <p>Stateless and thread-safe; a fixed {@link ClusteringOptions#seed()} makes runs repeatable
 * (k-means++ uses Smile's per-thread generator, re-seeded for each run).
 *
 * <p>This class dispatches on the method and holds what the methods share (assignment to the
 * nearest centre, sampling); K-means is in {@link StockClustererKMeans}, mini-batch K-means in
 * {@link StockClustererMiniBatch}, the Gaussian mixture and DBSCAN in {@link StockClustererMixtures}.
 */
final class StockClusterer {
  private StockClusterer() {}

  /**
   * Outcome of one clustering run.
   *
   * @param centres final centres, K × d
   * @param labels cluster of each input vector under the final centres
   * @param deviations D after each iteration (for mini-batch: D of each batch)
   * @param finalDeviation D of all vectors against the final centres
   * @param iterations iterations run
   * @param converged whether the convergence test stopped the run (false: iteration limit)
   * @param relocated how many times an empty centre was moved onto a stock vector
   */
  record Run(double[][] centres, int[] labels, double[] deviations, double finalDeviation,
      int iterations, boolean converged, int relocated) {}

  /**
   * @param data the vectors (n × d, finite; not modified)
   * @param options method, K, initialisation, limits
   * @param warmStart centres to start from (K × d), or null to initialise per {@code options}
   * @param listener receives "kmeans"/"mini-batch-kmeans" progress with D per iteration
   * @param token cancels the run between iterations
   * @return the run
   */
  static Run cluster(double[][] data, ClusteringOptions options, double[][] warmStart,
      ProgressListener listener, CancellationToken token) {
    int n = data.length;
    if (n == 0) {
      throw new InsufficientStockException("the stock is empty: nothing to cluster");
    }
    if (options.method() == ClusteringMethod.DBSCAN) {
      return StockClustererMixtures.dbscan(data, options, listener, token);
    }
    if (options.method() == ClusteringMethod.GAUSSIAN_MIXTURE) {
      warmStart = null; // EM in Smile starts from its own initialisation
    }
    int k = warmStart != null ? warmStart.length : options.clusters();
    if (k > n) {
      throw new InsufficientStockException("cannot make " + k + " clusters from " + n
          + " stock images; use at most " + n + " clusters or add images");
    }
    double[][] centres;
    if (warmStart != null) {
      centres = new double[k][];
      for (int i = 0; i < k; i++) {
        centres[i] = warmStart[i].clone();
      }
    } else {
      centres = StockClustererKMeans.initialCentres(data, k, options, listener);
    }
    return switch (options.method()) {
      case KMEANS -> StockClustererKMeans.lloyd(data, centres, options, listener, token);
      case MINI_BATCH_KMEANS -> StockClustererMiniBatch.miniBatch(data, centres,
          warmStart != null ? sizes(data, centres) : new long[k], options, listener, token);
      default -> StockClustererMixtures.gaussianMixture(data, k, options, listener, token);
    };
  }

  /**
   * Up to this many dimensions a Lloyd step runs on Smile's BBD tree (Kanungo et al.'s filtering
   * algorithm), which prunes well in low dimensions; above it the tree degenerates into a slower
   * single-threaded brute force, so the step runs as a parallel brute force instead.
   */
  static final int BBD_MAX_DIMENSION = 24;

  /**
   * How many vectors each centre stands for: the size of its cluster. A warm start continues each
   * centre's learning rate 1/count from there instead of from 0, which would let the first vector a
   * centre absorbs replace it (learning rate 1) and throw the old centres away.
   */
  static long[] sizes(double[][] data, double[][] centres) {
    long[] sizes = new long[centres.length];
    int[] labels = new int[data.length];
    IntStream.range(0, data.length).parallel().forEach(i -> labels[i] = nearest(data[i], centres, new double[1]));
    for (int l : labels) {
      sizes[l]++;
    }
    return sizes;
  }

  /**
   * Assigns every vector to its nearest centre.
   *
   * @param data vectors
   * @param centres centres
   * @param deviation receives D in its first cell
   * @return the label of each vector
   */
  static int[] assign(double[][] data, double[][] centres, double[] deviation) {
    int[] labels = new int[data.length];
    double[] dist = new double[data.length];
    IntStream.range(0, data.length).parallel().forEach(i -> {
      double[] best = new double[1];
      labels[i] = nearest(data[i], centres, best);
      dist[i] = best[0];
    });
    double sum = 0;
    for (double v : dist) {
      sum += v;
    }
    deviation[0] = sum;
    return labels;
  }

  static int nearest(double[] x, double[][] centres, double[] bestDistance) {
    int best = 0;
    double bestD = Double.POSITIVE_INFINITY;
    for (int c = 0; c < centres.length; c++) {
      double s = 0;
      double[] centre = centres[c];
      for (int j = 0; j < x.length && s < bestD; j++) {
        double diff = x[j] - centre[j];
        s += diff * diff;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    bestDistance[0] = bestD;
    return best;
  }

  static int[] sampleWithoutReplacement(int n, int m, SplittableRandom rng) {
    if (m >= n) {
      return IntStream.range(0, n).toArray();
    }
    if (m * 4L < n) {
      java.util.HashSet<Integer> seen = new java.util.HashSet<>();
      int[] out = new int[m];
      int filled = 0;
      while (filled < m) {
        int v = rng.nextInt(n);
        if (seen.add(v)) {
          out[filled++] = v;
        }
      }
      return out;
    }
    int[] all = IntStream.range(0, n).toArray();
    for (int i = 0; i < m; i++) {
      int j = i + rng.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return Arrays.copyOf(all, m);
  }

  static double[] toArray(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
