package io.sightline.core.index;

import java.util.Map;

/**
 * A vector to add in bulk.
 *
 * @param <K> key type
 * @param id key
 * @param vector the vector (not copied by the record; the index copies it)
 * @param attributes attributes stored with it for filtering (may be empty)
 */
public record IndexItem<K>(K id, float[] vector, Map<String, String> attributes) {
  /** Copies the attributes so the record is immutable. */
  public IndexItem {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /**
   * @param <K> key type
   * @param id key
   * @param vector vector
   * @return an item without attributes
   */
  public static <K> IndexItem<K> of(K id, float[] vector) {
    return new IndexItem<>(id, vector, Map.of());
  }
}
