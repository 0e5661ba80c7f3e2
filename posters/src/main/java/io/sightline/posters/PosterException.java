package io.sightline.posters;

import io.sightline.core.SightlineException;

/**
 * A poster cannot be made from this input: a crop that would have zero size, a font that is not
 * installed, a layer that cannot fit, a video that cannot be read.
 */
public class PosterException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public PosterException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public PosterException(String message, Throwable cause) {
    super(message, cause);
  }
}
