package io.sightline.posters;

import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Pixel operations of the importance map ({@link ImportanceMap}): global colour contrast, the
 * robust contrast normalisation of a component, linear-time selection, Gaussian smoothing and
 * resizing of float maps.
 */
final class MapOps {
  private MapOps() {}

  /**
   * Histogram contrast (Cheng et al. 2011, on 8x8x8 RGB bins): each pixel gets the mean colour
   * distance of its bin to every pixel of the image.
   */
  static void colourContrast(byte[] bgr, int n, float[] out) {
    int[] bin = new int[n];
    double[] count = new double[512];
    double[][] mean = new double[512][3];
    for (int i = 0; i < n; i++) {
      int b = bgr[3 * i] & 255;
      int g = bgr[3 * i + 1] & 255;
      int r = bgr[3 * i + 2] & 255;
      int k = ((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5);
      bin[i] = k;
      count[k]++;
      mean[k][0] += r;
      mean[k][1] += g;
      mean[k][2] += b;
    }
    int[] used = new int[512];
    int u = 0;
    for (int k = 0; k < 512; k++) {
      if (count[k] > 0) {
        mean[k][0] /= count[k];
        mean[k][1] /= count[k];
        mean[k][2] /= count[k];
        used[u++] = k;
      }
    }
    float[] sal = new float[512];
    for (int a = 0; a < u; a++) {
      int ka = used[a];
      double s = 0;
      for (int c = 0; c < u; c++) {
        int kc = used[c];
        double dr = mean[ka][0] - mean[kc][0];
        double dg = mean[ka][1] - mean[kc][1];
        double db = mean[ka][2] - mean[kc][2];
        s += count[kc] * Math.sqrt(dr * dr + dg * dg + db * db);
      }
      sal[ka] = (float) (s / n);
    }
    for (int i = 0; i < n; i++) {
      out[i] = sal[bin[i]];
    }
  }

  /** Each value minus the median, over the 99th percentile minus the median, clipped to [0,1]. */
  static float[] contrast(float[] v) {
    // percentiles from a strided sample of at most ~16k values (the map is smooth)
    int stride = Math.max(1, v.length / 16384);
    float[] sorted = new float[(v.length + stride - 1) / stride];
    for (int i = 0, j = 0; i < v.length; i += stride, j++) {
      sorted[j] = v[i];
    }
    // two order statistics by selection: the values a full sort puts there (Arrays.sort's order),
    // in linear time (issue 13, fifth part: the sorts cost about 1 ms per component)
    int hiRank = Math.min(sorted.length - 1, (int) (sorted.length * 0.99));
    float hi = select(sorted, 0, sorted.length - 1, hiRank);
    // after the selection every value below hiRank is at most sorted[hiRank]
    float med = select(sorted, 0, hiRank, sorted.length / 2);
    float[] out = new float[v.length];
    float d = hi - med;
    if (d <= 1e-6f) {
      return out;
    }
    for (int i = 0; i < v.length; i++) {
      out[i] = Math.max(0f, Math.min(1f, (v[i] - med) / d));
    }
    return out;
  }

  /**
   * The value of rank {@code k} of {@code a[lo..hi]} (what {@code a[k]} would be after sorting that
   * range), by quickselect with a median-of-three pivot; reorders the range.
   */
  static float select(float[] a, int lo, int hi, int k) {
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      // median of three to a[mid]
      if (Float.compare(a[mid], a[lo]) < 0) {
        swap(a, mid, lo);
      }
      if (Float.compare(a[hi], a[lo]) < 0) {
        swap(a, hi, lo);
      }
      if (Float.compare(a[hi], a[mid]) < 0) {
        swap(a, hi, mid);
      }
      float pivot = a[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (Float.compare(a[i], pivot) < 0) {
          i++;
        }
        while (Float.compare(a[j], pivot) > 0) {
          j--;
        }
        if (i <= j) {
          swap(a, i++, j--);
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  private static void swap(float[] a, int i, int j) {
    float t = a[i];
    a[i] = a[j];
    a[j] = t;
  }

  static float[] blur(float[] v, int w, int h, double sigma) {
    try (Mat m = CvImages.fromFloats(v, w, h); Mat o = new Mat()) {
      opencv_imgproc.GaussianBlur(m, o, new Size(0, 0), Math.max(0.5, sigma));
      return CvImages.floats(o);
    }
  }

  static float[] resized(float[] v, int sw, int sh, int w, int h) {
    if (sw == w && sh == h) {
      return v;
    }
    try (Mat m = CvImages.fromFloats(v, sw, sh); Mat o = new Mat()) {
      opencv_imgproc.resize(m, o, new Size(w, h), 0, 0, opencv_imgproc.INTER_LINEAR);
      return CvImages.floats(o);
    }
  }
}
