package io.sightline.core.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.CancelledException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InvalidVectorException;
import io.sightline.core.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Distances, vector checks, filters and the index write and search rules, on small exact cases. */
class IndexRulesTest {
  @TempDir
  Path dir;

  // ------------------------------------------------------------------ metrics and vectors

  @Test
  void distancesAndSimilaritiesPerMetric() {
    float[] a = {3, 4};
    float[] b = {0, 1};
    assertThat(Metric.L2.distance(a, b)).isCloseTo((float) Math.sqrt(9 + 9), within(1e-6f));
    assertThat(Metric.L2.similarity(3f)).isEqualTo(0.25f);
    assertThat(Metric.INNER_PRODUCT.distance(a, b)).isEqualTo(1f - 4f);
    assertThat(Metric.COSINE.distance(new float[] {0.6f, 0.8f}, new float[] {0.6f, 0.8f})).isCloseTo(0f, within(1e-6f));
    assertThat(Metric.COSINE.similarity(0.25f)).isEqualTo(0.75f);
    assertThat(Metric.INNER_PRODUCT.similarity(-3f)).isEqualTo(4f);
  }

  @Test
  void vectorArithmetic() {
    assertThat(Vectors.norm(new float[] {3, 4})).isEqualTo(5.0);
    assertThat(Vectors.dot(new float[] {1, 2, 3}, new float[] {4, 5, 6})).isEqualTo(32f);
    assertThat(Vectors.cosine(new float[] {1, 0}, new float[] {1, 1})).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
    assertThat(Vectors.cosine(new float[] {0, 0}, new float[] {1, 1})).isZero();
    assertThat(Vectors.cosine(new float[] {1, 1}, new float[] {0, 0})).isZero();
    assertThat(Vectors.normalized(new float[] {3, 4})).containsExactly(0.6f, 0.8f);
    float[] v = {0, 5};
    assertThat(Vectors.normalizeInPlace(v)).isSameAs(v).containsExactly(0f, 1f);
    float[] zero = {0, 0};
    assertThat(Vectors.normalizeInPlace(zero)).containsExactly(0f, 0f);
    assertThatThrownBy(() -> Vectors.normalized(new float[] {0, 0})).isInstanceOf(InvalidVectorException.class);
    // a tiny but non-zero vector still has a direction
    assertThat(Vectors.normalized(new float[] {1e-10f, 0})[0]).isCloseTo(1f, within(1e-6f));
    float[] tiny = {1e-10f, 0};
    assertThat(Vectors.normalizeInPlace(tiny)[0]).isCloseTo(1f, within(1e-6f));
  }

  @Test
  void vectorsRoundTripThroughLittleEndianBytes() {
    float[] v = {1.5f, -2f, Float.MIN_VALUE};
    byte[] b = Vectors.toBytes(v);
    assertThat(b).hasSize(12);
    // 1.5f = 0x3FC00000, little-endian
    assertThat(b[3]).isEqualTo((byte) 0x3F);
    assertThat(b[2]).isEqualTo((byte) 0xC0);
    assertThat(Vectors.fromBytes(b)).containsExactly(v);
    assertThatThrownBy(() -> Vectors.fromBytes(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    assertThat(Vectors.fromBytes(new byte[0])).isEmpty();
  }

  @Test
  void checkRefusesNullWrongLengthAndInfinities() {
    assertThatThrownBy(() -> Vectors.check(null, 2)).isInstanceOf(InvalidVectorException.class);
    assertThatThrownBy(() -> Vectors.check(new float[] {1, Float.POSITIVE_INFINITY}, 2))
        .isInstanceOf(InvalidVectorException.class).hasMessageContaining("component 1");
    Vectors.check(new float[] {1, -1}, 2);
  }

  // ------------------------------------------------------------------ filters

  @Test
  void filtersCombine() {
    Map<String, String> shirt = Map.of("cat", "apparel/shirt", "shop", "x");
    SearchFilter<String> apparel = SearchFilter.attributeStartsWith("cat", "apparel/");
    SearchFilter<String> shopX = SearchFilter.attributeEquals("shop", "x");
    assertThat(apparel.test("a", shirt)).isTrue();
    assertThat(apparel.test("a", Map.of())).isFalse();
    assertThat(apparel.test("a", Map.of("cat", "cup"))).isFalse();
    assertThat(apparel.and(shopX).test("a", shirt)).isTrue();
    assertThat(apparel.and(shopX).test("a", Map.of("cat", "apparel/shoe", "shop", "y"))).isFalse();
    assertThat(shopX.and(apparel).test("a", Map.of("cat", "cup", "shop", "x"))).isFalse();
    assertThat(SearchFilter.<String>all().test("a", Map.of())).isTrue();
    assertThat(SearchFilter.attributeEquals("shop", null).test("a", Map.of())).isTrue();
  }

  // ------------------------------------------------------------------ indexes

  static float[] v(float... x) {
    return x;
  }

  static List<VectorIndex<String>> both(Metric metric, int dim) {
    return List.of(new ExactVectorIndex<>(dim, metric, "e/1"),
        HnswVectorIndex.builder().dimension(dim).metric(metric).embedderId("e/1").initialCapacity(2).build());
  }

  @Test
  void resultsAreNearestFirstWithMetricSimilarities() {
    for (VectorIndex<String> idx : both(Metric.L2, 2)) {
      idx.add("far", v(10, 0));
      idx.add("near", v(1, 0));
      idx.add("mid", v(4, 0));
      List<SearchResult<String>> r = idx.search(v(0, 0), 2);
      assertThat(r).as(idx.getClass().getSimpleName()).extracting(SearchResult::id).containsExactly("near", "mid");
      assertThat(r.get(0).distance()).isCloseTo(1f, within(1e-5f));
      assertThat(r.get(0).similarity()).isCloseTo(0.5f, within(1e-5f));
      assertThat(r.get(1).distance()).isCloseTo(4f, within(1e-5f));
      assertThat(idx.search(v(0, 0), 10)).extracting(SearchResult::id).containsExactly("near", "mid", "far");
      assertThat(idx.search(v(9, 0), 1)).extracting(SearchResult::id).containsExactly("far");
    }
  }

  @Test
  void cosineNormalisesOnTheWayInAndInnerProductDoesNot() {
    for (VectorIndex<String> idx : both(Metric.COSINE, 2)) {
      idx.add("x", v(10, 0));
      assertThat(idx.vector("x").orElseThrow()).containsExactly(1f, 0f);
      assertThat(idx.search(v(0, 3), 1).get(0).similarity()).isCloseTo(0f, within(1e-5f));
    }
    for (VectorIndex<String> idx : both(Metric.INNER_PRODUCT, 2)) {
      idx.add("x", v(10, 0));
      assertThat(idx.vector("x").orElseThrow()).containsExactly(10f, 0f);
      assertThat(idx.search(v(2, 0), 1).get(0).similarity()).isCloseTo(20f, within(1e-4f));
    }
  }

  @Test
  void storedVectorsAndAttributesAreCopies() {
    for (VectorIndex<String> idx : both(Metric.L2, 2)) {
      float[] in = v(1, 2);
      Map<String, String> attrs = new HashMap<>(Map.of("k", "v"));
      idx.add("a", in, attrs);
      in[0] = 99;
      attrs.put("k", "changed");
      float[] out = idx.vector("a").orElseThrow();
      assertThat(out).containsExactly(1f, 2f);
      out[1] = 77;
      assertThat(idx.vector("a").orElseThrow()).containsExactly(1f, 2f);
      assertThat(idx.attributes("a")).contains(Map.of("k", "v"));
      assertThat(idx.attributes("none")).isEmpty();
      assertThat(idx.vector("none")).isEmpty();
      idx.add("b", v(0, 0), null);
      assertThat(idx.attributes("b")).contains(Map.of());
      assertThat(idx.search(v(0, 0), 1).get(0).attributes()).isEmpty();
      assertThatThrownBy(() -> idx.add(null, v(0, 0))).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void filteredSearchLooksPastTheFirstCandidates() {
    for (VectorIndex<String> idx : both(Metric.L2, 2)) {
      for (int i = 0; i < 300; i++) {
        idx.add("n" + i, v(i, 0), Map.of("kind", i == 290 ? "rare" : "common"));
      }
      List<SearchResult<String>> r = idx.search(v(0, 0), 3, SearchFilter.attributeEquals("kind", "rare"));
      assertThat(r).as(idx.getClass().getSimpleName()).extracting(SearchResult::id).containsExactly("n290");
      assertThat(idx.search(v(0, 0), 2, (id, a) -> id.endsWith("7"))).extracting(SearchResult::id)
          .containsExactly("n7", "n17");
      assertThat(idx.search(v(0, 0), 3, (id, a) -> false)).isEmpty();
    }
  }

  @Test
  void batchAddReportsProgressAndReplacesExistingKeys() {
    for (VectorIndex<String> idx : both(Metric.L2, 2)) {
      idx.add("a", v(5, 5));
      List<IndexItem<String>> items = new ArrayList<>();
      for (int i = 0; i < 250; i++) {
        items.add(new IndexItem<>(i == 0 ? "a" : "k" + i, v(i, 1), Map.of("i", Integer.toString(i))));
      }
      List<long[]> progress = new ArrayList<>();
      idx.addAll(items, (task, done, total, item) -> progress.add(new long[] {done, total}));
      assertThat(idx.size()).isEqualTo(250);
      assertThat(idx.vector("a").orElseThrow()).containsExactly(0f, 1f);
      assertThat(idx.attributes("k9")).contains(Map.of("i", "9"));
      assertThat(progress).isNotEmpty();
      assertThat(progress.get(progress.size() - 1)).containsExactly(250, 250);
      assertThat(progress).allSatisfy(p -> assertThat(p[0]).isBetween(1L, 250L));
      assertThat(idx.search(v(100, 1), 1).get(0).id()).isEqualTo("k100");
    }
  }

  @Test
  void exactProgressComesEveryTenThousandAndAtTheEnd() {
    ExactVectorIndex<String> idx = new ExactVectorIndex<>(1, Metric.L2, "e/1");
    List<IndexItem<String>> items = new ArrayList<>();
    for (int i = 0; i < 20_001; i++) {
      items.add(new IndexItem<>("k" + i, new float[] {i}, Map.of()));
    }
    List<Long> done = new ArrayList<>();
    idx.addAll(items, (task, d, total, item) -> done.add(d));
    assertThat(done).containsExactly(10_000L, 20_000L, 20_001L);
  }

  @Test
  void hnswProgressComesEveryHundredthAndAnInterruptCancels() {
    HnswVectorIndex<String> idx = HnswVectorIndex.builder().dimension(1).metric(Metric.L2).embedderId("e/1").build();
    List<IndexItem<String>> items = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      items.add(new IndexItem<>("k" + i, new float[] {i}, Map.of()));
    }
    List<Long> done = new ArrayList<>();
    idx.addAll(items, (task, d, total, item) -> done.add(d));
    assertThat(done).hasSize(100).startsWith(10L, 20L).endsWith(1000L);
    List<IndexItem<String>> more = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      more.add(new IndexItem<>("m" + i, new float[] {-i}, Map.of()));
    }
    // an interrupt already pending: nothing is added
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> idx.addAll(more, ProgressListener.NONE)).isInstanceOf(CancelledException.class)
          .hasMessageContaining("after 0 of 5");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(idx.contains("m0")).isFalse();
    // an interrupt during the batch stops it after the item in progress
    try {
      assertThatThrownBy(() -> idx.addAll(more, (task, d, total, item) -> Thread.currentThread().interrupt()))
          .isInstanceOf(CancelledException.class).hasMessageContaining("after 1 of 5");
    } finally {
      Thread.interrupted();
    }
    assertThat(idx.contains("m0")).isTrue();
    assertThat(idx.contains("m1")).isFalse();
    // a single add that meets an interrupt is a cancellation too, and the thread stays interrupted
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> idx.add("single", new float[] {0.5f})).isInstanceOf(CancelledException.class)
          .hasCauseInstanceOf(RuntimeException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    idx.add("after", new float[] {0.25f});
    assertThat(idx.contains("after")).isTrue();
  }

  @Test
  void hnswGrowsPastItsInitialCapacity() {
    HnswVectorIndex<String> idx =
        HnswVectorIndex.builder().dimension(2).metric(Metric.L2).embedderId("e/1").initialCapacity(1).build();
    for (int i = 0; i < 40; i++) {
      idx.add("k" + i, v(i, i));
      // replacing keeps one entry per key even when the graph is full
      idx.add("k" + i, v(i, i));
    }
    assertThat(idx.size()).isEqualTo(40);
    assertThat(idx.search(v(39, 39), 1).get(0).id()).isEqualTo("k39");
    assertThat(idx.searchExact(v(0.2f, 0), 2)).extracting(SearchResult::id).containsExactly("k0", "k1");
    assertThat(idx.searchExact(v(0, 0), 1).get(0).similarity()).isEqualTo(1f);
  }

  @Test
  void hnswSettingsAreCheckedAndKept() {
    HnswVectorIndex<String> idx =
        HnswVectorIndex.builder().dimension(3).embedderId("e/1").m(5).ef(7).efConstruction(9).build();
    assertThat(idx.metric()).isEqualTo(Metric.COSINE);
    assertThat(idx.m()).isEqualTo(5);
    assertThat(idx.ef()).isEqualTo(7);
    assertThat(idx.dimension()).isEqualTo(3);
    assertThat(idx.embedderId()).isEqualTo("e/1");
    idx.setEf(1);
    assertThat(idx.ef()).isEqualTo(1);
    assertThatThrownBy(() -> idx.setEf(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(idx.search(v(1, 0, 0), 3)).isEmpty();
    assertThatThrownBy(() -> HnswVectorIndex.builder().embedderId("e").build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dimension");
    assertThatThrownBy(() -> HnswVectorIndex.builder().dimension(2).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("embedderId");
    assertThatThrownBy(() -> HnswVectorIndex.builder().dimension(2).embedderId(" ").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HnswVectorIndex.builder().dimension(2).embedderId("e").m(1).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HnswVectorIndex.builder().dimension(2).embedderId("e").ef(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HnswVectorIndex.builder().dimension(2).embedderId("e").efConstruction(0).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HnswVectorIndex.builder().dimension(2).embedderId("e").initialCapacity(0).build())
        .isInstanceOf(IllegalStateException.class);
    HnswVectorIndex<String> smallest = HnswVectorIndex.builder().dimension(1).embedderId("e").m(2).ef(1)
        .efConstruction(1).initialCapacity(1).build();
    assertThat(smallest.m()).isEqualTo(2);
    assertThatThrownBy(() -> new ExactVectorIndex<String>(0, Metric.L2, "e")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new ExactVectorIndex<String>(1, Metric.L2, "e").dimension()).isEqualTo(1);
  }

  @Test
  void savedIndexesKeepMetricDimensionAttributesAndSettings() {
    ExactVectorIndex<String> e = new ExactVectorIndex<>(2, Metric.INNER_PRODUCT, "e/1");
    e.add("a", v(1, 2), Map.of("k", "v"));
    e.add("b", v(3, 4));
    e.save(dir.resolve("e.idx"));
    ExactVectorIndex<String> eb = ExactVectorIndex.load(dir.resolve("e.idx"), String.class, null);
    assertThat(eb.metric()).isEqualTo(Metric.INNER_PRODUCT);
    assertThat(eb.dimension()).isEqualTo(2);
    assertThat(eb.embedderId()).isEqualTo("e/1");
    assertThat(eb.vector("a").orElseThrow()).containsExactly(1f, 2f);
    assertThat(eb.attributes("a")).contains(Map.of("k", "v"));
    assertThat(eb.attributes("b")).contains(Map.of());
    HnswVectorIndex<String> h = HnswVectorIndex.builder().dimension(2).metric(Metric.L2).embedderId("e/1").m(6)
        .ef(33).build();
    h.add("a", v(1, 2), Map.of("k", "v"));
    h.save(dir.resolve("h.idx"));
    HnswVectorIndex<String> hb = HnswVectorIndex.load(dir.resolve("h.idx"), String.class, "e/1");
    assertThat(hb.metric()).isEqualTo(Metric.L2);
    assertThat(hb.dimension()).isEqualTo(2);
    assertThat(hb.m()).isEqualTo(6);
    assertThat(hb.ef()).isEqualTo(33);
    assertThat(hb.attributes("a")).contains(Map.of("k", "v"));
    assertThat(hb.search(v(1, 2), 1).get(0).similarity()).isEqualTo(1f);
    assertThatThrownBy(() -> HnswVectorIndex.load(dir.resolve("h.idx"), String.class, "other/2"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("'e/1'").hasMessageContaining("'other/2'");
    assertThatThrownBy(() -> ExactVectorIndex.load(dir.resolve("e.idx"), String.class, "other/2"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("'other/2'");
    assertThat(ExactVectorIndex.load(dir.resolve("e.idx"), String.class, "e/1").size()).isEqualTo(2);
    // the two kinds are not interchangeable
    assertThatThrownBy(() -> HnswVectorIndex.load(dir.resolve("e.idx"), String.class, null))
        .isInstanceOf(IncompatibleFormatException.class);
  }

  @Test
  void everyMetricRefusesBadVectorsOnTheWayIn() {
    for (VectorIndex<String> idx : both(Metric.L2, 2)) {
      assertThatThrownBy(() -> idx.add("x", v(1, Float.NaN))).isInstanceOf(InvalidVectorException.class);
      assertThatThrownBy(() -> idx.add("x", v(1, 2, 3))).isInstanceOf(io.sightline.core.DimensionMismatchException.class);
      assertThatThrownBy(() -> idx.search(v(Float.POSITIVE_INFINITY, 0), 1)).isInstanceOf(InvalidVectorException.class);
      assertThat(idx.size()).isZero();
    }
  }

  @Test
  void efSetAfterBuildingIsSavedWithTheGraph() {
    HnswVectorIndex<String> h = HnswVectorIndex.builder().dimension(2).metric(Metric.L2).embedderId("e/1").build();
    h.add("a", v(1, 2));
    h.setEf(7);
    h.save(dir.resolve("ef.idx"));
    assertThat(HnswVectorIndex.load(dir.resolve("ef.idx"), String.class, "e/1").ef()).isEqualTo(7);
  }

  @Test
  void batchesWithANullIdAreRefusedWhole() {
    for (VectorIndex<String> idx : both(Metric.L2, 2)) {
      List<IndexItem<String>> items = new ArrayList<>();
      items.add(new IndexItem<>("a", v(1, 1), Map.of()));
      items.add(new IndexItem<>(null, v(2, 2), Map.of()));
      assertThatThrownBy(() -> idx.addAll(items)).isInstanceOf(IllegalArgumentException.class);
      assertThat(idx.size()).isZero();
    }
  }

  @Test
  void kMustBePositiveAndRemovalAndKeysWork() {
    for (VectorIndex<String> idx : both(Metric.L2, 2)) {
      idx.add("a", v(1, 1));
      idx.add("b", v(2, 2));
      assertThatThrownBy(() -> idx.search(v(0, 0), 0)).isInstanceOf(IllegalArgumentException.class);
      assertThat(idx.keys()).containsExactlyInAnyOrder("a", "b");
      assertThat(idx.contains("a")).isTrue();
      assertThat(idx.remove("a")).isTrue();
      assertThat(idx.remove("a")).isFalse();
      assertThat(idx.contains("a")).isFalse();
      assertThat(idx.keys()).containsExactly("b");
      assertThat(idx.search(v(1, 1), 5)).extracting(SearchResult::id).containsExactly("b");
    }
    HnswVectorIndex<String> h = HnswVectorIndex.builder().dimension(2).metric(Metric.L2).embedderId("e/1").build();
    h.add("a", v(1, 1));
    assertThatThrownBy(() -> h.searchExact(v(0, 0), 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hnswProgressEndsWithTheTotalWhenItIsNotAMultipleOfTheInterval() {
    HnswVectorIndex<String> idx = HnswVectorIndex.builder().dimension(1).metric(Metric.L2).embedderId("e/1").build();
    List<IndexItem<String>> items = new ArrayList<>();
    for (int i = 0; i < 1005; i++) {
      items.add(new IndexItem<>("k" + i, new float[] {i}, Map.of()));
    }
    List<Long> done = new ArrayList<>();
    idx.addAll(items, (task, d, total, item) -> done.add(d));
    assertThat(done).hasSize(101).startsWith(10L).endsWith(1000L, 1005L);
  }

  static void writeForeign(Path path, String kind, boolean hnsw) throws java.io.IOException {
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream oos = new java.io.ObjectOutputStream(bos)) {
      oos.writeObject(new java.io.File("not-an-index"));
    }
    byte[] object = bos.toByteArray();
    io.sightline.core.store.ChecksummedFile.write(path, new io.sightline.core.store.ChecksummedFile.Header(kind, 1, "e/1"),
        out -> {
          if (hnsw) {
            out.writeUTF("L2");
            out.writeInt(2);
            out.write(object);
          } else {
            out.writeInt(2);
            out.writeUTF("L2");
            out.writeInt(1);
            out.writeInt(object.length);
            out.write(object);
            out.writeFloat(1);
            out.writeFloat(2);
            out.writeInt(0);
          }
        });
  }

  @Test
  void indexFilesCannotMakeJavaCreateOtherClasses() throws java.io.IOException {
    writeForeign(dir.resolve("h.idx"), HnswVectorIndex.KIND, true);
    assertThatThrownBy(() -> HnswVectorIndex.load(dir.resolve("h.idx"), String.class, "e/1"))
        .isInstanceOf(io.sightline.core.StoreException.class).hasMessageContaining("refused to deserialize");
    writeForeign(dir.resolve("e.idx"), ExactVectorIndex.KIND, false);
    assertThatThrownBy(() -> ExactVectorIndex.load(dir.resolve("e.idx"), String.class, "e/1"))
        .isInstanceOf(io.sightline.core.StoreException.class).hasMessageContaining("refused to deserialize");
  }

  @Test
  void writesAndSearchesReleaseTheirLocksForOtherThreads() throws Exception {
    HnswVectorIndex<String> h =
        HnswVectorIndex.builder().dimension(2).metric(Metric.L2).embedderId("e/1").initialCapacity(1).build();
    h.add("a", v(1, 1));
    h.add("b", v(2, 2));
    h.addAll(List.of(new IndexItem<>("c", v(3, 3), Map.of())));
    h.search(v(0, 0), 1);
    h.searchExact(v(0, 0), 1);
    h.remove("c");
    h.save(dir.resolve("locks.idx"));
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      assertThat(other.submit(() -> {
        h.addAll(List.of(new IndexItem<>("d", v(4, 4), Map.of())));
        h.save(dir.resolve("locks2.idx"));
        h.remove("d");
        return h.search(v(0, 0), 1).get(0).id();
      }).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("a");
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void searchesRunWhileASaveWritesTheFileAndWritesWaitForIt() throws Exception {
    java.util.Random r = new java.util.Random(3);
    HnswVectorIndex<String> h =
        HnswVectorIndex.builder().dimension(16).metric(Metric.COSINE).embedderId("e/1").m(8).efConstruction(16).build();
    List<IndexItem<String>> items = new java.util.ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      float[] x = new float[16];
      for (int j = 0; j < x.length; j++) {
        x[j] = (float) r.nextGaussian();
      }
      items.add(new IndexItem<>("k" + i, x, Map.of()));
    }
    h.addAll(items);
    float[] q = items.get(7).vector();
    java.util.concurrent.ExecutorService saver = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      int searchedDuringSave = 0;
      for (int round = 0; round < 20 && searchedDuringSave == 0; round++) {
        java.util.concurrent.Future<?> save = saver.submit(() -> h.save(dir.resolve("during.idx")));
        while (!h.saving() && !save.isDone()) {
          Thread.onSpinWait();
        }
        // a search started while the file is being written returns before the save ends
        if (h.saving() && h.search(q, 1).get(0).id().equals("k7") && h.saving()) {
          searchedDuringSave++;
        }
        save.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      assertThat(searchedDuringSave).as("a search completed while a save was writing").isEqualTo(1);

      // an add waits for the save: when it returns, the save is over
      java.util.concurrent.Future<?> save = saver.submit(() -> h.save(dir.resolve("during.idx")));
      while (!h.saving() && !save.isDone()) {
        Thread.onSpinWait();
      }
      h.add("late", q);
      assertThat(h.saving()).isFalse();
      save.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(HnswVectorIndex.load(dir.resolve("during.idx"), String.class, "e/1").size()).isEqualTo(20_000);
    } finally {
      saver.shutdownNow();
    }
  }

  @Test
  void holdsComparesKeyVectorUpToScaleUnderCosineAndAttributes() {
    HnswVectorIndex<String> cos = HnswVectorIndex.builder().dimension(3).metric(Metric.COSINE).embedderId("t/1")
        .build();
    cos.add("a", new float[] {1, 2, 2}, Map.of("c", "x"));
    assertThat(cos.holds(new IndexItem<>("a", new float[] {2, 4, 4}, Map.of("c", "x")))).as("same direction").isTrue();
    assertThat(cos.holds(new IndexItem<>("a", new float[] {1, 2, 2.01f}, Map.of("c", "x")))).as("other vector")
        .isFalse();
    assertThat(cos.holds(new IndexItem<>("a", new float[] {1, 2, 2}, Map.of("c", "y")))).as("other attributes")
        .isFalse();
    assertThat(cos.holds(new IndexItem<>("a", new float[] {1, 2, 2}, Map.of()))).as("attributes missing").isFalse();
    assertThat(cos.holds(new IndexItem<>("b", new float[] {1, 2, 2}, Map.of("c", "x")))).as("other key").isFalse();
    ExactVectorIndex<String> l2 = new ExactVectorIndex<>(3, Metric.L2, "t/1");
    l2.add("a", new float[] {1, 2, 2});
    assertThat(l2.holds(IndexItem.of("a", new float[] {1, 2, 2}))).isTrue();
    assertThat(l2.holds(IndexItem.of("a", new float[] {2, 4, 4}))).as("scale counts under L2").isFalse();
  }
}
