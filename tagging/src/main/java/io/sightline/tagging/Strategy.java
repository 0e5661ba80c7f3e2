package io.sightline.tagging;

/** How tags are derived for a query image. All strategies share one model and one API. */
public enum Strategy {
  /**
   * The seed's method: the cluster whose centre is nearest to the query (claim 5), tags ranked by
   * their frequency among the cluster's posts (claim 6).
   */
  NEAREST_CLUSTER,
  /**
   * Soft assignment: the few nearest clusters, each weighted by its (non-negative) cosine
   * similarity to the query; a tag's score is the weighted mean of its frequencies there.
   */
  SOFT_CLUSTERS,
  /**
   * Nearest-neighbour tag propagation: the most similar stock images in an HNSW index vote for
   * their tags with their similarity; a post votes once (with its most similar image); a tag's
   * score is the share of the total vote it received.
   */
  NEAREST_NEIGHBOURS,
  /** Baseline: the most frequent tags of the whole stock, whatever the image. */
  MOST_POPULAR
}
