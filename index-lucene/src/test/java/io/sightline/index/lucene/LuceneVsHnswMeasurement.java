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
 * Same-run comparison of {@link LuceneVectorIndex} and core's {@link HnswVectorIndex} (cosine):
 * build time, heap held per vector, recall@10 against {@link ExactVectorIndex}, query latency
 * p50/p99 (single thread, after a warm-up), Lucene's disk size, and a durable 100-item update
 * (Lucene: one {@code addAll}, committed; HNSW: the adds plus the {@code save} of the whole file that
 * makes them durable) with the latency of searches another thread runs meanwhile. Not a unit
 * test; run with
 *
 * <pre>
 * mvn -B -o -q -pl index-lucene test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx4g -cp index-lucene/target/test-classes:index-lucene/target/classes:$(cat /tmp/cp.txt) \
 *   io.sightline.index.lucene.LuceneVsHnswMeasurement 100000 128 1000 [clusters]
 * </pre>
 *
 * The fourth argument, when given, draws the vectors around that many Gaussian centres (noise 0.5
 * per component around unit-variance centres) instead of from one Gaussian, which is closer to
 * real embeddings and the easy case for graph search; 0 or absent: one Gaussian (the hard case).
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
    int clusters = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    int k = 10;
    System.out.println("loadavg before: " + loadavg());
    System.out.printf("n=%d dim=%d queries=%d k=%d cores=%d java=%s%n", n, dim, queries, k,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    Random r = new Random(1);
    float[][] centres = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centres[c] = LuceneVectorIndexTest.randomVector(r, dim);
    }
    System.out.println(clusters > 0 ? "vectors: " + clusters + " Gaussian clusters (noise 0.5)" : "vectors: one Gaussian");
    List<IndexItem<String>> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(IndexItem.of("k" + i, draw(r, dim, centres)));
    }
    List<float[]> qs = new ArrayList<>(queries);
    for (int i = 0; i < queries; i++) {
      qs.add(draw(r, dim, centres));
    }
    List<IndexItem<String>> update = new ArrayList<>(100);
    for (int i = 0; i < 100; i++) {
      update.add(IndexItem.of("u" + i, draw(r, dim, centres)));
    }
    String emb = "measure";
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(dim, Metric.COSINE, emb);
    exact.addAll(items);
    long t0 = System.nanoTime();
    List<Set<String>> truth = qs.stream()
        .map(q -> exact.search(q, k).stream().map(SearchResult::id).collect(Collectors.toSet()))
        .collect(Collectors.toList());
    System.out.printf("exact ground truth: %.1f s%n", (System.nanoTime() - t0) / 1e9);

    Path hnswFile = Files.createTempFile("hnsw-measure", ".hnsw");
    long heap0 = usedHeap();
    HnswVectorIndex<String> hnsw = HnswVectorIndex.builder().dimension(dim).metric(Metric.COSINE)
        .embedderId(emb).m(16).efConstruction(100).ef(100).initialCapacity(n + 101).build();
    measure("hnswlib (heap)", hnsw, items, qs, truth, k, null, heap0, update, () -> hnsw.save(hnswFile));
    System.out.printf("hnswlib saved file: %.1f MiB%n", Files.size(hnswFile) / 1048576.0);
    Files.deleteIfExists(hnswFile);
    hnsw.close();

    Path dir = Files.createTempDirectory("lucene-measure");
    long heap1 = usedHeap();
    try (LuceneVectorIndex<String> lucene = LuceneVectorIndex.open(dir, String.class, dim, Metric.COSINE, emb,
        new LuceneVectorIndex.Options(16, 100, 100, 10_000, false))) {
      measure("Lucene 9.12 (disk)", lucene, items, qs, truth, k, dir, heap1, update, () -> { });
    } finally {
      deleteTree(dir);
    }
    System.out.println("loadavg after: " + loadavg());
  }

  private static float[] draw(Random r, int dim, float[][] centres) {
    float[] v = LuceneVectorIndexTest.randomVector(r, dim);
    if (centres.length > 0) {
      float[] c = centres[r.nextInt(centres.length)];
      for (int j = 0; j < dim; j++) {
        v[j] = c[j] + 0.5f * v[j];
      }
    }
    return v;
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static void measure(String name, VectorIndex<String> index, List<IndexItem<String>> items,
      List<float[]> qs, List<Set<String>> truth, int k, Path dir, long heapBefore, List<IndexItem<String>> update,
      Runnable makeDurable) throws Exception {
    long t0 = System.nanoTime();
    index.addAll(items);
    double build = (System.nanoTime() - t0) / 1e9;
    double heapPerVector = (usedHeap() - heapBefore) / (double) items.size();
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
    System.out.printf("%-20s build %.1f s (%.0f vectors/s)  heap %.0f B/vector  recall@%d %.3f  p50 %.2f ms  "
            + "p99 %.2f ms  one add+commit %.1f ms  disk %s  loadavg %s%n",
        name, build, items.size() / build, heapPerVector, k, hits / (double) (qs.size() * k),
        lat[lat.length / 2] / 1e6, lat[(int) (lat.length * 0.99)] / 1e6, oneAdd, disk, loadavg());

    // a durable 100-item update while another thread searches
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong since = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
    java.util.concurrent.atomic.AtomicLong until = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
    List<long[]> during = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread searcher = new Thread(() -> {
      int i = 0;
      while (!stop.get()) {
        long s = System.nanoTime();
        index.search(qs.get(i++ % qs.size()), k);
        long e = System.nanoTime();
        during.add(new long[] {s, e - s});
      }
    });
    searcher.start();
    Thread.sleep(300);
    long u0 = System.nanoTime();
    since.set(u0);
    index.addAll(update);
    makeDurable.run();
    long u1 = System.nanoTime();
    until.set(u1);
    Thread.sleep(300);
    stop.set(true);
    searcher.join();
    long[] inWindow = during.stream().filter(x -> x[0] + x[1] >= u0 && x[0] <= u1).mapToLong(x -> x[1]).sorted()
        .toArray();
    long[] outside = during.stream().filter(x -> x[0] + x[1] < u0 || x[0] > u1).mapToLong(x -> x[1]).sorted()
        .toArray();
    System.out.printf("%-20s durable 100-item update %.0f ms; searches meanwhile: %d, p50 %.2f ms, max %.2f ms"
            + " (outside it: p50 %.2f ms, max %.2f ms)%n", name, (u1 - u0) / 1e6, inWindow.length,
        pct(inWindow, 0.5), pct(inWindow, 1.0), pct(outside, 0.5), pct(outside, 1.0));
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
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
