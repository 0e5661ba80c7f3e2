package io.sightline.crossmodal;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One sample of the sample set: an image and a text (corpus) that describes it, optionally with
 * labelled object boxes (used as the image's objects and to build the seed library).
 *
 * @param image the image file
 * @param text the describing text; never blank
 * @param objects labelled boxes in pixels of the image; may be empty
 */
public record ImageTextPair(Path image, String text, List<LabeledBox> objects) {
  /** Validates and copies. */
  public ImageTextPair {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("text is empty for image " + image);
    }
    objects = objects == null ? List.of() : List.copyOf(objects);
  }

  /**
   * @param image the image file
   * @param text the describing text
   * @return a pair without boxes
   */
  public static ImageTextPair of(Path image, String text) {
    return new ImageTextPair(image, text, List.of());
  }
}
