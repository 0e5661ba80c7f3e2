package io.sightline.core.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a text into a fixed-length vector: the text-side counterpart of
 * {@link io.sightline.core.embed.ImageEmbedder}.
 *
 * <p>{@link #id()} names the embedder and its version (for example
 * {@code "onnx-text:all-minilm-l6-v2.onnx@sha256:1a2b3c4d5e6f/mean/l2"}); every persisted index
 * records it, so vectors of one text model are never compared with those of another.
 * Implementations are thread-safe. The ONNX implementation is
 * {@link io.sightline.core.onnx.OnnxTextEmbedder}.
 */
public interface TextEmbedder extends AutoCloseable {
  /**
   * @param text a non-empty text
   * @return a vector of length {@link #dimension()}
   * @throws TextInputException when the text is null, empty or blank
   * @throws io.sightline.core.SightlineException on any other failure
   */
  float[] embed(String text);

  /**
   * Embeds several texts; implementations may batch.
   *
   * @param texts non-empty texts
   * @return one vector per text, in order
   * @throws TextInputException when the list is null or a text is null, empty or blank
   */
  default List<float[]> embedAll(List<String> texts) {
    if (texts == null) {
      throw new TextInputException("text list is null");
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(embed(t));
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
