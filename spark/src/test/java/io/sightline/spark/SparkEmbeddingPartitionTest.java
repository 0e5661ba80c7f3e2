package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.TestImages;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/**
 * The executor side of {@link SparkEmbedding} without a Spark job: {@code embedPartition} called
 * as a task calls it (outside a task there is no {@code TaskContext}), with an embedder that records
 * how it is called. Batching, the one-by-one fallback, error rows, decode limits and closing.
 */
class SparkEmbeddingPartitionTest {
  @TempDir static Path dir;
  /** PNG files named by width: {@code 40.png} is 40x30, ... */
  private static Path png(int width) {
    return dir.resolve(width + ".png");
  }

  @BeforeAll
  static void images() throws Exception {
    for (int w = 40; w <= 60; w++) {
      Files.write(png(w), TestImages.encode(TestImages.synthetic(w, w, 30), "png"));
    }
  }

  /**
   * Vector {@code [width, height]}; records each {@code embedAll} size and each single
   * {@code embed}, fails on the widths it is told to (with or without a message).
   */
  static final class Recording implements ImageEmbedder {
    final List<Integer> batches = new ArrayList<>();
    final List<Integer> singles = new ArrayList<>();
    int closes;
    int failWidth = -1;
    String failMessage = "bad width";
    boolean dropOneFromBatches;

    @Override
    public float[] embed(BufferedImage image) {
      singles.add(image.getWidth());
      return vector(image);
    }

    private float[] vector(BufferedImage image) {
      if (image.getWidth() == failWidth) {
        throw new IllegalStateException(failMessage);
      }
      return new float[] {image.getWidth(), image.getHeight()};
    }

    @Override
    public List<float[]> embedAll(List<BufferedImage> images) {
      batches.add(images.size());
      List<float[]> out = new ArrayList<>();
      for (BufferedImage img : images) {
        out.add(vector(img));
      }
      if (dropOneFromBatches) {
        out.remove(out.size() - 1);
      }
      return out;
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public String id() {
      return "recording/1";
    }

    @Override
    public void close() {
      closes++;
    }
  }

  private static Iterator<Row> input(Object... paths) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < paths.length; i++) {
      rows.add(RowFactory.create("id" + i, paths[i] == null ? null : paths[i].toString()));
    }
    return rows.iterator();
  }

  private static Iterator<Row> widths(int... ws) {
    return input(Arrays.stream(ws).mapToObj(SparkEmbeddingPartitionTest::png).toArray());
  }

  private static List<Row> drain(Iterator<Row> it) {
    List<Row> out = new ArrayList<>();
    while (it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  private static String error(Row r) {
    return r.getString(3);
  }

  private static Float[] vector(Row r) {
    return (Float[]) r.get(2);
  }

  @Test
  void rowsComeOutInOrderInBatchesOfTheConfiguredSizeAndTheEmbedderIsClosedOnce() {
    Recording rec = new Recording();
    AtomicInteger made = new AtomicInteger();
    SparkEmbedding job = SparkEmbedding.with(() -> {
      made.incrementAndGet();
      return rec;
    }).batchSize(3);
    Iterator<Row> out = job.embedPartition(widths(40, 41, 42, 43, 44, 45, 46), Map.of());
    assertThat(out.hasNext()).isTrue();
    assertThat(out.hasNext()).as("hasNext twice reads no more").isTrue();
    List<Row> rows = drain(out);
    assertThat(rows).extracting(r -> r.getString(0))
        .containsExactly("id0", "id1", "id2", "id3", "id4", "id5", "id6");
    assertThat(rows).extracting(r -> r.getString(1)).containsExactly(png(40).toString(), png(41).toString(),
        png(42).toString(), png(43).toString(), png(44).toString(), png(45).toString(), png(46).toString());
    for (int i = 0; i < rows.size(); i++) {
      assertThat(vector(rows.get(i))).containsExactly(40f + i, 30f);
      assertThat(error(rows.get(i))).isNull();
    }
    assertThat(rec.batches).containsExactly(3, 3, 1);
    assertThat(rec.singles).isEmpty();
    assertThat(made.get()).isEqualTo(1);
    assertThat(rec.closes).isEqualTo(1);
    assertThat(out.hasNext()).isFalse();
    assertThat(rec.closes).as("closed only once").isEqualTo(1);
    assertThatThrownBy(out::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void theDefaultBatchIs16AndABatchOfOneIsAllowed() {
    Recording rec = new Recording();
    int[] ws = new int[17];
    Arrays.setAll(ws, i -> 40 + i);
    assertThat(drain(SparkEmbedding.with(() -> rec).embedPartition(widths(ws), Map.of()))).hasSize(17);
    assertThat(rec.batches).containsExactly(16, 1);

    Recording one = new Recording();
    assertThat(drain(SparkEmbedding.with(() -> one).batchSize(1).embedPartition(widths(40, 41), Map.of())))
        .hasSize(2);
    assertThat(one.batches).containsExactly(1, 1);
    assertThatThrownBy(() -> SparkEmbedding.with(() -> one).batchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be at least 1: 0");
    assertThatThrownBy(() -> SparkEmbedding.with(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void anEmptyPartitionMakesNoEmbedder() {
    AtomicInteger made = new AtomicInteger();
    Iterator<Row> out = SparkEmbedding.with(() -> {
      made.incrementAndGet();
      return new Recording();
    }).embedPartition(input(), Map.of());
    assertThat(out.hasNext()).isFalse();
    assertThat(made.get()).isZero();
  }

  @Test
  void unreadableRowsBecomeErrorRowsAndTheRestOfTheBatchIsEmbeddedTogether() throws Exception {
    Recording rec = new Recording();
    Path broken = Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    List<Row> rows = drain(SparkEmbedding.with(() -> rec).batchSize(10)
        .embedPartition(input(png(40), null, "   ", dir.resolve("missing.png"), broken, png(41)), Map.of()));
    assertThat(rows).hasSize(6);
    assertThat(error(rows.get(1))).isEqualTo("IllegalArgumentException: no image path");
    assertThat(error(rows.get(2))).isEqualTo("IllegalArgumentException: no image path");
    assertThat(error(rows.get(3))).startsWith("FileNotFoundException: ").contains("missing.png");
    assertThat(error(rows.get(4))).startsWith("ImageDecodeException: ");
    for (int i = 1; i <= 4; i++) {
      assertThat(vector(rows.get(i))).as("row " + i).isNull();
    }
    assertThat(rows.get(1).getString(1)).isNull();
    assertThat(vector(rows.get(0))).containsExactly(40f, 30f);
    assertThat(vector(rows.get(5))).containsExactly(41f, 30f);
    assertThat(error(rows.get(0))).isNull();
    assertThat(error(rows.get(5))).isNull();
    assertThat(rec.batches).containsExactly(2);
    assertThat(rec.singles).isEmpty();
  }

  @Test
  void aBatchWithNoReadableImageNeverCallsTheEmbedder() {
    Recording rec = new Recording();
    List<Row> rows = drain(SparkEmbedding.with(() -> rec).embedPartition(input(null, dir.resolve("none.png")),
        Map.of()));
    assertThat(rows).extracting(SparkEmbeddingPartitionTest::error).doesNotContainNull();
    assertThat(rec.batches).isEmpty();
    assertThat(rec.singles).isEmpty();
    assertThat(rec.closes).isEqualTo(1);
  }

  @Test
  void aFailedBatchIsRedoneOneByOneAndTheErrorLandsOnItsImage() {
    Recording rec = new Recording();
    rec.failWidth = 42;
    List<Row> rows = drain(SparkEmbedding.with(() -> rec).batchSize(4)
        .embedPartition(widths(40, 41, 42, 43, 44), Map.of()));
    assertThat(rec.batches).containsExactly(4, 1);
    assertThat(rec.singles).containsExactly(40, 41, 42, 43);
    assertThat(error(rows.get(2))).isEqualTo("IllegalStateException: bad width");
    assertThat(vector(rows.get(2))).isNull();
    assertThat(vector(rows.get(3))).containsExactly(43f, 30f);
    assertThat(vector(rows.get(4))).containsExactly(44f, 30f);
    assertThat(rows).extracting(SparkEmbeddingPartitionTest::error).containsOnlyOnce("IllegalStateException: bad width");
  }

  @Test
  void anExceptionWithoutMessageIsNamedByItsClassOnly() {
    Recording rec = new Recording();
    rec.failWidth = 41;
    rec.failMessage = null;
    List<Row> rows = drain(SparkEmbedding.with(() -> rec).embedPartition(widths(40, 41), Map.of()));
    assertThat(error(rows.get(1))).isEqualTo("IllegalStateException");
  }

  @Test
  void aBatchAnswerOfTheWrongLengthIsRedoneOneByOne() {
    Recording rec = new Recording();
    rec.dropOneFromBatches = true;
    List<Row> rows = drain(SparkEmbedding.with(() -> rec).batchSize(3).embedPartition(widths(40, 41, 42), Map.of()));
    assertThat(rec.batches).containsExactly(3);
    assertThat(rec.singles).containsExactly(40, 41, 42);
    assertThat(rows).extracting(r -> vector(r)[0]).containsExactly(40f, 41f, 42f);
  }

  @Test
  void decodeLimitsTurnLargerImagesIntoErrorRows() throws Exception {
    long bytes = Files.size(png(40));
    // 40x30 = 1200 pixels
    List<Row> rows = drain(SparkEmbedding.with(Recording::new).limits(1199, 1 << 20)
        .embedPartition(widths(40), Map.of()));
    assertThat(error(rows.get(0))).startsWith("ImageTooLargeException: ");
    rows = drain(SparkEmbedding.with(Recording::new).limits(1200, bytes).embedPartition(widths(40), Map.of()));
    assertThat(error(rows.get(0))).isNull();
    rows = drain(SparkEmbedding.with(Recording::new).limits(1200, bytes - 1).embedPartition(widths(40), Map.of()));
    assertThat(error(rows.get(0))).startsWith("ImageTooLargeException: ");
  }

  @Test
  void aPathWithoutSchemeIsLocalWhateverTheDefaultFileSystem() throws Exception {
    // the executor's Hadoop settings name a default file system that does not exist here
    Map<String, String> hadoop = Map.of("fs.defaultFS", "nosuchfs:///");
    List<Row> rows = drain(SparkEmbedding.with(Recording::new).embedPartition(
        input(png(40), png(41).toUri(), "nosuchfs:///images/42.png"), hadoop));
    assertThat(error(rows.get(0))).isNull();
    assertThat(error(rows.get(1))).as("file: URI").isNull();
    assertThat(vector(rows.get(1))).containsExactly(41f, 30f);
    assertThat(error(rows.get(2))).startsWith(UnsupportedFileSystemException.class.getSimpleName() + ": ");
  }

  @Test
  void readRefusesABlankPathAndReadsLocalFiles() throws Exception {
    ImageLoader loader = ImageLoader.defaults();
    var conf = HadoopConf.restore(Map.of());
    assertThatThrownBy(() -> SparkEmbedding.read(null, loader, conf)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SparkEmbedding.read("", loader, conf)).isInstanceOf(IllegalArgumentException.class);
    assertThat(SparkEmbedding.read(png(45).toString(), loader, conf).getWidth()).isEqualTo(45);
  }

  @Test
  void vectorOfUnboxesTheVectorColumnAndIsNullForErrorRows() {
    Row ok = new GenericRowWithSchema(new Object[] {"a", "/a.png",
        JavaConverters.asScalaBuffer(List.<Object>of(1.5f, -2f, 0f)), null}, SparkEmbedding.SCHEMA);
    assertThat(SparkEmbedding.vectorOf(ok)).containsExactly(1.5f, -2f, 0f);
    Row empty = new GenericRowWithSchema(new Object[] {"b", "/b.png",
        JavaConverters.asScalaBuffer(List.<Object>of()), null}, SparkEmbedding.SCHEMA);
    assertThat(SparkEmbedding.vectorOf(empty)).isEmpty();
    Row failed = new GenericRowWithSchema(new Object[] {"c", "/c.png", null, "ImageDecodeException: x"},
        SparkEmbedding.SCHEMA);
    assertThat(SparkEmbedding.vectorOf(failed)).isNull();
  }
}
