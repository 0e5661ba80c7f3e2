package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.CropSearch;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import io.sightline.posters.SaliencyMap;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Crop decision time (analysis + 9:16 crop search) per 1920x1080 photo of the previous default
 * (face cascade at scale step 1.10 with 3 neighbours) against the current default, measured
 * interleaved (A, B, A, B per photo, several rounds) so that a change in the machine's load hits
 * both alike; also the importance map alone on the 560 px analysis copy. One OpenCV thread.
 *
 * <p>Run: {@code java -cp ... io.sightline.posters.eval.DecisionTiming [photos] [rounds]}.
 */
public final class DecisionTiming {
  public static void main(String[] args) throws Exception {
    int photos = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
    List<CropEvaluation.Sample> all = CropEvaluation.samples(photos, 1);
    List<BufferedImage> big = new ArrayList<>();
    for (int i = 0; i < photos; i++) {
      big.add(ImageOps.resize(all.get(i < photos / 2 ? i : photos + i - photos / 2).image(), 1920, 1080));
    }
    PosterTemplate t = new PosterTemplate("t", 90, 160, List.of(), List.of());
    PosterComposer[] c = {
        PosterComposer.builder().template(t).targetDetector(CascadeFaceDetector.fromFile(
            CascadeFaceDetector.bundledPath("haarcascades/haarcascade_frontalface_alt2.xml"), "face", 1.1, 3, 0.04,
            CascadeFaceDetector.DEFAULT_MAX_SIDE)).build(),
        PosterComposer.builder().template(t).build()};
    ImportanceMap.Weights[] w = {ImportanceMap.Weights.DEFAULT, ImportanceMap.Weights.DEFAULT};
    CropSearch search = new CropSearch();
    List<List<Double>> decision = List.of(new ArrayList<>(), new ArrayList<>());
    List<List<Double>> map = List.of(new ArrayList<>(), new ArrayList<>());
    for (int r = -1; r < rounds; r++) {
      for (BufferedImage img : big) {
        BufferedImage work = ImageOps.fitWithin(img, PosterComposer.DEFAULT_ANALYSIS_SIDE);
        SaliencyMap sr = OpenCvSaliency.spectralResidual().compute(work);
        for (int k = 0; k < 2; k++) {
          long t0 = System.nanoTime();
          ImageAnalysis a = c[k].analyze(img);
          List<Box> faces = a.targets().stream().map(Detection::box).toList();
          search.search(1920, 1080, AspectRatio.PORTRAIT_9_16, a.importance(), faces, a.salient(), c[k].planner());
          long t1 = System.nanoTime();
          ImportanceMap.compute(work, sr, false, w[k]);
          long t2 = System.nanoTime();
          if (r >= 0) {
            decision.get(k).add((t1 - t0) / 1e6);
            map.get(k).add((t2 - t1) / 1e6);
          }
        }
      }
    }
    String[] names = {"previous default (face cascade x1.10 n3)", "current default"};
    System.out.printf(Locale.ROOT, "%d photos x %d rounds, interleaved; ms per 1920x1080 photo%n", photos, rounds);
    System.out.println("| method | decision mean | decision median | importance map mean | map median |");
    System.out.println("|---|---|---|---|---|");
    for (int k = 0; k < 2; k++) {
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n", names[k], mean(decision.get(k)),
          median(decision.get(k)), mean(map.get(k)), median(map.get(k)));
    }
    for (PosterComposer x : c) {
      x.close();
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
