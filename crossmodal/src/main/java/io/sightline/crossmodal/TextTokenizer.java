package io.sightline.crossmodal;

import java.util.List;

/**
 * Splits a corpus into text units. Implementations are thread-safe.
 *
 * @see WordTokenizer
 * @see HuggingFaceTextTokenizer
 */
public interface TextTokenizer extends AutoCloseable {
  /**
   * @param text any text
   * @return its units in order; empty when the text has none
   */
  List<TextUnit> tokenize(String text);

  /**
   * Turns units back into readable text (for generated captions).
   *
   * @param tokens unit tokens in order
   * @return the text
   */
  String detokenize(List<String> tokens);

  /** @return stable id with version, recorded in every model trained with it */
  String id();

  /** Releases native resources; the default does nothing. */
  @Override
  default void close() {}
}
