package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.util.Objects;

/**
 * A layer with a fixed place on the canvas (seed (58), claim 8): logo, search box, search text.
 *
 * @param name layer name
 * @param content what it draws
 * @param box where, as fractions {@code [x,y,w,h]} of the canvas
 */
public record FixedLayer(String name, LayerContent content, Box box) {
  /** Validates. */
  public FixedLayer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(box, "box");
  }
}
