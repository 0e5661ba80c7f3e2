package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.BingProbe;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 13, tenth part: how well each cue ranks subject pixels, and the default importance map
 * re-weighted by BING objectness ({@link BingProbe}). Arguments: {@code tune} (the generated scenes
 * of {@link MapTuning}'s tune split, {@code -Dn=100 -Dseed=7}) and/or annotation files of
 * {@link RealPhotoEvaluation} ({@code real-subjects.json ...}, photos from
 * {@code -Dsightline.debian.root}).
 *
 * <p>Prints per set the share kept whole and the mean share kept at 9:16 and 1:1 for each
 * configuration of {@code -Dconfigs=...} (comma-separated): {@code none} (the default map),
 * {@code centre:a:0:1} (the map times {@code 1 − a + a·centre prior}),
 * {@code mult:a:top:T[:area]} (times {@code 1 − a + a·objectness}, the objectness map built from the
 * {@code top} best BING windows weighted {@code exp((score − best)/T)}, optionally divided by their
 * area) or {@code add:a:top:T}; with it the pixel AUC of the cue and of the default map.
 * {@code -Dcomponents=true} also prints the pixel AUC of each component of the default map and of
 * a plain centre prior. {@code -Dbing=DIR}: the folder of BING's trained files
 * ({@code ObjNessB2W8MAXBGR.*.yml.gz}, in Debian's {@code opencv-doc} under
 * {@code usr/share/doc/opencv-doc/examples/saliency/ObjectnessTrainedModel}; fetch with
 * {@code apt-get download opencv-doc && dpkg -x opencv-doc_*.deb DIR}).
 */
public final class ObjectnessEval {
  private ObjectnessEval() {}

  /** Probability that a pixel inside the truth boxes outranks one outside (ties count half). */
  static double auc(float[] v, ImportanceMap m, List<Box> truth) {
    int n = v.length;
    boolean[] inside = new boolean[n];
    for (int y = 0; y < m.height(); y++) {
      for (int x = 0; x < m.width(); x++) {
        double ix = (x + 0.5) * m.imageWidth() / m.width();
        double iy = (y + 0.5) * m.imageHeight() / m.height();
        for (Box t : truth) {
          if (ix >= t.x() && ix < t.x() + t.w() && iy >= t.y() && iy < t.y() + t.h()) {
            inside[y * m.width() + x] = true;
          }
        }
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Float.compare(v[a], v[b]));
    double rankSum = 0;
    long nin = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (inside[order[k]]) {
          rankSum += rank;
          nin++;
        }
      }
      i = j + 1;
    }
    long nout = n - nin;
    return nin == 0 || nout == 0 ? 0.5 : (rankSum - nin * (nin + 1) / 2.0) / (nin * (double) nout);
  }

  static float[] centre(int w, int h) {
    float[] o = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double dx = (x - (w - 1) / 2.0) / ((w - 1) / 2.0);
        double dy = (y - (h - 1) / 2.0) / ((h - 1) / 2.0);
        o[y * w + x] = (float) Math.max(0, 1 - (dx * dx + dy * dy) / 2);
      }
    }
    return o;
  }

  public static void main(String[] args) throws Exception {
    List<CropEvaluation.Sample> samples = new ArrayList<>();
    for (String a : args) {
      if (a.equals("tune")) {
        samples.addAll(CropEvaluation.samples(Integer.getInteger("n", 100), Long.getLong("seed", 7L), true, true));
      } else {
        for (RealPhotoEvaluation.Photo p : RealPhotoEvaluation.load(a)) {
          samples.add(new CropEvaluation.Sample("real", p.image(), List.of(p.box())));
        }
      }
    }
    BingProbe bing = new BingProbe(Path.of(System.getProperty("bing",
        "/tmp/evaldata/x/usr/share/doc/opencv-doc/examples/saliency/ObjectnessTrainedModel")),
        System.getProperty("colour", "MAXBGR"));
    String[] configs = System.getProperty("configs", "none,mult:0.5:100:1,mult:1:100:1").split(",");
    List<AspectRatio> aspects = List.of(AspectRatio.PORTRAIT_9_16, AspectRatio.SQUARE);
    PosterComposer c = PosterComposer.builder().template(new PosterTemplate("t", 90, 160, List.of(), List.of()))
        .build();
    CropSearch search = new CropSearch();
    Map<String, double[]> res = new LinkedHashMap<>(); // key set|config|aspect -> whole, kept, n
    long t0 = System.nanoTime();
    long bingNanos = 0;
    for (CropEvaluation.Sample s : samples) {
      ImageAnalysis an = c.analyze(s.image());
      ImportanceMap m = an.importance();
      if (Boolean.getBoolean("components")) {
        for (Map.Entry<String, ImportanceMap> e : io.sightline.posters.ImportanceAccess.componentMaps(s.image(),
            PosterComposer.DEFAULT_ANALYSIS_SIDE).entrySet()) {
          double[] r = res.computeIfAbsent(s.set() + "|component " + e.getKey() + "|auc", k -> new double[3]);
          r[0] += auc(e.getValue().values(), e.getValue(), s.truth());
          r[2]++;
        }
        double[] r = res.computeIfAbsent(s.set() + "|default map|auc", k -> new double[3]);
        r[0] += auc(m.values(), m, s.truth());
        r[2]++;
        r = res.computeIfAbsent(s.set() + "|centre prior|auc", k -> new double[3]);
        r[0] += auc(centre(m.width(), m.height()), m, s.truth());
        r[2]++;
      }
      List<Box> faces = an.targets().stream().map(Detection::box).toList();
      Map<String, float[]> cache = new LinkedHashMap<>();
      for (String cfg : configs) {
        ImportanceMap mm = m;
        if (!cfg.equals("none")) {
          String[] p = cfg.split(":");
          double amount = Double.parseDouble(p[1]);
          int top = Integer.parseInt(p[2]);
          double temp = Double.parseDouble(p[3]);
          boolean perArea = p.length > 4 && p[4].equals("area");
          String key = top + ":" + temp + ":" + perArea;
          long b0 = System.nanoTime();
          float[] o = p[0].equals("centre") ? centre(m.width(), m.height())
              : cache.computeIfAbsent(key, k -> bing.map(s.image(), 512, m.width(), m.height(), top, temp, perArea));
          bingNanos += System.nanoTime() - b0;
          double[] cueAuc = res.computeIfAbsent(s.set() + "|" + cfg + "|cueAuc", k -> new double[3]);
          cueAuc[0] += auc(o, m, s.truth());
          cueAuc[1] += auc(m.values(), m, s.truth());
          cueAuc[2]++;
          float[] v = m.values();
          float max = 0;
          for (float x : v) {
            max = Math.max(max, x);
          }
          for (int i = 0; i < v.length; i++) {
            v[i] = switch (p[0]) {
              case "mult", "centre" -> (float) (v[i] * (1 - amount + amount * o[i]));
              case "add" -> (float) ((1 - amount) * v[i] + amount * max * o[i] * o[i]);
              default -> throw new IllegalArgumentException(p[0]);
            };
          }
          mm = new ImportanceMap(m.width(), m.height(), m.imageWidth(), m.imageHeight(), v);
        }
        for (AspectRatio a : aspects) {
          Box crop = search.search(s.image().getWidth(), s.image().getHeight(), a, mm, faces, an.salient(),
              c.planner()).crop();
          boolean ok = s.wholeIn(crop);
          double f = s.keptBy(crop);
          double[] r = res.computeIfAbsent(s.set() + "|" + cfg + "|" + a, k -> new double[3]);
          r[0] += ok ? 1 : 0;
          r[1] += f;
          r[2]++;
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d samples, %.1f s, BING maps %.1f ms each%n", samples.size(),
        (System.nanoTime() - t0) / 1e9, bingNanos / 1e6 / samples.size());
    for (Map.Entry<String, double[]> e : res.entrySet()) {
      double[] r = e.getValue();
      if (e.getKey().endsWith("|auc")) {
        System.out.printf(Locale.ROOT, "%-60s pixel AUC %.3f%n", e.getKey(), r[0] / r[2]);
        continue;
      }
      if (e.getKey().endsWith("|cueAuc")) {
        System.out.printf(Locale.ROOT, "%-60s pixel AUC of the cue %.3f, of the default map %.3f%n", e.getKey(), r[0] / r[2], r[1] / r[2]);
        continue;
      }
      System.out.printf(Locale.ROOT, "%-60s whole %3d/%3d (%.3f)  kept %.3f%n", e.getKey(), (int) r[0], (int) r[2],
          r[0] / r[2], r[1] / r[2]);
    }
    c.close();
  }
}
