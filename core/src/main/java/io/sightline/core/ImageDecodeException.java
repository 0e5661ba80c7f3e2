package io.sightline.core;

/** An input that is empty, truncated, unreadable or not an image at all. */
public class ImageDecodeException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public ImageDecodeException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public ImageDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
