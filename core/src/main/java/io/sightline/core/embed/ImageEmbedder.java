package io.sightline.core.embed;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an image into a fixed-length feature vector.
 *
 * <p>{@link #id()} names the embedder and its version (for example
 * {@code "global-descriptor/1"} or {@code "onnx:resnet50.onnx@sha256:ab12..."}); every persisted
 * index records it and refuses vectors of another embedder. Implementations are thread-safe.
 */
public interface ImageEmbedder extends AutoCloseable {
  /**
   * @param image any decoded image
   * @return a vector of length {@link #dimension()}
   * @throws io.sightline.core.SightlineException on failure
   */
  float[] embed(BufferedImage image);

  /**
   * Embeds several images; implementations may batch.
   *
   * @param images images
   * @return one vector per image, in order
   */
  default List<float[]> embedAll(List<BufferedImage> images) {
    List<float[]> out = new ArrayList<>(images.size());
    for (BufferedImage img : images) {
      out.add(embed(img));
    }
    return out;
  }

  /** @return vector length */
  int dimension();

  /** @return stable id including a version, recorded in every index built with it */
  String id();

  /** Releases native resources; the default does nothing. */
  @Override
  default void close() {}
}
