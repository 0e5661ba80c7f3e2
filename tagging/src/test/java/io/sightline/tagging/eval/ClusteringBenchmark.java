package io.sightline.tagging.eval;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.metrics.Metrics;
import io.sightline.core.store.Database;
import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.StockImage;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TagSelection;
import io.sightline.tagging.TrainingReport;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import smile.clustering.KMeans;

/**
 * Clustering time and memory for n × d synthetic vectors (a mixture of Gaussian blobs, L2-normalised
 * as the recommender clusters them), K-means vs mini-batch K-means through
 * {@link TagRecommender#train}, against Smile's own {@code KMeans.fit} as the baseline in the same
 * run; then suggestion latency per strategy.
 *
 * <pre>
 * mvn -B -o -q -pl tagging test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt -Dmdep.includeScope=test
 * java -Xmx8g -cp "tagging/target/test-classes:tagging/target/classes:$(cat tagging/target/test-cp.txt)" \
 *   io.sightline.tagging.eval.ClusteringBenchmark --n 100000 --dim 256 --clusters 100
 * </pre>
 *
 * Options: {@code --n}, {@code --dim}, {@code --clusters K}, {@code --blobs B} (true mixture
 * components), {@code --max-iterations}, {@code --queries Q}, {@code --nn true|false} (also time
 * nearest-neighbour propagation, which first builds an HNSW index over the whole stock), {@code --seed}.
 */
public final class ClusteringBenchmark {
  private ClusteringBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = TagPrecisionEvaluation.parse(args);
    int n = Integer.parseInt(o.getOrDefault("n", "100000"));
    int d = Integer.parseInt(o.getOrDefault("dim", "256"));
    int k = Integer.parseInt(o.getOrDefault("clusters", "100"));
    int blobs = Integer.parseInt(o.getOrDefault("blobs", "200"));
    int maxIter = Integer.parseInt(o.getOrDefault("max-iterations", "100"));
    int queries = Integer.parseInt(o.getOrDefault("queries", "5000"));
    boolean nn = Boolean.parseBoolean(o.getOrDefault("nn", "true"));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));

    Random rnd = new Random(seed);
    float[][] centres = new float[blobs][d];
    for (float[] c : centres) {
      for (int j = 0; j < d; j++) {
        c[j] = (float) rnd.nextGaussian();
      }
    }
    List<StockImage> stock = new ArrayList<>(n);
    double[][] normalised = new double[n][];
    for (int i = 0; i < n; i++) {
      int b = rnd.nextInt(blobs);
      float[] v = new float[d];
      double norm = 0;
      for (int j = 0; j < d; j++) {
        v[j] = centres[b][j] + (float) (rnd.nextGaussian() * 0.8);
        norm += v[j] * v[j];
      }
      double[] x = new double[d];
      for (int j = 0; j < d; j++) {
        x[j] = v[j] / Math.sqrt(norm);
      }
      normalised[i] = x;
      stock.add(new StockImage("img" + i, v, Set.of("blob" + b, "group" + (b % 10), "common"),
          i % 3 == 0 ? "post" + (i / 3) : null));
    }
    System.out.printf(Locale.ROOT, "n=%d d=%d K=%d blobs=%d maxIterations=%d seed=%d, %d cores, max heap %d MiB%n",
        n, d, k, blobs, maxIter, seed, Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.println("| clustering | seconds | iterations | converged | D (all vectors) | peak heap above idle, MiB |");
    System.out.println("|---|---|---|---|---|---|");

    ClusteringOptions base = ClusteringOptions.defaults().withClusters(k).withSeed(seed).withMaxIterations(maxIter);
    // one stock database shared by every run (each run re-clusters it)
    Database db = Database.inMemory("tagging-bench-" + seed);
    try (TagRecommender r = TagRecommender.builder().vectors("synthetic/1", d).database(db).clustering(base).build()) {
      long tAdd = System.nanoTime();
      r.addStock(stock);
      System.err.printf(Locale.ROOT, "stored %d vectors in %.1f s%n", n, (System.nanoTime() - tAdd) / 1e9);
    }
    List<Object[]> runs = List.of(
        new Object[] {"K-means, random centres (seed)", base.withInit(CentreInit.RANDOM)},
        new Object[] {"K-means, k-means++", base.withInit(CentreInit.KMEANS_PLUS_PLUS)},
        new Object[] {"mini-batch 1000, random centres", base.withMiniBatch(1000).withInit(CentreInit.RANDOM)
            .withMaxIterations(Math.max(maxIter, 500))},
        new Object[] {"mini-batch 10000, random centres (seed's batch)", base.withMiniBatch(10000)
            .withInit(CentreInit.RANDOM).withMaxIterations(Math.max(maxIter, 500))},
        new Object[] {"mini-batch 1000, k-means++", base.withMiniBatch(1000).withInit(CentreInit.KMEANS_PLUS_PLUS)
            .withMaxIterations(Math.max(maxIter, 500))});
    TagRecommender keep = null;
    double keepDeviation = 0;
    for (Object[] run : runs) {
      ClusteringOptions opts = (ClusteringOptions) run[1];
      TagRecommender r = TagRecommender.builder().vectors("synthetic/1", d).database(db).clustering(opts).build();
      System.gc();
      Peak p = Peak.start();
      long t = System.nanoTime();
      TrainingReport rep = r.train(ProgressListener.NONE, CancellationToken.NONE);
      double wall = (System.nanoTime() - t) / 1e9;
      System.out.printf(Locale.ROOT, "| %s | %.2f (clustering %.2f) | %d | %s | %.5g | %d |%n", run[0], wall,
          rep.millis() / 1000.0, rep.iterations(), rep.converged(), rep.finalDeviation(), p.stop());
      if (keep == null && opts.init() == CentreInit.KMEANS_PLUS_PLUS && opts.method().name().equals("KMEANS")) {
        keep = r;
        keepDeviation = rep.finalDeviation();
      } else {
        r.close();
      }
    }

    // baseline: Smile's own K-means (k-means++ seeding + BBD-tree Lloyd) on the same normalised data
    // and K, after the runs above (warm JVM); Smile's tolerance is absolute, so it gets 1e-4 x the
    // deviation of the k-means++ run above, the same relative stopping rule
    Peak peak = Peak.start();
    long t0 = System.nanoTime();
    smile.math.MathEx.setSeed(seed);
    KMeans smile = KMeans.fit(normalised, k, maxIter, 1e-4 * keepDeviation);
    double smileSec = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "| Smile KMeans.fit (baseline) | %.2f | - | - | %.5g | %d |%n", smileSec,
        smile.distortion, peak.stop());

    System.out.println();
    System.out.println("| strategy (K-means++ model) | mean ms | p50 ms | p99 ms |");
    System.out.println("|---|---|---|---|");
    List<Strategy> strategies = new ArrayList<>(List.of(Strategy.NEAREST_CLUSTER, Strategy.SOFT_CLUSTERS,
        Strategy.MOST_POPULAR));
    if (nn) {
      long t = System.nanoTime();
      keep.suggestVector(stock.get(0).vector(), Strategy.NEAREST_NEIGHBOURS, TagSelection.top(3));
      System.out.printf(Locale.ROOT, "(HNSW index over %d vectors built in %.1f s)%n", n, (System.nanoTime() - t) / 1e9);
      strategies.add(Strategy.NEAREST_NEIGHBOURS);
    }
    Random qr = new Random(seed + 1);
    for (Strategy s : strategies) {
      double[] ms = new double[queries];
      for (int i = 0; i < queries + 1000; i++) {
        float[] q = stock.get(qr.nextInt(n)).vector();
        long t = System.nanoTime();
        keep.suggestVector(q, s, TagSelection.top(3));
        if (i >= 1000) {
          ms[i - 1000] = (System.nanoTime() - t) / 1e6;
        }
      }
      double mean = Arrays.stream(ms).average().orElse(0);
      Arrays.sort(ms);
      System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", s, mean, Metrics.quantile(ms, 0.5),
          Metrics.quantile(ms, 0.99));
    }
    // claim 7: recording the tags a user chose goes into the stock and its cluster's counts at once
    int accepts = Math.min(500, queries);
    double[] acceptMs = new double[accepts];
    for (int i = 0; i < accepts; i++) {
      float[] v = stock.get(qr.nextInt(n)).vector();
      long t = System.nanoTime();
      keep.acceptVector("accepted" + i, v, List.of("chosen" + (i % 7), "common"), i % 2 == 0 ? "post" + i : null);
      acceptMs[i] = (System.nanoTime() - t) / 1e6;
    }
    double acceptMean = Arrays.stream(acceptMs).average().orElse(0);
    Arrays.sort(acceptMs);
    System.out.printf(Locale.ROOT, "| acceptVector (store + recount its cluster + stock-wide counts) | %.3f | %.3f | %.3f |%n",
        acceptMean, Metrics.quantile(acceptMs, 0.5), Metrics.quantile(acceptMs, 0.99));
    keep.close();
    db.close();
  }

  /** Samples used heap every 20 ms and reports the peak above the level at start. */
  static final class Peak {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong peak = new AtomicLong();
    private final long idle;
    private final Thread thread;

    private Peak() {
      MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
      this.idle = mem.getHeapMemoryUsage().getUsed();
      this.thread = new Thread(() -> {
        while (running.get()) {
          peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    static Peak start() {
      System.gc();
      return new Peak();
    }

    long stop() throws InterruptedException {
      running.set(false);
      thread.join();
      return Math.max(0, peak.get() - idle) >> 20;
    }
  }
}
