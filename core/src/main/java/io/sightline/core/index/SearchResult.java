package io.sightline.core.index;

import java.util.Map;

/**
 * One hit of a vector search.
 *
 * @param <K> key type
 * @param id the key of the stored vector
 * @param distance distance under the index's metric (smaller = closer)
 * @param similarity similarity under the index's metric (larger = closer), see {@link Metric}
 * @param attributes the attributes stored with the vector (never null)
 */
public record SearchResult<K>(K id, float distance, float similarity, Map<String, String> attributes) {
  /** Copies the attributes so the record is immutable. */
  public SearchResult {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
