package io.sightline.core;

/**
 * Root of every exception Sightline throws for bad input, bad models or broken stores.
 *
 * <p>It is unchecked so fluent call chains stay readable; every subclass names what went wrong
 * and, where there is one, the file or record concerned.
 */
public class SightlineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong, in words a caller can show to a user */
  public SightlineException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public SightlineException(String message, Throwable cause) {
    super(message, cause);
  }
}
