package io.sightline.index.lucene;

import static io.sightline.index.lucene.LuceneVectorIndexTest.randomVector;
import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LuceneFilters} run inside the graph search; other filters after it; both give exact answers. */
class LuceneFilterTranslationTest {
  private static final int DIM = 32;
  private static final String EMB = "test-embedder-v1";

  @TempDir
  Path tmp;

  /** tier: gold 1 %, silver 2 %, plain otherwise; color: red 10 %; sku: "s" + i; n: i. */
  static List<IndexItem<String>> items(Random r, int n) {
    List<IndexItem<String>> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String tier = i % 100 == 0 ? "gold" : i % 50 == 1 ? "silver" : "plain";
      items.add(new IndexItem<>("k" + i, randomVector(r, DIM), Map.of("tier", tier,
          "color", i % 10 == 3 ? "red" : "blue", "sku", "s" + i, "n", Integer.toString(i))));
    }
    return items;
  }

  @Test
  void aSelectiveTranslatedFilterReturnsKExactResultsWithoutOverFetching() {
    Random r = new Random(101);
    List<IndexItem<String>> items = items(r, 5000);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.L2, EMB);
    exact.addAll(items);
    // at most 100 candidates for a post-filter: far too few for a 1 % filter
    LuceneVectorIndex.Options few = new LuceneVectorIndex.Options(16, 100, 20, 100, false);
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(tmp.resolve("idx"), String.class, DIM, Metric.L2,
        EMB, few)) {
      index.addAll(items);
      SearchFilter<String> gold = LuceneFilters.attributeEquals("tier", "gold"); // 50 of 5,000
      for (int q = 0; q < 20; q++) {
        float[] query = randomVector(r, DIM);
        List<SearchResult<String>> want = exact.search(query, 10, SearchFilter.attributeEquals("tier", "gold"));
        assertThat(want).hasSize(10);
        // the same ids, distances, similarities and attributes, in the same order
        assertThat(index.search(query, 10, gold)).isEqualTo(want);
      }
      // the same predicate as an opaque filter only sees the 100 candidates it may examine
      float[] query = randomVector(r, DIM);
      assertThat(index.search(query, 10, SearchFilter.attributeEquals("tier", "gold"))).hasSizeLessThan(10);
      assertThat(index.search(query, 10, gold)).hasSize(10);
    }
  }

  @Test
  void translatedAndPostFilteredPathsGiveTheSameAnswers() {
    Random r = new Random(202);
    List<IndexItem<String>> items = items(r, 3000);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.COSINE, EMB);
    exact.addAll(items);
    SearchFilter<String> even = (id, a) -> Integer.parseInt(a.get("n")) % 2 == 0;
    // translated filter -> the same predicate, opaque
    Map<SearchFilter<String>, SearchFilter<String>> pairs = Map.of(
        LuceneFilters.attributeEquals("tier", "gold"), SearchFilter.attributeEquals("tier", "gold"),
        LuceneFilters.attributeStartsWith("sku", "s21"), SearchFilter.attributeStartsWith("sku", "s21"),
        LuceneFilters.attributeIn("tier", Set.of("gold", "silver")),
        (id, a) -> Set.of("gold", "silver").contains(a.get("tier")),
        LuceneFilters.<String>attributeEquals("color", "red").and(LuceneFilters.attributeStartsWith("sku", "s1")),
        SearchFilter.<String>attributeEquals("color", "red").and(SearchFilter.attributeStartsWith("sku", "s1")),
        LuceneFilters.<String>attributeIn("tier", Set.of("gold", "silver")).and(even),
        (id, a) -> Set.of("gold", "silver").contains(a.get("tier")) && even.test(id, a),
        LuceneFilters.attributeEquals("tier", "platinum"), SearchFilter.attributeEquals("tier", "platinum"),
        LuceneFilters.attributeEquals("no-such-key", "gold"), SearchFilter.attributeEquals("no-such-key", "gold"));
    // ef 3,000: both paths see every matching vector, so both must equal the exact answer
    LuceneVectorIndex.Options all = new LuceneVectorIndex.Options(16, 100, 3000, 10_000, false);
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(tmp.resolve("idx"), String.class, DIM,
        Metric.COSINE, EMB, all)) {
      index.addAll(items);
      for (int q = 0; q < 5; q++) {
        float[] query = randomVector(r, DIM);
        for (Map.Entry<SearchFilter<String>, SearchFilter<String>> p : pairs.entrySet()) {
          List<SearchResult<String>> want = exact.search(query, 10, p.getValue());
          List<SearchResult<String>> translated = index.search(query, 10, p.getKey());
          List<SearchResult<String>> postFiltered = index.search(query, 10, p.getValue());
          assertThat(translated).as("translated %s", p.getKey()).isEqualTo(want);
          assertThat(postFiltered).as("post-filtered %s", p.getKey()).isEqualTo(want);
        }
      }
    }
  }

  @Test
  void aTranslatedFilterOnTheDefaultGraphSearchKeepsRecall() {
    Random r = new Random(303);
    List<IndexItem<String>> items = items(r, 3000);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.INNER_PRODUCT, EMB);
    exact.addAll(items);
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(tmp.resolve("idx"), String.class, DIM,
        Metric.INNER_PRODUCT, EMB, LuceneVectorIndex.Options.defaults())) {
      index.addAll(items);
      // remove some red ones: deleted documents must not come back through the filter
      for (int i = 3; i < 300; i += 10) {
        index.remove("k" + i);
        exact.remove("k" + i);
      }
      SearchFilter<String> red = LuceneFilters.attributeEquals("color", "red"); // 270 of 2,970: graph search
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
    }
  }

  /** A directory written by the first release: no attribute terms, format 1. */
  @Test
  void aVersionOneDirectoryOpensAndItsFiltersRunAfterTheGraphSearch() throws Exception {
    Path dir = tmp.resolve("v1");
    Random r = new Random(404);
    List<IndexItem<String>> items = items(r, 500);
    try (var d = FSDirectory.open(dir); var w = new IndexWriter(d, new IndexWriterConfig())) {
      for (IndexItem<String> it : items) {
        Document doc = new Document();
        doc.add(new StringField(Documents.F_ID, it.id(), Field.Store.YES));
        doc.add(new KnnFloatVectorField(Documents.F_VECTOR, it.vector(), VectorSimilarityFunction.EUCLIDEAN));
        doc.add(new StoredField(Documents.F_ATTRS, Documents.encodeAttributes(it.attributes())));
        w.addDocument(doc);
      }
      w.setLiveCommitData(Map.of(IndexMetadata.UD_KIND, IndexMetadata.KIND, IndexMetadata.UD_FORMAT, "1",
          IndexMetadata.UD_EMBEDDER, EMB, IndexMetadata.UD_DIMENSION, Integer.toString(DIM),
          IndexMetadata.UD_METRIC, "L2", IndexMetadata.UD_KEY_TYPE, String.class.getName()).entrySet());
      w.commit();
    }
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.L2, EMB);
    exact.addAll(items);
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(dir, DIM, Metric.L2, EMB)) {
      float[] query = randomVector(r, DIM);
      assertThat(index.search(query, 3, LuceneFilters.attributeEquals("tier", "gold")))
          .isEqualTo(exact.search(query, 3, SearchFilter.attributeEquals("tier", "gold")));
      index.add("new", randomVector(r, DIM), Map.of("tier", "gold"));
    }
    try (var d = FSDirectory.open(dir)) {
      assertThat(SegmentInfos.readLatestCommit(d).getUserData()).containsEntry(IndexMetadata.UD_FORMAT, "1")
          .doesNotContainKey(IndexMetadata.UD_VECTOR_ENCODING);
    }
  }
}
