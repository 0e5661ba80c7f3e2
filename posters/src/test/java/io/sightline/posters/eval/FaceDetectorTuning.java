package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.FaceVerifier;
import io.sightline.posters.PosterComposer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Development aid (issue 13, speed): face cascades and their settings on the evaluation scenes —
 * true faces found and verified, verified false faces, and detection time per 1920x1080 photo on
 * the analysis copy (the settings run interleaved, one OpenCV thread).
 * {@code java ... FaceDetectorTuning [scenes per set] [seed] [--all]} ({@code --all}: also the
 * settings tried before issue 13's fifth part).
 */
public final class FaceDetectorTuning {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 7;
    boolean every = args.length > 2 && args[2].equals("--all");
    org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
    String alt2 = "haarcascades/haarcascade_frontalface_alt2.xml";
    String lbp = "lbpcascades/lbpcascade_frontalface_improved.xml";
    Map<String, CascadeFaceDetector> dets = new LinkedHashMap<>();
    if (every) {
      dets.put("alt2 560 x1.10 n3 (default before part 4)", of(alt2, 1.1, 3, 560));
    }
    dets.put("alt2 560 x1.15 n3, one scan (default before part 5)", of(alt2, 1.15, 3, 560));
    for (int k : new int[] {4, 3, 2}) {
      dets.put("alt2 560 x1.15 n3, from scale 2 " + k + " levels per octave",
          of(alt2, 1.15, 3, 560).withLargeScaleLevels(k));
    }
    CascadeFaceDetector now = CascadeFaceDetector.frontalFace();
    dets.put("default now (" + now.largeScaleLevels() + " levels per octave from scale 2)", now);
    if (every) {
      dets.put("alt2 560 x1.20 n3", of(alt2, 1.2, 3, 560));
      dets.put("alt2 560 x1.20 n2", of(alt2, 1.2, 2, 560));
      dets.put("alt2 480 x1.10 n3", of(alt2, 1.1, 3, 480));
      dets.put("lbp 560 x1.10 n3", of(lbp, 1.1, 3, 560));
      dets.put("lbp 640 x1.10 n3", of(lbp, 1.1, 3, 640));
      dets.put("lbp 800 x1.10 n3", of(lbp, 1.1, 3, 800));
    }
    FaceVerifier verifier = new FaceVerifier();
    List<CropEvaluation.Sample> all = CropEvaluation.samples(n, seed);
    Map<String, int[]> counts = new LinkedHashMap<>(); // found, false
    Map<String, List<Double>> times = new LinkedHashMap<>();
    dets.keySet().forEach(k -> {
      counts.put(k, new int[2]);
      times.put(k, new ArrayList<>());
    });
    int truth = 0;
    int photos = 0;
    for (CropEvaluation.Sample s : all) {
      BufferedImage rgb = ImageOps.toRgb(s.image());
      BufferedImage work = ImageOps.fitWithin(rgb, PosterComposer.DEFAULT_ANALYSIS_SIDE);
      boolean timeIt = photos++ % 5 == 0;
      BufferedImage big = timeIt ? ImageOps.resize(rgb, 1920, 1080) : null;
      BufferedImage bigWork = timeIt ? ImageOps.fitWithin(big, PosterComposer.DEFAULT_ANALYSIS_SIDE) : null;
      if (s.set().equals("faces")) {
        truth += s.truth().size();
      }
      for (Map.Entry<String, CascadeFaceDetector> e : dets.entrySet()) {
        // as the composer does: a cascade working above the analysis side gets the full image
        boolean onWork = e.getValue().maxSide() <= PosterComposer.DEFAULT_ANALYSIS_SIDE;
        double f = onWork ? rgb.getWidth() / (double) work.getWidth() : 1;
        List<Box> verified = new ArrayList<>();
        for (Detection d : e.getValue().detect(onWork ? work : rgb)) {
          Detection full = new Detection(new Box(d.box().x() * f, d.box().y() * f, d.box().w() * f, d.box().h() * f),
              d.label(), d.score());
          if (verifier.verify(rgb, full)) {
            verified.add(full.box());
          }
        }
        int[] c = counts.get(e.getKey());
        if (s.set().equals("faces")) {
          for (Box t : s.truth()) {
            c[0] += verified.stream().anyMatch(v -> v.iou(t) > 0.3) ? 1 : 0;
          }
        }
        for (Box v : verified) {
          c[1] += s.set().equals("faces") && s.truth().stream().anyMatch(t -> v.iou(t) > 0.3) ? 0 : 1;
        }
        if (timeIt) {
          long t0 = System.nanoTime();
          e.getValue().detect(onWork ? bigWork : big);
          times.get(e.getKey()).add((System.nanoTime() - t0) / 1e6);
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d scenes (seed %d), %d true faces; load average %s%n", all.size(), seed, truth,
        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    System.out.println("| cascade | true faces found and verified | verified false faces | detection ms per 1080p photo (mean) |");
    System.out.println("|---|---|---|---|");
    for (String k : dets.keySet()) {
      int[] c = counts.get(k);
      System.out.printf(Locale.ROOT, "| %s | %d (%.3f) | %d | %.1f |%n", k, c[0], c[0] / (double) truth, c[1],
          times.get(k).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
    }
  }

  private static CascadeFaceDetector of(String resource, double scale, int neighbours, int side) {
    return CascadeFaceDetector.fromFile(CascadeFaceDetector.bundledPath(resource), "face", scale, neighbours, 0.04,
        side);
  }
}
