package io.sightline.posters;

/**
 * A target aspect ratio {@code w':h'} for a crop (seed (35): the cropping size specification).
 *
 * @param width relative width, positive
 * @param height relative height, positive
 */
public record AspectRatio(double width, double height) {
  /** 9:16 portrait (stories, portrait video covers). */
  public static final AspectRatio PORTRAIT_9_16 = new AspectRatio(9, 16);
  /** 16:9 landscape (video covers, banners). */
  public static final AspectRatio LANDSCAPE_16_9 = new AspectRatio(16, 9);
  /** 1:1 square (feeds, thumbnails). */
  public static final AspectRatio SQUARE = new AspectRatio(1, 1);

  /** Rejects non-positive or non-finite sides. */
  public AspectRatio {
    if (!(width > 0 && height > 0 && Double.isFinite(width) && Double.isFinite(height))) {
      throw new IllegalArgumentException("aspect ratio sides must be positive and finite: " + width + ":" + height);
    }
  }

  /**
   * @param text {@code "W:H"} such as {@code "9:16"} (also accepts {@code "W/H"} and {@code "WxH"})
   * @return the aspect ratio
   * @throws IllegalArgumentException when the text is not two positive numbers
   */
  public static AspectRatio parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("aspect ratio is missing; expected W:H such as 9:16");
    }
    String[] parts = text.trim().split("[:/xX]");
    if (parts.length != 2) {
      throw new IllegalArgumentException("aspect ratio '" + text + "' is not W:H such as 9:16");
    }
    try {
      return new AspectRatio(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("aspect ratio '" + text + "' is not W:H such as 9:16", e);
    }
  }

  /** @return width / height */
  public double value() {
    return width / height;
  }

  @Override
  public String toString() {
    return fmt(width) + ":" + fmt(height);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
