package io.sightline.spark;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Builds index shards: partitions a table of vectors by id and writes one core
 * {@link HnswVectorIndex} file per partition ({@code shard-00000.hnsw}, ...) into a folder of any
 * Hadoop file system. {@link ShardedIndex} loads the folder and searches all shards at once.
 *
 * <p>Rows whose vector is null (embedding errors, see {@link SparkEmbedding}) are skipped. Shard
 * files are named by partition number and replaced on a task retry, so a re-run is idempotent;
 * stale shards of an earlier run with more shards are deleted by {@link #write} first.
 */
public final class IndexShards implements Serializable {
  private static final long serialVersionUID = 1L;

  /** File-name pattern of the shards. */
  public static final String FILE_FORMAT = "shard-%05d.hnsw";
  /** Key attribute holding the image path, when the input has a {@code path} column. */
  public static final String PATH_ATTRIBUTE = "path";

  /** Schema of the per-shard summary {@link #write} returns. */
  public static final StructType SUMMARY = new StructType(new StructField[] {
      DataTypes.createStructField("shard", DataTypes.IntegerType, false),
      DataTypes.createStructField("file", DataTypes.StringType, false),
      DataTypes.createStructField("vectors", DataTypes.IntegerType, false)});

  private final String embedderId;
  private final Metric metric;
  private final int m;
  private final int efConstruction;
  private final int ef;

  private IndexShards(String embedderId, Metric metric, int m, int efConstruction, int ef) {
    this.embedderId = Objects.requireNonNull(embedderId, "embedderId");
    this.metric = Objects.requireNonNull(metric, "metric");
    this.m = m;
    this.efConstruction = efConstruction;
    this.ef = ef;
  }

  /**
   * @param embedderId id of the embedder whose vectors go in (recorded in every shard)
   * @param metric comparison metric
   * @return shards with HNSW defaults m 16, efConstruction 200, ef 100
   */
  public static IndexShards of(String embedderId, Metric metric) {
    return new IndexShards(embedderId, metric, 16, 200, 100);
  }

  /**
   * @param graphDegree HNSW m
   * @param construction build-time candidate list
   * @param search search-time candidate list (saved in the file)
   * @return a copy
   */
  public IndexShards hnsw(int graphDegree, int construction, int search) {
    return new IndexShards(embedderId, metric, graphDegree, construction, search);
  }

  /**
   * Writes the shards.
   *
   * @param vectors rows with {@code id} (string) and {@code vector} ({@code array<float>}), e.g.
   *     the output of {@link SparkEmbedding}
   * @param folder output folder URI (created; old {@code shard-*.hnsw} files in it are deleted)
   * @param shards number of shards
   * @return one row per written shard: shard number, file URI, vectors in it (empty shards are
   *     not written)
   */
  public List<Row> write(Dataset<Row> vectors, String folder, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1: " + shards);
    }
    Configuration conf = vectors.sparkSession().sparkContext().hadoopConfiguration();
    try {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(folder);
      FileSystem fs = dir.getFileSystem(conf);
      fs.mkdirs(dir);
      var old = fs.globStatus(new org.apache.hadoop.fs.Path(dir, "shard-*.hnsw"));
      if (old != null) {
        for (var st : old) {
          fs.delete(st.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean withPath = List.of(vectors.columns()).contains(SparkEmbedding.PATH);
    Dataset<Row> in = vectors.filter(functions.col(SparkEmbedding.VECTOR).isNotNull())
        .select(functions.col(SparkEmbedding.ID).cast(DataTypes.StringType),
            withPath ? functions.col(SparkEmbedding.PATH) : functions.lit(null).cast(DataTypes.StringType),
            functions.col(SparkEmbedding.VECTOR))
        .repartition(shards, functions.col(SparkEmbedding.ID));
    IndexShards job = this;
    HashMap<String, String> hadoop = HadoopConf.capture(vectors.sparkSession());
    return in.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> job.writeShard(rows, folder, hadoop),
        Encoders.row(SUMMARY)).collectAsList();
  }

  Iterator<Row> writeShard(Iterator<Row> rows, String folder, Map<String, String> hadoop) throws IOException {
    if (!rows.hasNext()) {
      return List.<Row>of().iterator();
    }
    List<IndexItem<String>> items = new ArrayList<>();
    int dimension = -1;
    while (rows.hasNext()) {
      Row r = rows.next();
      float[] v = toFloats(r.getList(2));
      if (dimension < 0) {
        dimension = v.length;
      }
      String path = r.isNullAt(1) ? null : r.getString(1);
      items.add(new IndexItem<>(r.getString(0), v, path == null ? Map.of() : Map.of(PATH_ATTRIBUTE, path)));
    }
    int shard = TaskContext.getPartitionId();
    HnswVectorIndex<String> index = HnswVectorIndex.builder().dimension(dimension).metric(metric)
        .embedderId(embedderId).m(m).efConstruction(efConstruction).ef(ef)
        .initialCapacity(items.size()).build();
    index.addAll(items);
    java.nio.file.Path local = Files.createTempFile("sightline-shard", ".hnsw");
    try {
      index.save(local);
      org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(folder, String.format(FILE_FORMAT, shard));
      FileSystem fs = target.getFileSystem(HadoopConf.restore(hadoop));
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
      return List.of(RowFactory.create(shard, fs.makeQualified(target).toString(), items.size())).iterator();
    } finally {
      Files.deleteIfExists(local);
    }
  }

  private static float[] toFloats(List<Object> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).floatValue();
    }
    return out;
  }
}
