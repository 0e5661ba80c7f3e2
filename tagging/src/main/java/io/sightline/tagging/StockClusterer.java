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
import smile.clustering.DBSCAN;
import smile.clustering.PartitionClustering;
import smile.math.MathEx;

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
 */
final class StockClusterer {
  private static final Logger LOG = LoggerFactory.getLogger(StockClusterer.class);

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
      return dbscan(data, options, listener, token);
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
      centres = initialCentres(data, k, options, listener);
    }
    return switch (options.method()) {
      case KMEANS -> lloyd(data, centres, options, listener, token);
      case MINI_BATCH_KMEANS -> miniBatch(data, centres, warmStart != null ? sizes(data, centres) : new long[k],
          options, listener, token);
      default -> gaussianMixture(data, k, options, listener, token);
    };
  }

  /**
   * EM for a mixture of Gaussians with diagonal covariances, started from a k-means++ K-means
   * solution. Written here because Smile 2.6's diagonal {@code MultivariateGaussianMixture} fails in
   * its M-step ("matrix is not square: d x 1") and full covariances are singular for image
   * features with more dimensions than images per cluster.
   */
  private static Run gaussianMixture(double[][] data, int k, ClusteringOptions options,
      ProgressListener listener, CancellationToken token) {
    int n = data.length;
    int d = data[0].length;
    ClusteringOptions init = options.withMethod(ClusteringMethod.KMEANS).withInit(CentreInit.KMEANS_PLUS_PLUS);
    Run start = lloyd(data, initialCentres(data, k, init, listener), init, ProgressListener.NONE, token);
    double[][] mean = start.centres();
    double[][] var = new double[k][d];
    double[] weight = new double[k];
    double floor = 1e-6;
    int[] count = new int[k];
    for (int i = 0; i < n; i++) {
      int c = start.labels()[i];
      count[c]++;
      for (int j = 0; j < d; j++) {
        double diff = data[i][j] - mean[c][j];
        var[c][j] += diff * diff;
      }
    }
    for (int c = 0; c < k; c++) {
      weight[c] = Math.max(count[c], 1) / (double) n;
      for (int j = 0; j < d; j++) {
        var[c][j] = var[c][j] / Math.max(count[c], 1) + floor;
      }
    }
    double[][] resp = new double[n][k];
    List<Double> deviations = new ArrayList<>();
    double previous = Double.NEGATIVE_INFINITY;
    boolean converged = false;
    int it = 0;
    while (it < options.maxIterations()) {
      token.throwIfCancelled();
      // E-step: log responsibilities with log-sum-exp
      double[] logNorm = new double[k];
      for (int c = 0; c < k; c++) {
        double s = Math.log(weight[c]);
        for (int j = 0; j < d; j++) {
          s -= 0.5 * Math.log(2 * Math.PI * var[c][j]);
        }
        logNorm[c] = s;
      }
      double[] ll = new double[n];
      IntStream.range(0, n).parallel().forEach(i -> {
        double[] r = resp[i];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double s = logNorm[c];
          for (int j = 0; j < d; j++) {
            double diff = data[i][j] - mean[c][j];
            s -= 0.5 * diff * diff / var[c][j];
          }
          r[c] = s;
          max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
          r[c] = Math.exp(r[c] - max);
          sum += r[c];
        }
        for (int c = 0; c < k; c++) {
          r[c] /= sum;
        }
        ll[i] = max + Math.log(sum);
      });
      double logLikelihood = 0;
      for (double v : ll) {
        logLikelihood += v;
      }
      // M-step
      for (int c = 0; c < k; c++) {
        double nc = 0;
        double[] m = new double[d];
        for (int i = 0; i < n; i++) {
          double r = resp[i][c];
          nc += r;
          for (int j = 0; j < d; j++) {
            m[j] += r * data[i][j];
          }
        }
        if (nc < 1e-9) {
          continue; // a component that lost every image keeps its parameters
        }
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
          m[j] /= nc;
        }
        for (int i = 0; i < n; i++) {
          double r = resp[i][c];
          for (int j = 0; j < d; j++) {
            double diff = data[i][j] - m[j];
            v[j] += r * diff * diff;
          }
        }
        for (int j = 0; j < d; j++) {
          v[j] = v[j] / nc + floor;
        }
        mean[c] = m;
        var[c] = v;
        weight[c] = nc / n;
      }
      it++;
      double[] dev = new double[1];
      assign(data, mean, dev);
      deviations.add(dev[0]);
      listener.onProgress("gaussian-mixture", it, options.maxIterations(),
          String.format(java.util.Locale.ROOT, "D=%.6g logL=%.6g", dev[0], logLikelihood));
      if (Math.abs(logLikelihood - previous) <= options.tolerance() * Math.abs(logLikelihood)) {
        converged = true;
        break;
      }
      previous = logLikelihood;
    }
    double[] dev = new double[1];
    int[] labels = assign(data, mean, dev);
    return new Run(mean, labels, toArray(deviations), dev[0], it, converged, 0);
  }

  private static Run dbscan(double[][] data, ClusteringOptions options, ProgressListener listener,
      CancellationToken token) {
    token.throwIfCancelled();
    listener.onProgress("dbscan", 0, 1, "radius " + options.radius() + ", " + options.minPoints() + " points");
    DBSCAN<double[]> db = DBSCAN.fit(data, options.minPoints(), options.radius());
    token.throwIfCancelled();
    if (db.k == 0) {
      throw new InsufficientStockException("DBSCAN found no cluster with radius " + options.radius()
          + " and " + options.minPoints() + " points: every stock image is noise; raise the radius or lower minPoints");
    }
    int d = data[0].length;
    double[][] centres = new double[db.k][d];
    int[] size = new int[db.k];
    for (int i = 0; i < data.length; i++) {
      int c = db.y[i];
      if (c >= 0 && c < db.k) {
        size[c]++;
        for (int j = 0; j < d; j++) {
          centres[c][j] += data[i][j];
        }
      }
    }
    for (int c = 0; c < db.k; c++) {
      for (int j = 0; j < d; j++) {
        centres[c][j] /= Math.max(1, size[c]);
      }
    }
    double[] dev = new double[1];
    int[] labels = assign(data, centres, dev); // noise joins the nearest cluster
    listener.onProgress("dbscan", 1, 1, String.format(java.util.Locale.ROOT, "%d clusters, D=%.6g", db.k, dev[0]));
    return new Run(centres, labels, new double[] {dev[0]}, dev[0], 1, true, 0);
  }

  private static double[][] initialCentres(double[][] data, int k, ClusteringOptions options,
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
        int[] idx = sampleWithoutReplacement(n, sample, rng);
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

  private static Run lloyd(double[][] data, double[][] centres, ClusteringOptions options,
      ProgressListener listener, CancellationToken token) {
    int n = data.length;
    int k = centres.length;
    int d = data[0].length;
    BBDTree tree = d <= BBD_MAX_DIMENSION ? new BBDTree(data) : null;
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
    int[] finalLabels = assign(data, centres, finalDev);
    LOG.debug("k-means: {} iterations, converged={}, D={}", it, converged, finalDev[0]);
    return new Run(centres, finalLabels, toArray(deviations), finalDev[0], it, converged, relocated);
  }

  /**
   * Up to this many dimensions a Lloyd step runs on Smile's BBD tree (Kanungo et al.'s filtering
   * algorithm), which prunes well in low dimensions; above it the tree degenerates into a slower
   * single-threaded brute force, so the step runs as a parallel brute force instead.
   */
  static final int BBD_MAX_DIMENSION = 24;

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
      int[] l = assign(data, centres, dev);
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

  private static Run miniBatch(double[][] data, double[][] centres, long[] initialCounts, ClusteringOptions options,
      ProgressListener listener, CancellationToken token) {
    int n = data.length;
    int k = centres.length;
    int d = data[0].length;
    int b = Math.min(options.batchSize(), n);
    SplittableRandom rng = new SplittableRandom(options.seed() * 31 + 7);
    long[] counts = initialCounts.clone();
    List<Double> deviations = new ArrayList<>();
    double alpha = Math.min(1.0, 2.0 * b / (n + 1.0));
    double ewa = Double.NaN;
    double best = Double.POSITIVE_INFINITY;
    int noImprovement = 0;
    boolean converged = false;
    int relocated = 0;
    int max = options.maxIterations();
    int it = 0;
    double[][] batch = new double[b][];
    int[] batchLabels = new int[b];
    double[] batchDist = new double[b];
    while (it < max) {
      token.throwIfCancelled();
      int[] idx = sampleWithoutReplacement(n, b, rng);
      for (int i = 0; i < b; i++) {
        batch[i] = data[idx[i]];
      }
      IntStream.range(0, b).parallel().forEach(i -> {
        double[] best2 = new double[1];
        batchLabels[i] = nearest(batch[i], centres, best2);
        batchDist[i] = best2[0];
      });
      double dev = 0;
      for (double v : batchDist) {
        dev += v;
      }
      // per-centre learning rate 1 / (vectors absorbed so far)
      for (int i = 0; i < b; i++) {
        int c = batchLabels[i];
        counts[c]++;
        double eta = 1.0 / counts[c];
        double[] centre = centres[c];
        double[] x = batch[i];
        for (int j = 0; j < d; j++) {
          centre[j] += eta * (x[j] - centre[j]);
        }
      }
      // centres no vector ever reached are moved onto random batch vectors
      for (int c = 0; c < k; c++) {
        if (counts[c] == 0) {
          centres[c] = batch[rng.nextInt(b)].clone();
          relocated++;
        }
      }
      it++;
      deviations.add(dev);
      listener.onProgress("mini-batch-kmeans", it, max,
          String.format(java.util.Locale.ROOT, "D=%.6g (batch of %d)", dev, b));
      double perImage = dev / b;
      ewa = Double.isNaN(ewa) ? perImage : ewa * (1 - alpha) + perImage * alpha;
      if (ewa < best * (1 - options.tolerance())) {
        best = ewa;
        noImprovement = 0;
      } else if (++noImprovement >= options.patience()) {
        converged = true;
        break;
      }
    }
    double[] finalDev = new double[1];
    int[] labels = assign(data, centres, finalDev);
    listener.onProgress("mini-batch-kmeans", it, it,
        String.format(java.util.Locale.ROOT, "D=%.6g (all %d images)", finalDev[0], n));
    LOG.debug("mini-batch k-means: {} batches, converged={}, D={}", it, converged, finalDev[0]);
    return new Run(centres, labels, toArray(deviations), finalDev[0], it, converged, relocated);
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

  private static int[] sampleWithoutReplacement(int n, int m, SplittableRandom rng) {
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

  private static double[] toArray(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
