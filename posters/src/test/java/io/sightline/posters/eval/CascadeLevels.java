package io.sightline.posters.eval;

import io.sightline.core.image.ImageOps;
import io.sightline.posters.CascadeFaceDetector;
import io.sightline.posters.CvImagesAccess;
import io.sightline.posters.PosterComposer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_objdetect;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * Development aid (issue 13, fifth part): where the default face cascade's time goes. Times
 * {@code detectMultiScale} of {@code haarcascade_frontalface_alt2} (step 1.15) one pyramid level at
 * a time (minimum = maximum size = the level's window) on the 560 px analysis copies of 1920x1080
 * photos, one OpenCV thread; with {@code --exact N}, checks on N tune scenes (seed 7, every set)
 * that two scans split at scale 2, their raw candidates grouped together, give exactly
 * {@code detectMultiScale2}'s detections and neighbour counts.
 * {@code java ... CascadeLevels [photos] [rounds]} or {@code java ... CascadeLevels --exact N}.
 */
public final class CascadeLevels {
  public static void main(String[] args) throws Exception {
    opencv_core.setNumThreads(1);
    CascadeClassifier cc = new CascadeClassifier(
        CascadeFaceDetector.bundledPath("haarcascades/haarcascade_frontalface_alt2.xml").toString());
    if (args.length > 1 && args[0].equals("--exact")) {
      exact(cc, Integer.parseInt(args[1]));
      return;
    }
    int photos = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    List<CropEvaluation.Sample> all = CropEvaluation.samples(photos, 1);
    List<Mat> grays = new ArrayList<>();
    for (int i = 0; i < photos; i++) {
      BufferedImage big = ImageOps.resize(all.get(i < photos / 2 ? i : photos + i - photos / 2).image(), 1920, 1080);
      grays.add(gray(CvImagesAccess.reduced(big, PosterComposer.DEFAULT_ANALYSIS_SIDE)));
    }
    int levels = 23;
    double[] t = new double[levels + 1];
    int[] win = new int[levels];
    try (RectVector rv = new RectVector()) {
      for (int r = -1; r < rounds; r++) {
        for (Mat g : grays) {
          long a = System.nanoTime();
          cc.detectMultiScale(g, rv, 1.15, 3, 0, new Size(13, 13), new Size());
          if (r >= 0) {
            t[levels] += (System.nanoTime() - a) / 1e6;
          }
          for (int l = 0; l < levels; l++) {
            win[l] = (int) Math.round(20 * Math.pow(1.15, l));
            a = System.nanoTime();
            cc.detectMultiScale(g, rv, 1.15, 3, 0, new Size(win[l], win[l]), new Size(win[l], win[l]));
            if (r >= 0) {
              t[l] += (System.nanoTime() - a) / 1e6;
            }
          }
        }
      }
    }
    int n = rounds * photos;
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "ms per 560 px copy (mean of %d); whole scan %.1f; per level (window px, scale):%n", n, t[levels] / n));
    for (int l = 0; l < levels; l++) {
      sb.append(String.format(Locale.ROOT, "L%d (%d px, %.2f%s) %.2f%n", l, win[l], Math.pow(1.15, l),
          Math.pow(1.15, l) >= 2 ? ", 1-px step" : ", 2-px step", t[l] / n));
    }
    System.out.print(sb);
  }

  private static Mat gray(BufferedImage work) {
    Mat g = new Mat();
    try (Mat bgr = new Mat(work.getHeight(), work.getWidth(), opencv_core.CV_8UC3)) {
      int[] px = work.getRGB(0, 0, work.getWidth(), work.getHeight(), null, 0, work.getWidth());
      byte[] b = new byte[px.length * 3];
      for (int i = 0; i < px.length; i++) {
        b[3 * i] = (byte) px[i];
        b[3 * i + 1] = (byte) (px[i] >> 8);
        b[3 * i + 2] = (byte) (px[i] >> 16);
      }
      bgr.data().put(b);
      opencv_imgproc.cvtColor(bgr, g, opencv_imgproc.COLOR_BGR2GRAY);
    }
    opencv_imgproc.equalizeHist(g, g);
    return g;
  }

  private static void exact(CascadeClassifier cc, int n) throws Exception {
    int same = 0;
    List<CropEvaluation.Sample> all = CropEvaluation.samples(n, 7);
    for (CropEvaluation.Sample s : all) {
      Mat g = gray(ImageOps.fitWithin(ImageOps.toRgb(s.image()), PosterComposer.DEFAULT_ANALYSIS_SIDE));
      String one;
      try (RectVector rv = new RectVector(); IntPointer nb = new IntPointer()) {
        cc.detectMultiScale2(g, rv, nb, 1.15, 3, 0, new Size(13, 13), new Size());
        one = text(rv, nb);
      }
      String two;
      try (RectVector a = new RectVector(); RectVector b = new RectVector(); IntPointer nb = new IntPointer()) {
        cc.detectMultiScale(g, a, 1.15, 0, 0, new Size(13, 13), new Size(39, 39));
        cc.detectMultiScale(g, b, 1.15, 0, 0, new Size(40, 40), new Size());
        for (long i = 0; i < b.size(); i++) {
          a.push_back(b.get(i));
        }
        opencv_objdetect.groupRectangles(a, nb, 3, 0.2);
        two = text(a, nb);
      }
      if (one.equals(two)) {
        same++;
      } else {
        System.out.println("differ: " + one + " | " + two);
      }
      g.close();
    }
    System.out.println("two scans grouped together = one scan on " + same + " of " + all.size() + " scenes");
  }

  private static String text(RectVector rv, IntPointer nb) {
    StringBuilder sb = new StringBuilder();
    for (long i = 0; i < rv.size(); i++) {
      Rect r = rv.get(i);
      sb.append(r.x()).append(',').append(r.y()).append(',').append(r.width()).append(',').append(r.height())
          .append('/').append(nb.get(i)).append(' ');
    }
    return sb.toString();
  }
}
