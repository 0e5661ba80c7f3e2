package io.sightline.tagging;

import java.util.List;

/**
 * A stock image that lent its tags to a query by nearest-neighbour propagation.
 *
 * @param image stock image id
 * @param post its post, or null
 * @param similarity cosine similarity to the query
 * @param tags its tags
 */
public record NeighbourMatch(String image, String post, double similarity, List<String> tags) {
  /** Copies the tags. */
  public NeighbourMatch {
    tags = List.copyOf(tags);
  }
}
