package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ShardedIndex} over shard files written here with core's {@link HnswVectorIndex} (no Spark):
 * which files it loads and in what order, the checks across shards, and the merged top k.
 */
class ShardedIndexTest {

  /** Points {@code (i, 0)}, i = 0..8, dealt round-robin over three shards: p0 p3 p6 | p1 p4 p7 | p2 p5 p8. */
  private static void writeShards(Path dir, int dimension, Metric metric, String... embedderIds) {
    for (int s = 0; s < embedderIds.length; s++) {
      HnswVectorIndex<String> index = HnswVectorIndex.builder().dimension(dimension).metric(metric)
          .embedderId(embedderIds[s]).build();
      for (int i = s; i < 9; i += embedderIds.length) {
        float[] v = new float[dimension];
        v[0] = i;
        v[dimension - 1] += 1; // non-zero for cosine
        index.add("p" + i, v, Map.of());
      }
      index.save(dir.resolve(String.format(IndexShards.FILE_FORMAT, s)));
    }
  }

  private static List<String> ids(List<SearchResult<String>> results) {
    return results.stream().map(SearchResult::id).toList();
  }

  @Test
  void loadsOnlyShardFilesInFileOrderAndMergesTheirTopK(@TempDir Path dir) throws Exception {
    writeShards(dir, 2, Metric.L2, "e/1", "e/1", "e/1");
    Files.writeString(dir.resolve("notes.txt"), "not a shard");
    Files.writeString(dir.resolve("shard-00003.hnsw.part"), "an unfinished copy");
    Files.writeString(dir.resolve("shard-x.hnsw"), "not numbered");
    try (ShardedIndex<String> index = ShardedIndex.load(dir, "e/1")) {
      assertThat(index.shards()).hasSize(3);
      assertThat(index.shards().get(0).keys()).containsExactlyInAnyOrder("p0", "p3", "p6");
      assertThat(index.shards().get(1).keys()).containsExactlyInAnyOrder("p1", "p4", "p7");
      assertThat(index.shards().get(2).keys()).containsExactlyInAnyOrder("p2", "p5", "p8");
      assertThat(index.size()).isEqualTo(9);
      assertThat(index.dimension()).isEqualTo(2);
      assertThat(index.metric()).isEqualTo(Metric.L2);
      assertThat(index.embedderId()).isEqualTo("e/1");

      float[] query = {3.2f, 1f};
      assertThat(ids(index.search(query, 4))).containsExactly("p3", "p4", "p2", "p5");
      assertThat(ids(index.searchExact(query, 4))).containsExactly("p3", "p4", "p2", "p5");
      // k above every shard's size and above the total: everything, closest first
      assertThat(ids(index.search(query, 20)))
          .containsExactly("p3", "p4", "p2", "p5", "p1", "p6", "p0", "p7", "p8");
      assertThat(ids(index.searchExact(query, 20)))
          .containsExactly("p3", "p4", "p2", "p5", "p1", "p6", "p0", "p7", "p8");
      List<SearchResult<String>> top = index.searchExact(query, 2);
      assertThat(top.get(0).distance()).isLessThan(top.get(1).distance());
      // k is checked by every shard
      assertThatThrownBy(() -> index.search(query, 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void setEfReachesEveryShard(@TempDir Path dir) {
    writeShards(dir, 2, Metric.L2, "e/1", "e/1");
    try (ShardedIndex<String> index = ShardedIndex.load(dir, String.class, null)) {
      index.setEf(37);
      assertThat(index.shards()).extracting(HnswVectorIndex::ef).containsExactly(37, 37);
    }
  }

  @Test
  void aFolderWithoutShardsIsAStoreException(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("shard-1.hnsw.tmp"), "x");
    assertThatThrownBy(() -> ShardedIndex.load(dir, "e/1")).isExactlyInstanceOf(StoreException.class)
        .hasMessage(dir + ": no shard-*.hnsw files");
    assertThatThrownBy(() -> ShardedIndex.load(dir.resolve("absent"), "e/1"))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void shardsOfDifferentDimensionMetricOrEmbedderAreRefused(@TempDir Path dir) throws Exception {
    Path dims = Files.createDirectories(dir.resolve("dims"));
    writeShards(dims, 2, Metric.L2, "e/1");
    HnswVectorIndex<String> three = HnswVectorIndex.builder().dimension(3).metric(Metric.L2).embedderId("e/1").build();
    three.add("q", new float[] {1, 2, 3}, Map.of());
    three.save(dims.resolve("shard-00001.hnsw"));
    assertThatThrownBy(() -> ShardedIndex.load(dims, "e/1")).isExactlyInstanceOf(StoreException.class)
        .hasMessage(dims + ": shards differ in dimension, metric or embedder");

    Path metrics = Files.createDirectories(dir.resolve("metrics"));
    writeShards(metrics, 2, Metric.L2, "e/1");
    HnswVectorIndex<String> cosine = HnswVectorIndex.builder().dimension(2).metric(Metric.COSINE).embedderId("e/1").build();
    cosine.add("q", new float[] {1, 2}, Map.of());
    cosine.save(metrics.resolve("shard-00001.hnsw"));
    assertThatThrownBy(() -> ShardedIndex.load(metrics, "e/1")).isExactlyInstanceOf(StoreException.class);

    Path embedders = Files.createDirectories(dir.resolve("embedders"));
    writeShards(embedders, 2, Metric.L2, "e/1", "e/2");
    assertThatThrownBy(() -> ShardedIndex.load(embedders, null)).isExactlyInstanceOf(StoreException.class)
        .hasMessage(embedders + ": shards differ in dimension, metric or embedder");
  }

  @Test
  void mergeSortsByDistanceThenKeyTextAndCutsAtK() {
    List<SearchResult<Integer>> all = new ArrayList<>(List.of(
        new SearchResult<>(9, 0.5f, 0.5f, Map.of()),
        new SearchResult<>(10, 0.5f, 0.5f, Map.of()),
        new SearchResult<>(3, 0.25f, 0.75f, Map.of()),
        new SearchResult<>(2, 0.75f, 0.25f, Map.of())));
    // equal distances: "10" before "9" (key text, not number)
    assertThat(ShardedIndex.merge(new ArrayList<>(all), 3)).extracting(SearchResult::id).containsExactly(3, 10, 9);
    assertThat(ShardedIndex.merge(new ArrayList<>(all), 10)).extracting(SearchResult::id).containsExactly(3, 10, 9, 2);
    assertThat(ShardedIndex.merge(new ArrayList<>(all), 0)).isEmpty();
    assertThat(ShardedIndex.merge(new ArrayList<>(), 5)).isEmpty();
  }
}
