package io.sightline.posters;

import java.awt.image.BufferedImage;

/**
 * Saliency SPI: maps an image to per-pixel saliency (regions of human interest, seed (20)).
 * {@link OpenCvSaliency} is the default; plug any model (for example an ONNX saliency network
 * run through DJL) by implementing this interface. Implementations must be thread-safe.
 */
public interface SaliencyDetector {
  /**
   * @param image the image
   * @return its saliency map; the map may be smaller than the image (same aspect)
   */
  SaliencyMap compute(BufferedImage image);

  /** @return stable id including a version, reported with every poster */
  String id();
}
