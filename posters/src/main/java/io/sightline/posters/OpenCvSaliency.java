package io.sightline.posters;

import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_saliency.StaticSaliency;
import org.bytedeco.opencv.opencv_saliency.StaticSaliencyFineGrained;
import org.bytedeco.opencv.opencv_saliency.StaticSaliencySpectralResidual;

/**
 * Static saliency from OpenCV's contrib {@code saliency} module: spectral residual (Hou &amp; Zhang
 * 2007, fast, blob-like maps) or fine-grained (Montabone &amp; Soto 2010, center-surround, sharper
 * maps). The image is first reduced to at most {@link #workingSize()} pixels on its longer side.
 * Natives load on first use. Thread-safe: each call builds its own OpenCV algorithm object.
 */
public final class OpenCvSaliency implements SaliencyDetector {
  /** Which OpenCV algorithm. */
  public enum Algorithm {
    /** StaticSaliencySpectralResidual. */
    SPECTRAL_RESIDUAL,
    /** StaticSaliencyFineGrained. */
    FINE_GRAINED
  }

  private final Algorithm algorithm;
  private final int workingSize;
  private final double smoothing;

  /**
   * @param algorithm the OpenCV algorithm
   * @param workingSize longer side the image is reduced to before computing (at least 16)
   */
  public OpenCvSaliency(Algorithm algorithm, int workingSize) {
    this(algorithm, workingSize, 0.03);
  }

  /**
   * @param algorithm the OpenCV algorithm
   * @param workingSize longer side the image is reduced to before computing (at least 16)
   * @param smoothing sigma of the Gaussian applied to the map, as a fraction of its longer side
   *     (0.03 by default; 0 turns smoothing down to sigma 1 pixel)
   */
  public OpenCvSaliency(Algorithm algorithm, int workingSize, double smoothing) {
    if (algorithm == null) {
      throw new IllegalArgumentException("algorithm is required");
    }
    if (workingSize < 16) {
      throw new IllegalArgumentException("workingSize must be at least 16, got " + workingSize);
    }
    this.algorithm = algorithm;
    this.workingSize = workingSize;
    if (!(smoothing >= 0 && smoothing < 1)) {
      throw new IllegalArgumentException("smoothing must be in [0,1), got " + smoothing);
    }
    this.smoothing = smoothing;
  }

  /** @return spectral residual at 256 pixels, the default */
  public static OpenCvSaliency spectralResidual() {
    return new OpenCvSaliency(Algorithm.SPECTRAL_RESIDUAL, 256);
  }

  /** @return fine-grained at 256 pixels */
  public static OpenCvSaliency fineGrained() {
    return new OpenCvSaliency(Algorithm.FINE_GRAINED, 256);
  }

  /** @return the algorithm */
  public Algorithm algorithm() {
    return algorithm;
  }

  /** @return the working size */
  public int workingSize() {
    return workingSize;
  }

  @Override
  public SaliencyMap compute(BufferedImage image) {
    BufferedImage small = ImageOps.fitWithin(image, workingSize);
    try (Mat bgr = CvImages.toBgr(small); Mat out = new Mat()) {
      StaticSaliency s = algorithm == Algorithm.SPECTRAL_RESIDUAL
          ? StaticSaliencySpectralResidual.create() : StaticSaliencyFineGrained.create();
      try {
        Mat in = bgr;
        if (!s.computeSaliency(in, out) || out.empty()) {
          throw new PosterException("OpenCV " + algorithm + " saliency failed on a "
              + image.getWidth() + "x" + image.getHeight() + " image");
        }
      } finally {
        s.close();
      }
      // smooth the raw map (Hou & Zhang smooth with a Gaussian too) so that the salient region is a
      // blob rather than the object's edges
      double sigma = Math.max(1.0, smoothing * Math.max(out.cols(), out.rows()));
      try (Mat f = new Mat()) {
        out.convertTo(f, org.bytedeco.opencv.global.opencv_core.CV_32F);
        org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur(f, out, new org.bytedeco.opencv.opencv_core.Size(0, 0), sigma);
      }
      float[] raw = CvImages.floats(out);
      return SaliencyMap.normalised(out.cols(), out.rows(), raw);
    }
  }

  @Override
  public String id() {
    return "opencv-saliency-" + algorithm.name().toLowerCase(java.util.Locale.ROOT) + "@" + workingSize + "s" + smoothing + "/4.10";
  }
}
