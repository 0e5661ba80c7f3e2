package io.sightline.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.DimensionMismatchException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InvalidVectorException;
import io.sightline.core.StoreException;
import io.sightline.core.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VectorIndexTest {
  static final int DIM = 32;

  static float[] random(Random rnd) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  static HnswVectorIndex<String> hnsw(Metric metric) {
    return HnswVectorIndex.builder().dimension(DIM).metric(metric).embedderId("test/1").initialCapacity(8).build();
  }

  @ParameterizedTest
  @EnumSource(Metric.class)
  void hnswMatchesExactOnSmallSets(Metric metric) {
    Random rnd = new Random(42);
    HnswVectorIndex<String> h = hnsw(metric);
    ExactVectorIndex<String> e = new ExactVectorIndex<>(DIM, metric, "test/1");
    for (int i = 0; i < 2000; i++) {
      float[] v = random(rnd);
      h.add("v" + i, v);
      e.add("v" + i, v);
    }
    assertThat(h.size()).isEqualTo(2000);
    double recall = 0;
    for (int q = 0; q < 50; q++) {
      float[] query = random(rnd);
      List<String> approx = h.search(query, 10).stream().map(SearchResult::id).toList();
      Set<String> truth = new HashSet<>(e.search(query, 10).stream().map(SearchResult::id).toList());
      recall += Metrics.recallAtK(approx, truth, 10);
    }
    assertThat(recall / 50).isGreaterThan(0.9);
  }

  @ParameterizedTest
  @EnumSource(IndexKind.class)
  void addSearchUpdateRemoveWithFilterAndSimilarity(IndexKind kind) {
    VectorIndex<String> idx = kind.create(Metric.COSINE);
    float[] a = unit(0);
    float[] b = unit(1);
    float[] ab = new float[DIM];
    ab[0] = 1;
    ab[1] = 0.2f;
    idx.add("a", a, Map.of("category", "apparel/shirt"));
    idx.add("b", b, Map.of("category", "cup"));
    idx.add("ab", ab, Map.of("category", "apparel/shoe"));
    List<SearchResult<String>> r = idx.search(a, 3);
    assertThat(r).extracting(SearchResult::id).containsExactly("a", "ab", "b");
    assertThat(r.get(0).similarity()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
    assertThat(r.get(0).attributes()).containsEntry("category", "apparel/shirt");
    assertThat(r.get(0).distance()).isLessThanOrEqualTo(r.get(1).distance());

    assertThat(idx.search(a, 3, SearchFilter.attributeEquals("category", "cup")))
        .extracting(SearchResult::id).containsExactly("b");
    assertThat(idx.search(a, 3, SearchFilter.attributeStartsWith("category", "apparel/")))
        .extracting(SearchResult::id).containsExactly("a", "ab");

    assertThat(idx.update("b", a, Map.of("category", "cup"))).isTrue();
    assertThat(idx.update("zzz", a, Map.of())).isFalse();
    assertThat(idx.contains("zzz")).isFalse();
    assertThat(idx.size()).isEqualTo(3);
    assertThat(idx.search(a, 2)).extracting(SearchResult::id).containsExactlyInAnyOrder("a", "b");

    assertThat(idx.remove("a")).isTrue();
    assertThat(idx.remove("a")).isFalse();
    assertThat(idx.contains("a")).isFalse();
    assertThat(idx.size()).isEqualTo(2);
    assertThat(idx.search(a, 5)).extracting(SearchResult::id).doesNotContain("a");
    assertThat(idx.vector("b")).isPresent();
    assertThat(idx.keys()).containsExactlyInAnyOrder("b", "ab");
  }

  @ParameterizedTest
  @EnumSource(IndexKind.class)
  void badVectorsAreRefused(IndexKind kind) {
    VectorIndex<String> idx = kind.create(Metric.COSINE);
    assertThatThrownBy(() -> idx.add("x", new float[DIM + 1])).isInstanceOf(DimensionMismatchException.class)
        .hasMessageContaining("expected " + DIM);
    float[] nan = unit(0);
    nan[3] = Float.NaN;
    assertThatThrownBy(() -> idx.add("x", nan)).isInstanceOf(InvalidVectorException.class).hasMessageContaining("NaN");
    assertThatThrownBy(() -> idx.add("x", new float[DIM])).isInstanceOf(InvalidVectorException.class)
        .hasMessageContaining("zero");
    assertThatThrownBy(() -> idx.search(new float[3], 1)).isInstanceOf(DimensionMismatchException.class);
    assertThatThrownBy(() -> idx.search(unit(0), 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(idx.size()).isZero();
    // a zero vector is fine under L2
    VectorIndex<String> l2 = kind.create(Metric.L2);
    l2.add("zero", new float[DIM]);
    assertThat(l2.search(new float[DIM], 1).get(0).similarity()).isEqualTo(1f);
  }

  @ParameterizedTest
  @EnumSource(IndexKind.class)
  void saveLoadRoundTripAndEmbedderCheck(IndexKind kind, @TempDir Path dir) {
    VectorIndex<String> idx = kind.create(Metric.COSINE);
    Random rnd = new Random(7);
    for (int i = 0; i < 300; i++) {
      idx.add("k" + i, random(rnd), Map.of("n", Integer.toString(i)));
    }
    idx.remove("k5");
    Path f = dir.resolve("idx.bin");
    idx.save(f);
    VectorIndex<String> back = kind.load(f, "test/1");
    assertThat(back.size()).isEqualTo(299);
    float[] q = idx.vector("k10").orElseThrow();
    assertThat(back.search(q, 1).get(0).id()).isEqualTo("k10");
    assertThat(back.attributes("k10")).contains(Map.of("n", "10"));
    assertThat(back.contains("k5")).isFalse();
    assertThat(back.embedderId()).isEqualTo("test/1");
    assertThatThrownBy(() -> kind.load(f, "other/2")).isInstanceOf(IncompatibleFormatException.class)
        .hasMessageContaining("other/2");
    // the loaded index keeps working for writes
    back.add("new", random(rnd));
    assertThat(back.contains("new")).isTrue();
  }

  @ParameterizedTest
  @EnumSource(IndexKind.class)
  void corruptTruncatedAndForeignFilesAreRefused(IndexKind kind, @TempDir Path dir) throws IOException {
    VectorIndex<String> idx = kind.create(Metric.COSINE);
    Random rnd = new Random(8);
    for (int i = 0; i < 50; i++) {
      idx.add("k" + i, random(rnd));
    }
    Path f = dir.resolve("idx.bin");
    idx.save(f);
    byte[] good = Files.readAllBytes(f);

    Path truncated = dir.resolve("t.bin");
    Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
    assertThatThrownBy(() -> kind.load(truncated, "test/1")).isInstanceOf(StoreException.class);

    Path flipped = dir.resolve("f.bin");
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 0x40;
    Files.write(flipped, bad);
    assertThatThrownBy(() -> kind.load(flipped, "test/1")).isInstanceOf(StoreException.class)
        .hasMessageContaining("checksum");

    Path text = dir.resolve("x.bin");
    Files.writeString(text, "hello, I am not an index at all");
    assertThatThrownBy(() -> kind.load(text, "test/1")).isInstanceOf(StoreException.class);

    assertThatThrownBy(() -> kind.load(dir.resolve("missing.bin"), "test/1")).isInstanceOf(StoreException.class)
        .hasMessageContaining("no such file");

    // an index of the other kind is refused by kind, not misread
    IndexKind other = kind == IndexKind.HNSW ? IndexKind.EXACT : IndexKind.HNSW;
    assertThatThrownBy(() -> other.load(f, "test/1")).isInstanceOf(IncompatibleFormatException.class);
  }

  @Test
  void failedSaveLeavesPreviousFileIntact(@TempDir Path dir) throws IOException {
    HnswVectorIndex<String> idx = hnsw(Metric.COSINE);
    idx.add("a", unit(0));
    Path f = dir.resolve("idx.bin");
    idx.save(f);
    byte[] before = Files.readAllBytes(f);
    // a key that cannot be serialised makes the second save fail half way
    HnswVectorIndex<java.io.Serializable> broken = HnswVectorIndex.builder().dimension(DIM).embedderId("test/1").build();
    broken.add(new Unserializable(), unit(1));
    assertThatThrownBy(() -> broken.save(f)).isInstanceOf(StoreException.class);
    assertThat(Files.readAllBytes(f)).isEqualTo(before);
    try (var s = Files.list(dir)) {
      assertThat(s.toList()).containsExactly(f);
    }
  }

  static final class Unserializable implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private void writeObject(java.io.ObjectOutputStream out) throws IOException {
      throw new java.io.NotSerializableException("refuses on purpose");
    }
  }

  @ParameterizedTest
  @EnumSource(IndexKind.class)
  void concurrentSearchersWhileOneWriterAdds(IndexKind kind) throws Exception {
    VectorIndex<String> idx = kind.create(Metric.COSINE);
    Random rnd = new Random(9);
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      vectors.add(random(rnd));
    }
    for (int i = 0; i < 500; i++) {
      idx.add("k" + i, vectors.get(i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger searches = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    futures.add(pool.submit(() -> {
      for (int i = 500; i < 3000; i++) {
        idx.add("k" + i, vectors.get(i));
        if (i % 7 == 0) {
          idx.remove("k" + (i - 400));
        }
      }
    }));
    for (int t = 0; t < 3; t++) {
      final int seed = t;
      futures.add(pool.submit(() -> {
        Random r = new Random(seed);
        for (int i = 0; i < 300; i++) {
          int probe = r.nextInt(500);
          List<SearchResult<String>> res = idx.search(vectors.get(probe), 5);
          assertThat(res).isNotEmpty();
          assertThat(res.size()).isLessThanOrEqualTo(5);
          searches.incrementAndGet();
        }
      }));
    }
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(searches.get()).isEqualTo(900);
    int removed = (int) java.util.stream.IntStream.range(500, 3000).filter(i -> i % 7 == 0).count();
    assertThat(idx.size()).isEqualTo(3000 - removed);
  }

  static float[] unit(int axis) {
    float[] v = new float[DIM];
    v[axis] = 1;
    return v;
  }

  enum IndexKind {
    HNSW, EXACT;

    VectorIndex<String> create(Metric metric) {
      return this == HNSW ? hnsw(metric) : new ExactVectorIndex<>(DIM, metric, "test/1");
    }

    VectorIndex<String> load(Path f, String embedder) {
      return this == HNSW ? HnswVectorIndex.load(f, String.class, embedder)
          : ExactVectorIndex.load(f, String.class, embedder);
    }
  }
}
