package io.sightline.spark;

import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusteringOptions;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Measurement, not a unit test: K-means of a synthetic tag stock with {@link SparkTagClusterer}
 * (Spark MLlib, local mode, including the per-cluster tag counting) against Smile 2.6's
 * {@code KMeans.fit} (the library the tagging module clusters with) on the same L2-normalised
 * vectors: wall time and inertia (sum of squared distances to the nearest centre, computed the
 * same way for both).
 *
 * <p>Data: {@code n} vectors of {@code dim} dimensions around {@code k} random centres (Gaussian
 * noise 0.35), L2-normalised; vector i depends only on (seed, i), so Spark generates it in its
 * partitions and Smile in a local array. One tag per vector (its true centre).
 *
 * <pre>
 * cd /work/main && mvn -B -o -q -pl spark test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/spark-cp.txt -Dmdep.includeScope=test
 * java -Xmx6g --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
 *     --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
 *     --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
 *     -cp spark/target/test-classes:spark/target/classes:$(cat /tmp/spark-cp.txt) \
 *     io.sightline.spark.KMeansBenchmark 1000000 32 50 20
 * </pre>
 */
public final class KMeansBenchmark {
  private static final long SEED = 20261201L;

  private KMeansBenchmark() {}

  /**
   * @param args [n vectors, dimension, k, max iterations]
   */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int k = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int maxIter = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    double[][] truth = centres(k, dim);
    System.out.printf("n=%d dim=%d k=%d maxIter=%d%n", n, dim, k, maxIter);

    // Spark: generate in partitions, cluster, count tags
    SparkSession spark = LocalSpark.start("local[2]", "kmeans-bench");
    try {
      UDF1<Long, float[]> gen = i -> toFloat(vector(i, truth, dim));
      spark.udf().register("gen", gen, DataTypes.createArrayType(DataTypes.FloatType));
      Dataset<Row> stock = spark.range(0, n, 1, 8).select(
          functions.col("id").cast(DataTypes.StringType).as("id"),
          functions.callUDF("gen", functions.col("id")).as("vector"),
          functions.array(functions.concat(functions.lit("t"), functions.pmod(functions.col("id"), functions.lit(k)).cast(DataTypes.StringType))).as("tags"));
      ClusteringOptions opts = ClusteringOptions.defaults().withClusters(k).withInit(CentreInit.KMEANS_PLUS_PLUS)
          .withMaxIterations(maxIter).withSeed(1);
      long t0 = System.nanoTime();
      SparkTagClusterer.Result r = new SparkTagClusterer("bench/1", dim, opts).cluster(stock);
      double secs = (System.nanoTime() - t0) / 1e9;
      double[][] c = new double[r.centres().length][];
      for (int i = 0; i < c.length; i++) {
        c[i] = toDouble(r.centres()[i]);
      }
      System.out.printf("spark local[2] SparkTagClusterer: %.1f s (incl. generation + tag counts), %d iterations, "
          + "trainingCost %.2f%n", secs, r.report().iterations(), r.report().finalDeviation());
      double[][] data = new double[n][];
      for (int i = 0; i < n; i++) {
        data[i] = vector(i, truth, dim);
      }
      System.out.printf("  inertia (recomputed) %.2f%n", inertia(data, c));
      spark.stop();
      spark = null;

      long t1 = System.nanoTime();
      smile.clustering.KMeans km = smile.clustering.KMeans.fit(data, k, maxIter, 1e-4);
      double smileSecs = (System.nanoTime() - t1) / 1e9;
      System.out.printf("smile KMeans.fit (1 JVM): %.1f s, distortion %.2f, inertia (recomputed) %.2f%n",
          smileSecs, km.distortion, inertia(data, km.centroids));
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }

  static double[][] centres(int k, int dim) {
    SplittableRandom r = new SplittableRandom(SEED);
    double[][] c = new double[k][dim];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < dim; j++) {
        c[i][j] = r.nextDouble(-1, 1);
      }
    }
    return c;
  }

  /** Vector i: a noisy copy of centre i % k, L2-normalised in float like the tagging module. */
  static double[] vector(long i, double[][] centres, int dim) {
    SplittableRandom r = new SplittableRandom(SEED ^ (i * 0x9E3779B97F4A7C15L));
    double[] c = centres[(int) (i % centres.length)];
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) (c[j] + 0.35 * gaussian(r));
    }
    float[] nv = io.sightline.core.index.Vectors.normalized(v);
    double[] d = new double[dim];
    for (int j = 0; j < dim; j++) {
      d[j] = nv[j];
    }
    return d;
  }

  private static double gaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  static double inertia(double[][] data, double[][] centres) {
    double sum = 0;
    for (double[] x : data) {
      double best = Double.MAX_VALUE;
      for (double[] c : centres) {
        double s = 0;
        for (int j = 0; j < x.length; j++) {
          double d = x[j] - c[j];
          s += d * d;
        }
        best = Math.min(best, s);
      }
      sum += best;
    }
    return sum;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
