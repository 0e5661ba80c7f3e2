package io.sightline.tagging;

/**
 * How the stock is clustered. Immutable; change a value with the {@code with...} methods.
 *
 * @param method K-means or mini-batch K-means
 * @param clusters K, the number of clusters (at least 1, at most the number of stock images), or
 *     {@link #AUTO}: √(stock images / 2), at most 100, decided when the stock is clustered
 * @param init how the initial centres are chosen
 * @param batchSize mini-batch size (only for {@link ClusteringMethod#MINI_BATCH_KMEANS})
 * @param maxIterations upper bound on iterations (each a full pass for K-means, a batch for mini-batch)
 * @param tolerance convergence threshold: K-means stops when the relative decrease of the
 *     feature deviation D falls below it; mini-batch stops when the relative decrease of the
 *     smoothed per-image batch deviation falls below it for {@code patience} batches in a row
 * @param patience mini-batch only: batches without sufficient improvement before stopping
 * @param seed random seed; the same seed on the same stock gives the same clusters
 * @param normalize whether vectors are L2-normalised before clustering and matching (so the
 *     Euclidean distance ranks like cosine similarity)
 * @param radius DBSCAN only: neighbourhood radius (Euclidean, on normalised vectors when
 *     {@code normalize})
 * @param minPoints DBSCAN only: neighbours within the radius that make a core point
 */
public record ClusteringOptions(ClusteringMethod method, int clusters, CentreInit init, int batchSize,
    int maxIterations, double tolerance, int patience, long seed, boolean normalize, double radius,
    int minPoints) {

  /** {@link #clusters} value that lets training pick K from the stock size: √(n/2), 1..100. */
  public static final int AUTO = 0;

  /** Validates the values. */
  public ClusteringOptions {
    if (method == null) {
      throw new IllegalArgumentException("method is required");
    }
    if (init == null) {
      throw new IllegalArgumentException("init is required");
    }
    if (clusters < 1 && clusters != AUTO) {
      throw new IllegalArgumentException("clusters must be at least 1 (or AUTO): " + clusters);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
    if (maxIterations < 1) {
      throw new IllegalArgumentException("maxIterations must be at least 1: " + maxIterations);
    }
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be finite and >= 0: " + tolerance);
    }
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be at least 1: " + patience);
    }
    if (!(radius > 0) || Double.isInfinite(radius)) {
      throw new IllegalArgumentException("radius must be finite and > 0: " + radius);
    }
    if (minPoints < 1) {
      throw new IllegalArgumentException("minPoints must be at least 1: " + minPoints);
    }
  }

  /**
   * @return K-means, {@link #AUTO} clusters (√(n/2) of the stock, at most 100: a first try on a
   *     small stock works), random initial centres as in the seed, batch 1000, at most
   *     100 iterations, tolerance 1e-4, patience 10, seed 42, normalised; DBSCAN radius 0.3 and
   *     5 points
   */
  public static ClusteringOptions defaults() {
    return new ClusteringOptions(ClusteringMethod.KMEANS, AUTO, CentreInit.RANDOM, 1000, 100, 1e-4,
        10, 42L, true, 0.3, 5);
  }

  /**
   * @param m the method
   * @return a copy
   */
  public ClusteringOptions withMethod(ClusteringMethod m) {
    return new ClusteringOptions(m, clusters, init, batchSize, maxIterations, tolerance, patience, seed, normalize, radius, minPoints);
  }

  /**
   * @param k the number of clusters
   * @return a copy
   */
  public ClusteringOptions withClusters(int k) {
    // k = AUTO (0) is allowed: training picks K from the stock size
    return new ClusteringOptions(method, k, init, batchSize, maxIterations, tolerance, patience, seed, normalize, radius, minPoints);
  }

  /**
   * @param i initial centres
   * @return a copy
   */
  public ClusteringOptions withInit(CentreInit i) {
    return new ClusteringOptions(method, clusters, i, batchSize, maxIterations, tolerance, patience, seed, normalize, radius, minPoints);
  }

  /**
   * Switches to mini-batch K-means with the given batch size.
   *
   * @param size batch size
   * @return a copy
   */
  public ClusteringOptions withMiniBatch(int size) {
    return new ClusteringOptions(ClusteringMethod.MINI_BATCH_KMEANS, clusters, init, size, maxIterations,
        tolerance, patience, seed, normalize, radius, minPoints);
  }

  /**
   * @param n iteration limit
   * @return a copy
   */
  public ClusteringOptions withMaxIterations(int n) {
    return new ClusteringOptions(method, clusters, init, batchSize, n, tolerance, patience, seed, normalize, radius, minPoints);
  }

  /**
   * @param t convergence tolerance
   * @return a copy
   */
  public ClusteringOptions withTolerance(double t) {
    return new ClusteringOptions(method, clusters, init, batchSize, maxIterations, t, patience, seed, normalize, radius, minPoints);
  }

  /**
   * @param p mini-batch patience
   * @return a copy
   */
  public ClusteringOptions withPatience(int p) {
    return new ClusteringOptions(method, clusters, init, batchSize, maxIterations, tolerance, p, seed, normalize, radius, minPoints);
  }

  /**
   * @param s random seed
   * @return a copy
   */
  public ClusteringOptions withSeed(long s) {
    return new ClusteringOptions(method, clusters, init, batchSize, maxIterations, tolerance, patience, s, normalize, radius, minPoints);
  }

  /**
   * Switches to DBSCAN (K is then found by DBSCAN, not given).
   *
   * @param r neighbourhood radius
   * @param points neighbours that make a core point
   * @return a copy
   */
  public ClusteringOptions withDbscan(double r, int points) {
    return new ClusteringOptions(ClusteringMethod.DBSCAN, clusters, init, batchSize, maxIterations,
        tolerance, patience, seed, normalize, r, points);
  }

  /**
   * @param n whether to L2-normalise vectors
   * @return a copy
   */
  public ClusteringOptions withNormalize(boolean n) {
    return new ClusteringOptions(method, clusters, init, batchSize, maxIterations, tolerance, patience, seed, n,
        radius, minPoints);
  }

  /**
   * @param stockImages images in the stock
   * @return K for that stock: this K, or for {@link #AUTO} round(√(n/2)) within 1..100
   */
  public int clustersFor(int stockImages) {
    return clusters != AUTO ? clusters : (int) Math.max(1, Math.min(100, Math.round(Math.sqrt(stockImages / 2.0))));
  }
}
