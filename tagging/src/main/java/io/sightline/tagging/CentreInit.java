package io.sightline.tagging;

/** How the initial cluster centres are chosen. */
public enum CentreInit {
  /**
   * As in the seed ([0046]): K centres made of random numbers, independent of the stock images
   * (drawn uniformly inside the per-dimension range of the stock vectors, so they live in the
   * same region of feature space). Centres that attract no image are moved onto the stock vector
   * farthest from its own centre.
   */
  RANDOM,
  /** k-means++ seeding (Arthur and Vassilvitskii 2007), by Smile's {@code PartitionClustering.seed}. */
  KMEANS_PLUS_PLUS
}
