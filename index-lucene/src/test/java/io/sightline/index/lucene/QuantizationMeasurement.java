package io.sightline.index.lucene;

import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;

/**
 * Float vs int8 scalar-quantized graph vectors in {@link LuceneVectorIndex} on random Gaussian
 * vectors (cosine): build time, disk bytes per vector (in all and per Lucene file kind: {@code vec}
 * float vectors, {@code veq} int8 vectors, {@code vex} graph), recall@10 against
 * {@link ExactVectorIndex}, query p50. Not a unit test; run with
 *
 * <pre>
 * mvn -B -o -q -pl index-lucene test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx2g -cp index-lucene/target/test-classes:index-lucene/target/classes:$(cat /tmp/cp.txt) \
 *   io.sightline.index.lucene.QuantizationMeasurement 20000 128 200
 * </pre>
 */
public final class QuantizationMeasurement {
  private QuantizationMeasurement() {}

  /**
   * @param args vectors, dimension, queries
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int dim = Integer.parseInt(args[1]);
    int queries = Integer.parseInt(args[2]);
    Random r = new Random(1);
    List<IndexItem<Integer>> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(IndexItem.of(i, LuceneVectorIndexTest.randomVector(r, dim)));
    }
    List<float[]> qs = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      qs.add(LuceneVectorIndexTest.randomVector(r, dim));
    }
    ExactVectorIndex<Integer> exact = new ExactVectorIndex<>(dim, Metric.COSINE, "m");
    exact.addAll(items);
    List<Set<Integer>> truth = qs.stream()
        .map(q -> exact.search(q, 10).stream().map(SearchResult::id).collect(Collectors.toSet())).toList();
    System.out.printf("%d vectors x %d, cosine, %d queries, k 10, M 16, beam 100, ef 100%n", n, dim, queries);
    for (boolean quantized : new boolean[] {false, true}) {
      Path dir = Files.createTempDirectory("qm");
      LuceneVectorIndex.Options options = LuceneVectorIndex.Options.defaults().quantized(quantized);
      long t0 = System.nanoTime();
      double recall;
      double[] lat = new double[queries];
      try (LuceneVectorIndex<Integer> index = LuceneVectorIndex.open(dir, Integer.class, dim, Metric.COSINE, "m",
          options)) {
        index.addAll(items);
        double build = (System.nanoTime() - t0) / 1e9;
        for (float[] q : qs.subList(0, Math.min(50, queries))) {
          index.search(q, 10); // warm-up
        }
        int hits = 0;
        for (int i = 0; i < queries; i++) {
          long s = System.nanoTime();
          List<SearchResult<Integer>> got = index.search(qs.get(i), 10);
          lat[i] = (System.nanoTime() - s) / 1e6;
          Set<Integer> want = truth.get(i);
          hits += (int) got.stream().filter(x -> want.contains(x.id())).count();
        }
        recall = hits / (10.0 * queries);
        System.out.printf("%s: build %.1f s%n", quantized ? "int8" : "float", build);
      }
      Arrays.sort(lat);
      Map<String, Long> bytes = bytesByKind(dir);
      long total = bytes.values().stream().mapToLong(Long::longValue).sum();
      System.out.printf("%s: recall@10 %.3f, query p50 %.2f ms, disk %d B (%.0f B/vector), per kind B/vector %s%n",
          quantized ? "int8" : "float", recall, lat[queries / 2], total, total / (double) n,
          bytes.entrySet().stream().map(e -> e.getKey() + "=" + Math.round(e.getValue() / (double) n))
              .collect(Collectors.joining(" ")));
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** Bytes of the last commit by file extension, looking inside compound files. */
  private static Map<String, Long> bytesByKind(Path path) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Directory dir = FSDirectory.open(path)) {
      SegmentInfos infos = SegmentInfos.readLatestCommit(dir);
      for (SegmentCommitInfo sci : infos) {
        if (sci.info.getUseCompoundFile()) {
          try (Directory cfs = sci.info.getCodec().compoundFormat().getCompoundReader(dir, sci.info,
              IOContext.DEFAULT)) {
            for (String f : cfs.listAll()) {
              out.merge(ext(f), cfs.fileLength(f), Long::sum);
            }
          }
          for (String f : sci.files()) {
            if (!f.endsWith(".cfs")) {
              out.merge(ext(f), dir.fileLength(f), Long::sum); // .cfe, .si
            }
          }
        } else {
          for (String f : sci.files()) {
            out.merge(ext(f), dir.fileLength(f), Long::sum);
          }
        }
      }
      out.merge("segments", dir.fileLength(infos.getSegmentsFileName()), Long::sum);
    }
    return out;
  }

  private static String ext(String f) {
    int i = f.lastIndexOf('.');
    return i < 0 ? f : f.substring(i + 1);
  }
}
