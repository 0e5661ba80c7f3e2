package io.sightline.core;

/** A vector that cannot be indexed or searched: NaN or infinite components, or a zero vector under a metric that needs a direction. */
public class InvalidVectorException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public InvalidVectorException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public InvalidVectorException(String message, Throwable cause) {
    super(message, cause);
  }
}
