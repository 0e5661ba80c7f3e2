package io.sightline.posters;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Centre–surround contrast of a region against its surround at several scales (issue 13): a
 * compact subject differs from what lies around it, while a smooth gradient, an even texture or a
 * large background area does not. Box means (OpenCV {@code blur}) of a centre window of side
 * {@code k} and of a surround window of side {@code 3k} are compared for {@code k} = 5%, 10% and
 * 20% of the map's shorter side.
 */
final class SurroundContrast {
  /** Centre window sides, as fractions of the map's shorter side. */
  static final double[] SCALES = {0.05, 0.10, 0.20};

  private SurroundContrast() {}

  /**
   * Colour contrast: the CIELAB distance between the centre mean and the surround mean, summed over
   * the scales.
   *
   * @param bgr 8-bit BGR image at map size
   * @param w width
   * @param h height
   * @param scales centre window sides, fractions of the shorter side
   * @return one value per pixel, row-major
   */
  static float[] colour(Mat bgr, int w, int h, double[] scales) {
    float[] out = new float[w * h];
    try (Mat f = new Mat(); Mat lab = new Mat()) {
      bgr.convertTo(f, opencv_core.CV_32FC3, 1 / 255.0, 0);
      opencv_imgproc.cvtColor(f, lab, opencv_imgproc.COLOR_BGR2Lab);
      for (double sc : scales) {
        int k = side(sc, w, h);
        float[] c = boxMean(lab, k);
        float[] s = boxMean(lab, 3 * k);
        for (int i = 0; i < out.length; i++) {
          double dl = c[3 * i] - s[3 * i];
          double da = c[3 * i + 1] - s[3 * i + 1];
          double db = c[3 * i + 2] - s[3 * i + 2];
          out[i] += (float) Math.sqrt(dl * dl + da * da + db * db);
        }
      }
    }
    return out;
  }

  /**
   * Edge-density contrast: how much the centre's mean edge magnitude exceeds the surround's,
   * relative to the surround plus the image's mean (so an evenly textured area scores low),
   * summed over the scales.
   *
   * @param magnitude gradient magnitude, 32-bit float, at map size
   * @param w width
   * @param h height
   * @param scales centre window sides, fractions of the shorter side
   * @return one value per pixel, row-major
   */
  static float[] edgeDensity(Mat magnitude, int w, int h, double[] scales) {
    float[] out = new float[w * h];
    double mean = opencv_core.mean(magnitude).get(0);
    for (double sc : scales) {
      int k = side(sc, w, h);
      float[] c = boxMean(magnitude, k);
      float[] s = boxMean(magnitude, 3 * k);
      for (int i = 0; i < out.length; i++) {
        out[i] += (float) (Math.max(0, c[i] - s[i]) / (s[i] + mean + 1e-6));
      }
    }
    return out;
  }

  private static int side(double scale, int w, int h) {
    return Math.max(3, (int) Math.round(scale * Math.min(w, h)) | 1);
  }

  private static float[] boxMean(Mat m, int k) {
    try (Mat o = new Mat()) {
      opencv_imgproc.blur(m, o, new Size(k, k));
      Mat c = o.isContinuous() ? o : o.clone();
      float[] out = new float[c.rows() * c.cols() * c.channels()];
      new FloatPointer(c.data()).get(out);
      if (c != o) {
        c.close();
      }
      return out;
    }
  }
}
