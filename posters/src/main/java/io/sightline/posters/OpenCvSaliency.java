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

  /**
   * @param algorithm the OpenCV algorithm
   * @param workingSize longer side the image is reduced to before computing (at least 16)
   */
  public OpenCvSaliency(Algorithm algorithm, int workingSize) {
    if (algorithm == null) {
      throw new IllegalArgumentException("algorithm is required");
    }
    if (workingSize < 16) {
      throw new IllegalArgumentException("workingSize must be at least 16, got " + workingSize);
    }
    this.algorithm = algorithm;
    this.workingSize = workingSize;
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
      float[] raw = CvImages.floats(out);
      return SaliencyMap.normalised(out.cols(), out.rows(), raw);
    }
  }

  @Override
  public String id() {
    return "opencv-saliency-" + algorithm.name().toLowerCase(java.util.Locale.ROOT) + "@" + workingSize + "/4.10";
  }
}
