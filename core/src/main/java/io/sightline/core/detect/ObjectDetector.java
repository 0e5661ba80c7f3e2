package io.sightline.core.detect;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Finds objects in an image. Implementations are thread-safe.
 */
public interface ObjectDetector extends AutoCloseable {
  /**
   * @param image decoded image
   * @return detections in pixel coordinates of {@code image}, best score first
   */
  List<Detection> detect(BufferedImage image);

  /** @return stable id including a version */
  String id();

  /** Releases native resources; the default does nothing. */
  @Override
  default void close() {}
}
