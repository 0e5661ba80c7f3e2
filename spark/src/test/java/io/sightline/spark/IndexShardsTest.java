package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexShardsTest {
  private static final int N = 600;
  private static final int DIM = 24;
  private static SparkSession spark;
  private static float[][] vectors;
  private static Dataset<Row> table;

  @BeforeAll
  static void start() {
    spark = LocalSpark.shared();
    Random rnd = new Random(7);
    vectors = new float[N][DIM];
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      Float[] boxed = new Float[DIM];
      for (int j = 0; j < DIM; j++) {
        vectors[i][j] = (float) rnd.nextGaussian();
        boxed[j] = vectors[i][j];
      }
      rows.add(RowFactory.create("v" + i, "/img/" + i + ".jpg", boxed, null));
    }
    // one failed embedding: no vector, must be skipped
    rows.add(RowFactory.create("bad", "/img/bad.jpg", null, "ImageDecodeException: broken"));
    table = spark.createDataFrame(rows, SparkEmbedding.SCHEMA);
  }

  @Test
  void shardsLoadAndMergedSearchEqualsExactSearch(@TempDir Path dir) throws Exception {
    // a stale shard of an earlier, larger run must go
    Files.writeString(dir.resolve("shard-00009.hnsw"), "stale");
    List<Row> written = IndexShards.of("test/1", Metric.COSINE).write(table, dir.toUri().toString(), 3);
    assertThat(written).hasSize(3);
    assertThat(written.stream().mapToInt(r -> r.getInt(2)).sum()).isEqualTo(N);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".hnsw")).sorted())
          .containsExactly("shard-00000.hnsw", "shard-00001.hnsw", "shard-00002.hnsw");
    }

    try (ShardedIndex<String> sharded = ShardedIndex.load(dir, "test/1")) {
      assertThat(sharded.shards()).hasSize(3);
      assertThat(sharded.size()).isEqualTo(N);
      // every id in exactly one shard
      Set<String> seen = new HashSet<>();
      for (HnswVectorIndex<String> s : sharded.shards()) {
        assertThat(s.size()).isLessThan(N);
        for (String k : s.keys()) {
          assertThat(seen.add(k)).as(k).isTrue();
        }
      }
      assertThat(seen).hasSize(N).doesNotContain("bad");
      assertThat(sharded.shards().get(0).attributes(sharded.shards().get(0).keys().get(0)).orElseThrow())
          .containsKey(IndexShards.PATH_ATTRIBUTE);

      ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.COSINE, "test/1");
      for (int i = 0; i < N; i++) {
        exact.add("v" + i, vectors[i]);
      }
      Random rnd = new Random(11);
      for (int q = 0; q < 25; q++) {
        float[] query = new float[DIM];
        for (int j = 0; j < DIM; j++) {
          query[j] = (float) rnd.nextGaussian();
        }
        List<String> want = exact.search(query, 10).stream().map(SearchResult::id).toList();
        assertThat(sharded.search(query, 10).stream().map(SearchResult::id).toList()).as("query " + q)
            .isEqualTo(want);
        assertThat(sharded.searchExact(query, 10).stream().map(SearchResult::id).toList()).isEqualTo(want);
      }
      // a stored vector finds itself first
      assertThat(sharded.search(vectors[123], 1).get(0).id()).isEqualTo("v123");
    }
    assertThatThrownBy(() -> ShardedIndex.load(dir, "other/1")).isInstanceOf(IncompatibleFormatException.class);
  }

  @Test
  void oneShardFromATableWithoutPathsHoldsEveryVectorWithoutAttributes(@TempDir Path dir) throws Exception {
    List<Row> written = IndexShards.of("test/1", Metric.L2).write(table.drop(SparkEmbedding.PATH), dir.toString(), 1);
    assertThat(written).hasSize(1);
    assertThat(written.get(0).getInt(0)).isZero();
    assertThat(written.get(0).getString(1)).endsWith("/shard-00000.hnsw");
    assertThat(written.get(0).getInt(2)).isEqualTo(N);
    HnswVectorIndex<String> shard = HnswVectorIndex.load(dir.resolve("shard-00000.hnsw"), String.class, "test/1");
    assertThat(shard.size()).isEqualTo(N);
    assertThat(shard.attributes("v7").orElseThrow()).isEmpty();
    assertThat(shard.vector("v7").orElseThrow()).containsExactly(vectors[7]);
  }

  @Test
  void mergeKeepsTheGlobalTopK() {
    List<SearchResult<String>> all = new ArrayList<>(List.of(
        new SearchResult<>("a", 0.5f, 0.5f, java.util.Map.of()),
        new SearchResult<>("b", 0.1f, 0.9f, java.util.Map.of()),
        new SearchResult<>("c", 0.3f, 0.7f, java.util.Map.of()),
        new SearchResult<>("d", 0.2f, 0.8f, java.util.Map.of())));
    assertThat(ShardedIndex.merge(all, 3).stream().map(SearchResult::id).toList()).containsExactly("b", "d", "c");
  }
}
