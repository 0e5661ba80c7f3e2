package io.sightline.core;

/** A stored file or database written by a newer format version, or by another embedder, than this code can use. */
public class IncompatibleFormatException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public IncompatibleFormatException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public IncompatibleFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
