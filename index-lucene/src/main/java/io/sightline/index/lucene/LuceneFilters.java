package io.sightline.index.lucene;

import io.sightline.core.index.SearchFilter;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * Attribute filters that {@link LuceneVectorIndex} runs <em>inside</em> the graph search, as the
 * filter query of Lucene's {@code KnnFloatVectorQuery}: the search returns the {@code k} nearest
 * vectors among those that match, however selective the filter is, without over-fetching.
 *
 * <p>They are ordinary {@link SearchFilter}s with the same meaning as core's (the same results on
 * {@link io.sightline.core.index.ExactVectorIndex} and {@link io.sightline.core.index.HnswVectorIndex},
 * which simply call {@link SearchFilter#test}). Combine them with {@link SearchFilter#and}: an
 * {@code and} of these filters is translated as a whole; {@code translatable.and(anyPredicate)}
 * translates the first part and runs the predicate after the graph search. Core's
 * {@code SearchFilter.attributeEquals} and lambdas are opaque predicates and always run after the
 * graph search (start a chain with one of these to translate it).
 */
public final class LuceneFilters {
  private LuceneFilters() {}

  /**
   * @param <K> key type
   * @param key attribute name
   * @param value required value
   * @return keeps vectors whose attribute {@code key} equals {@code value} (a Lucene term query)
   */
  public static <K> SearchFilter<K> attributeEquals(String key, String value) {
    return new TranslatedFilter.Equals<>(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  /**
   * @param <K> key type
   * @param key attribute name
   * @param prefix required prefix (empty: the attribute is present)
   * @return keeps vectors whose attribute {@code key} starts with {@code prefix} (a Lucene prefix query)
   */
  public static <K> SearchFilter<K> attributeStartsWith(String key, String prefix) {
    return new TranslatedFilter.StartsWith<>(Objects.requireNonNull(key, "key"),
        Objects.requireNonNull(prefix, "prefix"));
  }

  /**
   * @param <K> key type
   * @param key attribute name
   * @param values accepted values (none: keeps nothing)
   * @return keeps vectors whose attribute {@code key} is one of {@code values} (a Lucene term-set query)
   */
  public static <K> SearchFilter<K> attributeIn(String key, Collection<String> values) {
    return new TranslatedFilter.In<>(Objects.requireNonNull(key, "key"), Set.copyOf(values));
  }
}
