package io.sightline.tagging;

/** How clusters are refreshed after the stock changed (seed claim 8, [0060]). */
public enum UpdateMode {
  /**
   * Iterate the clustering again starting from the current centres (fast, keeps K). K-means and
   * mini-batch K-means only; for DBSCAN and Gaussian mixtures it re-clusters from scratch.
   */
  WARM_START,
  /** Cluster the whole stock again from new initial centres. */
  RECLUSTER
}
