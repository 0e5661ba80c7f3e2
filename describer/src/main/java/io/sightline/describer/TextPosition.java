package io.sightline.describer;

/**
 * Where in the image source an entity occurs (claim 7: "a weight corresponding to a position of
 * the entity in the content of the image source"), with its weight.
 */
public enum TextPosition {
  /** The page title: strongest evidence. */
  TITLE(1.0),
  /** A structured field of the page. */
  FIELD(0.8),
  /** The first sentence of the text around the image. */
  FIRST_SENTENCE(0.6),
  /** Anywhere else in the text around the image. */
  BODY(0.3);

  private final double weight;

  TextPosition(double weight) {
    this.weight = weight;
  }

  /** @return the position weight in (0, 1] */
  public double weight() {
    return weight;
  }
}
