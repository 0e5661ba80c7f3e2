package io.sightline.index.lucene;

import io.sightline.core.StoreException;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.Bits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side: a {@link SearcherManager} over the directory (committed state only), key
 * look-ups, and the kNN search with exact distances and filters.
 *
 * @param <K> key type
 */
final class LuceneSearcher<K> {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneSearcher.class);

  @FunctionalInterface
  interface SearcherOp<T> {
    T apply(IndexSearcher s) throws IOException;
  }

  private final Path path;
  private final Documents<K> docs;
  private final Metric metric;
  private final LuceneVectorIndex.Options options;
  private final boolean translateFilters;
  private final Runnable ensureOpen;
  private final SearcherManager searchers;
  /** Read-only opening: look for the writing process's new commits at most this often; 0: never. */
  private final long refreshEveryNanos;
  private volatile long lastRefresh = System.nanoTime();

  /**
   * @param translateFilters whether {@link LuceneFilters} may run as Lucene queries (every
   *     document carries attribute terms)
   * @param ensureOpen throws when the index is closed
   * @param refreshEveryNanos when reads should look for commits made by another process (a
   *     read-only opening): at most once per this many nanoseconds; 0 when this process's own
   *     writer refreshes the readers after each commit
   */
  LuceneSearcher(Path path, Directory directory, Documents<K> docs, Metric metric, LuceneVectorIndex.Options options,
      boolean translateFilters, Runnable ensureOpen, long refreshEveryNanos) throws IOException {
    this.refreshEveryNanos = refreshEveryNanos;
    this.path = path;
    this.docs = docs;
    this.metric = metric;
    this.options = options;
    this.translateFilters = translateFilters;
    this.ensureOpen = ensureOpen;
    this.searchers = new SearcherManager(directory, null);
  }

  void refresh() throws IOException {
    searchers.maybeRefreshBlocking();
  }

  void close() throws IOException {
    searchers.close();
  }

  <T> T withSearcher(SearcherOp<T> op) {
    ensureOpen.run();
    IndexSearcher s;
    try {
      long now = System.nanoTime();
      if (refreshEveryNanos > 0 && now - lastRefresh >= refreshEveryNanos) {
        lastRefresh = now;
        searchers.maybeRefresh(); // another thread already refreshing: this read uses the current one
      }
      s = searchers.acquire();
    } catch (IOException e) {
      throw new StoreException(path + ": cannot open a reader: " + e.getMessage(), e);
    }
    try {
      return op.apply(s);
    } catch (IOException e) {
      throw new StoreException(path + ": read failed: " + e.getMessage(), e);
    } finally {
      try {
        searchers.release(s);
      } catch (IOException e) {
        LOG.warn("{}: releasing a reader failed", path, e);
      }
    }
  }

  int size() {
    return withSearcher(s -> s.getIndexReader().numDocs());
  }

  boolean contains(K id) {
    return withSearcher(s -> s.count(new TermQuery(docs.term(id))) > 0);
  }

  Optional<float[]> vector(K id) {
    return withSearcher(s -> {
      int doc = find(s, id);
      return doc < 0 ? Optional.<float[]>empty() : Optional.of(storedVector(s, doc));
    });
  }

  Optional<Map<String, String>> attributes(K id) {
    return withSearcher(s -> {
      int doc = find(s, id);
      return doc < 0 ? Optional.<Map<String, String>>empty()
          : Optional.of(Documents.decodeAttributes(s.storedFields().document(doc).getBinaryValue(Documents.F_ATTRS)));
    });
  }

  private int find(IndexSearcher s, K id) throws IOException {
    TopDocs td = s.search(new TermQuery(docs.term(id)), 1);
    return td.scoreDocs.length == 0 ? -1 : td.scoreDocs[0].doc;
  }

  private float[] storedVector(IndexSearcher s, int doc) throws IOException {
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    FloatVectorValues values = leaf.reader().getFloatVectorValues(Documents.F_VECTOR);
    int local = doc - leaf.docBase;
    if (values == null || values.advance(local) != local) {
      throw new StoreException(path + ": document " + doc + " has no vector; the index is corrupt");
    }
    return values.vectorValue().clone();
  }

  /**
   * The graph picks candidates (inside the filter's Lucene query, when it has one); each passing
   * {@code filter.test} gets its distance recomputed from the stored float vector. While fewer than
   * {@code k} pass, the candidate list widens fourfold, up to {@code maxCandidates}.
   *
   * @param q the prepared (validated, normalised for cosine) query
   */
  List<SearchResult<K>> search(float[] q, int k, SearchFilter<K> filter) {
    TranslatedFilter.Plan<K> plan = TranslatedFilter.Plan.of(filter, translateFilters);
    return withSearcher(s -> {
      int size = s.getIndexReader().numDocs();
      if (size == 0) {
        return List.of();
      }
      int want = Math.min(k, size);
      int limit = Math.min(size, Math.max(want, options.maxCandidates()));
      int fetch = Math.min(limit, Math.max(want, options.ef()));
      StoredFields stored = s.storedFields();
      while (true) {
        TopDocs td = s.search(new KnnFloatVectorQuery(Documents.F_VECTOR, q, fetch, plan.query()), fetch);
        List<SearchResult<K>> out = new ArrayList<>();
        for (ScoreDoc sd : td.scoreDocs) {
          Document d = stored.document(sd.doc);
          K id = docs.keys().decode(d.get(Documents.F_ID));
          Map<String, String> attrs = Documents.decodeAttributes(d.getBinaryValue(Documents.F_ATTRS));
          if (plan.check().test(id, attrs)) {
            float dist = metric.distance(q, storedVector(s, sd.doc));
            out.add(new SearchResult<>(id, dist, metric.similarity(dist), attrs));
          }
        }
        if (out.size() >= want || fetch >= limit || td.scoreDocs.length < fetch) {
          out.sort(Comparator.comparingDouble(SearchResult::distance));
          return out.size() > want ? new ArrayList<>(out.subList(0, want)) : out;
        }
        fetch = (int) Math.min(limit, fetch * 4L);
      }
    });
  }

  List<K> keys() {
    return withSearcher(s -> {
      List<K> out = new ArrayList<>(s.getIndexReader().numDocs());
      for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
        LeafReader r = leaf.reader();
        Bits live = r.getLiveDocs();
        StoredFields sf = r.storedFields();
        for (int i = 0; i < r.maxDoc(); i++) {
          if (live == null || live.get(i)) {
            out.add(docs.keys().decode(sf.document(i, Set.of(Documents.F_ID)).get(Documents.F_ID)));
          }
        }
      }
      return out;
    });
  }
}
