package io.sightline.index.solr;

import static io.sightline.index.solr.SolrVectorIndex.F_ATTR;
import static io.sightline.index.solr.SolrVectorIndex.F_FLOATS;
import static io.sightline.index.solr.SolrVectorIndex.F_ID;
import static io.sightline.index.solr.SolrVectorIndex.F_VECTOR;
import static io.sightline.index.solr.SolrVectorIndex.ITEMS_QUERY;

import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import java.util.List;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.params.CursorMarkParams;

/**
 * The request side of {@link SolrVectorIndex}: update requests (commit policy), the {@code {!knn}}
 * query with its filter queries, how far a post-filtered search widens, and the paged queries of
 * {@code keys}, {@code size} and {@code save}. Builds plain solrj objects; needs no cluster.
 */
final class SolrRequests {
  /** Rows per page of {@link #page}. */
  static final int PAGE_ROWS = 1000;

  private SolrRequests() {}

  /** @return an update request, with Solr's commitWithin set when the options ask for it */
  static UpdateRequest update(SolrVectorIndex.Options options) {
    UpdateRequest req = new UpdateRequest();
    if (options.commitWithinMs() > 0) {
      req.setCommitWithin(options.commitWithinMs());
    }
    return req;
  }

  /** @return whether every mutating call ends with a hard commit */
  static boolean hardCommit(SolrVectorIndex.Options options) {
    return options.commitWithinMs() == 0;
  }

  /** @return the Solr filter queries of a {@link SolrFilters} filter, none for any other filter */
  static List<String> filterQueries(SearchFilter<?> filter) {
    return filter instanceof SolrFilters.Translated<?> t ? t.filterQueries() : List.of();
  }

  /** @return the vector as the {@code {!knn}} query parser reads it: {@code [0.1,-0.2,...]} */
  static String vectorText(float[] q) {
    StringBuilder vec = new StringBuilder(q.length * 12).append('[');
    for (int i = 0; i < q.length; i++) {
      vec.append(i == 0 ? "" : ",").append(q[i]);
    }
    return vec.append(']').toString();
  }

  /**
   * @param vectorText the query vector ({@link #vectorText})
   * @param fetch candidates to ask for (topK and rows)
   * @param filterQueries Solr filter queries, applied before the graph search
   * @return the knn query, returning id, stored vector and attributes
   */
  static SolrQuery knn(String vectorText, int fetch, List<String> filterQueries) {
    SolrQuery sq = new SolrQuery("{!knn f=" + F_VECTOR + " topK=" + fetch + "}" + vectorText);
    sq.setRows(fetch);
    sq.setFields(F_ID, F_FLOATS, F_ATTR);
    for (String fq : filterQueries) {
      sq.addFilterQuery(fq);
    }
    return sq;
  }

  /** @return the candidates of the first knn round: {@code max(k, ef)} */
  static int firstFetch(int k, SolrVectorIndex.Options options) {
    return Math.max(k, options.ef());
  }

  /**
   * @param hits candidates that passed the filter
   * @param k wanted
   * @param returned candidates Solr returned
   * @param fetch candidates asked for
   * @return whether the search is over: {@code k} passed, the collection is exhausted or
   *     {@link SolrVectorIndex.Options#maxCandidates()} were asked for
   */
  static boolean enough(int hits, int k, int returned, int fetch, SolrVectorIndex.Options options) {
    return hits >= k || returned < fetch || fetch >= options.maxCandidates();
  }

  /** @return the candidates of the next round: four times as many, at most maxCandidates */
  static int widen(int fetch, SolrVectorIndex.Options options) {
    return Math.min(fetch * 4, options.maxCandidates());
  }

  /** @return the {@code k} first hits (the list itself when it has no more) */
  static <K> List<SearchResult<K>> top(List<SearchResult<K>> hits, int k) {
    return hits.size() > k ? List.copyOf(hits.subList(0, k)) : hits;
  }

  /** @return a query counting the vector documents (not the metadata document) */
  static SolrQuery count() {
    return new SolrQuery(ITEMS_QUERY).setRows(0);
  }

  /**
   * @param cursor Solr cursor mark ({@link CursorMarkParams#CURSOR_MARK_START} first)
   * @param fields fields to return
   * @return one page of vector documents in id order
   */
  static SolrQuery page(String cursor, String... fields) {
    SolrQuery q = new SolrQuery(ITEMS_QUERY).setRows(PAGE_ROWS).setFields(fields).setSort(F_ID, SolrQuery.ORDER.asc);
    q.set(CursorMarkParams.CURSOR_MARK_PARAM, cursor);
    return q;
  }

  /** @return whether the page read with {@code cursor}, which returned {@code next}, was the last */
  static boolean lastPage(String cursor, String next) {
    return next == null || next.equals(cursor);
  }
}
