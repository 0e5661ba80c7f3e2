package io.sightline.core.classify;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Assigns labels to an image. Implementations are thread-safe.
 */
public interface ImageClassifier extends AutoCloseable {
  /**
   * @param image decoded image
   * @return every label with its probability, most probable first (probabilities sum to 1)
   */
  List<Classification> classify(BufferedImage image);

  /** @return the labels this classifier can output */
  List<String> labels();

  /** @return stable id including a version */
  String id();

  /** Releases native resources; the default does nothing. */
  @Override
  default void close() {}
}
