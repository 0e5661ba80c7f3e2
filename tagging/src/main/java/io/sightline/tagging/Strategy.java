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
  MOST_POPULAR,
  /**
   * Zero-shot: every tag of the stock scored by the cosine between the image and the tag's words
   * in a shared image–text space (needs {@code builder().textEmbedder(...)} in the image
   * embedder's space); the score is the cosine, clipped at 0.
   */
  ZERO_SHOT,
  /**
   * Fusion of the evidence: neighbour votes, soft-cluster frequencies, (with a text embedder)
   * zero-shot shares and (when its weight is above 0) the linear probe's scores, weighted by
   * {@link FusionWeights}, then divided by a power of each tag's
   * stock-wide frequency so that tags are ranked by how much more likely they are here than
   * anywhere (lift), not by raw popularity.
   */
  FUSED,
  /**
   * A linear scorer per tag, fitted to the whole stock when the recommender trains (ridge
   * regression of each tag's presence on the image vectors): a tag's score is its stock-wide share
   * plus the query's projection on the tag's direction, clipped to [0,1]. It learns from every
   * stock image that has a tag, not only from the few nearest; with a semantic embedder (the
   * shipped encoder) it gave the best tags on drawings of families the stock does not hold.
   */
  LINEAR_PROBE
}
