package io.sightline.benchmarks;

import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * HNSW against the exact index on synthetic vectors: recall@10, queries per second on one thread,
 * build time, and bytes per vector of the saved file. Vectors are drawn around 1000 Gaussian
 * cluster centres (clustered like real embeddings; uniform random vectors are reported too with
 * {@code uniform}).
 *
 * <pre>
 * java -cp ... io.sightline.benchmarks.HnswEvaluation [n=100000] [dim=256] [queries=1000] [clustered|uniform]
 * </pre>
 */
public final class HnswEvaluation {
  private HnswEvaluation() {}

  /**
   * @param args [n] [dim] [queries] [clustered|uniform]
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 256;
    int nq = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    boolean uniform = args.length > 3 && args[3].equals("uniform");
    Random rnd = new Random(1);
    float[][] centres = new float[1000][dim];
    for (float[] c : centres) {
      for (int j = 0; j < dim; j++) {
        c[j] = (float) rnd.nextGaussian();
      }
    }
    List<IndexItem<Integer>> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(IndexItem.of(i, sample(rnd, centres, dim, uniform)));
    }
    List<float[]> queries = new ArrayList<>();
    for (int i = 0; i < nq; i++) {
      queries.add(sample(rnd, centres, dim, uniform));
    }
    ExactVectorIndex<Integer> exact = new ExactVectorIndex<>(dim, Metric.COSINE, "synthetic");
    exact.addAll(items);

    long t0 = System.nanoTime();
    HnswVectorIndex<Integer> hnsw = HnswVectorIndex.builder().dimension(dim).embedderId("synthetic")
        .initialCapacity(n + 1).build();
    hnsw.addAll(items, (task, done, total, msg) -> {
      if (done % 20000 == 0) {
        System.err.printf("built %d/%d%n", done, total);
      }
    });
    double buildSec = (System.nanoTime() - t0) / 1e9;
    Path f = Files.createTempFile("hnsw", ".bin");
    hnsw.save(f);
    double bytesPerVector = Files.size(f) / (double) n;
    Files.delete(f);

    List<Set<Integer>> truth = new ArrayList<>();
    t0 = System.nanoTime();
    for (float[] q : queries) {
      truth.add(new HashSet<>(exact.search(q, 10).stream().map(SearchResult::id).toList()));
    }
    double exactQps = nq / ((System.nanoTime() - t0) / 1e9);

    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%d x %d-d %s vectors, M=%d, efConstruction=200, build %.1f s (one thread), saved file %.0f bytes/vector (raw floats: %d)%n%n",
        n, dim, uniform ? "uniform Gaussian" : "clustered", hnsw.m(), buildSec, bytesPerVector, dim * 4));
    md.append("| index | ef | recall@10 | queries/s (1 thread) |\n|---|---|---|---|\n");
    md.append(String.format(Locale.ROOT, "| exact | - | 1.000 | %.0f |%n", exactQps));
    for (int ef : new int[] {50, 100, 200, 400}) {
      hnsw.setEf(ef);
      for (int i = 0; i < Math.min(100, nq); i++) {
        hnsw.search(queries.get(i), 10); // warm-up
      }
      double recall = 0;
      t0 = System.nanoTime();
      List<List<Integer>> got = new ArrayList<>();
      for (float[] q : queries) {
        got.add(hnsw.search(q, 10).stream().map(SearchResult::id).toList());
      }
      double qps = nq / ((System.nanoTime() - t0) / 1e9);
      for (int i = 0; i < nq; i++) {
        recall += Metrics.recallAtK(got.get(i), truth.get(i), 10);
      }
      md.append(String.format(Locale.ROOT, "| HNSW | %d | %.3f | %.0f |%n", ef, recall / nq, qps));
    }
    System.out.print(md);
  }

  private static float[] sample(Random rnd, float[][] centres, int dim, boolean uniform) {
    float[] v = new float[dim];
    float[] c = uniform ? null : centres[rnd.nextInt(centres.length)];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) (uniform ? rnd.nextGaussian() : c[j] + 0.5 * rnd.nextGaussian());
    }
    return v;
  }
}
