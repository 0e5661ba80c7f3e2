package io.sightline.tagging;

/** How stock images are clustered (seed claim 3: K-means or mini-batch K-means). */
public enum ClusteringMethod {
  /**
   * Lloyd's K-means over all stock vectors per iteration: in up to 24 dimensions each iteration
   * is Smile's BBD-tree filtering step ({@code smile.clustering.BBDTree}); above, where the tree
   * stops pruning, a parallel brute-force assignment (measured 2 cores, 100k x 256-d: see
   * BENCHMARKS.md).
   */
  KMEANS,
  /**
   * Mini-batch K-means (Sculley 2010): each iteration draws a random batch of stock vectors,
   * assigns it to the nearest centres and moves each centre towards its batch members with a
   * per-centre learning rate {@code 1 / (vectors the centre has absorbed so far)}.
   */
  MINI_BATCH_KMEANS,
  /**
   * Expectation-maximisation of a Gaussian mixture with diagonal covariances (the seed's
   * "最大期望聚类" alternative, [0035]), started from a k-means++ K-means solution; the component
   * means become the cluster centres and images join the nearest one. Log-likelihood and D are
   * reported per iteration. (Smile 2.6's diagonal mixture fails in its M-step, so EM is written
   * here.)
   */
  GAUSSIAN_MIXTURE,
  /**
   * Density-based clustering (the seed's DBSCAN alternative, [0035]), by Smile's {@code DBSCAN}
   * with {@link ClusteringOptions#radius()} and {@link ClusteringOptions#minPoints()}; K is found,
   * not given. Each cluster's centre is the mean of its members; noise images join the nearest
   * cluster. Cost grows with the square of the stock size in high dimensions: for stocks of
   * thousands, not millions.
   */
  DBSCAN
}
