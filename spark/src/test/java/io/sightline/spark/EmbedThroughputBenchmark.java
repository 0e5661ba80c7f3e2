package io.sightline.spark;

import io.sightline.core.TestImages;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.ImageLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Measurement, not a unit test: images/s embedded by {@link SparkEmbedding} in Spark local mode
 * (per core) against the single-process loop (load + embed, one thread) on the same images —
 * every image under testdata/ repeated {@code repeats} times, {@link GlobalDescriptorEmbedder}.
 *
 * <pre>
 * cd /work/main && mvn -B -o -q -pl spark test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/spark-cp.txt -Dmdep.includeScope=test
 * java -Xmx3g --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
 *     --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
 *     --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
 *     -cp spark/target/test-classes:spark/target/classes:$(cat /tmp/spark-cp.txt) \
 *     io.sightline.spark.EmbedThroughputBenchmark 6
 * </pre>
 */
public final class EmbedThroughputBenchmark {
  private EmbedThroughputBenchmark() {}

  /**
   * @param args [repeats of the testdata images, default 6]
   * @throws Exception on I/O errors
   */
  public static void main(String[] args) throws Exception {
    int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(TestImages.testdata())) {
      s.filter(Files::isRegularFile).filter(p -> p.toString().matches(SparkEmbedding.IMAGE_SUFFIX_REGEX))
          .sorted().forEach(files::add);
    }
    List<Path> all = new ArrayList<>();
    for (int r = 0; r < repeats; r++) {
      all.addAll(files);
    }
    System.out.printf("%d images (%d files x %d)%n", all.size(), files.size(), repeats);

    // single process: warm up once over the files, then time the loop
    GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
    ImageLoader loader = ImageLoader.defaults();
    loop(files, embedder, loader);
    long t0 = System.nanoTime();
    int ok = loop(all, embedder, loader);
    double single = all.size() / ((System.nanoTime() - t0) / 1e9);
    System.out.printf("single-process loop: %.1f images/s (1 thread, %d ok)%n", single, ok);

    for (int cores : new int[] {1, 2}) {
      SparkSession spark = LocalSpark.start("local[" + cores + "]", "embed-bench");
      try {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("path", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          rows.add(RowFactory.create(String.valueOf(i), all.get(i).toString()));
        }
        Dataset<Row> table = spark.createDataFrame(rows, schema).repartition(cores * 2).cache();
        table.count();
        SparkEmbedding job = SparkEmbedding.with(GlobalDescriptorEmbedder::new);
        job.embed(table, "id", "path").filter("error is null").count(); // warm-up
        long t1 = System.nanoTime();
        long good = job.embed(table, "id", "path").filter("error is null").count();
        double rate = all.size() / ((System.nanoTime() - t1) / 1e9);
        System.out.printf("spark local[%d]: %.1f images/s, %.1f per core (%d ok)%n", cores, rate, rate / cores, good);
      } finally {
        spark.stop();
      }
    }
  }

  private static int loop(List<Path> paths, GlobalDescriptorEmbedder embedder, ImageLoader loader) {
    int ok = 0;
    for (Path p : paths) {
      try {
        embedder.embed(loader.load(p));
        ok++;
      } catch (RuntimeException e) {
        // counted as not ok, like an error row
      }
    }
    return ok;
  }
}
