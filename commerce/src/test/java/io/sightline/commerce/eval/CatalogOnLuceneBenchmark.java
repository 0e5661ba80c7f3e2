package io.sightline.commerce.eval;

import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.core.ProgressListener;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.core.instance.Matcher;
import io.sightline.index.lucene.LuceneVectorIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Issue 21: the same catalog of N products (clustered random vectors of the embedder's dimension,
 * no image decoded) on the default in-heap HNSW index with its segment log, and on Lucene indexes
 * on disk ({@link ProductCatalog.Builder#vectorIndex}): build time, reopen time and heap, disk,
 * recall@10 against an exact scan of the stored vectors, search latency, and one {@code index()}
 * of 100 products while a thread searches (its time, and the searches' latency meanwhile).
 *
 * <pre>
 * java -Xmx6g -cp ... io.sightline.commerce.eval.CatalogOnLuceneBenchmark N ROUNDS [BATCH [MODES]]
 * java -Xmx6g -cp ... io.sightline.commerce.eval.CatalogOnLuceneBenchmark reopen DIR ROUNDS
 * </pre>
 *
 * <p>The stores stay in the temporary folder the run prints; {@code reopen} times opening them again.
 *
 * <p>{@code BATCH} products per {@code indexVectors} call while building (default 20,000);
 * {@code MODES} {@code hnsw,lucene} (default both). With {@code -Dbench.images=DIR} (e.g. the
 * repository's {@code testdata}) each reopened catalog is also searched by the whole pipeline on the
 * photos of that folder ({@link ProductSearchBenchmark#pipeline}: gate, regions, embedding, search,
 * product rows, filters).
 */
public final class CatalogOnLuceneBenchmark {
  private static final int CLUSTERS = 1000;
  private static final int QUERIES = 200;

  private CatalogOnLuceneBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("reopen")) {
      reopen(Path.of(args[1]), Integer.parseInt(args[2]));
      return;
    }
    int n = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    String[] modes = args.length > 3 ? args[3].split(",") : new String[] {"hnsw", "lucene"};
    Path dir = Files.createTempDirectory("catalog-on-lucene");
    Path img = dir.resolve("p.png");
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB),
        "png", img.toFile());
    int d;
    try (ProductCatalog probe = ProductCatalog.builder().inMemory().open()) {
      d = probe.embedder(Intent.OTHER_COMMODITY).dimension();
    }
    Random rnd = new Random(1);
    float[][] centres = new float[CLUSTERS][];
    for (int c = 0; c < CLUSTERS; c++) {
      centres[c] = gaussian(rnd, d, 1);
    }
    float[][] data = new float[n][];
    for (int i = 0; i < n; i++) {
      data[i] = near(centres[rnd.nextInt(CLUSTERS)], rnd, 0.35);
    }
    float[][] queries = new float[QUERIES][];
    for (int q = 0; q < QUERIES; q++) {
      queries[q] = near(centres[rnd.nextInt(CLUSTERS)], rnd, 0.35);
    }
    List<Set<String>> truth = exact(data, queries);
    System.out.printf("%d products, %d-d, %d clusters, stores in %s; load average at start %.2f%n", n, d, CLUSTERS, dir,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    for (String mode : modes) {
      Path db = dir.resolve(mode);
      Function<Intent, VectorIndexFactory> factories = mode.equals("lucene")
          ? s -> LuceneVectorIndex.factory(db.resolve("vectors").resolve(s.label())) : null;
      long t0 = System.nanoTime();
      try (ProductCatalog cat = open(db, factories)) {
        for (int from = 0; from < n; from += batch) {
          int k = Math.min(batch, n - from);
          List<float[]> vs = Arrays.asList(Arrays.copyOfRange(data, from, from + k));
          cat.indexVectors(IncrementalSaveBenchmark.entries(img, from, k), vs, ProgressListener.NONE);
        }
      }
      double build = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%s built in %.1f s; load average %.2f%n", mode, build,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      long heapBefore = usedHeap();
      long t1 = System.nanoTime();
      try (ProductCatalog cat = open(db, factories)) {
        double reopen = (System.nanoTime() - t1) / 1e6;
        long heap = usedHeap() - heapBefore;
        double recall = 0;
        double[] lat = new double[QUERIES * 3];
        for (int rep = 0; rep < 3; rep++) {
          for (int q = 0; q < QUERIES; q++) {
            long s = System.nanoTime();
            List<SearchResult<String>> hits = cat.search(Intent.OTHER_COMMODITY, queries[q], 10, null);
            lat[rep * QUERIES + q] = (System.nanoTime() - s) / 1e6;
            if (rep == 0) {
              Set<String> want = truth.get(q);
              recall += hits.stream().filter(h -> want.contains(h.id())).count() / 10.0;
            }
          }
        }
        Arrays.sort(lat);
        System.out.printf("%-6s build %.1f s | reopen %.0f ms, heap after reopen %+.0f MiB, disk %.1f MB | recall@10"
            + " %.3f | search p50 %.2f ms p99 %.2f ms%n", mode, build, reopen, heap / 1048576.0, diskMb(db),
            recall / QUERIES, lat[lat.length / 2], lat[(int) (lat.length * 0.99)]);
        if (System.getProperty("bench.images") != null) {
          ProductSearchBenchmark.pipeline(cat, ProductSearchBenchmark.minimalGate(d), 300);
        }
        int next = n;
        double[] writes = new double[rounds];
        List<Double> during = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          AtomicBoolean stop = new AtomicBoolean();
          float[] q = queries[r % QUERIES];
          Thread searcher = new Thread(() -> {
            while (!stop.get()) {
              long s = System.nanoTime();
              cat.search(Intent.OTHER_COMMODITY, q, 10, null);
              synchronized (during) {
                during.add((System.nanoTime() - s) / 1e6);
              }
            }
          });
          searcher.start();
          List<float[]> vs = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            vs.add(near(centres[rnd.nextInt(CLUSTERS)], rnd, 0.35));
          }
          long s = System.nanoTime();
          cat.indexVectors(IncrementalSaveBenchmark.entries(img, next, 100), vs, ProgressListener.NONE);
          writes[r] = (System.nanoTime() - s) / 1e6;
          stop.set(true);
          searcher.join();
          next += 100;
        }
        Arrays.sort(writes);
        double[] dl = during.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("%-6s index(100) median %.0f ms, max %.0f ms | searches meanwhile: %d, p50 %.2f ms, p99 %.2f"
            + " ms, max %.0f ms%n", mode, writes[rounds / 2], writes[rounds - 1], dl.length, dl[dl.length / 2],
            dl[(int) (dl.length * 0.99)], dl[dl.length - 1]);
      }
    }
    System.out.printf("load average at end %.2f%n",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /**
   * {@code reopen DIR ROUNDS}: times opening the stores a run left in its temporary folder {@code DIR}
   * ({@code DIR/hnsw}, {@code DIR/lucene}), alternately, {@code ROUNDS} times each.
   */
  private static void reopen(Path dir, int rounds) {
    for (int r = 0; r < rounds; r++) {
      for (String mode : new String[] {"hnsw", "lucene"}) {
        Path db = dir.resolve(mode);
        long t = System.nanoTime();
        try (ProductCatalog cat = open(db, mode.equals("lucene")
            ? s -> LuceneVectorIndex.factory(db.resolve("vectors").resolve(s.label())) : null)) {
          System.out.printf("%-6s reopen %.0f ms (%d products); load average %.2f%n", mode, (System.nanoTime() - t) / 1e6,
              cat.size(), java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
      }
    }
  }

  private static ProductCatalog open(Path db, Function<Intent, VectorIndexFactory> factories) {
    return ProductCatalog.builder().directory(db).matcher(Matcher.GLOBAL).vectorIndex(factories).open();
  }

  private static long usedHeap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static double diskMb(Path db) throws Exception {
    try (Stream<Path> files = Files.walk(db)) {
      long bytes = 0;
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        bytes += Files.size(f);
      }
      return bytes / 1e6;
    }
  }

  /** The exact 10 nearest ids (cosine) of each query. */
  private static List<Set<String>> exact(float[][] data, float[][] queries) {
    float[][] unit = new float[data.length][];
    for (int i = 0; i < data.length; i++) {
      unit[i] = io.sightline.core.index.Vectors.normalized(data[i]);
    }
    List<Set<String>> out = new ArrayList<>();
    for (float[] q0 : queries) {
      float[] q = io.sightline.core.index.Vectors.normalized(q0);
      Integer[] best = new Integer[10];
      double[] bestSim = new double[10];
      Arrays.fill(bestSim, Double.NEGATIVE_INFINITY);
      for (int i = 0; i < unit.length; i++) {
        double s = 0;
        for (int j = 0; j < q.length; j++) {
          s += q[j] * unit[i][j];
        }
        if (s > bestSim[9]) {
          int p = 9;
          while (p > 0 && bestSim[p - 1] < s) {
            bestSim[p] = bestSim[p - 1];
            best[p] = best[p - 1];
            p--;
          }
          bestSim[p] = s;
          best[p] = i;
        }
      }
      Set<String> ids = new HashSet<>();
      for (Integer b : best) {
        ids.add("p" + b);
      }
      out.add(ids);
    }
    return out;
  }

  private static float[] gaussian(Random rnd, int d, double sigma) {
    float[] v = new float[d];
    for (int j = 0; j < d; j++) {
      v[j] = (float) (rnd.nextGaussian() * sigma);
    }
    return v;
  }

  private static float[] near(float[] centre, Random rnd, double sigma) {
    float[] v = gaussian(rnd, centre.length, sigma);
    for (int j = 0; j < v.length; j++) {
      v[j] += centre[j];
    }
    return v;
  }
}
