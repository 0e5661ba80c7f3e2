package io.sightline.posters;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a template layer draws: text, an image (alpha kept), or a region identified in the initial
 * image by the layer's name (seed (52)–(53), claim 6).
 */
public sealed interface LayerContent permits LayerContent.Text, LayerContent.Image, LayerContent.Extracted {
  /** @return "text", "image" or "extracted" */
  String kind();

  /**
   * Text rendered with a real font, wrapped at word boundaries and sized to fill its box.
   *
   * @param text the text, not blank
   * @param font the font (its size is ignored: the renderer picks the largest size that fits)
   * @param color text colour (alpha allowed)
   * @param background box fill drawn under the text, or null
   */
  record Text(String text, Font font, Color color, Color background) implements LayerContent {
    /** Validates. */
    public Text {
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("text layer needs non-blank text");
      }
      Objects.requireNonNull(font, "font");
      Objects.requireNonNull(color, "color");
    }

    @Override
    public String kind() {
      return "text";
    }
  }

  /**
   * An image layer; transparent pixels stay transparent when drawn. The image is shared and must
   * not be modified.
   *
   * @param source where it was read from (for reports), or null
   * @param image the decoded image with alpha
   */
  record Image(Path source, BufferedImage image) implements LayerContent {
    /** Validates. */
    public Image {
      Objects.requireNonNull(image, "image");
    }

    @Override
    public String kind() {
      return "image";
    }
  }

  /**
   * A layer cut from the initial image: the best detection whose label equals {@code label}
   * (for example a title card or a logo found by the composer's layer detector).
   *
   * @param label detection label to look for
   */
  record Extracted(String label) implements LayerContent {
    /** Validates. */
    public Extracted {
      if (label == null || label.isBlank()) {
        throw new IllegalArgumentException("extracted layer needs a label");
      }
    }

    @Override
    public String kind() {
      return "extracted";
    }
  }
}
