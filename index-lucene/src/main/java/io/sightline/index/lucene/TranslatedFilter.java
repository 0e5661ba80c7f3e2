package io.sightline.index.lucene;

import io.sightline.core.index.SearchFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * A {@link SearchFilter} that can also be written as a Lucene query on the attribute terms
 * ({@link Documents#F_ATTR_TERMS}). The query may select a superset (see
 * {@link Documents#attributeTerm}); {@link #test} is exact and is applied to every hit.
 *
 * @param <K> key type
 */
abstract class TranslatedFilter<K> implements SearchFilter<K> {

  /** @return the Lucene query selecting (a superset of) what {@link #test} keeps */
  abstract Query query();

  @Override
  public SearchFilter<K> and(SearchFilter<K> other) {
    if (other instanceof TranslatedFilter<K> t) {
      return new AllOf<>(List.of(this, t));
    }
    if (other instanceof Partial<K> p) {
      return new Partial<>(new AllOf<>(List.of(this, p.translated)), p.rest);
    }
    return new Partial<>(this, other);
  }

  /**
   * How a search runs a filter: {@code query} (null: none) inside the graph search, then
   * {@code check} on every hit.
   */
  record Plan<K>(Query query, SearchFilter<K> check) {
    static <K> Plan<K> of(SearchFilter<K> filter, boolean translate) {
      if (translate && filter instanceof TranslatedFilter<K> t) {
        return new Plan<>(t.query(), filter);
      }
      if (translate && filter instanceof Partial<K> p) {
        return new Plan<>(p.translated.query(), filter);
      }
      return new Plan<>(null, filter);
    }
  }

  static final class Equals<K> extends TranslatedFilter<K> {
    private final String key;
    private final String value;

    Equals(String key, String value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public boolean test(K id, Map<String, String> attributes) {
      return value.equals(attributes.get(key));
    }

    @Override
    Query query() {
      return new TermQuery(new Term(Documents.F_ATTR_TERMS, Documents.attributeTerm(key, value)));
    }

    @Override
    public String toString() {
      return key + " = " + value;
    }
  }

  static final class StartsWith<K> extends TranslatedFilter<K> {
    private final String key;
    private final String prefix;

    StartsWith(String key, String prefix) {
      this.key = key;
      this.prefix = prefix;
    }

    @Override
    public boolean test(K id, Map<String, String> attributes) {
      String v = attributes.get(key);
      return v != null && v.startsWith(prefix);
    }

    @Override
    Query query() {
      return new PrefixQuery(new Term(Documents.F_ATTR_TERMS, Documents.attributePrefix(key, prefix)));
    }

    @Override
    public String toString() {
      return key + " starts with " + prefix;
    }
  }

  static final class In<K> extends TranslatedFilter<K> {
    private final String key;
    private final Set<String> values;

    In(String key, Set<String> values) {
      this.key = key;
      this.values = values;
    }

    @Override
    public boolean test(K id, Map<String, String> attributes) {
      String v = attributes.get(key);
      return v != null && values.contains(v);
    }

    @Override
    Query query() {
      List<BytesRef> terms = new ArrayList<>(values.size());
      for (String v : values) {
        terms.add(new BytesRef(Documents.attributeTerm(key, v)));
      }
      return new TermInSetQuery(Documents.F_ATTR_TERMS, terms);
    }

    @Override
    public String toString() {
      return key + " in " + values;
    }
  }

  static final class AllOf<K> extends TranslatedFilter<K> {
    private final List<TranslatedFilter<K>> parts;

    AllOf(List<TranslatedFilter<K>> parts) {
      this.parts = List.copyOf(parts);
    }

    @Override
    public boolean test(K id, Map<String, String> attributes) {
      for (TranslatedFilter<K> p : parts) {
        if (!p.test(id, attributes)) {
          return false;
        }
      }
      return true;
    }

    @Override
    Query query() {
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      for (TranslatedFilter<K> p : parts) {
        b.add(p.query(), BooleanClause.Occur.FILTER);
      }
      return b.build();
    }

    @Override
    public String toString() {
      return "all of " + parts;
    }
  }

  /** A translated part and an opaque rest that runs after the graph search. */
  static final class Partial<K> implements SearchFilter<K> {
    private final TranslatedFilter<K> translated;
    private final SearchFilter<K> rest;

    Partial(TranslatedFilter<K> translated, SearchFilter<K> rest) {
      this.translated = translated;
      this.rest = rest;
    }

    @Override
    public boolean test(K id, Map<String, String> attributes) {
      return translated.test(id, attributes) && rest.test(id, attributes);
    }

    @Override
    public SearchFilter<K> and(SearchFilter<K> other) {
      if (other instanceof TranslatedFilter<K> t) {
        return new Partial<>(new AllOf<>(List.of(translated, t)), rest);
      }
      if (other instanceof Partial<K> p) {
        return new Partial<>(new AllOf<>(List.of(translated, p.translated)), rest.and(p.rest));
      }
      return new Partial<>(translated, rest.and(other));
    }

    @Override
    public String toString() {
      return translated + " and a predicate";
    }
  }
}
