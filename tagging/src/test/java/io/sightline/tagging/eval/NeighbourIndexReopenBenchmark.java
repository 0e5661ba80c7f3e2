package io.sightline.tagging.eval;

import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.index.lucene.LuceneVectorIndex;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.StockImage;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagRecommender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a new process pays before its first nearest-neighbour suggestion (issue 21): the default
 * in-heap HNSW index is built from the stock at every opening; an on-disk Lucene index
 * ({@link TagRecommender.Builder#neighbourIndex}) is only reconciled with the stock. Both run in
 * the same process over the same stock directory (the stock database is reopened each time, so
 * "open" is what a new process does), followed by suggestion latency, one 100-image
 * {@code addStock} and the heap each holds.
 *
 * <pre>
 * mvn -B -o -q -pl tagging dependency:build-classpath -Dmdep.outputFile=/tmp/tagging.cp -Dmdep.includeScope=test
 * java -Xmx8g -cp "tagging/target/test-classes:tagging/target/classes:$(cat /tmp/tagging.cp)" \
 *   io.sightline.tagging.eval.NeighbourIndexReopenBenchmark --n 100000 --dim 384 --dir /tmp/nnbench
 * </pre>
 */
public final class NeighbourIndexReopenBenchmark {
  private NeighbourIndexReopenBenchmark() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> o = TagPrecisionEvaluation.parse(args);
    int n = Integer.parseInt(o.getOrDefault("n", "100000"));
    int d = Integer.parseInt(o.getOrDefault("dim", "384"));
    int queries = Integer.parseInt(o.getOrDefault("queries", "500"));
    Path dir = Path.of(o.getOrDefault("dir", "/tmp/nnbench"));
    deleteTree(dir);
    Random rnd = new Random(1);
    float[][] centres = new float[200][d];
    for (float[] c : centres) {
      for (int j = 0; j < d; j++) {
        c[j] = (float) rnd.nextGaussian();
      }
    }
    Path model = dir.resolve("model");
    VectorIndexFactory lucene = (dim, metric, id) -> LuceneVectorIndex.open(dir.resolve("neighbours"), dim, metric, id);
    long t0 = System.nanoTime();
    try (TagRecommender r = builder(model, d).build()) {
      List<StockImage> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(image("s" + i, centres, rnd, d));
        if (batch.size() == 10_000 || i == n - 1) {
          r.addStock(batch);
          batch.clear();
        }
      }
      System.out.printf(Locale.ROOT, "stock: %d x %d stored in %.1f s%n", n, d, (System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      r.train();
      System.out.printf(Locale.ROOT, "train (clusters + in-heap index): %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
    float[][] qs = new float[queries][];
    for (int i = 0; i < queries; i++) {
      qs[i] = image("q", centres, rnd, d).vector();
    }
    System.out.printf(Locale.ROOT, "load average at start: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    run("in-heap HNSW, every opening", builder(model, d), qs, centres, rnd, d);
    run("Lucene on disk, first opening", builder(model, d).neighbourIndex(lucene), qs, centres, rnd, d);
    run("Lucene on disk, next opening", builder(model, d).neighbourIndex(lucene), qs, centres, rnd, d);
    run("in-heap HNSW, every opening (again)", builder(model, d), qs, centres, rnd, d);
    System.out.printf(Locale.ROOT, "load average at end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static void run(String what, TagRecommender.Builder b, float[][] qs, float[][] centres, Random rnd, int d) {
    System.gc();
    long heap0 = used();
    long t0 = System.nanoTime();
    try (TagRecommender r = b.build()) {
      double open = (System.nanoTime() - t0) / 1e9;
      System.gc();
      long heap = used() - heap0;
      long[] lat = new long[qs.length];
      for (int i = 0; i < qs.length; i++) {
        long s = System.nanoTime();
        r.suggestVector(qs[i]);
        lat[i] = System.nanoTime() - s;
      }
      Arrays.sort(lat);
      List<StockImage> add = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        add.add(image("add-" + System.nanoTime() + "-" + i, centres, rnd, d));
      }
      long s = System.nanoTime();
      r.addStock(add);
      double addMs = (System.nanoTime() - s) / 1e6;
      r.removeStock(add.stream().map(StockImage::id).toList());
      System.out.printf(Locale.ROOT, "%-38s open %.2f s, heap after open +%d MiB, suggestion p50 %.2f ms p99 %.2f ms,"
          + " addStock(100) %.0f ms%n", what, open, heap >> 20, lat[lat.length / 2] / 1e6,
          lat[(int) (lat.length * 0.99)] / 1e6, addMs);
    }
  }

  private static long used() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static TagRecommender.Builder builder(Path model, int d) {
    return TagRecommender.builder().vectors("bench/1", d).directory(model).strategy(Strategy.NEAREST_NEIGHBOURS)
        .clustering(ClusteringOptions.defaults().withClusters(50).withMiniBatch(2048));
  }

  private static StockImage image(String id, float[][] centres, Random rnd, int d) {
    int c = rnd.nextInt(centres.length);
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = centres[c][j] + (float) (0.6 * rnd.nextGaussian());
    }
    return new StockImage(id, v, Set.of("t" + c, "g" + (c % 10)), null);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
