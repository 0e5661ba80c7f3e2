package io.sightline.posters;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * How distinctive a component of the importance map is (the map normalisation of Itti, Koch and
 * Niebur, "A model of saliency-based visual attention", PAMI 1998): a map with one strong peak
 * says more about where the subject is than a map with many peaks of similar height. The local
 * maxima of the map are its pixels that equal the maximum of their neighbourhood (a square of
 * {@value #NEIGHBOURHOOD} of the shorter side; found at half the map's size, each value the
 * largest of its 2x2 block) and reach {@value #FLOOR} of the peak; m̄ is the
 * mean of those maxima other than the highest, relative to the peak, and the factor is
 * {@code (1 − m̄)^exponent}.
 */
final class Uniqueness {
  /** Side of the neighbourhood in which a local maximum is the largest, as a share of the shorter side. */
  static final double NEIGHBOURHOOD = 0.125;
  /** Local maxima below this share of the peak are noise and ignored. */
  static final double FLOOR = 0.1;

  private Uniqueness() {}

  /**
   * @param v a component, row-major, non-negative
   * @param w width
   * @param h height
   * @param exponent the exponent; 0 gives exactly 1
   * @return the factor in [0,1]: 1 for a single peak (or an empty map), lower the more peaks of
   *     similar height the map has
   */
  static double factor(float[] v, int w, int h, double exponent) {
    if (exponent <= 0) {
      return 1.0;
    }
    float peak = 0;
    for (float f : v) {
      peak = Math.max(peak, f);
    }
    if (peak <= 0) {
      return 1.0;
    }
    if (Math.min(w, h) >= 64) {
      // the components are smooth (blurred at about 1 % of the map's side): the peaks of a map at
      // half the size, each value the largest of its 2x2 block, are the same peaks, for a quarter of the work
      int hw = w / 2;
      int hh = h / 2;
      float[] half = new float[hw * hh];
      for (int y = 0; y < hh; y++) {
        for (int x = 0; x < hw; x++) {
          int i = 2 * y * w + 2 * x;
          half[y * hw + x] = Math.max(Math.max(v[i], v[i + 1]), Math.max(v[i + w], v[i + w + 1]));
        }
      }
      v = half;
      w = hw;
      h = hh;
    }
    int k = Math.max(3, (int) Math.round(NEIGHBOURHOOD * Math.min(w, h))) | 1;
    float[] dil;
    try (Mat m = CvImages.fromFloats(v, w, h); Mat d = new Mat();
        Mat kernel = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_RECT, new Size(k, k))) {
      opencv_imgproc.dilate(m, d, kernel);
      dil = CvImages.floats(d);
    }
    float floor = (float) (FLOOR * peak);
    byte[] isMax = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      isMax[i] = v[i] >= floor && v[i] >= dil[i] ? (byte) 255 : 0;
    }
    // a plateau of maxima (the clipped top of a component is one) counts once, at its value
    CvImages.Labels regions = CvImages.labels(isMax, w, h);
    int[] label = regions.of();
    int n = regions.count() - 1;
    if (n <= 1) {
      return 1.0;
    }
    float[] value = new float[n + 1];
    for (int i = 0; i < v.length; i++) {
      if (label[i] > 0) {
        value[label[i]] = Math.max(value[label[i]], v[i]);
      }
    }
    double sum = 0;
    float top = 0;
    for (int c = 1; c <= n; c++) {
      sum += value[c];
      top = Math.max(top, value[c]);
    }
    double mean = (sum - top) / (n - 1) / peak;
    return Math.pow(Math.max(0, 1 - mean), exponent);
  }
}
