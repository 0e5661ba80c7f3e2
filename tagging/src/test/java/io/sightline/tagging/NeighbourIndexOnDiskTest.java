package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.core.index.Vectors;
import io.sightline.index.lucene.LuceneVectorIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock's nearest-neighbour index on disk (issue 21): a Lucene index opened through
 * {@link TagRecommender.Builder#neighbourIndex} answers as the in-heap one does, persists across
 * processes without being rebuilt, is repaired from the stock after a stop between a stock commit
 * and the index write, and is not touched by read-only recommenders.
 */
class NeighbourIndexOnDiskTest {
  private static final int D = 6;
  private static final String EMBEDDER = "test-embedder/1";

  @TempDir
  Path dir;

  private TagRecommender.Builder builder(Path model) {
    return TagRecommender.builder().vectors(EMBEDDER, D).directory(model).strategy(Strategy.NEAREST_NEIGHBOURS)
        .clustering(ClusteringOptions.defaults().withClusters(3).withInit(CentreInit.KMEANS_PLUS_PLUS));
  }

  /** Opens the Lucene index in {@code dir/neighbours} and remembers what the recommender wrote to it. */
  private final class Counting implements VectorIndexFactory {
    CountingIndex last;
    int opened;

    @Override
    public VectorIndex<String> open(int dimension, Metric metric, String embedderId) {
      opened++;
      last = new CountingIndex(LuceneVectorIndex.open(dir.resolve("neighbours"), dimension, metric, embedderId));
      return last;
    }
  }

  @Test
  void answersLikeTheInHeapIndexAndIsNotRebuiltByTheNextProcess() {
    Counting disk = new Counting();
    float[] q = Blobs.near(2, D, new Random(4), 0.05);
    TagSuggestion inHeap;
    try (TagRecommender r = builder(dir.resolve("heap")).build()) {
      r.addStock(Blobs.stock(20, D, 1));
      r.train();
      inHeap = r.suggestVector(q);
    }
    TagSuggestion first;
    try (TagRecommender r = builder(dir.resolve("disk")).neighbourIndex(disk).build()) {
      r.addStock(Blobs.stock(20, D, 1));
      r.train();
      first = r.suggestVector(q);
      assertThat(disk.opened).isEqualTo(1);
      assertThat(disk.last.written).isEqualTo(60);
    }
    assertThat(first.tagNames()).containsExactlyElementsOf(inHeap.tagNames()).isNotEmpty();
    assertThat(ids(first)).isEqualTo(ids(inHeap)).hasSize(10).allMatch(id -> id.startsWith("b2-"));

    // a new process: the index is opened as it was left, checked against the stock and not rewritten
    try (TagRecommender r = builder(dir.resolve("disk")).neighbourIndex(disk).build()) {
      assertThat(disk.opened).isEqualTo(2);
      assertThat(disk.last.size()).isEqualTo(60);
      TagSuggestion again = r.suggestVector(q);
      assertThat(disk.last.written).isZero();
      assertThat(disk.last.removed).isZero();
      assertThat(again.tagNames()).containsExactlyElementsOf(inHeap.tagNames());
      assertThat(ids(again)).isEqualTo(ids(inHeap));
    }
  }

  @Test
  void stockChangesReachTheIndexOnDisk() {
    Counting disk = new Counting();
    try (TagRecommender r = builder(dir.resolve("m")).neighbourIndex(disk).build()) {
      r.addStock(Blobs.stock(5, D, 1));
      r.train();
      float[] v = Blobs.near(1, D, new Random(7), 0.01);
      r.addStock(List.of(new StockImage("new-1", v, Set.of("autumn"), null)));
      assertThat(disk.last.delegate.attributes("new-1")).contains(Map.of("tags", "autumn"));
      r.addStock(List.of(new StockImage("new-1", v, Set.of("winter"), "p9")));
      assertThat(disk.last.delegate.attributes("new-1")).contains(Map.of("tags", "winter", "post", "p9"));
      r.removeStock(List.of("new-1", "b0-0"));
      assertThat(disk.last.delegate.keys()).hasSize(14).doesNotContain("new-1", "b0-0");
    }
  }

  @Test
  void aStopBetweenTheStockCommitAndTheIndexWriteIsRepairedAtTheNextOpening() {
    Counting disk = new Counting();
    float[] q = Blobs.near(0, D, new Random(3), 0.05);
    List<StockImage> stock = Blobs.stock(10, D, 2);
    try (TagRecommender r = builder(dir.resolve("m")).neighbourIndex(disk).build()) {
      r.addStock(stock);
      r.train();
    }
    // what the index would hold had the process stopped mid-way: one image missing, one removed
    // from the stock still present, one vector and one tag list from before a replacement
    StockImage changed = stock.get(3);
    StockImage retagged = stock.get(25);
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.open(dir.resolve("neighbours"), D, Metric.COSINE, EMBEDDER)) {
      idx.remove(stock.get(0).id());
      idx.add("gone", Blobs.near(0, D, new Random(1), 0.01), Map.of("tags", "stale"));
      // same tags, another vector: only the vector comparison finds it
      idx.add(changed.id(), Blobs.near(2, D, new Random(2), 0.01),
          TagRecommenderIndex.attributes(changed.post(), changed.tags()));
      idx.add(retagged.id(), retagged.vector(), Map.of("tags", "wrong"));
    }
    try (TagRecommender r = builder(dir.resolve("m")).neighbourIndex(disk).build()) {
      CountingIndex idx = disk.last;
      assertThat(idx.written).isEqualTo(3);
      assertThat(idx.removed).isEqualTo(1);
      assertThat(new TreeSet<>(idx.delegate.keys())).isEqualTo(new TreeSet<>(stock.stream().map(StockImage::id).toList()));
      float[] stored = idx.delegate.vector(changed.id()).orElseThrow();
      assertThat(Vectors.cosine(stored, changed.vector())).isGreaterThan(0.99999f);
      assertThat(idx.delegate.attributes(retagged.id()).orElseThrow().get("tags"))
          .isEqualTo(String.join(String.valueOf(StockImage.SEPARATOR), retagged.tags()));
      assertThat(r.suggestVector(q).neighbours()).noneMatch(n -> n.image().equals("gone"));
    }
  }

  @Test
  void anIndexOfAnotherEmbedderIsRefusedAndTheStockStaysUsable() {
    Path m = dir.resolve("m");
    try (TagRecommender r = builder(m).build()) {
      r.addStock(Blobs.stock(5, D, 1));
      r.train();
    }
    VectorIndexFactory wrong = (d, metric, id) -> LuceneVectorIndex.open(dir.resolve("other"), d, metric, "other/1");
    assertThatThrownBy(() -> builder(m).neighbourIndex(wrong).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("other/1").hasMessageContaining(EMBEDDER)
        .hasMessageContaining(dir.resolve("other").toString());
    // the failed opening closed what it opened: the stock and the other index open again
    try (TagRecommender r = builder(m).build()) {
      assertThat(r.stockSize()).isEqualTo(15);
    }
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.open(dir.resolve("other"), D, Metric.COSINE, "other/1")) {
      assertThat(idx.size()).isZero();
    }
  }

  /** {@link LuceneVectorIndex#factory}, remembering what read-only openings got. */
  private final class ReadOnlyCounting implements VectorIndexFactory {
    final VectorIndexFactory lucene = LuceneVectorIndex.factory(dir.resolve("neighbours"));
    final List<VectorIndex<String>> readOnly = new ArrayList<>();

    @Override
    public VectorIndex<String> open(int dimension, Metric metric, String embedderId) {
      return lucene.open(dimension, metric, embedderId);
    }

    @Override
    public Optional<VectorIndex<String>> openReadOnly(int dimension, Metric metric, String embedderId) {
      Optional<VectorIndex<String>> idx = lucene.openReadOnly(dimension, metric, embedderId);
      idx.ifPresent(readOnly::add);
      return idx;
    }
  }

  @Test
  void aReadOnlyRecommenderBesideTheWriterReadsTheIndexOnDiskWithoutTheWriteLock() {
    ReadOnlyCounting disk = new ReadOnlyCounting();
    Path m = dir.resolve("m");
    float[] q = Blobs.near(1, D, new Random(8), 0.05);
    try (TagRecommender writer = trainedWriter(m, disk)) {
      TagSuggestion w = writer.suggestVector(q);
      try (TagRecommender reader = builder(m).neighbourIndex(disk).readOnly(true).build()) {
        TagSuggestion s = reader.suggestVector(q);
        assertThat(disk.readOnly).hasSize(1);
        assertThat(((LuceneVectorIndex<String>) disk.readOnly.get(0)).isReadOnly()).isTrue();
        assertThat(s.tagNames()).containsExactlyElementsOf(w.tagNames());
        assertThat(ids(s)).isEqualTo(ids(w));
      }
    }
  }

  @Test
  void aReadOnlyRecommenderDoesNotTrustAnIndexBehindTheStock() {
    ReadOnlyCounting disk = new ReadOnlyCounting();
    Path m = dir.resolve("m");
    float[] q = Blobs.near(1, D, new Random(8), 0.05);
    TagSuggestion w;
    try (TagRecommender writer = trainedWriter(m, disk)) {
      w = writer.suggestVector(q);
    }
    // the writer stopped before writing these neighbours to the index
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.open(dir.resolve("neighbours"), D, Metric.COSINE, EMBEDDER)) {
      w.neighbours().forEach(n -> idx.remove(n.image()));
    }
    try (TagRecommender reader = builder(m).neighbourIndex(disk).readOnly(true).build()) {
      TagSuggestion s = reader.suggestVector(q);
      assertThat(disk.readOnly).hasSize(1); // opened, found behind, closed: the answer comes from the heap
      assertThatThrownBy(() -> disk.readOnly.get(0).size()).isInstanceOf(IllegalStateException.class);
      assertThat(ids(s)).isEqualTo(ids(w));
      assertThat(s.tagNames()).containsExactlyElementsOf(w.tagNames());
    }
  }

  @Test
  void aReadOnlyRecommenderWithAFactoryThatCannotReadBuildsItsOwnIndex() {
    Counting disk = new Counting();
    Path m = dir.resolve("m");
    float[] q = Blobs.near(1, D, new Random(8), 0.05);
    try (TagRecommender writer = trainedWriter(m, disk)) {
      TagSuggestion w = writer.suggestVector(q);
      // the writer holds the Lucene directory; a read-only opening must not try to take it
      try (TagRecommender reader = builder(m).neighbourIndex(disk).readOnly(true).build()) {
        TagSuggestion s = reader.suggestVector(q);
        assertThat(s.tagNames()).containsExactlyElementsOf(w.tagNames());
        assertThat(ids(s)).isEqualTo(ids(w));
      }
      assertThat(disk.opened).isEqualTo(1);
    }
  }

  /** A writing recommender on {@code factory} with 30 stock images in three blobs, trained. */
  private TagRecommender trainedWriter(Path model, VectorIndexFactory factory) {
    TagRecommender writer = builder(model).neighbourIndex(factory).build();
    writer.addStock(Blobs.stock(10, D, 3));
    writer.train();
    return writer;
  }

  private static Set<String> ids(TagSuggestion s) {
    Set<String> out = new TreeSet<>();
    s.neighbours().forEach(n -> out.add(n.image()));
    return out;
  }

  /** Delegates to an index and counts the vectors written to it and removed from it. */
  static final class CountingIndex implements VectorIndex<String> {
    final VectorIndex<String> delegate;
    int written;
    int removed;

    CountingIndex(VectorIndex<String> delegate) {
      this.delegate = delegate;
    }

    @Override public int dimension() { return delegate.dimension(); }
    @Override public Metric metric() { return delegate.metric(); }
    @Override public String embedderId() { return delegate.embedderId(); }
    @Override public int size() { return delegate.size(); }
    @Override public void add(String id, float[] vector, Map<String, String> attributes) {
      written++;
      delegate.add(id, vector, attributes);
    }
    @Override public void addAll(Collection<IndexItem<String>> items, ProgressListener listener) {
      written += items.size();
      delegate.addAll(items, listener);
    }
    @Override public boolean remove(String id) {
      boolean r = delegate.remove(id);
      removed += r ? 1 : 0;
      return r;
    }
    @Override public boolean contains(String id) { return delegate.contains(id); }
    @Override public Optional<float[]> vector(String id) { return delegate.vector(id); }
    @Override public Optional<Map<String, String>> attributes(String id) { return delegate.attributes(id); }
    @Override public List<SearchResult<String>> search(float[] query, int k, SearchFilter<String> filter) {
      return delegate.search(query, k, filter);
    }
    @Override public List<String> keys() { return new ArrayList<>(delegate.keys()); }
    @Override public void save(Path path) { delegate.save(path); }
    @Override public void close() { delegate.close(); }
  }
}
