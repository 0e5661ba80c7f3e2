package io.sightline.tagging;

/** How stock images are clustered (seed claim 3: K-means or mini-batch K-means). */
public enum ClusteringMethod {
  /**
   * Lloyd's K-means over all stock vectors per iteration, each iteration run by Smile's
   * BBD-tree filtering step ({@code smile.clustering.BBDTree}).
   */
  KMEANS,
  /**
   * Mini-batch K-means (Sculley 2010): each iteration draws a random batch of stock vectors,
   * assigns it to the nearest centres and moves each centre towards its batch members with a
   * per-centre learning rate {@code 1 / (vectors the centre has absorbed so far)}.
   */
  MINI_BATCH_KMEANS
}
