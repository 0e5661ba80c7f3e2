package io.sightline.posters.eval;

import io.sightline.core.detect.Box;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.SaliencyMap;
import java.util.List;
import java.util.Locale;

/** Development aid: how often the salient region's centre falls in the composited subject, per setting. */
public final class SaliencyTuning {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    List<CropEvaluation.Sample> samples = CropEvaluation.samples(n, 5);
    double[] thresholds = {Double.NaN, 0.5, 0.6, 0.7, 0.8};
    for (OpenCvSaliency s : List.of(OpenCvSaliency.spectralResidual(), OpenCvSaliency.fineGrained(),
        new OpenCvSaliency(OpenCvSaliency.Algorithm.SPECTRAL_RESIDUAL, 256, 0.06),
        new OpenCvSaliency(OpenCvSaliency.Algorithm.FINE_GRAINED, 256, 0.06))) {
      int[] hit = new int[thresholds.length];
      double[] area = new double[thresholds.length];
      int m = 0;
      for (CropEvaluation.Sample smp : samples) {
        if (!smp.set().equals("subjects")) {
          continue;
        }
        m++;
        SaliencyMap map = s.compute(smp.image());
        Box t = smp.truth().get(0);
        for (int i = 0; i < thresholds.length; i++) {
          Box b = map.salientRegion(thresholds[i], smp.image().getWidth(), smp.image().getHeight());
          if (b != null && t.contains(b.cx(), b.cy())) {
            hit[i]++;
          }
          area[i] += b == null ? 0 : b.area() / (smp.image().getWidth() * smp.image().getHeight());
        }
      }
      StringBuilder sb = new StringBuilder(s.id());
      for (int i = 0; i < thresholds.length; i++) {
        sb.append(String.format(Locale.ROOT, "  t=%s hit=%.2f area=%.2f", thresholds[i], hit[i] / (double) m, area[i] / m));
      }
      System.out.println(sb);
    }
    for (String c : List.of("haarcascades/haarcascade_frontalface_default.xml", "haarcascades/haarcascade_frontalface_alt2.xml",
        "haarcascades/haarcascade_frontalface_alt.xml", "lbpcascades/lbpcascade_frontalface_improved.xml")) {
      for (int nb : new int[] {3, 5, 8}) {
        CascadeFaceDetector d;
        try {
          d = CascadeFaceDetector.fromFile(io.sightline.posters.CvImagesAccess.bundled(c), "face", 1.1, nb, 0.04, 800);
        } catch (RuntimeException e) {
          System.out.println(c + " " + e.getMessage());
          continue;
        }
        int tp = 0;
        int fp = 0;
        int truth = 0;
        long t0 = System.nanoTime();
        for (CropEvaluation.Sample smp : samples) {
          var dets = d.detect(smp.image());
          if (smp.set().equals("faces")) {
            truth += smp.truth().size();
          }
          for (var det : dets) {
            boolean match = smp.set().equals("faces") && smp.truth().stream().anyMatch(t -> t.iou(det.box()) > 0.4);
            if (match) {
              tp++;
            } else {
              fp++;
            }
          }
        }
        System.out.printf(Locale.ROOT, "%s nb=%d recall=%.2f fp/img=%.2f ms=%.0f%n", c, nb, tp / (double) truth,
            fp / (double) samples.size(), (System.nanoTime() - t0) / 1e6 / samples.size());
      }
    }
  }
}
