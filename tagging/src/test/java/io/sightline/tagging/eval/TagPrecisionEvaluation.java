package io.sightline.tagging.eval;

import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.metrics.Metrics;
import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusteringMethod;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.PathTags;
import io.sightline.tagging.StockImage;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TagSelection;
import io.sightline.tagging.TagSuggestion;
import io.sightline.tagging.TrainingReport;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Tag precision@3 / recall@3 on held-out openclipart images (tags: category folders + title
 * words) for the seed's cluster method (K-means with random or k-means++ centres, mini-batch
 * K-means), the two strategies beyond it (soft clusters, nearest-neighbour propagation) and the
 * most-popular baseline, all in one run on the same split and the same vectors.
 *
 * <pre>
 * mvn -B -o -q -pl tagging test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt -Dmdep.includeScope=test
 * java -Xmx8g -cp "tagging/target/test-classes:tagging/target/classes:$(cat tagging/target/test-cp.txt)" \
 *   io.sightline.tagging.eval.TagPrecisionEvaluation --limit 0 --seed 1
 * (exec:java works the same where exec-maven-plugin 3.5.0 resolves; offline here it does not)
 * </pre>
 *
 * Options: {@code --root DIR} (openclipart png folder; default /tmp/deb/oc/..., else fetched with
 * apt-get download openclipart-png), {@code --limit N} images sampled at random (0 = all),
 * {@code --test F} held-out fraction, {@code --clusters K}, {@code --batch B} mini-batch size,
 * {@code --seed S}, {@code --dbscan-radius R} / {@code --dbscan-points P} (adds a DBSCAN row).
 * Embeddings are cached under tagging/target/eval-cache.
 */
public final class TagPrecisionEvaluation {
  private TagPrecisionEvaluation() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = parse(args);
    Path root = OpenClipart.locate(o.get("root"));
    int limit = Integer.parseInt(o.getOrDefault("limit", "3000"));
    double test = Double.parseDouble(o.getOrDefault("test", "0.2"));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    int batch = Integer.parseInt(o.getOrDefault("batch", "256"));

    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".png")).sorted().toList());
    }
    Collections.shuffle(files, new Random(seed));
    if (limit > 0 && files.size() > limit) {
      files = new ArrayList<>(files.subList(0, limit));
    }
    ImageEmbedder embedder = new GlobalDescriptorEmbedder();
    long t0 = System.nanoTime();
    Map<Path, float[]> vectors = embedAll(root, files, embedder);
    System.err.printf(Locale.ROOT, "embedded %d images in %.1f s%n", vectors.size(), (System.nanoTime() - t0) / 1e9);
    List<Path> usable = files.stream().filter(vectors::containsKey).toList();
    int nTest = (int) Math.round(usable.size() * test);
    List<Path> testSet = usable.subList(0, nTest);
    List<Path> stockSet = usable.subList(nTest, usable.size());
    int k = Integer.parseInt(o.getOrDefault("clusters",
        Integer.toString((int) Math.round(Math.sqrt(stockSet.size() / 2.0)))));
    List<StockImage> stock = new ArrayList<>();
    for (Path f : stockSet) {
      stock.add(new StockImage(root.relativize(f).toString(), vectors.get(f), PathTags.of(root, f), null));
    }
    System.out.printf(Locale.ROOT, "openclipart: %d stock images, %d held out, K=%d, embedder %s, seed %d%n",
        stock.size(), testSet.size(), k, embedder.id(), seed);
    System.out.println("| method | strategy | P@3 | R@3 | hit@3 | train s | iterations | mean suggest ms |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    ClusteringOptions base = ClusteringOptions.defaults().withClusters(k).withSeed(seed).withMaxIterations(100);
    evaluate("K-means, random centres (seed)", base.withInit(CentreInit.RANDOM), stock, testSet, root, vectors,
        List.of(Strategy.NEAREST_CLUSTER), embedder);
    evaluate("K-means, k-means++", base.withInit(CentreInit.KMEANS_PLUS_PLUS), stock, testSet, root, vectors,
        List.of(Strategy.NEAREST_CLUSTER, Strategy.SOFT_CLUSTERS, Strategy.NEAREST_NEIGHBOURS, Strategy.MOST_POPULAR),
        embedder);
    evaluate("mini-batch " + batch + ", random centres", base.withMiniBatch(batch).withMaxIterations(500)
        .withInit(CentreInit.RANDOM), stock, testSet, root, vectors, List.of(Strategy.NEAREST_CLUSTER), embedder);
    evaluate("Gaussian mixture (EM, diagonal)", base.withMethod(ClusteringMethod.GAUSSIAN_MIXTURE), stock, testSet,
        root, vectors, List.of(Strategy.NEAREST_CLUSTER), embedder);
    if (o.containsKey("dbscan-radius")) {
      evaluate("DBSCAN radius " + o.get("dbscan-radius"), base.withDbscan(Double.parseDouble(o.get("dbscan-radius")),
          Integer.parseInt(o.getOrDefault("dbscan-points", "5"))), stock, testSet, root, vectors,
          List.of(Strategy.NEAREST_CLUSTER), embedder);
    }
    evaluate("mini-batch " + batch + ", k-means++", base.withMiniBatch(batch).withMaxIterations(500)
        .withInit(CentreInit.KMEANS_PLUS_PLUS), stock, testSet, root, vectors,
        List.of(Strategy.NEAREST_CLUSTER, Strategy.SOFT_CLUSTERS), embedder);
  }

  private static void evaluate(String name, ClusteringOptions options, List<StockImage> stock, List<Path> testSet,
      Path root, Map<Path, float[]> vectors, List<Strategy> strategies, ImageEmbedder embedder) {
    try (TagRecommender r = TagRecommender.builder().vectors(embedder.id(), embedder.dimension())
        .clustering(options).build()) {
      r.addStock(stock);
      TrainingReport rep = r.train();
      for (Strategy s : strategies) {
        if (s == Strategy.NEAREST_NEIGHBOURS) {
          r.suggestVector(vectors.get(testSet.get(0)), s, TagSelection.top(3)); // build the index first
        }
        double p = 0;
        double rc = 0;
        double hit = 0;
        long t = System.nanoTime();
        for (Path f : testSet) {
          Set<String> truth = PathTags.of(root, f);
          TagSuggestion sug = r.suggestVector(vectors.get(f), s, TagSelection.top(3));
          p += Metrics.precisionAtK(sug.tagNames(), truth, 3);
          rc += Metrics.recallAtK(sug.tagNames(), truth, 3);
          hit += Metrics.hitAtK(sug.tagNames(), truth, 3);
        }
        double ms = (System.nanoTime() - t) / 1e6 / testSet.size();
        int n = testSet.size();
        String label = s == Strategy.MOST_POPULAR ? "(baseline)" : name;
        System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.2f | %d | %.3f |%n", label, s,
            p / n, rc / n, hit / n, rep.millis() / 1000.0, rep.iterations(), ms);
      }
    }
  }

  static Map<Path, float[]> embedAll(Path root, List<Path> files, ImageEmbedder embedder) throws Exception {
    // run from the repository root or from tagging/: the cache goes to tagging/target either way
    Path cacheDir = Files.isDirectory(Path.of("tagging/target")) ? Path.of("tagging/target/eval-cache")
        : Path.of("target/eval-cache");
    Files.createDirectories(cacheDir);
    Path cache = cacheDir.resolve(embedder.id().replaceAll("[^A-Za-z0-9.-]", "_") + ".bin");
    Map<String, float[]> cached = new HashMap<>();
    if (Files.exists(cache)) {
      try (InputStream in = Files.newInputStream(cache);
           DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in))) {
        int n = d.readInt();
        for (int i = 0; i < n; i++) {
          String key = d.readUTF();
          float[] v = new float[d.readInt()];
          for (int j = 0; j < v.length; j++) {
            v[j] = d.readFloat();
          }
          cached.put(key, v);
        }
      }
    }
    ImageLoader loader = ImageLoader.defaults();
    Map<Path, float[]> out = new java.util.concurrent.ConcurrentHashMap<>();
    List<Path> todo = new ArrayList<>();
    for (Path f : files) {
      float[] v = cached.get(root.relativize(f).toString());
      if (v != null) {
        out.put(f, v);
      } else {
        todo.add(f);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try {
      List<Future<?>> fs = new ArrayList<>();
      java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
      for (Path f : todo) {
        fs.add(pool.submit(() -> {
          try {
            out.put(f, embedder.embed(loader.load(f)));
          } catch (RuntimeException e) {
            System.err.println("skipped " + f + ": " + e.getMessage());
          }
          int n = done.incrementAndGet();
          if (n % 500 == 0) {
            System.err.println("embedded " + n + "/" + todo.size());
          }
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    if (!todo.isEmpty()) {
      for (Map.Entry<Path, float[]> e : out.entrySet()) {
        cached.put(root.relativize(e.getKey()).toString(), e.getValue());
      }
      try (OutputStream os = Files.newOutputStream(cache);
           DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
        d.writeInt(cached.size());
        for (Map.Entry<String, float[]> e : cached.entrySet()) {
          d.writeUTF(e.getKey());
          d.writeInt(e.getValue().length);
          for (float x : e.getValue()) {
            d.writeFloat(x);
          }
        }
      }
    }
    return out;
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value pairs, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }
}
