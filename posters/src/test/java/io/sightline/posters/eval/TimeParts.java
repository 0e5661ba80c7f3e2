package io.sightline.posters.eval;

import io.sightline.core.image.ImageOps;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.ImportanceMap;
import io.sightline.posters.OpenCvSaliency;
import io.sightline.posters.SaliencyMap;
import java.awt.image.BufferedImage;
import java.util.List;

/** Development aid: time of each analysis part on 1920x1080 photos. */
public final class TimeParts {
  public static void main(String[] args) throws Exception {
    List<CropEvaluation.Sample> all = CropEvaluation.samples(10, 1);
    CascadeFaceDetector det = CascadeFaceDetector.frontalFace();
    OpenCvSaliency sr = OpenCvSaliency.spectralResidual();
    double[] t = new double[4];
    for (int k = 0; k < 2; k++) {
      java.util.Arrays.fill(t, 0);
      for (CropEvaluation.Sample s : all) {
        BufferedImage img = ImageOps.resize(s.image(), 1920, 1080);
        long a = System.nanoTime();
        det.detect(img);
        long b = System.nanoTime();
        SaliencyMap m = sr.compute(img);
        long c = System.nanoTime();
        ImportanceMap.compute(img, m, false);
        long d = System.nanoTime();
        ImageOps.toRgb(img);
        long e = System.nanoTime();
        t[0] += (b - a) / 1e6;
        t[1] += (c - b) / 1e6;
        t[2] += (d - c) / 1e6;
        t[3] += (e - d) / 1e6;
      }
    }
    System.out.printf("per photo: detect %.1f ms, spectral %.1f ms, importance %.1f ms, toRgb %.1f ms%n",
        t[0] / all.size(), t[1] / all.size(), t[2] / all.size(), t[3] / all.size());
  }
}
