package io.sightline.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LuceneVectorIndex#openReadOnly} beside the one writer, and {@link LuceneVectorIndex#factory}. */
class LuceneReadOnlyTest {
  @TempDir
  Path tmp;

  private static float[] vector(Random r) {
    return LuceneVectorIndexTest.randomVector(r, 8);
  }

  @Test
  void readsWhatTheWriterCommittedWithoutItsLockAndRefusesEveryWrite() throws Exception {
    Path dir = tmp.resolve("idx");
    Random r = new Random(1);
    try (LuceneVectorIndex<String> writer = LuceneVectorIndex.open(dir, 8, Metric.COSINE, "e-v1")) {
      for (int i = 0; i < 30; i++) {
        writer.add("k" + i, vector(r), Map.of("shard", Integer.toString(i % 3)));
      }
      try (LuceneVectorIndex<String> reader = LuceneVectorIndex.openReadOnly(dir, 8, Metric.COSINE, "e-v1")) {
        assertThat(reader.isReadOnly()).isTrue();
        assertThat(writer.isReadOnly()).isFalse();
        assertThat(reader.size()).isEqualTo(30);
        assertThat(reader.keys()).containsExactlyInAnyOrderElementsOf(writer.keys());
        assertThat(reader.vector("k7").orElseThrow()).containsExactly(writer.vector("k7").orElseThrow());
        assertThat(reader.attributes("k7")).contains(Map.of("shard", "1"));
        float[] q = vector(r);
        assertThat(ids(reader.search(q, 5))).isEqualTo(ids(writer.search(q, 5)));
        assertThat(ids(reader.search(q, 5, LuceneFilters.attributeEquals("shard", "2"))))
            .isEqualTo(ids(writer.search(q, 5, LuceneFilters.attributeEquals("shard", "2"))));

        float[] v = vector(r);
        assertThatThrownBy(() -> reader.add("x", v)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("read-only").hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> reader.addAll(List.of(new IndexItem<>("x", v, Map.of()))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.update("k1", v, Map.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.remove("k1")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.save(tmp.resolve("copy"))).isInstanceOf(IllegalStateException.class);
        assertThat(tmp.resolve("copy")).doesNotExist();

        // the writer goes on; the reader picks up its commits within about a second
        writer.add("late", v, Map.of());
        writer.remove("k0");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!reader.contains("late") && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(reader.contains("late")).isTrue();
        assertThat(reader.contains("k0")).isFalse();
        assertThat(reader.size()).isEqualTo(30);
        assertThat(writer.size()).isEqualTo(30);
      }
    }
  }

  @Test
  void closingTheReaderLeavesTheWriterAndTheIndexAsTheyWere() {
    Path dir = tmp.resolve("idx");
    Random r = new Random(2);
    try (LuceneVectorIndex<String> writer = LuceneVectorIndex.open(dir, 8, Metric.L2, "e-v1")) {
      writer.add("a", vector(r));
      LuceneVectorIndex<String> reader = LuceneVectorIndex.openReadOnly(dir, 8, Metric.L2, "e-v1");
      reader.close();
      reader.close(); // harmless
      assertThatThrownBy(reader::size).isInstanceOf(IllegalStateException.class)
          .hasMessage(dir + ": index is closed");
      writer.add("b", vector(r));
      assertThat(writer.size()).isEqualTo(2);
    }
    try (LuceneVectorIndex<String> again = LuceneVectorIndex.openReadOnly(dir, 8, Metric.L2, "e-v1")) {
      assertThat(again.keys()).containsExactlyInAnyOrder("a", "b");
    }
  }

  @Test
  void aWritersClosedIndexNamesItselfAndBadKeysAndDimensionsAreRefused() {
    Path dir = tmp.resolve("w");
    LuceneVectorIndex<String> w = LuceneVectorIndex.open(dir, 8, Metric.COSINE, "e-v1");
    assertThat(w.path()).isEqualTo(dir);
    assertThatThrownBy(() -> w.add(null, vector(new Random(6)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id must not be null");
    assertThat(w.remove(null)).isFalse();
    assertThat(w.size()).isZero();
    w.close();
    assertThatThrownBy(w::size).isInstanceOf(IllegalStateException.class).hasMessage(dir + ": index is closed");
    assertThatThrownBy(() -> LuceneVectorIndex.open(tmp.resolve("d0"), 0, Metric.COSINE, "e-v1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..1024");
    assertThatThrownBy(() -> LuceneVectorIndex.open(tmp.resolve("d1025"), 1025, Metric.COSINE, "e-v1"))
        .isInstanceOf(IllegalArgumentException.class);
    try (LuceneVectorIndex<String> one = LuceneVectorIndex.open(tmp.resolve("d1"), 1, Metric.L2, "e-v1");
         LuceneVectorIndex<String> max = LuceneVectorIndex.open(tmp.resolve("dmax"), 1024, Metric.L2, "e-v1")) {
      one.add("a", new float[] {2f});
      assertThat(one.size()).isEqualTo(1);
      assertThat(max.dimension()).isEqualTo(1024);
    }
  }

  @Test
  void noIndexOrAnotherEmbedderIsRefusedAndNothingIsCreated() {
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> LuceneVectorIndex.openReadOnly(missing, 8, Metric.COSINE, "e-v1"))
        .isInstanceOf(StoreException.class).hasMessageContaining("no Lucene vector index");
    assertThat(missing).doesNotExist();
    Path dir = tmp.resolve("idx");
    try (LuceneVectorIndex<String> w = LuceneVectorIndex.open(dir, 8, Metric.COSINE, "e-v1")) {
      w.add("a", vector(new Random(3)));
    }
    assertThatThrownBy(() -> LuceneVectorIndex.openReadOnly(dir, 8, Metric.COSINE, "e-v2"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("e-v2");
    assertThatThrownBy(() -> LuceneVectorIndex.openReadOnly(dir, 4, Metric.COSINE, "e-v1"))
        .isInstanceOf(IncompatibleFormatException.class);
    assertThatThrownBy(() -> LuceneVectorIndex.openReadOnly(dir, 8, Metric.L2, "e-v1"))
        .isInstanceOf(IncompatibleFormatException.class);
    Path empty = tmp.resolve("empty");
    assertThat(empty.toFile().mkdirs()).isTrue();
    assertThatThrownBy(() -> LuceneVectorIndex.openReadOnly(empty, 8, Metric.COSINE, "e-v1"))
        .isInstanceOf(StoreException.class).hasMessageContaining("no Lucene vector index");
  }

  @Test
  void aQuantizedIndexOpensReadOnlyAsBuilt() {
    Path dir = tmp.resolve("q");
    Random r = new Random(4);
    try (LuceneVectorIndex<String> w = LuceneVectorIndex.open(dir, String.class, 8, Metric.COSINE, "e-v1",
        LuceneVectorIndex.Options.defaults().quantized(true))) {
      for (int i = 0; i < 20; i++) {
        w.add("k" + i, vector(r));
      }
      float[] q = vector(r);
      try (LuceneVectorIndex<String> reader = LuceneVectorIndex.openReadOnly(dir, 8, Metric.COSINE, "e-v1")) {
        assertThat(ids(reader.search(q, 3))).isEqualTo(ids(w.search(q, 3)));
      }
    }
  }

  @Test
  void theFactoryOpensForWritingAndForReadingOnlyWhenAnIndexExists() {
    Path dir = tmp.resolve("f");
    VectorIndexFactory f = LuceneVectorIndex.factory(dir);
    assertThat(f.openReadOnly(8, Metric.COSINE, "e-v1")).isEmpty();
    assertThat(dir).doesNotExist();
    try (VectorIndex<String> w = f.open(8, Metric.COSINE, "e-v1")) {
      w.add("a", vector(new Random(5)));
      VectorIndex<String> reader = f.openReadOnly(8, Metric.COSINE, "e-v1").orElseThrow();
      try (reader) {
        assertThat(reader.keys()).containsExactly("a");
        assertThat(((LuceneVectorIndex<String>) reader).isReadOnly()).isTrue();
      }
    }
    assertThat(f).hasToString("Lucene vector indexes at " + dir);
  }

  private static List<String> ids(List<SearchResult<String>> hits) {
    return hits.stream().map(SearchResult::id).toList();
  }
}
