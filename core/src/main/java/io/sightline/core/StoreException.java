package io.sightline.core;

/** A store or index file that cannot be read or written: I/O failure, corruption, truncation or a checksum mismatch. */
public class StoreException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public StoreException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
