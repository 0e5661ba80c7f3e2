package io.sightline.core.detect;

import java.util.Objects;

/**
 * One detected object.
 *
 * @param box where, in pixels of the input image
 * @param label class name
 * @param score confidence in [0,1]
 */
public record Detection(Box box, String label, float score) {
  /** Validates fields. */
  public Detection {
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(label, "label");
  }
}
