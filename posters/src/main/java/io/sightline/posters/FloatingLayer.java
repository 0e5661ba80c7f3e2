package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.util.Objects;

/**
 * A non-fixed layer (seed (59)–(62), claims 1, 9, 11): it goes somewhere inside {@code region},
 * at size {@code width x height}, where it covers the least of the faces and the salient subject.
 *
 * @param name layer name
 * @param content what it draws
 * @param region allowed placement region as fractions {@code [x,y,w,h]} of the canvas
 * @param width layer width as a fraction of the canvas width
 * @param height layer height as a fraction of the canvas height
 */
public record FloatingLayer(String name, LayerContent content, Box region, double width, double height) {
  /** Validates. */
  public FloatingLayer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(region, "region");
    if (!(width > 0 && height > 0)) {
      throw new IllegalArgumentException("floating layer '" + name + "' needs a positive size");
    }
  }
}
