package io.sightline.spark;

import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusterTags;
import io.sightline.tagging.ClusteringMethod;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.TagModel;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TrainingReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import scala.collection.Seq;

/**
 * Clusters a tag stock with Spark MLlib K-means and writes the tag model file that
 * {@link TagRecommender} reads ({@code tag-model.bin}, format 1 of {@link TagModel}): the
 * centres, each cluster's tag frequencies counted once per post, the stock-wide frequencies.
 *
 * <p>Input columns: {@code id} (string), {@code vector} ({@code array<float>}), {@code tags}
 * ({@code array<string>}) and optionally {@code post} (string; an image without a post is its
 * own post). Rows without a vector, without a non-blank tag, or with an invalid vector (wrong
 * length, NaN/infinite, zero when normalising) are skipped and counted in {@link Result#skipped}.
 *
 * <p>Clustering follows the {@link ClusteringOptions}: K ({@code AUTO} = √(n/2), at most 100),
 * iteration limit, seed and L2 normalisation as in the tagging module; Spark's tolerance is a
 * centre-movement threshold (not the relative decrease of D) and its initialisation is
 * k-means|| for {@link CentreInit#KMEANS_PLUS_PLUS} and random stock points for
 * {@link CentreInit#RANDOM}. Only {@link ClusteringMethod#KMEANS} is supported.
 *
 * <p>The model has no stock database beside it: open it with
 * {@code TagRecommender.builder().vectors(embedderId, dimension).directory(dir)} where
 * {@code dir/tag-model.bin} is the written file, and it suggests from the saved frequencies.
 *
 * <p>The file is written by the tagging module itself ({@link TagModel#of}, then
 * {@link TagModel#save}), so it follows the recommender's format as that changes.
 */
public final class SparkTagClusterer {

  /** Column names of the input. */
  public static final String ID = "id";
  /** Vector column. */
  public static final String VECTOR = "vector";
  /** Tags column, {@code array<string>}. */
  public static final String TAGS = "tags";
  /** Optional post column. */
  public static final String POST = "post";

  private final String embedderId;
  private final int dimension;
  private final ClusteringOptions options;

  /**
   * @param embedderId id of the embedder that made the vectors (recorded in the model)
   * @param dimension vector length
   * @param options clustering options (method must be K-means)
   */
  public SparkTagClusterer(String embedderId, int dimension, ClusteringOptions options) {
    this.embedderId = Objects.requireNonNull(embedderId, "embedderId");
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive: " + dimension);
    }
    this.dimension = dimension;
    this.options = Objects.requireNonNull(options, "options");
    if (options.method() != ClusteringMethod.KMEANS) {
      throw new IllegalArgumentException("SparkTagClusterer runs K-means only, not " + options.method());
    }
  }

  /**
   * What the clustering produced.
   *
   * @param report training report, as stored in the model
   * @param centres centres of the non-empty clusters, in model order
   * @param clusters tag statistics per cluster
   * @param overall stock-wide tag statistics
   * @param skipped input rows left out (no vector, no tag or invalid vector)
   */
  public record Result(TrainingReport report, float[][] centres, List<ClusterTags> clusters,
      ClusterTags overall, long skipped) {}

  /**
   * Clusters the stock and writes the model.
   *
   * @param stock the stock table
   * @param modelFile where to write the model (on the driver; name it
   *     {@link TagRecommender#MODEL_FILE} inside a recommender directory)
   * @return the result
   */
  public Result train(Dataset<Row> stock, Path modelFile) {
    Result r = cluster(stock);
    write(r, modelFile);
    return r;
  }

  /**
   * Clusters the stock without writing.
   *
   * @param stock the stock table
   * @return the result
   */
  public Result cluster(Dataset<Row> stock) {
    long t0 = System.nanoTime();
    boolean normalize = options.normalize();
    int dim = dimension;
    UserDefinedFunction toFeatures = functions.udf(
        (UDF1<Seq<Object>, Vector>) v -> features(v, dim, normalize), SQLDataTypes.VectorType());
    UserDefinedFunction cleanTags = functions.udf(
        (UDF1<Seq<String>, List<String>>) SparkTagClusterer::cleanTags,
        DataTypes.createArrayType(DataTypes.StringType));
    boolean hasPost = List.of(stock.columns()).contains(POST);
    Column post = hasPost ? functions.trim(functions.col(POST)) : functions.lit(null).cast(DataTypes.StringType);
    Column postKey = functions.when(post.isNotNull().and(post.notEqual("")), functions.concat(functions.lit("post:"), post))
        .otherwise(functions.concat(functions.lit("image:"), functions.col(ID).cast(DataTypes.StringType)));
    Dataset<Row> prepared = stock
        .select(postKey.as("postKey"), cleanTags.apply(functions.col(TAGS)).as(TAGS),
            toFeatures.apply(functions.col(VECTOR)).as("features"))
        .filter(functions.col("features").isNotNull().and(functions.size(functions.col(TAGS)).gt(0)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long n = prepared.count();
      long skipped = stock.count() - n;
      if (n == 0) {
        throw new io.sightline.tagging.InsufficientStockException("the stock has no usable row (vector + tag)");
      }
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("the tag model counts images in an int: at most "
            + Integer.MAX_VALUE + " rows");
      }
      int k = options.clustersFor((int) n);
      if (k > n) {
        throw new io.sightline.tagging.InsufficientStockException("cannot make " + k + " clusters from "
            + n + " stock images");
      }
      KMeans km = new KMeans().setK(k).setMaxIter(options.maxIterations()).setTol(options.tolerance())
          .setSeed(options.seed()).setFeaturesCol("features").setPredictionCol("cluster")
          .setInitMode(options.init() == CentreInit.RANDOM ? "random" : "k-means||");
      KMeansModel model = km.fit(prepared);
      Vector[] centres = model.clusterCenters();
      Dataset<Row> labelled = model.transform(prepared).select("cluster", "postKey", TAGS)
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        return summarise(labelled, centres, k, (int) n, model, skipped, t0);
      } finally {
        labelled.unpersist();
      }
    } finally {
      prepared.unpersist();
    }
  }

  private Result summarise(Dataset<Row> labelled, Vector[] centres, int k, int n, KMeansModel model,
      long skipped, long t0) {
    int[] images = new int[centres.length];
    int[] posts = new int[centres.length];
    for (Row r : labelled.groupBy("cluster").agg(functions.count(functions.lit(1)),
        functions.countDistinct(functions.col("postKey"))).collectAsList()) {
      images[r.getInt(0)] = (int) r.getLong(1);
      posts[r.getInt(0)] = (int) r.getLong(2);
    }
    List<Map<String, Integer>> counts = new ArrayList<>();
    for (int c = 0; c < centres.length; c++) {
      counts.add(new TreeMap<>());
    }
    Dataset<Row> exploded = labelled.select(functions.col("cluster"), functions.col("postKey"),
        functions.explode(functions.col(TAGS)).as("tag"));
    for (Row r : exploded.groupBy("cluster", "tag").agg(functions.countDistinct(functions.col("postKey")))
        .collectAsList()) {
      counts.get(r.getInt(0)).put(r.getString(1), (int) r.getLong(2));
    }
    Map<String, Integer> overallCounts = new TreeMap<>();
    for (Row r : exploded.groupBy("tag").agg(functions.countDistinct(functions.col("postKey"))).collectAsList()) {
      overallCounts.put(r.getString(0), (int) r.getLong(1));
    }
    int overallPosts = (int) labelled.select("postKey").distinct().count();
    double[][] centreValues = new double[centres.length][];
    for (int c = 0; c < centres.length; c++) {
      centreValues[c] = centres[c].toArray();
    }
    double cost = model.summary().trainingCost();
    int iterations = model.summary().numIter();
    long millis = (System.nanoTime() - t0) / 1_000_000;
    return result(dimension, options, k, n, centreValues, images, posts, counts, overallPosts, overallCounts,
        cost, iterations, millis, skipped);
  }

  /**
   * Turns the per-cluster aggregates of a K-means run into the model's result: drops empty
   * clusters and renumbers the rest, as {@code TagModel.build} does, narrows the centres to
   * floats and fills in the training report.
   *
   * @param dimension vector length (centre values past it are ignored)
   * @param options the clustering options (init, iteration limit, seed)
   * @param k clusters asked of K-means
   * @param n usable stock images
   * @param centres K-means centres, by cluster number
   * @param images images per cluster number
   * @param posts distinct posts per cluster number
   * @param counts per cluster number: tag to the number of distinct posts carrying it
   * @param overallPosts distinct posts in the usable stock
   * @param overallCounts tag to distinct posts over the usable stock
   * @param cost K-means training cost (sum of squared distances)
   * @param iterations iterations K-means ran
   * @param millis training time
   * @param skipped input rows left out
   * @return the result
   */
  static Result result(int dimension, ClusteringOptions options, int k, int n, double[][] centres, int[] images,
      int[] posts, List<Map<String, Integer>> counts, int overallPosts, Map<String, Integer> overallCounts,
      double cost, int iterations, long millis, long skipped) {
    // drop empty clusters and renumber, as TagModel.build does
    List<float[]> kept = new ArrayList<>();
    List<ClusterTags> stats = new ArrayList<>();
    for (int c = 0; c < centres.length; c++) {
      if (images[c] > 0) {
        double[] d = centres[c];
        float[] f = new float[dimension];
        for (int j = 0; j < dimension; j++) {
          f[j] = (float) d[j];
        }
        stats.add(new ClusterTags(kept.size(), images[c], posts[c], counts.get(c)));
        kept.add(f);
      }
    }
    ClusteringOptions written = options.withClusters(k);
    TrainingReport report = new TrainingReport(ClusteringMethod.KMEANS, written.init(), false, k,
        kept.size(), n, iterations, iterations < options.maxIterations(), List.of(cost), cost, millis,
        options.seed());
    return new Result(report, kept.toArray(new float[0][]), stats,
        new ClusterTags(-1, n, overallPosts, overallCounts), skipped);
  }

  /**
   * Writes a result in the tag model format (kind {@code tag-model}, version 1), generation 1.
   *
   * @param r the result
   * @param file target file (written atomically)
   */
  public void write(Result r, Path file) {
    ClusteringOptions o = options.withClusters(r.report().requestedClusters());
    TagModel.of(embedderId, dimension, o, r.report(), r.centres(), r.clusters(), r.overall()).save(file);
  }

  // --------------------------------------------------------------- row preparation

  static Vector features(Seq<Object> v, int dimension, boolean normalize) {
    if (v == null || v.size() != dimension) {
      return null;
    }
    float[] f = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      Object o = v.apply(i);
      if (o == null) {
        return null;
      }
      f[i] = ((Number) o).floatValue();
      if (!Float.isFinite(f[i])) {
        return null;
      }
    }
    if (normalize) {
      try {
        // the tagging module's own preparation (TagModel.prepare), so centres live in its space
        f = io.sightline.core.index.Vectors.normalized(f);
      } catch (io.sightline.core.InvalidVectorException zero) {
        return null;
      }
    }
    double[] d = new double[dimension];
    for (int i = 0; i < dimension; i++) {
      d[i] = f[i];
    }
    return Vectors.dense(d);
  }

  static List<String> cleanTags(Seq<String> tags) {
    List<String> out = new ArrayList<>();
    if (tags == null) {
      return out;
    }
    java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    for (int i = 0; i < tags.size(); i++) {
      String t = tags.apply(i);
      if (t != null && !t.isBlank()) {
        seen.add(t.trim());
      }
    }
    out.addAll(seen);
    return out;
  }
}
