package io.sightline.commerce.eval;

import io.sightline.commerce.CatalogEntry;
import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.commerce.ProductSearcher;
import io.sightline.commerce.RegionResult;
import io.sightline.core.ProgressListener;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.Vectors;
import io.sightline.core.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Search latency of the product searcher at catalog scale, with synthetic vectors (no images):
 * {@code N} products of the other-commodity segment, vectors of the default embedder's
 * length) drawn around 2,000 random cluster centres (50 categories), L2-normalised; queries are
 * catalog vectors plus noise. Measured per query: {@link ProductSearcher#searchVector} = HNSW
 * search of 30 candidates + product rows from H2 + rank/entropy/category steps; baseline in the
 * same run: exact brute-force search ({@link ExactVectorIndex}) of the same 30 candidates. Also
 * HNSW recall@10 against exact search, build time, heap after build, and index file size.
 *
 * <p>Run: {@code mvn -B -o -q -pl commerce test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.sightline.commerce.eval.ProductSearchBenchmark -Dexec.args="100000,1000000 1000"}
 * with {@code MAVEN_OPTS=-Xmx12g}; {@code -Dbench.efc=N -Dbench.m=M} change the graph parameters
 * (defaults 200 and 16, the catalog's). Then the whole pipeline on real photos, see
 * {@link #pipeline}.
 */
public final class ProductSearchBenchmark {
  private ProductSearchBenchmark() {}

  /**
   * @param args comma-separated catalog sizes, number of queries
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "100000").split(",")).mapToInt(Integer::parseInt).toArray();
    int nQueries = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int efConstruction = Integer.getInteger("bench.efc", 200); // the catalog's default
    int m = Integer.getInteger("bench.m", 16);
    int dim = GlobalDescriptorEmbedder.DIMENSION;
    System.out.printf(Locale.ROOT, "efConstruction %d, M %d, ef 100, %d queries, %d processors%n%n", efConstruction, m, nQueries,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "| catalog | build (s) | heap after build (MiB) | index file (MiB) | searcher p50 (ms) "
        + "| searcher p99 (ms) | HNSW-only p50 (ms) | exact baseline p50 (ms) | exact p99 (ms) | HNSW recall@10 "
        + "| queries left empty by the filters |%n");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (int n : sizes) {
      Random rnd = new Random(42);
      float[][] centres = new float[2000][dim];
      for (float[] c : centres) {
        for (int j = 0; j < dim; j++) {
          c[j] = (float) rnd.nextGaussian();
        }
      }
      List<CatalogEntry> entries = new ArrayList<>(n);
      List<float[]> vectors = new ArrayList<>(n);
      Path syntheticImage = Path.of("synthetic.png");
      for (int i = 0; i < n; i++) {
        int c = rnd.nextInt(centres.length);
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
          v[j] = centres[c][j] + 0.8f * (float) rnd.nextGaussian();
        }
        vectors.add(Vectors.normalized(v));
        entries.add(new CatalogEntry("p" + i, syntheticImage, "cat" + (c % 50), "Product " + i, "https://shop.example/p" + i));
      }
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sightline-commerce-bench-" + n);
      deleteTree(dir);
      System.err.printf(Locale.ROOT, "[bench] %,d vectors generated; building%n", n);
      long t0 = System.nanoTime();
      try (ProductCatalog catalog = ProductCatalog.builder().directory(dir).hnsw(m, efConstruction, 100).open()) {
        catalog.indexVectors(entries, vectors, ProgressListener.NONE);
        double build = (System.nanoTime() - t0) / 1e9;
        System.gc();
        Thread.sleep(200);
        System.gc();
        long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        long file = Files.size(dir.resolve("other-commodity.hnsw"));
        ImageClassifier gate = minimalGate(dim);
        ProductSearcher searcher = ProductSearcher.builder().catalog(catalog).intentClassifier(gate).build();
        ExactVectorIndex<String> exact = new ExactVectorIndex<>(dim, Metric.COSINE, GlobalDescriptorEmbedder.ID);
        List<IndexItem<String>> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(new IndexItem<>("p" + i, vectors.get(i), Map.of()));
        }
        exact.addAll(items);
        items = null;
        List<float[]> queries = new ArrayList<>();
        for (int q = 0; q < nQueries; q++) {
          float[] base = vectors.get(rnd.nextInt(n));
          float[] v = new float[dim];
          for (int j = 0; j < dim; j++) {
            v[j] = base[j] + 0.02f * (float) rnd.nextGaussian();
          }
          queries.add(v);
        }
        for (int q = 0; q < Math.min(100, nQueries); q++) { // warm-up
          searcher.searchVector(Intent.OTHER_COMMODITY, queries.get(q));
        }
        double[] ts = new double[nQueries];
        double[] te = new double[nQueries];
        double[] th = new double[nQueries];
        double recall = 0;
        int empty = 0;
        for (int q = 0; q < nQueries; q++) {
          long a = System.nanoTime();
          RegionResult r = searcher.searchVector(Intent.OTHER_COMMODITY, queries.get(q));
          long b = System.nanoTime();
          List<SearchResult<String>> ex = exact.search(queries.get(q), 30);
          long c = System.nanoTime();
          ts[q] = (b - a) / 1e6;
          te[q] = (c - b) / 1e6;
          List<SearchResult<String>> h30 = catalog.search(Intent.OTHER_COMMODITY, queries.get(q), 30);
          th[q] = (System.nanoTime() - c) / 1e6;
          List<String> hnsw = h30.subList(0, Math.min(10, h30.size())).stream().map(SearchResult::id).toList();
          recall += Metrics.recallAtK(hnsw, new HashSet<>(ex.subList(0, Math.min(10, ex.size())).stream()
              .map(SearchResult::id).toList()), 10);
          if (r.results().isEmpty()) {
            // legitimate: on a small synthetic catalog the category and entropy steps can remove
            // every candidate (they are switchable); counted, not fatal
            empty++;
          }
        }
        Arrays.sort(ts);
        Arrays.sort(te);
        Arrays.sort(th);
        pipeline(catalog, gate, nQueries);
        System.out.printf(Locale.ROOT, "| %,d | %.1f | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f | %d |%n", n, build,
            heap >> 20, file >> 20, Metrics.quantile(ts, 0.5), Metrics.quantile(ts, 0.99), Metrics.quantile(th, 0.5),
            Metrics.quantile(te, 0.5),
            Metrics.quantile(te, 0.99), recall / nQueries, empty);
      }
      deleteTree(dir);
    }
  }

  /**
   * The searcher needs an intent gate; these benchmarks query past it (by vector, or with a gate
   * margin that searches both segments), so a real but minimal gate — core's {@code
   * EmbeddingClassifier} on two vectors — is enough.
   */
  static ImageClassifier minimalGate(int dim) {
    float[] nonProduct = new float[dim];
    nonProduct[0] = 1f;
    float[] product = new float[dim];
    product[1] = 1f;
    return io.sightline.core.classify.EmbeddingClassifier.builder(new GlobalDescriptorEmbedder())
        .train(List.of(io.sightline.core.classify.EmbeddingClassifier.Example.ofVector("non-commodity", nonProduct),
            io.sightline.core.classify.EmbeddingClassifier.Example.ofVector("other-commodity", product)),
            ProgressListener.NONE, io.sightline.core.CancellationToken.NONE);
  }

  /**
   * The whole pipeline on real photos (issue 19): decode excluded, then gate (run, with margin 1 so
   * that every photo is searched in both segments, the slowest path), region proposals, embedding
   * of each region, HNSW search, product rows and filters — {@link ProductSearcher#search(
   * java.awt.image.BufferedImage, String)}. Photos: every PNG/JPEG under {@code -Dbench.images}
   * (default {@code testdata}), cycled. Printed to stderr as one line.
   */
  static void pipeline(ProductCatalog catalog, ImageClassifier gate, int nQueries) throws Exception {
    Path root = Path.of(System.getProperty("bench.images", "testdata"));
    if (!Files.isDirectory(root)) {
      System.err.println("[bench] no folder " + root.toAbsolutePath() + " (-Dbench.images); whole pipeline not measured");
      return;
    }
    List<java.awt.image.BufferedImage> photos = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(f -> f.toString().matches("(?i).*\\.(png|jpe?g)$")).sorted().limit(60).toList()) {
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(p.toFile());
        if (img != null) {
          photos.add(img);
          names.add(p.getFileName().toString());
        }
      }
    }
    ProductSearcher searcher = ProductSearcher.builder().catalog(catalog).intentClassifier(gate).gateMargin(1.0)
        .build();
    for (int q = 0; q < Math.min(20, photos.size()); q++) { // warm-up
      searcher.search(photos.get(q), names.get(q));
    }
    int n = Math.min(nQueries, 300);
    double[] t = new double[n];
    int searched = 0;
    int regions = 0;
    for (int q = 0; q < n; q++) {
      int i = q % photos.size();
      long a = System.nanoTime();
      io.sightline.commerce.ProductSearchResult r = searcher.search(photos.get(i), names.get(i));
      t[q] = (System.nanoTime() - a) / 1e6;
      searched += r.searched() ? 1 : 0;
      regions += r.regions().size();
    }
    Arrays.sort(t);
    System.err.printf(Locale.ROOT, "[bench] whole pipeline (%s matcher, %d photos of %s cycled, %d searches): p50 %.1f ms, "
        + "p99 %.1f ms, max %.1f ms; searched %d of %d, %.1f regions per photo; load average %s%n",
        catalog.matcher(), photos.size(), root, n, Metrics.quantile(t, 0.5), Metrics.quantile(t, 0.99), t[n - 1],
        searched, n, regions / (double) n, Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static void deleteTree(Path dir) throws Exception {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Collections.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
