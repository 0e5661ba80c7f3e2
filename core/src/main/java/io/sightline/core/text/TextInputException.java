package io.sightline.core.text;

import io.sightline.core.SightlineException;

/** A text a {@link TextEmbedder} cannot embed: null, empty or blank. */
public class TextInputException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what is wrong with the text, and which one */
  public TextInputException(String message) {
    super(message);
  }
}
