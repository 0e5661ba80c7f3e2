package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CropDecision;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import io.sightline.posters.SaliencyMap;
import java.awt.image.BufferedImage;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Crop decision time (analysis + 9:16 crop search with the default composer) per 1920x1080 photo
 * of the code <em>before</em> a change against the current code, in one JVM, interleaved (old,
 * new per photo, several rounds) so that a change in the machine's load hits both alike; also the
 * reduction to the 560 px analysis copy, spectral residual and importance map alone, and whether
 * both give the same decision and the same map. The old code is the module's compiled classes from before the change, given as a
 * folder (copy {@code posters/target/classes} to e.g. {@code /tmp/old-classes} after compiling the
 * code before the change, or compile the previous commit in a {@code git worktree}); it is loaded
 * child-first in its own class loader next to the current classes (the test classes too, so that
 * they call the old code). One OpenCV thread; the load average is printed at the start and end.
 *
 * <p>Run: {@code java -cp ... io.sightline.posters.eval.DecisionTiming [photos] [rounds]
 * [old-classes-folder]}; without the folder only the current code is timed. {@code -Dset=FILE}
 * times the real photos of an annotated set instead of generated scenes (e.g. the 1920×1080
 * animal photos of {@code real-subjects-6.json}, with {@code -Dsightline.debian.root}).
 */
public final class DecisionTiming {
  public static void main(String[] args) throws Exception {
    int photos = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path old = args.length > 2 ? Path.of(args[2]) : null;
    org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
    System.out.println("load average at the start: " + loadAverage());
    List<BufferedImage> big = new ArrayList<>();
    String set = System.getProperty("set");
    if (set != null) {
      // real photos of an annotated set (-Dset=real-subjects-6.json, -Dsightline.debian.root=DIR),
      // brought to 1920x1080 where they are not
      for (RealPhotoEvaluation.Photo p : RealPhotoEvaluation.load(set)) {
        if (big.size() < photos) {
          BufferedImage im = p.image();
          big.add(im.getWidth() == 1920 && im.getHeight() == 1080 ? im : ImageOps.resize(im, 1920, 1080));
        }
      }
      photos = big.size();
      System.out.println(photos + " photos of " + set);
    } else {
      List<CropEvaluation.Sample> all = CropEvaluation.samples(photos, 1);
      for (int i = 0; i < photos; i++) {
        big.add(ImageOps.resize(all.get(i < photos / 2 ? i : photos + i - photos / 2).image(), 1920, 1080));
      }
    }
    List<String> names = new ArrayList<>();
    List<Function<BufferedImage, String>> deciders = new ArrayList<>();
    List<Function<BufferedImage, float[]>> mappers = new ArrayList<>();
    if (old != null) {
      ClassLoader loader = oldCodeLoader(old);
      names.add("before the change (" + old + ")");
      deciders.add(instance(loader, Decide.class));
      mappers.add(instance(loader, MapOnly.class));
    }
    names.add("current code");
    deciders.add(new Decide());
    mappers.add(new MapOnly());
    int m = names.size();
    List<List<Double>> decision = new ArrayList<>();
    List<List<Double>> map = new ArrayList<>();
    for (int k = 0; k < m; k++) {
      decision.add(new ArrayList<>());
      map.add(new ArrayList<>());
    }
    int sameDecision = 0;
    int sameMap = 0;
    double maxMapDiff = 0;
    for (int r = -1; r < rounds; r++) {
      for (BufferedImage img : big) {
        String[] d = new String[m];
        float[][] v = new float[m][];
        for (int k = 0; k < m; k++) {
          long t0 = System.nanoTime();
          d[k] = deciders.get(k).apply(img);
          long t1 = System.nanoTime();
          v[k] = mappers.get(k).apply(img);
          long t2 = System.nanoTime();
          if (r >= 0) {
            decision.get(k).add((t1 - t0) / 1e6);
            map.get(k).add((t2 - t1) / 1e6);
          }
        }
        if (r == 0 && m == 2) {
          sameDecision += d[0].equals(d[1]) ? 1 : 0;
          sameMap += Arrays.equals(v[0], v[1]) ? 1 : 0;
          for (int i = 0; i < Math.min(v[0].length, v[1].length); i++) {
            maxMapDiff = Math.max(maxMapDiff, Math.abs(v[0][i] - v[1][i]));
          }
          if (!d[0].equals(d[1])) {
            System.out.println("decisions differ: " + d[0] + " | " + d[1]);
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d photos x %d rounds, interleaved; ms per 1920x1080 photo%n", photos, rounds);
    System.out.println("| code | decision mean | decision median | reduction + spectral + map mean | median |");
    System.out.println("|---|---|---|---|---|");
    for (int k = 0; k < m; k++) {
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n", names.get(k), mean(decision.get(k)),
          median(decision.get(k)), mean(map.get(k)), median(map.get(k)));
    }
    if (m == 2) {
      System.out.printf(Locale.ROOT, "decision ratio new/old: mean %.3f, median %.3f; same decision on %d of %d "
          + "photos, same map on %d (largest map difference %.2g)%n",
          mean(decision.get(1)) / mean(decision.get(0)), median(decision.get(1)) / median(decision.get(0)),
          sameDecision, photos, sameMap, maxMapDiff);
    }
    System.out.println("load average at the end: " + loadAverage());
  }

  /** The default composer's 9:16 crop decision of a photo, as text (faces, crop box, score). */
  public static final class Decide implements Function<BufferedImage, String> {
    private final PosterComposer composer =
        PosterComposer.builder().template(new PosterTemplate("t", 90, 160, List.of(), List.of())).build();
    private final CropSearch search = new CropSearch();

    @Override
    public String apply(BufferedImage img) {
      ImageAnalysis a = composer.analyze(img);
      List<Box> faces = a.targets().stream().map(Detection::box).toList();
      CropDecision c = search.search(img.getWidth(), img.getHeight(), AspectRatio.PORTRAIT_9_16, a.importance(),
          faces, a.salient(), composer.planner());
      return faces + " -> " + c.crop() + " " + c.searchScore();
    }
  }

  /** The default importance map of a photo's 560 px analysis copy (reduction and spectral residual included). */
  public static final class MapOnly implements Function<BufferedImage, float[]> {
    @Override
    public float[] apply(BufferedImage img) {
      BufferedImage work = io.sightline.posters.CvImagesAccess.reduced(img, PosterComposer.DEFAULT_ANALYSIS_SIDE);
      SaliencyMap sr = OpenCvSaliency.spectralResidual().compute(work);
      return ImportanceMap.compute(work, sr, false).values();
    }
  }

  /** Loads {@code io.sightline.posters} classes from {@code old} first, then from this class path. */
  static ClassLoader oldCodeLoader(Path old) throws Exception {
    if (!Files.isDirectory(old.resolve("io/sightline/posters"))) {
      throw new IllegalArgumentException(old + " does not hold compiled io.sightline.posters classes");
    }
    URL here = DecisionTiming.class.getProtectionDomain().getCodeSource().getLocation();
    return new URLClassLoader(new URL[] {old.toUri().toURL(), here}, DecisionTiming.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith("io.sightline.posters.")) {
          return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
          Class<?> c = findLoadedClass(name);
          if (c == null) {
            c = findClass(name);
          }
          if (resolve) {
            resolveClass(c);
          }
          return c;
        }
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> T instance(ClassLoader loader, Class<?> type) throws Exception {
    return (T) loader.loadClass(type.getName()).getDeclaredConstructor().newInstance();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length == 0 ? Double.NaN : a[a.length / 2];
  }
}
