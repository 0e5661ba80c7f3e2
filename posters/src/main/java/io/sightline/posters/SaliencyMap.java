package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.util.Arrays;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A saliency map with values in [0,1], row-major, and the salient region it implies.
 *
 * @param width map width
 * @param height map height
 * @param values saliency per map pixel, in [0,1]
 */
public record SaliencyMap(int width, int height, float[] values) {
  /** Validates the size and copies the values. */
  public SaliencyMap {
    if (width < 1 || height < 1 || values == null || values.length != width * height) {
      throw new IllegalArgumentException("saliency map needs width*height values, got "
          + (values == null ? "null" : values.length) + " for " + width + "x" + height);
    }
    values = values.clone();
  }

  /**
   * Normalises arbitrary non-negative scores to [0,1] by min–max.
   *
   * @param width map width
   * @param height map height
   * @param raw scores (NaN treated as 0)
   * @return the map
   */
  public static SaliencyMap normalised(int width, int height, float[] raw) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : raw) {
      if (Float.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    float[] out = new float[raw.length];
    if (max > min) {
      for (int i = 0; i < raw.length; i++) {
        out[i] = Float.isFinite(raw[i]) ? (raw[i] - min) / (max - min) : 0f;
      }
    }
    return new SaliencyMap(width, height, out);
  }

  /** @return a copy of the values */
  @Override
  public float[] values() {
    return values.clone();
  }

  /** @return the mean saliency */
  public double mean() {
    double s = 0;
    for (float v : values) {
      s += v;
    }
    return s / values.length;
  }

  /**
   * The salient region: threshold the map, keep the largest 8-connected component (after a small
   * morphological closing that joins fragments), return its bounding box scaled to the image.
   *
   * @param threshold saliency threshold in [0,1]; NaN picks Otsu's threshold on the map
   * @param imageWidth width of the image the map was computed from
   * @param imageHeight height of that image
   * @return the region in image pixels, or null when no pixel reaches the threshold
   */
  public Box salientRegion(double threshold, int imageWidth, int imageHeight) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) Math.round(Math.max(0, Math.min(1, values[i])) * 255);
    }
    try (Mat m = CvImages.fromBytes(bytes, width, height); Mat bin = new Mat();
        Mat labels = new Mat(); Mat stats = new Mat(); Mat centroids = new Mat()) {
      if (Double.isNaN(threshold)) {
        opencv_imgproc.threshold(m, bin, 0, 255, opencv_imgproc.THRESH_BINARY | opencv_imgproc.THRESH_OTSU);
      } else {
        opencv_imgproc.threshold(m, bin, Math.max(0, Math.min(254.999, threshold * 255 - 0.5)), 255,
            opencv_imgproc.THRESH_BINARY);
      }
      int k = Math.max(3, (Math.min(width, height) / 32) | 1);
      try (Mat kernel = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_ELLIPSE, new Size(k, k))) {
        opencv_imgproc.morphologyEx(bin, bin, opencv_imgproc.MORPH_CLOSE, kernel);
      }
      int n = opencv_imgproc.connectedComponentsWithStats(bin, labels, stats, centroids, 8, opencv_core.CV_32S);
      if (n <= 1) {
        return null;
      }
      int[] st = new int[stats.rows() * stats.cols()];
      new org.bytedeco.javacpp.IntPointer(stats.data()).get(st);
      int cols = stats.cols();
      int best = -1;
      int bestArea = 0;
      for (int i = 1; i < n; i++) {
        int area = st[i * cols + opencv_imgproc.CC_STAT_AREA];
        if (area > bestArea) {
          bestArea = area;
          best = i;
        }
      }
      double sx = imageWidth / (double) width;
      double sy = imageHeight / (double) height;
      Box b = new Box(st[best * cols + opencv_imgproc.CC_STAT_LEFT], st[best * cols + opencv_imgproc.CC_STAT_TOP],
          st[best * cols + opencv_imgproc.CC_STAT_WIDTH], st[best * cols + opencv_imgproc.CC_STAT_HEIGHT]);
      return b.scale(sx, sy).clamp(imageWidth, imageHeight);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SaliencyMap s && s.width == width && s.height == height && Arrays.equals(s.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "SaliencyMap[" + width + "x" + height + ", mean=" + mean() + "]";
  }
}
