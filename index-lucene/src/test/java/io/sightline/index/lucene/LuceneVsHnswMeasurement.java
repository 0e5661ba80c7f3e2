package io.sightline.index.lucene;

import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Same-run comparison of {@link LuceneVectorIndex} and core's {@link HnswVectorIndex} on random
 * Gaussian vectors (cosine): build time, recall@10 against {@link ExactVectorIndex}, query latency
 * p50/p99 (single thread, after a warm-up), Lucene's disk size. Not a unit test; run with
 *
 * <pre>
 * mvn -B -o -q -pl index-lucene test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx4g -cp index-lucene/target/test-classes:index-lucene/target/classes:$(cat /tmp/cp.txt) \
 *   io.sightline.index.lucene.LuceneVsHnswMeasurement 100000 128 1000
 * </pre>
 *
 * Both graphs use M = 16, construction beam 100, search ef 100.
 */
public final class LuceneVsHnswMeasurement {
  private LuceneVsHnswMeasurement() {}

  /**
   * @param args vectors, dimension, queries
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int queries = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int k = 10;
    System.out.println("loadavg before: " + loadavg());
    System.out.printf("n=%d dim=%d queries=%d k=%d cores=%d java=%s%n", n, dim, queries, k,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    Random r = new Random(1);
    List<IndexItem<String>> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(IndexItem.of("k" + i, LuceneVectorIndexTest.randomVector(r, dim)));
    }
    List<float[]> qs = new ArrayList<>(queries);
    for (int i = 0; i < queries; i++) {
      qs.add(LuceneVectorIndexTest.randomVector(r, dim));
    }
    String emb = "measure";
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(dim, Metric.COSINE, emb);
    exact.addAll(items);
    long t0 = System.nanoTime();
    List<Set<String>> truth = qs.stream()
        .map(q -> exact.search(q, k).stream().map(SearchResult::id).collect(Collectors.toSet()))
        .collect(Collectors.toList());
    System.out.printf("exact ground truth: %.1f s%n", (System.nanoTime() - t0) / 1e9);

    HnswVectorIndex<String> hnsw = HnswVectorIndex.builder().dimension(dim).metric(Metric.COSINE)
        .embedderId(emb).m(16).efConstruction(100).ef(100).initialCapacity(n + 1).build();
    measure("hnswlib (heap)", hnsw, items, qs, truth, k, null);
    hnsw = null;
    System.gc();

    Path dir = Files.createTempDirectory("lucene-measure");
    try (LuceneVectorIndex<String> lucene = LuceneVectorIndex.open(dir, String.class, dim, Metric.COSINE, emb,
        new LuceneVectorIndex.Options(16, 100, 100, 10_000, false))) {
      measure("Lucene 9.12 (disk)", lucene, items, qs, truth, k, dir);
    } finally {
      deleteTree(dir);
    }
    System.out.println("loadavg after: " + loadavg());
  }

  private static void measure(String name, VectorIndex<String> index, List<IndexItem<String>> items,
      List<float[]> qs, List<Set<String>> truth, int k, Path dir) throws IOException {
    long t0 = System.nanoTime();
    index.addAll(items);
    double build = (System.nanoTime() - t0) / 1e9;
    for (int i = 0; i < Math.min(200, qs.size()); i++) {
      index.search(qs.get(i), k); // warm-up
    }
    long[] lat = new long[qs.size()];
    int hits = 0;
    for (int i = 0; i < qs.size(); i++) {
      long s = System.nanoTime();
      List<SearchResult<String>> res = index.search(qs.get(i), k);
      lat[i] = System.nanoTime() - s;
      Set<String> want = truth.get(i);
      hits += (int) res.stream().filter(x -> want.contains(x.id())).count();
    }
    Arrays.sort(lat);
    long t1 = System.nanoTime();
    index.add("one-more", qs.get(0), Map.of());
    double oneAdd = (System.nanoTime() - t1) / 1e6;
    String disk = dir == null ? "-" : String.format("%.1f MiB", size(dir) / 1048576.0);
    System.out.printf("%-20s build %.1f s (%.0f vectors/s)  recall@%d %.3f  p50 %.2f ms  p99 %.2f ms  "
            + "one add+commit %.1f ms  disk %s  loadavg %s%n",
        name, build, items.size() / build, k, hits / (double) (qs.size() * k),
        lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, oneAdd, disk, loadavg());
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }

  private static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "n/a";
    }
  }
}
