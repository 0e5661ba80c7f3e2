package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.index.lucene.LuceneVectorIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference vectors in an on-disk Lucene index ({@link ReferenceStore.Builder#vectorIndex},
 * issue 21): same matches as the saved HNSW file, nothing rewritten on flush, repaired from the
 * database when it fell behind, read beside the writer (following its commits), and refused when
 * made for another embedder.
 */
class VectorIndexOnDiskTest {
  private static final int D = GlobalDescriptorEmbedder.DIMENSION;

  @TempDir
  Path tmp;

  private VectorIndexFactory lucene() {
    return LuceneVectorIndex.factory(tmp.resolve("vectors"));
  }

  private static float[] vector(int i) {
    Random r = new Random(1000 + i);
    float[] v = new float[D];
    for (int j = 0; j < D; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }

  private static void fill(ReferenceStore store, int n) {
    for (int i = 0; i < n; i++) {
      store.addVector(Reference.of("r" + i, "page " + i, ""), vector(i), "k" + i);
    }
  }

  private static List<String> ids(List<ReferenceMatch> m) {
    return m.stream().map(ReferenceMatch::id).toList();
  }

  @Test
  void matchesLikeTheHeapIndexAndIsNeitherSavedNorRebuilt() {
    Path heapDir = tmp.resolve("heap");
    Path diskDir = tmp.resolve("disk");
    try (ReferenceStore heap = ReferenceStore.builder().directory(heapDir).build();
         ReferenceStore disk = ReferenceStore.builder().directory(diskDir).vectorIndex(lucene()).build()) {
      fill(heap, 40);
      fill(disk, 40);
      assertThat(disk.index()).isInstanceOf(LuceneVectorIndex.class);
      for (int q : new int[] {0, 7, 39}) {
        assertThat(ids(disk.match(vector(q), 5, 0.0))).isEqualTo(ids(heap.match(vector(q), 5, 0.0)))
            .startsWith("r" + q).hasSize(5);
      }
    }
    assertThat(heapDir.resolve("references.hnsw")).exists();
    assertThat(diskDir.resolve("references.hnsw")).doesNotExist(); // every write was a Lucene commit
    try (ReferenceStore again = ReferenceStore.builder().directory(diskDir).vectorIndex(lucene()).build()) {
      assertThat(again.indexedImageCount()).isEqualTo(40);
      assertThat(ids(again.match(vector(7), 1, 0.0))).containsExactly("r7");
      again.remove("r7");
      assertThat(again.index().contains("k7")).isFalse();
    }
    // the database stays the source of truth: the default opening rebuilds its heap index from it
    try (ReferenceStore plain = ReferenceStore.builder().directory(diskDir).build()) {
      assertThat(plain.indexedImageCount()).isEqualTo(39);
      assertThat(ids(plain.match(vector(8), 1, 0.0))).containsExactly("r8");
    }
  }

  @Test
  void anIndexBehindTheDatabaseIsBroughtUpToItAtTheNextOpening() {
    Path dir = tmp.resolve("store");
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).vectorIndex(lucene()).build()) {
      fill(store, 20);
    }
    // as if the process stopped between a database commit and the index write, and a stale entry
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.open(tmp.resolve("vectors"), D, Metric.COSINE,
        GlobalDescriptorEmbedder.ID)) {
      idx.remove("k3");
      idx.add("ghost", vector(99));
    }
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).vectorIndex(lucene()).build()) {
      assertThat(new TreeSet<>(store.index().keys())).hasSize(20).contains("k3").doesNotContain("ghost");
      assertThat(ids(store.match(vector(3), 1, 0.0))).containsExactly("r3");
      assertThat(ids(store.match(vector(99), 1, 0.0))).doesNotContain("ghost");
    }
  }

  @Test
  void aReadOnlyStoreBesideTheWriterReadsTheIndexAndFollowsItsCommits() throws Exception {
    Path dir = tmp.resolve("store");
    try (ReferenceStore writer = ReferenceStore.builder().directory(dir).vectorIndex(lucene()).build()) {
      fill(writer, 15);
      try (ReferenceStore reader = ReferenceStore.builder().directory(dir).readOnly(true).vectorIndex(lucene())
          .build()) {
        assertThat(((LuceneVectorIndex<String>) reader.index()).isReadOnly()).isTrue();
        assertThat(ids(reader.match(vector(4), 3, 0.0))).isEqualTo(ids(writer.match(vector(4), 3, 0.0)));
        writer.addVector(Reference.of("late", "late page", ""), vector(50), "k50");
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> seen = ids(reader.match(vector(50), 1, 0.0));
        while (!seen.contains("late") && System.nanoTime() < deadline) {
          Thread.sleep(100);
          seen = ids(reader.match(vector(50), 1, 0.0));
        }
        assertThat(seen).containsExactly("late");
      }
    }
  }

  @Test
  void aReadOnlyStoreDoesNotTrustAnIndexBehindTheDatabase() {
    Path dir = tmp.resolve("store");
    try (ReferenceStore writer = ReferenceStore.builder().directory(dir).vectorIndex(lucene()).build()) {
      fill(writer, 10);
    }
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.open(tmp.resolve("vectors"), D, Metric.COSINE,
        GlobalDescriptorEmbedder.ID)) {
      idx.remove("k2");
    }
    try (ReferenceStore reader = ReferenceStore.builder().directory(dir).readOnly(true).vectorIndex(lucene())
        .build()) {
      assertThat(reader.index()).isNotInstanceOf(LuceneVectorIndex.class);
      assertThat(ids(reader.match(vector(2), 1, 0.0))).containsExactly("r2");
    }
  }

  @Test
  void anIndexOfAnotherEmbedderIsRefusedAndTheStoreOpensAgain() throws Exception {
    Path dir = tmp.resolve("store");
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).build()) {
      fill(store, 5);
    }
    VectorIndexFactory other = (d, m, id) -> LuceneVectorIndex.open(tmp.resolve("other"), d, m, "other/1");
    assertThatThrownBy(() -> ReferenceStore.builder().directory(dir).vectorIndex(other).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("other/1")
        .hasMessageContaining(GlobalDescriptorEmbedder.ID);
    // everything the failed opening took was given back
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).build();
         LuceneVectorIndex<String> idx = LuceneVectorIndex.open(tmp.resolve("other"), D, Metric.COSINE, "other/1")) {
      assertThat(store.size()).isEqualTo(5);
      assertThat(idx.size()).isZero();
    }
    assertThat(Files.exists(dir.resolve("references.hnsw"))).isTrue();
  }
}
