package io.sightline.core.index;

import java.util.Map;
import java.util.Objects;

/**
 * Keeps or drops a candidate during search, from its key and stored attributes.
 *
 * @param <K> key type
 */
@FunctionalInterface
public interface SearchFilter<K> {
  /**
   * @param id candidate key
   * @param attributes its stored attributes (never null)
   * @return true to keep it
   */
  boolean test(K id, Map<String, String> attributes);

  /**
   * @param <K> key type
   * @return a filter that keeps everything
   */
  static <K> SearchFilter<K> all() {
    return (id, a) -> true;
  }

  /**
   * @param <K> key type
   * @param key attribute name
   * @param value required value
   * @return a filter keeping vectors whose attribute {@code key} equals {@code value}
   */
  static <K> SearchFilter<K> attributeEquals(String key, String value) {
    return (id, a) -> Objects.equals(a.get(key), value);
  }

  /**
   * @param <K> key type
   * @param key attribute name
   * @param prefix required prefix
   * @return a filter keeping vectors whose attribute {@code key} starts with {@code prefix}
   */
  static <K> SearchFilter<K> attributeStartsWith(String key, String prefix) {
    return (id, a) -> {
      String v = a.get(key);
      return v != null && v.startsWith(prefix);
    };
  }

  /**
   * @param other a second filter
   * @return a filter keeping what both keep
   */
  default SearchFilter<K> and(SearchFilter<K> other) {
    return (id, a) -> test(id, a) && other.test(id, a);
  }
}
