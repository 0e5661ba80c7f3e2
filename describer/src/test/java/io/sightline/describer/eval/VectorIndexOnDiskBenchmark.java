package io.sightline.describer.eval;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.describer.Reference;
import io.sightline.describer.ReferenceStore;
import io.sightline.index.lucene.LuceneVectorIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A reference store's vectors in the heap (HNSW, saved to {@code references.hnsw} on flush) vs in
 * an on-disk Lucene index ({@link ReferenceStore.Builder#vectorIndex}), issue 21: the time of a
 * small write made durable (100 references added, then {@code flush()}), of reopening the store,
 * and of a match, on the same N references in the same run.
 *
 * <pre>
 * mvn -B -o -q -pl describer dependency:build-classpath -Dmdep.outputFile=/tmp/describer.cp -Dmdep.includeScope=test
 * java -Xmx8g -cp "describer/target/test-classes:describer/target/classes:$(cat /tmp/describer.cp)" \
 *   io.sightline.describer.eval.VectorIndexOnDiskBenchmark 100000 /tmp/refbench
 * </pre>
 */
public final class VectorIndexOnDiskBenchmark {
  private VectorIndexOnDiskBenchmark() {}

  public static void main(String[] args) throws IOException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path root = Path.of(args.length > 1 ? args[1] : "/tmp/refbench");
    deleteTree(root);
    int d = GlobalDescriptorEmbedder.DIMENSION;
    Random rnd = new Random(1);
    float[][] centres = new float[500][d];
    for (float[] c : centres) {
      for (int j = 0; j < d; j++) {
        c[j] = (float) rnd.nextGaussian();
      }
    }
    List<float[]> vectors = new ArrayList<>(n);
    for (int i = 0; i < n + 300; i++) {
      float[] c = centres[rnd.nextInt(centres.length)];
      float[] v = new float[d];
      for (int j = 0; j < d; j++) {
        v[j] = c[j] + (float) (0.5 * rnd.nextGaussian());
      }
      vectors.add(v);
    }
    System.out.printf(Locale.ROOT, "load average at start: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    run("heap HNSW + references.hnsw", root.resolve("heap"), null, n, vectors);
    run("Lucene on disk", root.resolve("disk"), LuceneVectorIndex.factory(root.resolve("disk-vectors")), n, vectors);
    System.out.printf(Locale.ROOT, "load average at end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private static void run(String what, Path dir, VectorIndexFactory factory, int n, List<float[]> vectors) {
    long t0 = System.nanoTime();
    try (ReferenceStore s = ReferenceStore.builder().directory(dir).vectorIndex(factory).build()) {
      add(s, 0, n, vectors);
      s.flush();
    }
    double build = (System.nanoTime() - t0) / 1e9;
    double[] write = new double[3];
    double[] open = new double[3];
    long[] lat = new long[1000];
    for (int round = 0; round < 3; round++) {
      long o = System.nanoTime();
      try (ReferenceStore s = ReferenceStore.builder().directory(dir).vectorIndex(factory).build()) {
        open[round] = (System.nanoTime() - o) / 1e9;
        long w = System.nanoTime();
        add(s, n + 100 * round, n + 100 * round + 100, vectors);
        s.flush();
        write[round] = (System.nanoTime() - w) / 1e3 / 1e3;
        if (round == 2) {
          for (int q = 0; q < lat.length; q++) {
            long t = System.nanoTime();
            s.match(vectors.get((q * 97) % n), 10, 0.0);
            lat[q] = System.nanoTime() - t;
          }
        }
      }
    }
    Arrays.sort(lat);
    System.out.printf(Locale.ROOT, "%-28s build %d refs + flush %.1f s; reopen %.2f / %.2f / %.2f s;"
        + " 100 refs + flush %.0f / %.0f / %.0f ms; match p50 %.2f ms p99 %.2f ms; on disk %d MiB%n", what, n, build,
        open[0], open[1], open[2], write[0], write[1], write[2], lat[lat.length / 2] / 1e6,
        lat[(int) (lat.length * 0.99)] / 1e6, (size(dir) + size(Path.of(dir + "-vectors"))) >> 20);
  }

  private static void add(ReferenceStore s, int from, int to, List<float[]> vectors) {
    List<Reference> refs = new ArrayList<>();
    List<float[]> vs = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = from; i < to; i++) {
      refs.add(Reference.of("r" + i, "page " + i, "text of page " + i));
      vs.add(vectors.get(i));
      keys.add("k" + i);
    }
    s.addVectors(refs, vs, keys, ProgressListener.NONE, CancellationToken.NONE);
  }

  private static long size(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return -1;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
