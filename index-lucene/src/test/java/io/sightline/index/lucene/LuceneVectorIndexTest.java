package io.sightline.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancelledException;
import io.sightline.core.DimensionMismatchException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InvalidVectorException;
import io.sightline.core.StoreException;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LuceneVectorIndexTest {
  private static final int DIM = 32;
  private static final String EMB = "test-embedder-v1";

  @TempDir
  Path tmp;

  static float[] randomVector(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static List<IndexItem<String>> randomItems(Random r, int n, int dim) {
    List<IndexItem<String>> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(new IndexItem<>("k" + i, randomVector(r, dim), Map.of("color", i % 10 == 0 ? "red" : "blue",
          "n", Integer.toString(i))));
    }
    return items;
  }

  private LuceneVectorIndex<String> open(Path dir, Metric metric) {
    return LuceneVectorIndex.open(dir, DIM, metric, EMB);
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void matchesExactIndexOnRandomData(Metric metric) {
    Random r = new Random(42 + metric.ordinal());
    List<IndexItem<String>> items = randomItems(r, 3000, DIM);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, metric, EMB);
    exact.addAll(items);
    try (LuceneVectorIndex<String> index = open(tmp.resolve("idx"), metric)) {
      index.addAll(items);
      assertThat(index.size()).isEqualTo(3000);
      int hits = 0;
      int total = 0;
      for (int q = 0; q < 50; q++) {
        float[] query = randomVector(r, DIM);
        List<SearchResult<String>> want = exact.search(query, 10);
        List<SearchResult<String>> got = index.search(query, 10);
        assertThat(got).hasSize(10);
        assertThat(got).isSortedAccordingTo((a, b) -> Float.compare(a.distance(), b.distance()));
        Map<String, SearchResult<String>> byId = want.stream()
            .collect(Collectors.toMap(SearchResult::id, x -> x));
        for (SearchResult<String> g : got) {
          assertThat(g.similarity()).isEqualTo(metric.similarity(g.distance()));
          // the same distance as the exact index, from the same stored vector
          assertThat(g.distance()).isEqualTo(metric.distance(exactPrepared(metric, query),
              exact.vector(g.id()).orElseThrow()));
          assertThat(g.attributes()).isEqualTo(exact.attributes(g.id()).orElseThrow());
          if (byId.containsKey(g.id())) {
            hits++;
            assertThat(g.distance()).isEqualTo(byId.get(g.id()).distance());
            assertThat(g.similarity()).isEqualTo(byId.get(g.id()).similarity());
          }
        }
        total += want.size();
      }
      double recall = hits / (double) total;
      assertThat(recall).as("recall@10 vs exact (%s)", metric).isGreaterThanOrEqualTo(0.95);
    }
  }

  private static float[] exactPrepared(Metric metric, float[] q) {
    return metric == Metric.COSINE ? io.sightline.core.index.Vectors.normalized(q) : q;
  }

  @Test
  void filteredSearchKeepsOnlyPassingHitsAndMatchesExact() {
    Random r = new Random(7);
    List<IndexItem<String>> items = randomItems(r, 2000, DIM);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.L2, EMB);
    exact.addAll(items);
    SearchFilter<String> red = SearchFilter.attributeEquals("color", "red"); // 10% pass
    try (LuceneVectorIndex<String> index = open(tmp.resolve("idx"), Metric.L2)) {
      index.addAll(items);
      int hits = 0;
      for (int q = 0; q < 20; q++) {
        float[] query = randomVector(r, DIM);
        List<SearchResult<String>> got = index.search(query, 10, red);
        assertThat(got).hasSize(10).allSatisfy(x -> assertThat(x.attributes()).containsEntry("color", "red"));
        assertThat(got).isSortedAccordingTo((a, b) -> Float.compare(a.distance(), b.distance()));
        Set<String> want = exact.search(query, 10, red).stream().map(SearchResult::id).collect(Collectors.toSet());
        hits += (int) got.stream().filter(x -> want.contains(x.id())).count();
      }
      assertThat(hits / 200.0).isGreaterThanOrEqualTo(0.9);
      // a filter on the key works too, and one that keeps nothing gives nothing
      assertThat(index.search(randomVector(r, DIM), 5, (id, a) -> id.equals("k17")))
          .extracting(SearchResult::id).containsExactly("k17");
      assertThat(index.search(randomVector(r, DIM), 5, (id, a) -> false)).isEmpty();
    }
  }

  @Test
  void updateAndRemoveAreVisibleToSearches() {
    Random r = new Random(3);
    try (LuceneVectorIndex<String> index = open(tmp.resolve("idx"), Metric.L2)) {
      index.addAll(randomItems(r, 300, DIM));
      float[] a = randomVector(r, DIM);
      index.add("target", a, Map.of("v", "1"));
      assertThat(index.search(a, 1).get(0).id()).isEqualTo("target");
      assertThat(index.search(a, 1).get(0).distance()).isZero();

      float[] b = randomVector(r, DIM);
      assertThat(index.update("target", b, Map.of("v", "2"))).isTrue();
      assertThat(index.size()).isEqualTo(301);
      assertThat(index.search(b, 1).get(0).id()).isEqualTo("target");
      assertThat(index.search(b, 1).get(0).attributes()).isEqualTo(Map.of("v", "2"));
      assertThat(index.search(a, 1).get(0).id()).isNotEqualTo("target");
      assertThat(index.vector("target")).hasValueSatisfying(v -> assertThat(v).containsExactly(b));
      assertThat(index.attributes("target")).contains(Map.of("v", "2"));

      // add under an existing key replaces it
      index.add("target", a, Map.of());
      assertThat(index.size()).isEqualTo(301);
      assertThat(index.search(a, 1).get(0).id()).isEqualTo("target");

      assertThat(index.update("absent", a, Map.of())).isFalse();
      assertThat(index.contains("absent")).isFalse();
      assertThat(index.size()).isEqualTo(301);

      assertThat(index.remove("target")).isTrue();
      assertThat(index.remove("target")).isFalse();
      assertThat(index.contains("target")).isFalse();
      assertThat(index.vector("target")).isEmpty();
      assertThat(index.attributes("target")).isEmpty();
      assertThat(index.size()).isEqualTo(300);
      assertThat(index.keys()).hasSize(300).doesNotContain("target");
      assertThat(index.search(a, 300)).extracting(SearchResult::id).doesNotContain("target");
    }
  }

  @Test
  void reopenAfterCloseKeepsEverything() {
    Random r = new Random(5);
    Path dir = tmp.resolve("idx");
    List<IndexItem<String>> items = randomItems(r, 500, DIM);
    float[] query = randomVector(r, DIM);
    List<SearchResult<String>> before;
    try (LuceneVectorIndex<String> index = open(dir, Metric.COSINE)) {
      index.addAll(items);
      index.remove("k3");
      index.add("extra", randomVector(r, DIM), Map.of("x", "y"));
      before = index.search(query, 10);
    }
    try (LuceneVectorIndex<String> index = open(dir, Metric.COSINE)) {
      assertThat(index.size()).isEqualTo(500);
      assertThat(index.contains("k3")).isFalse();
      assertThat(index.attributes("extra")).contains(Map.of("x", "y"));
      assertThat(new HashSet<>(index.keys())).hasSize(500).contains("extra", "k0", "k499");
      assertThat(index.vector("k10")).hasValueSatisfying(v -> assertThat(v)
          .containsExactly(io.sightline.core.index.Vectors.normalized(items.get(10).vector())));
      assertThat(index.search(query, 10)).isEqualTo(before);
      assertThat(index.embedderId()).isEqualTo(EMB);
      assertThat(index.dimension()).isEqualTo(DIM);
      assertThat(index.metric()).isEqualTo(Metric.COSINE);
    }
  }

  @Test
  void refusesDirectoryMadeForAnotherEmbedderDimensionMetricOrKeyType() {
    Path dir = tmp.resolve("idx");
    try (LuceneVectorIndex<String> index = open(dir, Metric.L2)) {
      index.add("a", randomVector(new Random(1), DIM));
    }
    assertThatThrownBy(() -> LuceneVectorIndex.open(dir, DIM, Metric.L2, "other-embedder"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("other-embedder");
    assertThatThrownBy(() -> LuceneVectorIndex.open(dir, DIM + 1, Metric.L2, EMB))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("dimension");
    assertThatThrownBy(() -> LuceneVectorIndex.open(dir, DIM, Metric.COSINE, EMB))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("metric");
    assertThatThrownBy(() -> LuceneVectorIndex.open(dir, Long.class, DIM, Metric.L2, EMB,
        LuceneVectorIndex.Options.defaults()))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("keys of type");
    // the refused opens released the directory: the right one still opens and holds the data
    try (LuceneVectorIndex<String> index = open(dir, Metric.L2)) {
      assertThat(index.contains("a")).isTrue();
    }
  }

  @Test
  void refusesForeignLuceneIndexUnsupportedKeysAndASecondWriter() throws IOException {
    Path foreign = tmp.resolve("foreign");
    try (var d = FSDirectory.open(foreign);
        var w = new org.apache.lucene.index.IndexWriter(d, new org.apache.lucene.index.IndexWriterConfig())) {
      w.addDocument(new org.apache.lucene.document.Document());
      w.commit();
    }
    assertThatThrownBy(() -> open(foreign, Metric.L2))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("not a Sightline");
    assertThatThrownBy(() -> LuceneVectorIndex.open(tmp.resolve("u"), UUID.class, DIM, Metric.L2, EMB,
        LuceneVectorIndex.Options.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("String, Long and Integer");
    assertThatThrownBy(() -> LuceneVectorIndex.open(tmp.resolve("big"), 4096, Metric.L2, EMB))
        .isInstanceOf(IllegalArgumentException.class);
    Path dir = tmp.resolve("idx");
    try (LuceneVectorIndex<String> index = open(dir, Metric.L2)) {
      assertThatThrownBy(() -> open(dir, Metric.L2)).isInstanceOf(StoreException.class)
          .hasMessageContaining("write.lock");
      assertThat(index.size()).isZero();
    }
  }

  @Test
  void validatesVectorsAndK() {
    try (LuceneVectorIndex<String> index = open(tmp.resolve("idx"), Metric.COSINE)) {
      assertThatThrownBy(() -> index.add("a", new float[DIM - 1])).isInstanceOf(DimensionMismatchException.class);
      float[] nan = new float[DIM];
      nan[0] = Float.NaN;
      assertThatThrownBy(() -> index.add("a", nan)).isInstanceOf(InvalidVectorException.class);
      assertThatThrownBy(() -> index.add("a", new float[DIM])).isInstanceOf(InvalidVectorException.class);
      assertThatThrownBy(() -> index.add(null, randomVector(new Random(1), DIM)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> index.search(randomVector(new Random(1), DIM), 0))
          .isInstanceOf(IllegalArgumentException.class);
      // addAll validates everything before adding anything
      List<IndexItem<String>> items = new ArrayList<>(randomItems(new Random(2), 10, DIM));
      items.add(IndexItem.of("bad", new float[3]));
      assertThatThrownBy(() -> index.addAll(items)).isInstanceOf(DimensionMismatchException.class);
      assertThat(index.size()).isZero();
      assertThat(index.search(randomVector(new Random(1), DIM), 5)).isEmpty();
    }
  }

  @Test
  void integerAndLongKeysRoundTrip() {
    Path dir = tmp.resolve("idx");
    Random r = new Random(9);
    float[] v = randomVector(r, DIM);
    try (LuceneVectorIndex<Long> index = LuceneVectorIndex.open(dir, Long.class, DIM, Metric.L2, EMB,
        LuceneVectorIndex.Options.defaults())) {
      index.add(7L, v);
      index.add(8L, randomVector(r, DIM));
      assertThat(index.search(v, 1).get(0).id()).isEqualTo(7L);
      assertThat(index.keys()).containsExactlyInAnyOrder(7L, 8L);
    }
  }

  @Test
  void everyMutatingCallIsCommittedBeforeItReturns() throws IOException {
    Path dir = tmp.resolve("idx");
    Random r = new Random(11);
    try (LuceneVectorIndex<String> index = open(dir, Metric.L2)) {
      index.add("a", randomVector(r, DIM));
      assertThat(committedDocs(dir)).isEqualTo(1);
      index.addAll(randomItems(r, 20, DIM));
      assertThat(committedDocs(dir)).isEqualTo(21);
      index.update("a", randomVector(r, DIM), Map.of());
      assertThat(committedDocs(dir)).isEqualTo(21);
      index.remove("a");
      assertThat(committedDocs(dir)).isEqualTo(20);
    }
  }

  private static int committedDocs(Path dir) throws IOException {
    try (var d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
      return reader.numDocs();
    }
  }

  /** Copies the files of a live index directory, as a crash would leave them (no write.lock). */
  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (f.getFileName().toString().equals("write.lock")) {
          continue;
        }
        try {
          Files.copy(f, to.resolve(f.getFileName()));
        } catch (NoSuchFileException gone) {
          // deleted by the writer meanwhile: a crash could also have left it out
        }
      }
    }
  }

  @Test
  void uncommittedStateIsNeverVisibleAfterACrash() throws IOException {
    Path dir = tmp.resolve("idx");
    Random r = new Random(13);
    Path midway = tmp.resolve("crash-copy");
    AtomicBoolean copied = new AtomicBoolean();
    try (LuceneVectorIndex<String> index = open(dir, Metric.L2)) {
      index.addAll(randomItems(r, 100, DIM));
      List<IndexItem<String>> more = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        more.add(IndexItem.of("m" + i, randomVector(r, DIM)));
      }
      index.addAll(more, (task, done, total, msg) -> {
        if (done >= 200 && copied.compareAndSet(false, true)) {
          try {
            copyDirectory(dir, midway);
            // an outside reader of the live directory also sees the last commit only
            assertThat(committedDocs(dir)).isEqualTo(100);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
      assertThat(copied).isTrue();
      assertThat(index.size()).isEqualTo(500);
    }
    try (LuceneVectorIndex<String> crashed = open(midway, Metric.L2)) {
      assertThat(crashed.size()).isEqualTo(100);
      assertThat(crashed.contains("m0")).isFalse();
      assertThat(crashed.search(randomVector(r, DIM), 200)).hasSize(100);
    }
  }

  @Test
  void aFailedAddAllIsRolledBackAndTheIndexStaysUsable() {
    Random r = new Random(17);
    try (LuceneVectorIndex<String> index = open(tmp.resolve("idx"), Metric.L2)) {
      index.addAll(randomItems(r, 50, DIM));
      List<IndexItem<String>> more = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        more.add(IndexItem.of("m" + i, randomVector(r, DIM)));
      }
      assertThatThrownBy(() -> index.addAll(more, (task, done, total, msg) -> {
        if (done >= 100) {
          Thread.currentThread().interrupt();
        }
      })).isInstanceOf(CancelledException.class);
      assertThat(Thread.interrupted()).isTrue();
      assertThat(index.size()).isEqualTo(50);
      assertThat(index.contains("m0")).isFalse();
      index.add("after", randomVector(r, DIM));
      assertThat(index.size()).isEqualTo(51);
      assertThat(index.keys()).doesNotContain("m0", "m150");
    }
  }

  @Test
  void searchesRunWhileAnotherThreadAdds() throws Exception {
    Random r = new Random(19);
    try (LuceneVectorIndex<String> index = open(tmp.resolve("idx"), Metric.L2)) {
      index.addAll(randomItems(r, 500, DIM));
      List<float[]> added = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        added.add(randomVector(r, DIM));
      }
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger searches = new AtomicInteger();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < added.size(); i++) {
            index.add("new" + i, added.get(i));
          }
        } catch (Throwable t) {
          errors.add(t);
        } finally {
          done.set(true);
        }
      });
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        long seed = t;
        readers.add(new Thread(() -> {
          Random qr = new Random(seed);
          int lastSize = 0;
          try {
            while (!done.get()) {
              List<SearchResult<String>> res = index.search(randomVector(qr, DIM), 10);
              if (res.size() != 10) {
                throw new AssertionError("got " + res.size());
              }
              for (int i = 1; i < res.size(); i++) {
                if (res.get(i).distance() < res.get(i - 1).distance()) {
                  throw new AssertionError("not sorted");
                }
              }
              int size = index.size();
              if (size < lastSize) {
                throw new AssertionError("size went back from " + lastSize + " to " + size);
              }
              lastSize = size;
              searches.incrementAndGet();
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      readers.forEach(Thread::start);
      writer.start();
      writer.join(60_000);
      for (Thread t : readers) {
        t.join(60_000);
      }
      assertThat(errors).isEmpty();
      assertThat(searches.get()).isPositive();
      assertThat(index.size()).isEqualTo(560);
      for (int i = 0; i < added.size(); i++) {
        assertThat(index.search(added.get(i), 1).get(0).id()).isEqualTo("new" + i);
      }
    }
  }

  @Test
  void saveWritesAnOpenableCopy() {
    Random r = new Random(23);
    Path copy = tmp.resolve("copy");
    float[] q = randomVector(r, DIM);
    List<SearchResult<String>> expected;
    try (LuceneVectorIndex<String> index = open(tmp.resolve("idx"), Metric.INNER_PRODUCT)) {
      index.addAll(randomItems(r, 200, DIM));
      index.save(copy);
      index.add("after-save", randomVector(r, DIM));
      index.save(copy); // replaces the earlier copy
      expected = index.search(q, 10);
      assertThatThrownBy(() -> index.save(tmp.resolve("idx"))).isInstanceOf(IllegalArgumentException.class);
    }
    try (LuceneVectorIndex<String> saved = LuceneVectorIndex.open(copy, DIM, Metric.INNER_PRODUCT, EMB)) {
      assertThat(saved.size()).isEqualTo(201);
      assertThat(saved.search(q, 10)).isEqualTo(expected);
    }
  }

  @Test
  void scalarQuantizedOptionKeepsExactScores() {
    Random r = new Random(29);
    List<IndexItem<String>> items = randomItems(r, 1000, DIM);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.COSINE, EMB);
    exact.addAll(items);
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(tmp.resolve("q"), String.class, DIM,
        Metric.COSINE, EMB, new LuceneVectorIndex.Options(16, 100, 100, 10_000, true))) {
      index.addAll(items);
      int hits = 0;
      for (int i = 0; i < 20; i++) {
        float[] query = randomVector(r, DIM);
        List<SearchResult<String>> want = exact.search(query, 10);
        List<SearchResult<String>> got = index.search(query, 10);
        hits += (int) got.stream().filter(want::contains).count(); // same id, distance, attributes
      }
      assertThat(hits / 200.0).isGreaterThanOrEqualTo(0.9);
    }
  }

  @Test
  void closedIndexRefusesUseAndCloseIsIdempotent() {
    LuceneVectorIndex<String> index = open(tmp.resolve("idx"), Metric.L2);
    index.close();
    index.close();
    assertThatThrownBy(index::size).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> index.add("a", new float[DIM])).isInstanceOf(IllegalStateException.class);
  }
}
