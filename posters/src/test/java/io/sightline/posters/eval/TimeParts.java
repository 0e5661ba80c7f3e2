package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.CropPlanner;
import io.sightline.posters.CropSearch;
import io.sightline.posters.FaceVerifier;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.SaliencyMap;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * Development aid: time of each part of the default crop decision on 1920x1080 photos (one OpenCV
 * thread): conversion to RGB, reduction to the analysis side, face cascade, verification,
 * spectral residual, importance map, 9:16 crop search. {@code java ... TimeParts [photos] [rounds]}.
 */
public final class TimeParts {
  public static void main(String[] args) throws Exception {
    int photos = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
    System.out.println("load average at the start: "
        + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    List<CropEvaluation.Sample> all = CropEvaluation.samples(photos, 1);
    CascadeFaceDetector det = CascadeFaceDetector.frontalFace();
    FaceVerifier ver = new FaceVerifier();
    OpenCvSaliency sr = OpenCvSaliency.spectralResidual();
    CropSearch search = new CropSearch();
    CropPlanner planner = PosterComposer.builder().template(
        new io.sightline.posters.PosterTemplate("t", 90, 160, List.of(), List.of())).build().planner();
    String[] names = {"toRgb", "reduce", "faces", "verify", "spectral", "importance", "search"};
    double[] t = new double[names.length];
    int n = 0;
    for (int r = -1; r < rounds; r++) {
      for (int i = 0; i < photos; i++) {
        BufferedImage img = ImageOps.resize(all.get(i < photos / 2 ? i : photos + i - photos / 2).image(), 1920, 1080);
        long[] s = new long[names.length + 1];
        s[0] = System.nanoTime();
        BufferedImage rgb = ImageOps.toRgb(img);
        s[1] = System.nanoTime();
        // the composer's analysis copy (CvImages.reduced: OpenCV halvings, then Java2D)
        BufferedImage work = io.sightline.posters.CvImagesAccess.reduced(rgb, PosterComposer.DEFAULT_ANALYSIS_SIDE);
        s[2] = System.nanoTime();
        List<Detection> dets = det.detect(work);
        s[3] = System.nanoTime();
        double f = rgb.getWidth() / (double) work.getWidth();
        List<Box> faces = dets.stream().map(d -> new Detection(new Box(d.box().x() * f, d.box().y() * f,
            d.box().w() * f, d.box().h() * f), d.label(), d.score())).filter(d -> ver.verify(rgb, d))
            .map(Detection::box).toList();
        s[4] = System.nanoTime();
        SaliencyMap m = sr.compute(work);
        s[5] = System.nanoTime();
        ImportanceMap im = ImportanceMap.compute(work, m, false);
        ImportanceMap full = new ImportanceMap(im.width(), im.height(), 1920, 1080, im.values());
        s[6] = System.nanoTime();
        search.search(1920, 1080, AspectRatio.PORTRAIT_9_16, full, faces, m.salientRegion(Double.NaN, 1920, 1080),
            planner);
        s[7] = System.nanoTime();
        if (r >= 0) {
          for (int k = 0; k < names.length; k++) {
            t[k] += (s[k + 1] - s[k]) / 1e6;
          }
          n++;
        }
      }
    }
    StringBuilder sb = new StringBuilder("per 1920x1080 photo (mean of " + n + "):");
    double total = 0;
    for (int k = 0; k < names.length; k++) {
      sb.append(String.format(Locale.ROOT, " %s %.1f ms,", names[k], t[k] / n));
      total += t[k] / n;
    }
    System.out.println(sb.append(String.format(Locale.ROOT, " total %.1f ms", total)));
    System.out.println("load average at the end: "
        + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
  }
}
