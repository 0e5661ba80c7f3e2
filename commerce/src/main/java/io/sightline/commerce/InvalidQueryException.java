package io.sightline.commerce;

import io.sightline.core.SightlineException;

/** A search request that cannot be run: a malformed attribute filter, a negative offset, a page size below 1. */
public class InvalidQueryException extends SightlineException {
  private static final long serialVersionUID = 1L;

  /** @param message what is wrong and what is expected */
  public InvalidQueryException(String message) {
    super(message);
  }
}
