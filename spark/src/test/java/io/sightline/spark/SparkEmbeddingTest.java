package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.TestImages;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkEmbeddingTest {
  private static SparkSession spark;
  @TempDir static Path dir;
  private static List<Path> images;

  /** Counts embedders made and closed across partitions (local mode: same JVM). */
  static final AtomicInteger CREATED = new AtomicInteger();
  static final AtomicInteger CLOSED = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.shared();
    Path testdata = TestImages.testdata();
    images = new ArrayList<>();
    try (Stream<Path> s = Files.list(testdata.resolve("photos"))) {
      s.sorted().forEach(images::add);
    }
    try (Stream<Path> s = Files.walk(testdata.resolve("clipart"))) {
      s.filter(Files::isRegularFile).sorted().limit(10).forEach(images::add);
    }
    Path folder = Files.createDirectories(dir.resolve("images/sub"));
    for (int i = 0; i < images.size(); i++) {
      Path src = images.get(i);
      Path target = (i % 2 == 0 ? folder : folder.getParent()).resolve(i + "-" + src.getFileName());
      Files.copy(src, target);
      images.set(i, target);
    }
    // an image file that is not an image, and a file that is not listed at all
    Files.write(folder.resolve("broken.png"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Files.writeString(folder.resolve("notes.txt"), "not an image");
  }

  private static Map<String, Row> byFileName(Dataset<Row> out) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : out.collectAsList()) {
      String path = r.getAs(SparkEmbedding.PATH);
      m.put(path.substring(path.lastIndexOf('/') + 1), r);
    }
    return m;
  }

  @Test
  void folderEmbeddingEqualsTheSingleProcessEmbedderAndABrokenImageIsAnErrorRow() {
    Dataset<Row> out = SparkEmbedding.with(GlobalDescriptorEmbedder::new).batchSize(4)
        .embedFolder(spark, dir.resolve("images").toString(), 3);
    assertThat(out.schema()).isEqualTo(SparkEmbedding.SCHEMA);
    Map<String, Row> rows = byFileName(out);
    assertThat(rows).hasSize(images.size() + 1).doesNotContainKey("notes.txt");

    Row broken = rows.get("broken.png");
    assertThat(broken.isNullAt(broken.fieldIndex(SparkEmbedding.VECTOR))).isTrue();
    assertThat((String) broken.getAs(SparkEmbedding.ERROR)).isNotBlank();

    ImageLoader loader = ImageLoader.defaults();
    try (ImageEmbedder single = new GlobalDescriptorEmbedder()) {
      for (Path p : images) {
        Row r = rows.get(p.getFileName().toString());
        assertThat((String) r.getAs(SparkEmbedding.ERROR)).as(p.toString()).isNull();
        BufferedImage img = loader.load(p);
        assertThat(SparkEmbedding.vectorOf(r)).as(p.toString()).containsExactly(single.embed(img));
        assertThat((String) r.getAs(SparkEmbedding.ID)).isEqualTo(r.getAs(SparkEmbedding.PATH));
      }
    }
  }

  @Test
  void tableOfPathsKeepsIdsCreatesOneEmbedderPerPartitionClosesItAndWritesParquet() {
    StructType schema = new StructType().add("key", DataTypes.LongType).add("file", DataTypes.StringType);
    List<Row> table = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      table.add(RowFactory.create((long) i, images.get(i).toString())); // plain local paths
    }
    table.add(RowFactory.create(1000L, dir.resolve("missing.jpg").toString()));
    table.add(RowFactory.create(1001L, null));
    Dataset<Row> in = spark.createDataFrame(table, schema).repartition(2);
    CREATED.set(0);
    CLOSED.set(0);
    String parquet = dir.resolve("vectors.parquet").toUri().toString();
    Dataset<Row> out = SparkEmbedding.with(CountingEmbedder::new).batchSize(3)
        .embedToParquet(in, "key", "file", parquet);
    List<Row> rows = out.collectAsList();
    assertThat(rows).hasSize(images.size() + 2);
    assertThat(CREATED.get()).isEqualTo(2); // one per (non-empty) partition, not per image
    assertThat(CLOSED.get()).isEqualTo(CREATED.get());

    Map<String, Row> byId = new HashMap<>();
    rows.forEach(r -> byId.put(r.getAs(SparkEmbedding.ID), r));
    assertThat((String) byId.get("1000").getAs(SparkEmbedding.ERROR)).contains("missing.jpg");
    assertThat((String) byId.get("1001").getAs(SparkEmbedding.ERROR)).isNotBlank();
    ImageLoader loader = ImageLoader.defaults();
    GlobalDescriptorEmbedder single = new GlobalDescriptorEmbedder();
    for (int i = 0; i < images.size(); i++) {
      Row r = byId.get(String.valueOf(i));
      assertThat(SparkEmbedding.vectorOf(r)).containsExactly(single.embed(loader.load(images.get(i))));
    }
    // the Parquet folder holds the same rows
    assertThat(spark.read().parquet(parquet).filter("error is null").count()).isEqualTo(images.size());
    assertThat(out.select(SparkEmbedding.ID).as(Encoders.STRING()).collectAsList()).contains("0", "1000");
  }

  @Test
  void anEmbedderErrorInABatchLandsOnItsImageOnly() throws Exception {
    StructType schema = new StructType().add("id", DataTypes.StringType).add("path", DataTypes.StringType);
    List<Row> table = new ArrayList<>();
    Path folder = Files.createDirectories(dir.resolve("sizes"));
    for (int w = 40; w < 46; w++) {
      Path p = folder.resolve(w + ".png");
      Files.write(p, TestImages.encode(TestImages.synthetic(w, w, 30), "png"));
      table.add(RowFactory.create("w" + w, p.toString()));
    }
    // one partition, batches of 3: the failing image shares its batch with two good ones
    Dataset<Row> in = spark.createDataFrame(table, schema).coalesce(1);
    Map<String, Row> rows = new HashMap<>();
    SparkEmbedding.with(FailsOnWidth43::new).batchSize(3).embed(in, "id", "path").collectAsList()
        .forEach(r -> rows.put(r.getAs(SparkEmbedding.ID), r));
    assertThat(rows).hasSize(6);
    assertThat((String) rows.get("w43").getAs(SparkEmbedding.ERROR)).isEqualTo("IllegalStateException: width 43");
    assertThat(SparkEmbedding.vectorOf(rows.get("w43"))).isNull();
    GlobalDescriptorEmbedder single = new GlobalDescriptorEmbedder();
    ImageLoader loader = ImageLoader.defaults();
    for (int w : new int[] {40, 41, 42, 44, 45}) {
      Row r = rows.get("w" + w);
      assertThat((String) r.getAs(SparkEmbedding.ERROR)).isNull();
      assertThat(SparkEmbedding.vectorOf(r)).containsExactly(single.embed(loader.load(folder.resolve(w + ".png"))));
    }
  }

  @Test
  void aTaskThatStopsReadingEarlyStillClosesItsEmbedder() {
    StructType schema = new StructType().add("id", DataTypes.StringType).add("path", DataTypes.StringType);
    List<Row> table = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      table.add(RowFactory.create("i" + i, images.get(i).toString()));
    }
    CREATED.set(0);
    CLOSED.set(0);
    // limit(1): the task takes its first rows and ends without draining the partition, so only the
    // task-completion listener can close the embedder
    List<Row> rows = SparkEmbedding.with(CountingEmbedder::new).batchSize(1)
        .embed(spark.createDataFrame(table, schema).coalesce(1), "id", "path").limit(1).collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(CREATED.get()).isEqualTo(1);
    assertThat(CLOSED.get()).isEqualTo(1);
  }

  /** Fails on images 43 pixels wide, and fails a whole {@code embedAll} batch that holds one. */
  static final class FailsOnWidth43 implements ImageEmbedder {
    private final GlobalDescriptorEmbedder inner = new GlobalDescriptorEmbedder();

    @Override
    public float[] embed(BufferedImage image) {
      if (image.getWidth() == 43) {
        throw new IllegalStateException("width 43");
      }
      return inner.embed(image);
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public String id() {
      return inner.id();
    }
  }

  /** The default embedder, counting creations and closes. */
  static final class CountingEmbedder implements ImageEmbedder {
    private final GlobalDescriptorEmbedder inner = new GlobalDescriptorEmbedder();

    CountingEmbedder() {
      CREATED.incrementAndGet();
    }

    @Override
    public float[] embed(BufferedImage image) {
      return inner.embed(image);
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public String id() {
      return inner.id();
    }

    @Override
    public void close() {
      CLOSED.incrementAndGet();
    }
  }
}
