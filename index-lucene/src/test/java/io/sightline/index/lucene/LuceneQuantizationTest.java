package io.sightline.index.lucene;

import static io.sightline.index.lucene.LuceneVectorIndexTest.randomItems;
import static io.sightline.index.lucene.LuceneVectorIndexTest.randomVector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code Options.quantized(true)}: int8 graph vectors, exact scores, the choice kept in the index. */
class LuceneQuantizationTest {
  private static final int DIM = 32;
  private static final String EMB = "test-embedder-v1";
  private static final LuceneVectorIndex.Options QUANTIZED = LuceneVectorIndex.Options.defaults().quantized(true);

  @TempDir
  Path tmp;

  /** @return the vector format names the segments of {@code dir} were written with */
  private static Set<String> vectorFormats(Path dir) throws IOException {
    try (var d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
      return reader.leaves().stream()
          .map(l -> l.reader().getFieldInfos().fieldInfo(Documents.F_VECTOR)
              .getAttribute("PerFieldKnnVectorsFormat.format"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void quantizedIndexKeepsRecallAndReturnsExactDistances() throws IOException {
    Random r = new Random(505);
    List<IndexItem<String>> items = randomItems(r, 4000, DIM);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.L2, EMB);
    exact.addAll(items);
    Path dir = tmp.resolve("q");
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(dir, String.class, DIM, Metric.L2, EMB,
        QUANTIZED)) {
      index.addAll(items);
      assertThat(index.options().scalarQuantized()).isTrue();
      int hits = 0;
      for (int q = 0; q < 50; q++) {
        float[] query = randomVector(r, DIM);
        Set<String> want = exact.search(query, 10).stream().map(SearchResult::id).collect(Collectors.toSet());
        List<SearchResult<String>> got = index.search(query, 10);
        assertThat(got).hasSize(10).isSortedAccordingTo((a, b) -> Float.compare(a.distance(), b.distance()));
        for (SearchResult<String> g : got) {
          // recomputed from the float vector, not the int8 copy
          assertThat(g.distance()).isEqualTo(Metric.L2.distance(query, exact.vector(g.id()).orElseThrow()));
          assertThat(g.similarity()).isEqualTo(Metric.L2.similarity(g.distance()));
        }
        hits += (int) got.stream().filter(x -> want.contains(x.id())).count();
      }
      assertThat(hits / 500.0).as("recall@10 vs exact").isGreaterThanOrEqualTo(0.9);
      // the stored vector is the float one
      assertThat(index.vector("k7")).hasValueSatisfying(v -> assertThat(v).containsExactly(items.get(7).vector()));
    }
    assertThat(vectorFormats(dir)).containsExactly("Lucene99HnswScalarQuantizedVectorsFormat");
  }

  @Test
  void theChoiceIsRecordedAndReopeningWithTheOtherIsRefused() throws IOException {
    Random r = new Random(606);
    Path q = tmp.resolve("q");
    Path plain = tmp.resolve("plain");
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(q, String.class, DIM, Metric.COSINE, EMB,
        QUANTIZED)) {
      index.add("a", randomVector(r, DIM));
    }
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(plain, DIM, Metric.COSINE, EMB)) {
      index.add("a", randomVector(r, DIM));
    }
    try (var d = FSDirectory.open(q)) {
      assertThat(SegmentInfos.readLatestCommit(d).getUserData())
          .containsEntry(IndexMetadata.UD_VECTOR_ENCODING, "int8-scalar-quantized");
    }
    assertThat(vectorFormats(plain)).containsExactly("Lucene99HnswVectorsFormat");
    assertThatThrownBy(() -> LuceneVectorIndex.open(q, DIM, Metric.COSINE, EMB))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("with scalar quantization")
        .hasMessageContaining("quantized(true)");
    assertThatThrownBy(() -> LuceneVectorIndex.open(plain, String.class, DIM, Metric.COSINE, EMB, QUANTIZED))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("without scalar quantization")
        .hasMessageContaining("quantized(false)");
    // the refused opens released the directories; the matching choice opens them
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(q, String.class, DIM, Metric.COSINE, EMB,
        QUANTIZED)) {
      assertThat(index.contains("a")).isTrue();
    }
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(plain, DIM, Metric.COSINE, EMB)) {
      assertThat(index.vector("a")).isPresent();
    }
  }
}
