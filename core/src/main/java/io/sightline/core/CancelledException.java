package io.sightline.core;

/** Long work (indexing, clustering, training) stopped because its CancellationToken was cancelled. */
public class CancelledException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public CancelledException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public CancelledException(String message, Throwable cause) {
    super(message, cause);
  }
}
