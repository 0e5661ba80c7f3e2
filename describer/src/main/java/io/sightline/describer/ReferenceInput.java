package io.sightline.describer;

import java.util.Objects;

/**
 * A reference to add: its page and where its image comes from.
 *
 * @param reference the page (description information)
 * @param image the image
 * @param origin where it came from; null takes {@link ImageSource#defaultOrigin()}
 */
public record ReferenceInput(Reference reference, ImageSource image, Origin origin) {
  /** Validates. */
  public ReferenceInput {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(image, "image");
    origin = origin == null ? image.defaultOrigin() : origin;
  }

  /**
   * @param reference the page
   * @param image the image
   * @return an input with the source's default origin
   */
  public static ReferenceInput of(Reference reference, ImageSource image) {
    return new ReferenceInput(reference, image, null);
  }
}
