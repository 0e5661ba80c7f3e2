package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/**
 * The executor side of {@link IndexShards} without a Spark job: {@code writeShard} as a task calls
 * it (outside a task the partition number is 0), then the written file read back with core.
 */
class IndexShardWriteTest {

  private static Row row(String id, String path, float... v) {
    List<Object> boxed = new ArrayList<>();
    for (float f : v) {
      boxed.add(f);
    }
    return RowFactory.create(id, path, JavaConverters.asScalaBuffer(boxed));
  }

  private static List<Row> drain(Iterator<Row> it) {
    List<Row> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void writesOneShardFileWithTheVectorsPathsAndHnswSettings(@TempDir Path dir) throws Exception {
    IndexShards shards = IndexShards.of("test/1", Metric.L2).hnsw(8, 50, 33);
    List<Row> summary = drain(shards.writeShard(List.of(
        row("a", "/img/a.jpg", 1f, 0f, 0f),
        row("b", null, 0f, 2f, 0f),
        row("c", "/img/c.jpg", 0f, 0f, 3f)).iterator(), dir.toUri().toString(), Map.of()));
    Path file = dir.resolve("shard-00000.hnsw");
    assertThat(summary).hasSize(1);
    assertThat(summary.get(0).getInt(0)).isZero();
    assertThat(summary.get(0).getString(1)).isEqualTo(file.toUri().toString().replace("file:///", "file:/"));
    assertThat(summary.get(0).getInt(2)).isEqualTo(3);

    HnswVectorIndex<String> index = HnswVectorIndex.load(file, String.class, "test/1");
    assertThat(index.size()).isEqualTo(3);
    assertThat(index.dimension()).isEqualTo(3);
    assertThat(index.metric()).isEqualTo(Metric.L2);
    assertThat(index.m()).isEqualTo(8);
    assertThat(index.ef()).isEqualTo(33);
    assertThat(index.vector("b").orElseThrow()).containsExactly(0f, 2f, 0f);
    assertThat(index.attributes("a").orElseThrow()).isEqualTo(Map.of(IndexShards.PATH_ATTRIBUTE, "/img/a.jpg"));
    assertThat(index.attributes("b").orElseThrow()).isEmpty();
    assertThat(index.searchExact(new float[] {0f, 0f, 2.9f}, 1).get(0).id()).isEqualTo("c");
  }

  @Test
  void defaultsAreM16Ef100(@TempDir Path dir) throws Exception {
    drain(IndexShards.of("test/1", Metric.COSINE).writeShard(List.of(row("a", null, 1f, 1f)).iterator(),
        dir.toString(), Map.of()));
    HnswVectorIndex<String> index = HnswVectorIndex.load(dir.resolve("shard-00000.hnsw"), String.class, null);
    assertThat(index.m()).isEqualTo(16);
    assertThat(index.ef()).isEqualTo(100);
    assertThat(index.metric()).isEqualTo(Metric.COSINE);
    assertThat(index.embedderId()).isEqualTo("test/1");
  }

  @Test
  void anEmptyPartitionWritesNothing(@TempDir Path dir) throws Exception {
    assertThat(IndexShards.of("test/1", Metric.L2).writeShard(List.<Row>of().iterator(), dir.toString(), Map.of())
        .hasNext()).isFalse();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aShardCountBelowOneIsRefusedBeforeAnyWork() {
    assertThatThrownBy(() -> IndexShards.of("test/1", Metric.L2).write(null, "/nowhere", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("shards must be at least 1: 0");
    assertThatThrownBy(() -> IndexShards.of(null, Metric.L2)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> IndexShards.of("test/1", null)).isInstanceOf(NullPointerException.class);
  }
}
