package io.sightline.core;

/** An image whose declared size exceeds the configured pixel or byte budget (decompression-bomb guard); thrown before any pixel is decoded. */
public class ImageTooLargeException extends ImageDecodeException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public ImageTooLargeException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public ImageTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
