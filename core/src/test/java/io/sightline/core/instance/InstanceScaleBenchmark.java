package io.sightline.core.instance;

import io.sightline.core.TestImages;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Speed and memory of {@link InstanceIndex} at 10k and 100k stored images (not a unit test; run
 * by hand, see BENCHMARKS.md):
 *
 * <pre>
 * mvn -q -o -pl core test-compile
 * java -Xmx6g -cp core/target/test-classes:core/target/classes:$(cat core.cp) \
 *   io.sightline.core.instance.InstanceScaleBenchmark 10000 100000
 * </pre>
 *
 * <p>The real references are the testdata photos and drawings; the distractors are synthesised
 * from their encoded features (each distractor is a real image's keypoints with every visual
 * word shifted by a random offset and every signature flipped by a random mask), so posting lists
 * have the length and skew of real ones without extracting 100k images. Queries are new shots of
 * the real references (part of the picture, scaled 0.6, turned 15°, on a synthetic background,
 * JPEG q 0.7). Feature extraction is timed apart from the search.
 */
public final class InstanceScaleBenchmark {
  private InstanceScaleBenchmark() {}

  /**
   * @param args sizes to measure
   */
  public static void main(String[] args) {
    int[] sizes = args.length == 0 ? new int[] {10_000, 100_000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    ImageLoader loader = ImageLoader.defaults();
    List<String> ids = new ArrayList<>();
    List<BufferedImage> images = new ArrayList<>();
    for (String p : InstanceIndexTest.PHOTOS) {
      ids.add(p);
      images.add(loader.load(TestImages.testdata().resolve("photos").resolve(p)));
    }
    List<BufferedImage> unknownImages = new ArrayList<>();
    List<Path> clipart = TestImages.clipart();
    for (int i = 0; i < clipart.size(); i++) {
      // every second drawing is stored; the others are objects never stored (abstention)
      if (i % 2 == 0) {
        ids.add(clipart.get(i).getFileName().toString());
        images.add(InstanceIndexTest.clipart(clipart.get(i)));
      } else {
        unknownImages.add(InstanceIndexTest.clipart(clipart.get(i)));
      }
    }
    RootSiftExtractor extractor = RootSiftExtractor.defaults();
    VisualVocabulary vocabulary = VisualVocabulary.bundled();
    List<EncodedFeatures> real = new ArrayList<>();
    List<String> realIds = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      LocalFeatureSet f = extractor.extract(images.get(i));
      if (f.count() >= 8) {
        real.add(EncodedFeatures.encode(f, vocabulary));
        realIds.add(ids.get(i));
      }
    }
    // queries: new shots of the real references that have enough features to be found
    BufferedImage bg = TestImages.synthetic(99, 640, 480);
    List<LocalFeatureSet> queries = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    long extractNs = 0;
    List<Long> extractTimes = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      if (!realIds.contains(ids.get(i))) {
        continue;
      }
      BufferedImage q = InstanceIndexTest.newShot(images.get(i), bg, 0.6, 15);
      long t0 = System.nanoTime();
      queries.add(extractor.extract(q));
      long dt = System.nanoTime() - t0;
      extractTimes.add(dt);
      extractNs += dt;
      expected.add(ids.get(i));
    }
    List<LocalFeatureSet> unknown = new ArrayList<>();
    for (BufferedImage u : unknownImages) {
      LocalFeatureSet f = extractor.extract(InstanceIndexTest.newShot(u, bg, 0.6, 15));
      if (f.count() >= 8) {
        unknown.add(f);
      }
    }
    System.out.printf(Locale.ROOT, "unknown-object queries %d%n", unknown.size());
    System.out.printf(Locale.ROOT, "real references %d, queries %d, keypoints per real reference %.0f, "
        + "extraction p50 %.1f ms (640 px, 1 thread)%n", real.size(), queries.size(),
        real.stream().mapToInt(EncodedFeatures::count).average().orElse(0), percentile(extractTimes, 50) / 1e6);
    System.out.printf(Locale.ROOT, "load average %s%n", loadAverage());
    for (int n : sizes) {
      run(n, real, realIds, queries, expected, unknown, vocabulary);
    }
  }

  private static void run(int n, List<EncodedFeatures> real, List<String> realIds, List<LocalFeatureSet> queries,
      List<String> expected, List<LocalFeatureSet> unknown, VisualVocabulary vocabulary) {
    System.gc();
    long heap0 = usedHeap();
    Random r = new Random(n);
    long t0 = System.nanoTime();
    try (InstanceIndex index = InstanceIndex.builder().vocabulary(vocabulary).build()) {
      int words = vocabulary.size();
      for (int i = 0; i < n - real.size(); i++) {
        EncodedFeatures src = real.get(i % real.size());
        int shift = 1 + r.nextInt(words - 1);
        long mask = r.nextLong();
        int[] w = src.words().clone();
        long[] s = src.signatures().clone();
        for (int k = 0; k < w.length; k++) {
          w[k] = (w[k] + shift) % words;
          s[k] ^= mask;
        }
        index.addEncoded(Map.of("synthetic-" + i, new EncodedFeatures(src.width(), src.height(), w, s, src.xs(),
            src.ys(), src.sizes(), src.angles())));
      }
      for (int i = 0; i < real.size(); i++) {
        index.addEncoded(Map.of(realIds.get(i), real.get(i)));
      }
      double buildS = (System.nanoTime() - t0) / 1e9;
      System.gc();
      long heap = usedHeap() - heap0;
      List<Long> times = new ArrayList<>();
      int right = 0;
      for (int rep = 0; rep < 3; rep++) {
        for (int q = 0; q < queries.size(); q++) {
          long s0 = System.nanoTime();
          List<InstanceMatch> hits = index.matchFeatures(queries.get(q), 5);
          times.add(System.nanoTime() - s0);
          if (rep == 0 && !hits.isEmpty() && hits.get(0).verified() && hits.get(0).id().equals(expected.get(q))) {
            right++;
          }
        }
      }
      // false accepts: the top candidate of an unknown object at 3, 4, 5 (default) inliers or more
      int[] falseAt = new int[6];
      for (LocalFeatureSet u : unknown) {
        List<InstanceMatch> hits = index.matchFeatures(u, 1);
        int inl = hits.isEmpty() ? 0 : hits.get(0).inliers();
        for (int t = 3; t <= 5; t++) {
          falseAt[t] += inl >= t ? 1 : 0;
        }
      }
      System.out.printf(Locale.ROOT, "| %,d | %.1f s | %.1f KB | %.1f KB | %.1f ms | %.1f ms | %d/%d | %d / %d / %d of %d |%n",
          n, buildS, heap / 1024.0 / n, index.memoryBytes() / 1024.0 / n, percentile(times, 50) / 1e6,
          percentile(times, 99) / 1e6, right, queries.size(), falseAt[3], falseAt[4], falseAt[5], unknown.size());
      System.out.printf(Locale.ROOT, "load average %s%n", loadAverage());
    }
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static double percentile(List<Long> xs, int p) {
    long[] a = xs.stream().mapToLong(Long::longValue).sorted().toArray();
    return a[Math.min(a.length - 1, (int) Math.ceil(p / 100.0 * a.length) - 1)];
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
