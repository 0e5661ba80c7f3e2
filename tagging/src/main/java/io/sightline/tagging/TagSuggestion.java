package io.sightline.tagging;

import java.util.List;

/**
 * Recommended tags for one image, with the evidence behind them. Immutable.
 *
 * @param strategy how the tags were derived
 * @param cluster the nearest cluster (the seed's target image cluster); -1 for
 *     {@link Strategy#MOST_POPULAR}
 * @param clusters the clusters that contributed, nearest first (one for
 *     {@link Strategy#NEAREST_CLUSTER}, several for {@link Strategy#SOFT_CLUSTERS}, the nearest
 *     one as context otherwise)
 * @param neighbours stock images that voted ({@link Strategy#NEAREST_NEIGHBOURS} only)
 * @param tags the selected tags, best first
 * @param selection the selection applied
 */
public record TagSuggestion(Strategy strategy, int cluster, List<ClusterMatch> clusters,
    List<NeighbourMatch> neighbours, List<TagScore> tags, TagSelection selection) {
  /** Copies the lists. */
  public TagSuggestion {
    clusters = List.copyOf(clusters);
    neighbours = List.copyOf(neighbours);
    tags = List.copyOf(tags);
  }

  /** @return the tag names, best first */
  public List<String> tagNames() {
    return tags.stream().map(TagScore::tag).toList();
  }
}
