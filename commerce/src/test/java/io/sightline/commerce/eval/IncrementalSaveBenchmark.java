package io.sightline.commerce.eval;

import io.sightline.commerce.CatalogEntry;
import io.sightline.commerce.Intent;
import io.sightline.commerce.ProductCatalog;
import io.sightline.core.ProgressListener;
import io.sightline.core.instance.Matcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Issue 19: one {@code index()} of 100 products into a catalog of N products, with the segment
 * log (the default) and with the whole file rewritten on every write (the behaviour before the
 * log, forced by setting the log's compaction floor and share to 0), alternating, and the latency of
 * searches running meanwhile. Vectors are random (the embedder's dimension), so no image is
 * decoded.
 *
 * <pre>
 * java -cp ... io.sightline.commerce.eval.IncrementalSaveBenchmark N ROUNDS
 * </pre>
 */
public final class IncrementalSaveBenchmark {
  private IncrementalSaveBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    Path dir = Files.createTempDirectory("incremental-save");
    Path img = dir.resolve("p.png");
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB),
        "png", img.toFile());
    Random rnd = new Random(1);
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).matcher(Matcher.GLOBAL).open()) {
      int d = cat.embedder(Intent.OTHER_COMMODITY).dimension();
      long t0 = System.nanoTime();
      for (int from = 0; from < n; from += 20_000) {
        int k = Math.min(20_000, n - from);
        cat.indexVectors(entries(img, from, k), vectors(rnd, d, k), ProgressListener.NONE);
      }
      System.out.printf("catalog of %d products (%d-d) built in %.1f s; file %.1f MB%n", n, d,
          (System.nanoTime() - t0) / 1e9, Files.size(dir.resolve("db/other-commodity.hnsw")) / 1e6);
      // the file phase of a write: from "indexed" (in memory) to the last generation sidecar
      long[] phase = new long[2];
      Class<?> writer = Class.forName("io.sightline.commerce.CatalogWriter");
      java.lang.reflect.Field step = writer.getDeclaredField("step");
      step.setAccessible(true);
      step.set(null, (java.util.function.Consumer<String>) name -> {
        if (name.equals("indexed")) {
          phase[0] = System.nanoTime();
        } else if (name.equals("generation other-commodity")) {
          phase[1] = System.nanoTime();
        }
      });
      int next = n;
      for (String mode : new String[] {"whole file", "segment log", "whole file", "segment log"}) {
        setFloor(mode.equals("whole file") ? 0 : 1 << 20);
        double[] writes = new double[rounds];
        double[] files = new double[rounds];
        List<Double> during = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          AtomicBoolean stop = new AtomicBoolean();
          float[] q = vectors(rnd, d, 1).get(0);
          Thread searcher = new Thread(() -> {
            while (!stop.get()) {
              long s = System.nanoTime();
              cat.search(Intent.OTHER_COMMODITY, q, 10);
              synchronized (during) {
                during.add((System.nanoTime() - s) / 1e6);
              }
            }
          });
          searcher.start();
          long s = System.nanoTime();
          cat.indexVectors(entries(img, next, 100), vectors(rnd, d, 100), ProgressListener.NONE);
          writes[r] = (System.nanoTime() - s) / 1e6;
          files[r] = (phase[1] - phase[0]) / 1e6;
          stop.set(true);
          searcher.join();
          next += 100;
        }
        Arrays.sort(writes);
        Arrays.sort(files);
        double[] lat = during.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("%-12s index(100): median %.0f ms, max %.0f ms; its file phase median %.1f ms, max %.1f ms"
            + " | searches meanwhile: %d, p50 %.2f ms, p99 %.2f ms, max %.0f ms%n", mode, writes[rounds / 2],
            writes[rounds - 1], files[rounds / 2], files[rounds - 1], lat.length,
            lat[lat.length / 2], lat[(int) (lat.length * 0.99)], lat[lat.length - 1]);
      }
    }
  }

  /**
   * Sets the log's compaction floor and share: both 0 compacts on every write (the segment file
   * saved whole, as before the log), 1 MiB and a quarter are the defaults.
   */
  private static void setFloor(long bytes) throws Exception {
    Class<?> c = Class.forName("io.sightline.commerce.SegmentLog");
    java.lang.reflect.Field f = c.getDeclaredField("minCompactBytes");
    f.setAccessible(true);
    f.setLong(null, bytes);
    java.lang.reflect.Field share = c.getDeclaredField("compactShare");
    share.setAccessible(true);
    share.setDouble(null, bytes == 0 ? 0 : 0.25);
  }

  /** Products p{from}..p{from+k-1}, all with the one tiny image (their vectors are given). */
  static List<CatalogEntry> entries(Path img, int from, int k) {
    List<CatalogEntry> out = new ArrayList<>(k);
    for (int i = from; i < from + k; i++) {
      out.add(new CatalogEntry("p" + i, img, "cup", "Product " + i, ""));
    }
    return out;
  }

  private static List<float[]> vectors(Random rnd, int d, int k) {
    List<float[]> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      float[] v = new float[d];
      for (int j = 0; j < d; j++) {
        v[j] = (float) rnd.nextGaussian();
      }
      out.add(v);
    }
    return out;
  }
}
