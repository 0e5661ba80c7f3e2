package io.sightline.describer;

/** What kind of candidate an extractor found; feeds the {@code nameLike} feature. */
public enum EntityKind {
  /** Only proper nouns ("Peru", "Sydney Opera House"). */
  PROPER_NOUN(1.0),
  /** A noun phrase that contains a proper noun ("flag of Peru"). */
  NAMED_PHRASE(0.75),
  /** A noun phrase of common nouns only ("red flag"). */
  NOUN_PHRASE(0.0),
  /** An entry of a user-given dictionary (gazetteer). */
  DICTIONARY(1.0),
  /** A span found by a trained name finder. */
  NAME(1.0);

  private final double nameLike;

  EntityKind(double nameLike) {
    this.nameLike = nameLike;
  }

  /** @return how name-like this kind is, in [0, 1] */
  public double nameLike() {
    return nameLike;
  }
}
