package io.sightline.posters;

import java.awt.image.BufferedImage;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Sharpness as the variance of OpenCV's Laplacian of the grey image (seed (90)), and its
 * normalisation to [0,1): {@code v / (v + halfPoint)}, so an image whose Laplacian variance equals
 * {@code halfPoint} scores 0.5. Pure and thread-safe.
 */
public final class Sharpness {
  /** Default half point: a Laplacian variance of 100 (8-bit grey levels) scores 0.5. */
  public static final double DEFAULT_HALF_POINT = 100;

  private Sharpness() {}

  /**
   * @param image any image
   * @return the variance of its Laplacian (3x3 aperture) on 8-bit grey levels
   */
  public static double laplacianVariance(BufferedImage image) {
    try (Mat gray = CvImages.toGray(image); Mat lap = new Mat(); Mat mean = new Mat(); Mat std = new Mat()) {
      opencv_imgproc.Laplacian(gray, lap, opencv_core.CV_64F);
      opencv_core.meanStdDev(lap, mean, std);
      double s = new org.bytedeco.javacpp.DoublePointer(std.data()).get(0);
      return s * s;
    }
  }

  /**
   * @param laplacianVariance a variance from {@link #laplacianVariance}
   * @param halfPoint the variance that maps to 0.5, positive
   * @return the normalised sharpness in [0,1)
   */
  public static double normalise(double laplacianVariance, double halfPoint) {
    if (!(halfPoint > 0)) {
      throw new IllegalArgumentException("halfPoint must be positive, got " + halfPoint);
    }
    double v = Math.max(0, laplacianVariance);
    return v / (v + halfPoint);
  }
}
