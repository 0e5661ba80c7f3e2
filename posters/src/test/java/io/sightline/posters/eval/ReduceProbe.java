package io.sightline.posters.eval;

import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Development aid (issue 13, fifth part): Java2D's reduction of 1920x1080 photos to 560x315
 * ({@code ImageOps.resize}: halvings, then one bilinear draw) against the same steps by OpenCV
 * (bilinear halvings and draw) and against OpenCV's {@code INTER_AREA} in one step: time and the
 * channel values that differ. {@code java ... ReduceProbe} (OpenCV {@code INTER_LINEAR}),
 * {@code ReduceProbe x} ({@code INTER_LINEAR_EXACT}), {@code ReduceProbe x y} (the first halving
 * alone, to 960x540).
 */
public final class ReduceProbe {
  private ReduceProbe() {}

  public static void main(String[] args) throws Exception {
    opencv_core.setNumThreads(1);
    int interp = args.length > 0 ? opencv_imgproc.INTER_LINEAR_EXACT : opencv_imgproc.INTER_LINEAR;
    int tw = args.length > 1 ? 960 : 560;
    int th = args.length > 1 ? 540 : 315;
    List<CropEvaluation.Sample> all = CropEvaluation.samples(20, 1);
    double[] t = new double[3];
    long[] diff = new long[2];
    long[] big = new long[2];
    long total = 0;
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < 20; i++) {
        BufferedImage img = ImageOps.resize(all.get(i).image(), 1920, 1080);
        long s0 = System.nanoTime();
        BufferedImage java2d = ImageOps.resize(img, tw, th);
        long s1 = System.nanoTime();
        BufferedImage steps = opencv(img, tw, th, interp, false);
        long s2 = System.nanoTime();
        BufferedImage area = opencv(img, tw, th, interp, true);
        long s3 = System.nanoTime();
        if (r > 0) {
          t[0] += s1 - s0;
          t[1] += s2 - s1;
          t[2] += s3 - s2;
        } else {
          int[] ref = java2d.getRGB(0, 0, tw, th, null, 0, tw);
          BufferedImage[] cv = {steps, area};
          for (int k = 0; k < 2; k++) {
            int[] px = cv[k].getRGB(0, 0, tw, th, null, 0, tw);
            for (int q = 0; q < ref.length; q++) {
              for (int sh = 0; sh < 24; sh += 8) {
                int d = Math.abs(((ref[q] >> sh) & 255) - ((px[q] >> sh) & 255));
                diff[k] += d > 0 ? 1 : 0;
                big[k] += d > 2 ? 1 : 0;
                total += k == 0 ? 1 : 0;
              }
            }
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "to %dx%d: Java2D %.2f ms, OpenCV halvings + draw %.2f ms, OpenCV area %.2f ms; "
        + "differing channel values: halvings + draw %d (by more than 2: %d), area %d (%d) of %d%n", tw, th,
        t[0] / 40e6, t[1] / 40e6, t[2] / 40e6, diff[0], big[0], diff[1], big[1], total);
  }

  private static BufferedImage opencv(BufferedImage img, int tw, int th, int interp, boolean area) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    Mat cur = new Mat(h, w, opencv_core.CV_8UC4);
    new IntPointer(cur.data()).put(px, 0, w * h);
    if (!area) {
      while (w / 2 >= tw && h / 2 >= th) {
        w /= 2;
        h /= 2;
        cur = resized(cur, w, h, interp);
      }
    }
    if (w != tw || h != th || area) {
      cur = resized(cur, tw, th, area ? opencv_imgproc.INTER_AREA : interp);
    }
    BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
    new IntPointer(cur.data()).get(((DataBufferInt) out.getRaster().getDataBuffer()).getData(), 0, tw * th);
    cur.close();
    return out;
  }

  private static Mat resized(Mat src, int w, int h, int interp) {
    Mat out = new Mat();
    opencv_imgproc.resize(src, out, new Size(w, h), 0, 0, interp);
    src.close();
    return out;
  }
}
