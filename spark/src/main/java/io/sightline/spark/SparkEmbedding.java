package io.sightline.spark;

import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Embeds images into vectors in Spark partitions with any Sightline {@link ImageEmbedder}.
 *
 * <p>Each partition creates its own embedder from a serializable {@link EmbedderFactory} and
 * closes it when the partition ends (also when the task fails). An image that cannot be read or
 * embedded does not fail the job: its row carries the error and a null vector.
 *
 * <p>Output schema ({@link #SCHEMA}): {@code id string, path string, vector array<float>
 * (null on error), error string (null on success)}. Paths are read through Hadoop's
 * {@link FileSystem}, so {@code file:}, {@code hdfs:}, {@code s3a:} (with its connector on the
 * classpath) all work; a path without a scheme is a local file on the executor.
 */
public final class SparkEmbedding implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Column names of the output. */
  public static final String ID = "id";
  /** Column with the image path (URI). */
  public static final String PATH = "path";
  /** Column with the vector, {@code array<float>}; null when the image failed. */
  public static final String VECTOR = "vector";
  /** Column with the error ({@code ExceptionClass: message}); null when the image was embedded. */
  public static final String ERROR = "error";

  /** Schema of {@link #embed} output. */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      DataTypes.createStructField(ID, DataTypes.StringType, false),
      DataTypes.createStructField(PATH, DataTypes.StringType, true),
      DataTypes.createStructField(VECTOR, DataTypes.createArrayType(DataTypes.FloatType, false), true),
      DataTypes.createStructField(ERROR, DataTypes.StringType, true)});

  /** File endings {@link #listImages} keeps (case-insensitive). */
  public static final String IMAGE_SUFFIX_REGEX = "(?i).*\\.(jpe?g|png|gif|bmp|webp|tiff?)$";

  private final EmbedderFactory factory;
  private final int batchSize;
  private final long maxPixels;
  private final long maxBytes;

  private SparkEmbedding(EmbedderFactory factory, int batchSize, long maxPixels, long maxBytes) {
    this.factory = Objects.requireNonNull(factory, "factory");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
    this.batchSize = batchSize;
    this.maxPixels = maxPixels;
    this.maxBytes = maxBytes;
  }

  /**
   * @param factory creates the embedder on each executor
   * @return an embedding job with batches of 16 and {@link ImageLoader#defaults()} limits
   */
  public static SparkEmbedding with(EmbedderFactory factory) {
    return new SparkEmbedding(factory, 16, ImageLoader.DEFAULT_MAX_PIXELS, ImageLoader.DEFAULT_MAX_BYTES);
  }

  /**
   * @param size images handed to {@link ImageEmbedder#embedAll} at once (batching embedders gain)
   * @return a copy
   */
  public SparkEmbedding batchSize(int size) {
    return new SparkEmbedding(factory, size, maxPixels, maxBytes);
  }

  /**
   * @param pixels largest decoded image, in pixels
   * @param bytes largest encoded file, in bytes
   * @return a copy with these decode limits (larger images become error rows)
   */
  public SparkEmbedding limits(long pixels, long bytes) {
    return new SparkEmbedding(factory, batchSize, pixels, bytes);
  }

  /**
   * Lists the image files under a folder (recursively, any Hadoop file system) as a table
   * {@code id, path} whose id is the path.
   *
   * @param spark the session
   * @param folder folder URI or local path
   * @return one row per image file
   */
  public static Dataset<Row> listImages(SparkSession spark, String folder) {
    // binaryFile lists in parallel and, as only "path" is selected, never reads the content
    Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
        .load(folder).select(PATH);
    return files.filter(functions.col(PATH).rlike(IMAGE_SUFFIX_REGEX))
        .select(functions.col(PATH).as(ID), functions.col(PATH));
  }

  /**
   * Embeds every image file under a folder.
   *
   * @param spark the session
   * @param folder folder URI or local path
   * @param partitions how many partitions (tasks) to spread the images over
   * @return {@link #SCHEMA} rows, one per image
   */
  public Dataset<Row> embedFolder(SparkSession spark, String folder, int partitions) {
    return embed(listImages(spark, folder).repartition(partitions), ID, PATH);
  }

  /**
   * Embeds the images named in a table; its partitioning is kept (repartition it first to spread
   * the work).
   *
   * @param table rows with an id and an image path
   * @param idColumn column of unique ids (cast to string)
   * @param pathColumn column of image paths or URIs
   * @return {@link #SCHEMA} rows, one per input row
   */
  public Dataset<Row> embed(Dataset<Row> table, String idColumn, String pathColumn) {
    Dataset<Row> in = table.select(functions.col(idColumn).cast(DataTypes.StringType).as(ID),
        functions.col(pathColumn).cast(DataTypes.StringType).as(PATH));
    SparkEmbedding job = this;
    HashMap<String, String> hadoop = HadoopConf.capture(table.sparkSession());
    return in.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> job.embedPartition(rows, hadoop),
        Encoders.row(SCHEMA));
  }

  /**
   * Embeds and writes the result as Parquet (replacing what is there).
   *
   * @param table rows with an id and an image path
   * @param idColumn id column
   * @param pathColumn path column
   * @param parquet output folder URI
   * @return the embeddings, read back from the Parquet folder
   */
  public Dataset<Row> embedToParquet(Dataset<Row> table, String idColumn, String pathColumn, String parquet) {
    embed(table, idColumn, pathColumn).write().mode(SaveMode.Overwrite).parquet(parquet);
    return table.sparkSession().read().parquet(parquet);
  }

  // ------------------------------------------------------------------ executor side

  Iterator<Row> embedPartition(Iterator<Row> rows, Map<String, String> hadoop) {
    if (!rows.hasNext()) {
      return rows; // no embedder for an empty partition
    }
    ImageEmbedder embedder = factory.create();
    TaskContext ctx = TaskContext.get();
    boolean[] closed = {false};
    Runnable close = () -> {
      if (!closed[0]) {
        closed[0] = true;
        embedder.close();
      }
    };
    if (ctx != null) {
      ctx.addTaskCompletionListener(new TaskCompletionListener() {
        @Override
        public void onTaskCompletion(TaskContext context) {
          close.run();
        }
      });
    }
    ImageLoader loader = ImageLoader.withLimits(maxPixels, maxBytes);
    Configuration conf = HadoopConf.restore(hadoop);
    return new Iterator<>() {
      private final List<Row> ready = new ArrayList<>();
      private int next;

      @Override
      public boolean hasNext() {
        if (next < ready.size()) {
          return true;
        }
        ready.clear();
        next = 0;
        if (!rows.hasNext()) {
          close.run();
          return false;
        }
        List<Row> batch = new ArrayList<>(batchSize);
        while (rows.hasNext() && batch.size() < batchSize) {
          batch.add(rows.next());
        }
        ready.addAll(embedBatch(batch, embedder, loader, conf));
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.get(next++);
      }
    };
  }

  private static List<Row> embedBatch(List<Row> batch, ImageEmbedder embedder, ImageLoader loader,
      Configuration conf) {
    String[] errors = new String[batch.size()];
    float[][] vectors = new float[batch.size()][];
    List<BufferedImage> images = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      String path = batch.get(i).getString(1);
      try {
        images.add(read(path, loader, conf));
        slots.add(i);
      } catch (Exception | LinkageError e) {
        errors[i] = describe(e);
      }
    }
    List<float[]> out = null;
    if (!images.isEmpty()) {
      try {
        out = embedder.embedAll(images);
        if (out.size() != images.size()) {
          out = null;
        }
      } catch (RuntimeException e) {
        out = null; // one bad image spoils a batch: redo it one by one to attribute the error
      }
    }
    for (int j = 0; j < slots.size(); j++) {
      int i = slots.get(j);
      if (out != null) {
        vectors[i] = out.get(j);
      } else {
        try {
          vectors[i] = embedder.embed(images.get(j));
        } catch (RuntimeException e) {
          errors[i] = describe(e);
        }
      }
    }
    List<Row> rows = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Row in = batch.get(i);
      rows.add(RowFactory.create(in.getString(0), in.getString(1), box(vectors[i]), errors[i]));
    }
    return rows;
  }

  static BufferedImage read(String path, ImageLoader loader, Configuration conf) throws Exception {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("no image path");
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    URI uri = p.toUri();
    FileSystem fs = uri.getScheme() == null ? FileSystem.getLocal(conf) : p.getFileSystem(conf);
    try (InputStream in = fs.open(p)) {
      return loader.load(in);
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static Float[] box(float[] v) {
    if (v == null) {
      return null;
    }
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  /**
   * @param row a row of {@link #SCHEMA}
   * @return its vector, or null for an error row
   */
  public static float[] vectorOf(Row row) {
    int i = row.fieldIndex(VECTOR);
    if (row.isNullAt(i)) {
      return null;
    }
    List<Object> list = row.getList(i);
    float[] out = new float[list.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = ((Number) list.get(j)).floatValue();
    }
    return out;
  }
}
