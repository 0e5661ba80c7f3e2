package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental index saves (issue 19): a small write appends to the segment's log instead of
 * rewriting its file, a reopen replays the log, and the log is compacted when it grows.
 */
class SegmentLogTest {
  private static final Random RND = new Random(5);

  private static float[] vector(int d) {
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) RND.nextGaussian();
    }
    return v;
  }

  private static List<CatalogEntry> entries(Path img, int from, int n) {
    List<CatalogEntry> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(new CatalogEntry("p" + i, img, "cup", "Product " + i, ""));
    }
    return out;
  }

  private static List<float[]> vectors(ProductCatalog cat, int n) {
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(vector(cat.embedder(Intent.OTHER_COMMODITY).dimension()));
    }
    return out;
  }

  @Test
  void aSmallWriteAppendsToTheLogAndAReopenReplaysIt(@TempDir Path dir) throws Exception {
    Path img = Fixtures.write(Fixtures.product(1), dir.resolve("img/p.png"));
    Path db = dir.resolve("db");
    float[] added;
    try (ProductCatalog cat = ProductCatalog.builder().directory(db).matcher(io.sightline.core.instance.Matcher.GLOBAL)
        .open()) {
      cat.indexVectors(entries(img, 0, 200), vectors(cat, 200), ProgressListener.NONE);
      Path file = cat.indexFile(Intent.OTHER_COMMODITY);
      Path log = SegmentLog.of(file);
      assertThat(log).as("the first write saves the file whole").doesNotExist();
      FileTime saved = FileTime.fromMillis(1_000_000L);
      Files.setLastModifiedTime(file, saved);
      long size = Files.size(file);
      List<float[]> one = vectors(cat, 1);
      added = one.get(0);
      cat.indexVectors(entries(img, 200, 1), one, ProgressListener.NONE);
      assertThat(cat.remove("p3")).isTrue();
      assertThat(Files.getLastModifiedTime(file)).as("not rewritten").isEqualTo(saved);
      assertThat(Files.size(file)).isEqualTo(size);
      assertThat(log).exists();
      assertThat(Files.size(log)).isLessThan(size / 10);
    }
    try (ProductCatalog cat = ProductCatalog.builder().directory(db).open()) {
      assertThat(cat.size()).isEqualTo(200);
      assertThat(cat.search(Intent.OTHER_COMMODITY, added, 1).get(0).id()).isEqualTo("p200");
      assertThat(cat.search(Intent.OTHER_COMMODITY, added, 300)).extracting(r -> r.id()).doesNotContain("p3")
          .hasSize(200);
    }
  }

  @Test
  void theLogIsCompactedIntoTheFileWhenItGrows(@TempDir Path dir) throws Exception {
    Path img = Fixtures.write(Fixtures.product(1), dir.resolve("img/p.png"));
    long floor = SegmentLog.minCompactBytes;
    SegmentLog.minCompactBytes = 16 << 10;
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db"))
        .matcher(io.sightline.core.instance.Matcher.GLOBAL).open()) {
      cat.indexVectors(entries(img, 0, 20), vectors(cat, 20), ProgressListener.NONE);
      Path file = cat.indexFile(Intent.OTHER_COMMODITY);
      Path log = SegmentLog.of(file);
      boolean compacted = false;
      for (int round = 0; round < 400 && !compacted; round++) {
        cat.indexVectors(entries(img, 20 + round, 1), vectors(cat, 1), ProgressListener.NONE);
        compacted = !Files.exists(log);
        assertThat(!Files.exists(log) || Files.size(log) <= Math.max(16 << 10, Files.size(file) / 4) + 64 * 1024)
            .as("the log stays bounded").isTrue();
      }
      assertThat(compacted).as("compacted within 400 one-product writes").isTrue();
    } finally {
      SegmentLog.minCompactBytes = floor;
    }
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      assertThat(cat.count(Intent.OTHER_COMMODITY)).isEqualTo(cat.size()).isGreaterThan(20);
    }
  }

  @Test
  void replayIsIdempotentDropsATornTailAndRefusesDamageBeforeIt(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("s.hnsw.log");
    List<SegmentLog.Op> ops = new ArrayList<>();
    float[] a = vector(8);
    float[] b = vector(8);
    ops.add(SegmentLog.Op.add(new IndexItem<>("a", a, Map.of("category", "cup"))));
    ops.add(SegmentLog.Op.add(new IndexItem<>("b", b, Map.of())));
    ops.add(SegmentLog.Op.remove("a"));
    SegmentLog.append(log, 8, ops);
    HnswVectorIndex<String> idx = HnswVectorIndex.builder().dimension(8).embedderId("t").metric(Metric.COSINE).build();
    assertThat(SegmentLog.replay(log, idx, true)).isEqualTo(3);
    assertThat(idx.contains("a")).isFalse();
    assertThat(idx.contains("b")).isTrue();
    // replaying again over the result (a crash between a whole save and emptying the log) changes nothing
    SegmentLog.replay(log, idx, true);
    assertThat(idx.size()).isEqualTo(1);
    assertThat(idx.search(b, 1).get(0).id()).isEqualTo("b");
    // a torn last record is dropped (and cut off when writable)
    long whole = Files.size(log);
    Files.write(log, new byte[] {0, 0, 1, 0, 1, 2}, java.nio.file.StandardOpenOption.APPEND);
    HnswVectorIndex<String> again = HnswVectorIndex.builder().dimension(8).embedderId("t").metric(Metric.COSINE)
        .build();
    assertThat(SegmentLog.replay(log, again, false)).isEqualTo(3);
    assertThat(Files.size(log)).as("read-only leaves it").isEqualTo(whole + 6);
    SegmentLog.replay(log, again, true);
    assertThat(Files.size(log)).isEqualTo(whole);
    // damage before the last record is corruption
    byte[] bytes = Files.readAllBytes(log);
    bytes[20] ^= 0x55;
    Files.write(log, bytes);
    assertThatThrownBy(() -> SegmentLog.replay(log, again, true)).isInstanceOf(StoreException.class);
  }
}
