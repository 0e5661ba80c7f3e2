package io.sightline.core.instance;

import java.util.HashSet;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_calib3d;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Spatial verification of tentative correspondences between a query and one stored image: an
 * affine transform fitted by OpenCV's RANSAC ({@code estimateAffine2D}, deterministic seed),
 * then checks that keep a degenerate fit from counting as evidence:
 * <ul>
 *   <li>the transform keeps orientation (no mirror) and its scale lies in
 *       [{@value #MIN_SCALE}, {@value #MAX_SCALE}] on both axes, with at most {@value #MAX_ANISOTROPY}:1
 *       anisotropy;</li>
 *   <li>each inlier agrees with the transform in its own keypoint scale (within a factor
 *       {@value #KEYPOINT_SCALE_TOLERANCE}) and orientation (within {@value #KEYPOINT_ANGLE_TOLERANCE}°);</li>
 *   <li>inliers are counted as <em>distinct</em> points on both sides (a collapsed transform that
 *       maps many query points onto one stored point counts once).</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class GeometricVerifier {
  static final double MIN_SCALE = 0.05;
  static final double MAX_SCALE = 20;
  static final double MAX_ANISOTROPY = 4;
  static final double KEYPOINT_SCALE_TOLERANCE = 2.5;
  static final double KEYPOINT_ANGLE_TOLERANCE = 40;

  /**
   * The outcome for one image.
   *
   * @param inliers distinct verified correspondences
   * @param transform affine {@code [a, b, tx, c, d, ty]} mapping query working pixels to stored
   *     working pixels (null when no fit)
   * @param scale square root of the determinant (stored size / query size)
   * @param rotation rotation in degrees
   * @param queryBox bounding box of the verified query points {@code [x0, y0, x1, y1]} in query
   *     working pixels (null when none)
   */
  record Result(int inliers, double[] transform, double scale, double rotation, float[] queryBox) {
    static final Result NONE = new Result(0, null, 0, 0, null);
  }

  private final double thresholdFraction;

  /**
   * @param thresholdFraction RANSAC reprojection threshold as a fraction of the stored image's
   *     longer working side
   */
  GeometricVerifier(double thresholdFraction) {
    this.thresholdFraction = thresholdFraction;
  }

  /**
   * @param q query features
   * @param qIdx query keypoint of each correspondence
   * @param r stored image features
   * @param rIdx stored keypoint of each correspondence
   * @param n number of correspondences
   * @return the verified evidence
   */
  Result verify(QueryFeatures q, int[] qIdx, EncodedFeatures r, int[] rIdx, int n) {
    if (n < 3) {
      return Result.NONE;
    }
    OpenCvNatives.ensure();
    float[] src = new float[2 * n];
    float[] dst = new float[2 * n];
    for (int i = 0; i < n; i++) {
      src[2 * i] = q.xs()[qIdx[i]];
      src[2 * i + 1] = q.ys()[qIdx[i]];
      dst[2 * i] = r.xs()[rIdx[i]];
      dst[2 * i + 1] = r.ys()[rIdx[i]];
    }
    double threshold = Math.max(2.0, thresholdFraction * Math.max(r.width(), r.height()));
    double[] t = new double[6];
    byte[] mask = new byte[n];
    try (PointerScope scope = new PointerScope()) {
      Mat from = new Mat(n, 1, opencv_core.CV_32FC2);
      new FloatPointer(from.data()).put(src);
      Mat to = new Mat(n, 1, opencv_core.CV_32FC2);
      new FloatPointer(to.data()).put(dst);
      Mat inl = new Mat();
      Mat a = opencv_calib3d.estimateAffine2D(from, to, inl, opencv_calib3d.RANSAC, threshold, 2000, 0.995, 10);
      if (a == null || a.empty() || inl.empty()) {
        return Result.NONE;
      }
      Mat ad = new Mat();
      a.convertTo(ad, opencv_core.CV_64F);
      new DoublePointer(ad.data()).get(t);
      new BytePointer(inl.data()).get(mask);
    }
    double det = t[0] * t[4] - t[1] * t[3];
    if (!(det > 0)) {
      return Result.NONE;
    }
    // singular values of the 2x2 part
    double e = (t[0] + t[4]) / 2;
    double f = (t[0] - t[4]) / 2;
    double g = (t[3] + t[1]) / 2;
    double h = (t[3] - t[1]) / 2;
    double qq = Math.hypot(e, h);
    double rr = Math.hypot(f, g);
    double s1 = qq + rr;
    double s2 = Math.abs(qq - rr);
    if (s2 < MIN_SCALE || s1 > MAX_SCALE || s1 > MAX_ANISOTROPY * s2) {
      return Result.NONE;
    }
    double scale = Math.sqrt(det);
    double rotation = Math.toDegrees(Math.atan2(t[3] - t[1], t[0] + t[4]));
    Set<Long> qs = new HashSet<>();
    Set<Long> rs = new HashSet<>();
    float x0 = Float.MAX_VALUE;
    float y0 = Float.MAX_VALUE;
    float x1 = -Float.MAX_VALUE;
    float y1 = -Float.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      if (mask[i] == 0) {
        continue;
      }
      int qi = qIdx[i];
      int ri = rIdx[i];
      double sizeRatio = r.sizes()[ri] / Math.max(1e-3, q.sizes()[qi]) / scale;
      if (sizeRatio > KEYPOINT_SCALE_TOLERANCE || sizeRatio < 1 / KEYPOINT_SCALE_TOLERANCE) {
        continue;
      }
      // OpenCV's keypoint angles run clockwise in image coordinates, like the fitted rotation
      double da = angleDiff(r.angles()[ri] - q.angles()[qi], rotation);
      if (da > KEYPOINT_ANGLE_TOLERANCE) {
        continue;
      }
      qs.add(cell(q.xs()[qi], q.ys()[qi]));
      rs.add(cell(r.xs()[ri], r.ys()[ri]));
      x0 = Math.min(x0, q.xs()[qi]);
      y0 = Math.min(y0, q.ys()[qi]);
      x1 = Math.max(x1, q.xs()[qi]);
      y1 = Math.max(y1, q.ys()[qi]);
    }
    int inliers = Math.min(qs.size(), rs.size());
    if (inliers == 0) {
      return Result.NONE;
    }
    return new Result(inliers, t, scale, rotation, new float[] {x0, y0, x1, y1});
  }

  /** Absolute difference of two angles in degrees, in [0, 180]. */
  static double angleDiff(double a, double b) {
    double d = ((a - b) % 360 + 360) % 360;
    return d > 180 ? 360 - d : d;
  }

  private static long cell(float x, float y) {
    return ((long) Math.round(x) << 32) ^ (Math.round(y) & 0xffffffffL);
  }
}
