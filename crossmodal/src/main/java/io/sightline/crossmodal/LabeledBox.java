package io.sightline.crossmodal;

import io.sightline.core.detect.Box;
import java.util.Objects;

/**
 * A region of an image in pixel coordinates with an optional label (the "standard text" of the
 * seed library when it has one).
 *
 * @param box region in pixels of the image
 * @param label what the region shows, or null when unknown
 */
public record LabeledBox(Box box, String label) {
  /** Checks the box is present and non-empty and normalises a blank label to null. */
  public LabeledBox {
    Objects.requireNonNull(box, "box");
    if (box.w() <= 0 || box.h() <= 0) {
      throw new IllegalArgumentException("box must have positive width and height: " + box);
    }
    if (label != null && label.isBlank()) {
      label = null;
    }
  }
}
