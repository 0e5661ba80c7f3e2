package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import io.sightline.posters.SubjectRegions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the subject-region settings ({@link SubjectRegions}) on a TUNE split (seed 7 by default;
 * the reported evaluation, {@link CropEvaluation}, uses seed 1). Analyses every scene once with the
 * default composer, then runs the crop search at 9:16 for each configuration
 * {@code level,minShare,close,margin,weight} given as an argument (weight 0 = off) and prints the
 * share of clip-art subjects, photo subjects and face scenes kept whole, and the share of subjects
 * that any 9:16 window could hold whole.
 *
 * <p>Run: {@code java -Dn=100 -Dseed=7 -cp ... io.sightline.posters.eval.SubjectTuning 0.3,0.05,0.03,1,0
 * 0.3,0.05,0.03,1,4}.
 */
public final class SubjectTuning {
  public static void main(String[] args) throws Exception {
    int n = Integer.getInteger("n", 100);
    long seed = Long.getLong("seed", 7);
    List<CropEvaluation.Sample> all = CropEvaluation.samples(n, seed, true);
    List<ImageAnalysis> an = new ArrayList<>();
    // -Dprevious=true: analyse as before the speed step (full-size analysis, 800 px cascade)
    PosterComposer.Builder b = PosterComposer.builder().template(new PosterTemplate("t", 90, 160, List.of(), List.of()));
    if (Boolean.getBoolean("previous")) {
      b.analysisSide(0).targetDetector(CropEvaluation.cascade800());
    }
    if (System.getProperty("cascade") != null) { // side,scaleFactor,neighbours
      String[] q = System.getProperty("cascade").split(",");
      b.targetDetector(CascadeFaceDetector.fromFile(CascadeFaceDetector.bundledPath(
          "haarcascades/haarcascade_frontalface_alt2.xml"), "face", Double.parseDouble(q[1]), Integer.parseInt(q[2]),
          0.04, Integer.parseInt(q[0])));
      if (Integer.getInteger("side") == null) {
        b.analysisSide(Integer.parseInt(q[0]));
      }
    }
    if (Integer.getInteger("side") != null) {
      b.analysisSide(Integer.getInteger("side"));
    }
    PosterComposer c = b.build();
    for (CropEvaluation.Sample s : all) {
      an.add(c.analyze(s.image()));
    }
    for (String a : args) {
      String[] p = a.split(",");
      SubjectRegions r = new SubjectRegions(Double.parseDouble(p[0]), Double.parseDouble(p[1]),
          Double.parseDouble(p[2]), Integer.parseInt(p[3]), Double.parseDouble(p[4]));
      CropSearch search = new CropSearch(new double[] {1.0, 0.9, 0.8}, 6.0, 0.05, 0.1, 0.6, r);
      int[] whole = new int[3];
      int[] cnt = new int[3];
      int[] feasible = new int[3];
      for (int i = 0; i < all.size(); i++) {
        CropEvaluation.Sample s = all.get(i);
        ImageAnalysis x = an.get(i);
        int w = s.image().getWidth();
        int h = s.image().getHeight();
        List<Box> faces = x.targets().stream().map(Detection::box).toList();
        Box crop = search.search(w, h, AspectRatio.PORTRAIT_9_16, x.importance(), faces, x.salient(), c.planner())
            .crop();
        int k = switch (s.set()) {
          case "subjects" -> 0;
          case "photo-subjects" -> 1;
          default -> 2;
        };
        boolean ok = true;
        Box u = null;
        for (Box t : s.truth()) {
          ok &= crop.intersection(t).area() / t.area() >= 0.999;
          u = u == null ? t : u.union(t);
        }
        cnt[k]++;
        whole[k] += ok ? 1 : 0;
        feasible[k] += u.w() <= h * 9.0 / 16 + 0.5 ? 1 : 0;
        if (Boolean.getBoolean("debug") && !ok && k < 2) {
          System.err.printf(Locale.ROOT, "miss %s #%d kept=%.2f truth=%s crop=%s regions=%s%n", s.set(), i,
              crop.intersection(s.truth().get(0)).area() / s.truth().get(0).area(), s.truth(), crop,
              r.find(x.importance()).stream().limit(3).toList());
        }
      }
      System.out.printf(Locale.ROOT, "%s  clip %.3f (feasible %.3f)  photo %.3f (feasible %.3f)  faces %.3f%n", a,
          whole[0] / (double) cnt[0], feasible[0] / (double) cnt[0], whole[1] / (double) cnt[1],
          feasible[1] / (double) cnt[1], whole[2] / (double) cnt[2]);
    }
    c.close();
  }
}
