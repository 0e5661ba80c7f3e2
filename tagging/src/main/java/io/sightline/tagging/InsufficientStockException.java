package io.sightline.tagging;

import io.sightline.core.SightlineException;

/**
 * The stock cannot support the requested work: it is empty, or holds fewer images than the
 * requested number of clusters.
 */
public class InsufficientStockException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what is missing */
  public InsufficientStockException(String message) {
    super(message);
  }
}
