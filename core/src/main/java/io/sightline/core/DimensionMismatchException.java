package io.sightline.core;

/** A vector whose length differs from the dimension the index, model or embedder expects. */
public class DimensionMismatchException extends InvalidVectorException {
  private static final long serialVersionUID = 1L;
  private final int expected;
  private final int actual;

  /**
   * @param expected the dimension required
   * @param actual the dimension given
   */
  public DimensionMismatchException(int expected, int actual) {
    super("vector dimension mismatch: expected " + expected + " but got " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  /** @return the dimension required */
  public int expected() {
    return expected;
  }

  /** @return the dimension given */
  public int actual() {
    return actual;
  }
}
