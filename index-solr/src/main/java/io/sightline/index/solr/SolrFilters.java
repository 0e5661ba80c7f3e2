package io.sightline.index.solr;

import io.sightline.core.index.SearchFilter;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Filters that {@link SolrVectorIndex} also sends to Solr as filter queries ({@code fq}), which
 * the {@code {!knn}} query applies <em>before</em> the graph search: the {@code k} nearest
 * matching vectors come back however selective the filter. They are ordinary
 * {@link SearchFilter}s (the predicate is also applied to every hit) and work on any
 * {@link io.sightline.core.index.VectorIndex}. Any other filter runs after the search.
 */
public final class SolrFilters {
  private SolrFilters() {}

  /**
   * @param <K> key type
   * @param key attribute name
   * @param value required value
   * @return a filter keeping vectors whose attribute {@code key} equals {@code value}, run by Solr
   */
  public static <K> SearchFilter<K> attributeEquals(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return new Translated<>(List.of("{!term f=" + SolrVectorIndex.F_ATTR + "}" + Attributes.term(key, value)),
        (id, a) -> value.equals(a.get(key)));
  }

  /** A predicate with its Solr filter queries. */
  record Translated<K>(List<String> filterQueries, SearchFilter<K> predicate) implements SearchFilter<K> {
    @Override
    public boolean test(K id, Map<String, String> attributes) {
      return predicate.test(id, attributes);
    }

    @Override
    public SearchFilter<K> and(SearchFilter<K> other) {
      if (other instanceof Translated<K> t) {
        List<String> fqs = new java.util.ArrayList<>(filterQueries);
        fqs.addAll(t.filterQueries());
        return new Translated<>(List.copyOf(fqs), (id, a) -> test(id, a) && t.test(id, a));
      }
      return new Translated<>(filterQueries, (id, a) -> test(id, a) && other.test(id, a));
    }
  }
}
