package io.sightline.core;

/** A model file that is missing, malformed, or not what the caller declared (wrong inputs, outputs or shapes). */
public class ModelException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public ModelException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
