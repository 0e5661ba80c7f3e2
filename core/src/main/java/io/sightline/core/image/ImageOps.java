package io.sightline.core.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Image operations shared by every module: colour conversion, high-quality resize, crop,
 * letterbox and tensor packing. All methods are pure and thread-safe.
 */
public final class ImageOps {
  private ImageOps() {}

  /**
   * @param img any image
   * @return the same pixels as {@link BufferedImage#TYPE_INT_RGB}; alpha is composited on white;
   *     returns {@code img} itself when it already is INT_RGB
   */
  public static BufferedImage toRgb(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_INT_RGB) {
      return img;
    }
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.drawImage(img, 0, 0, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * Resizes with bilinear interpolation; large reductions go through successive halvings so that
   * every source pixel contributes (no aliasing).
   *
   * @param img source
   * @param width target width, at least 1
   * @param height target height, at least 1
   * @return a new INT_RGB image of the requested size
   */
  public static BufferedImage resize(BufferedImage img, int width, int height) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
    }
    BufferedImage cur = toRgb(img);
    int w = cur.getWidth();
    int h = cur.getHeight();
    while (w / 2 >= width && h / 2 >= height) {
      w /= 2;
      h /= 2;
      cur = draw(cur, w, h);
    }
    if (w == width && h == height) {
      return cur == img ? copy(cur) : cur;
    }
    return draw(cur, width, height);
  }

  /**
   * Resizes so the longer side is {@code maxSide}, keeping aspect; smaller images are returned
   * unchanged (as INT_RGB).
   *
   * @param img source
   * @param maxSide longest side after resize
   * @return the resized image
   */
  public static BufferedImage fitWithin(BufferedImage img, int maxSide) {
    int w = img.getWidth();
    int h = img.getHeight();
    if (Math.max(w, h) <= maxSide) {
      return toRgb(img);
    }
    double s = maxSide / (double) Math.max(w, h);
    return resize(img, Math.max(1, (int) Math.round(w * s)), Math.max(1, (int) Math.round(h * s)));
  }

  private static BufferedImage draw(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * @param img source
   * @return a deep copy as INT_RGB
   */
  public static BufferedImage copy(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.drawImage(img, 0, 0, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * Crops a rectangle, clamped to the image; the result does not share pixels with the source.
   *
   * @param img source
   * @param x left
   * @param y top
   * @param w width
   * @param h height
   * @return the cropped region
   * @throws IllegalArgumentException when the clamped region is empty
   */
  public static BufferedImage crop(BufferedImage img, int x, int y, int w, int h) {
    int x0 = Math.max(0, x);
    int y0 = Math.max(0, y);
    int x1 = Math.min(img.getWidth(), x + w);
    int y1 = Math.min(img.getHeight(), y + h);
    if (x1 <= x0 || y1 <= y0) {
      throw new IllegalArgumentException("crop " + x + "," + y + " " + w + "x" + h
          + " is empty inside a " + img.getWidth() + "x" + img.getHeight() + " image");
    }
    return copy(img.getSubimage(x0, y0, x1 - x0, y1 - y0));
  }

  /**
   * Scales to fit inside {@code width x height} keeping aspect, and pads the rest with a colour.
   *
   * @param img source
   * @param width canvas width
   * @param height canvas height
   * @param pad padding colour
   * @return the letterboxed image
   */
  public static BufferedImage letterbox(BufferedImage img, int width, int height, Color pad) {
    double s = Math.min(width / (double) img.getWidth(), height / (double) img.getHeight());
    int w = Math.max(1, (int) Math.round(img.getWidth() * s));
    int h = Math.max(1, (int) Math.round(img.getHeight() * s));
    BufferedImage scaled = resize(img, w, h);
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(pad);
      g.fillRect(0, 0, width, height);
      g.drawImage(scaled, (width - w) / 2, (height - h) / 2, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * @param img source
   * @return luminance (ITU-R BT.601) in [0,1], row-major, length width*height
   */
  public static float[] toGray(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] rgb = toRgb(img).getRGB(0, 0, w, h, null, 0, w);
    float[] out = new float[w * h];
    for (int i = 0; i < rgb.length; i++) {
      int p = rgb[i];
      out[i] = (0.299f * ((p >> 16) & 255) + 0.587f * ((p >> 8) & 255) + 0.114f * (p & 255)) / 255f;
    }
    return out;
  }

  /**
   * @param img source
   * @return 8-bit luminance (ITU-R BT.601, rounded), row-major, length width*height; the layout
   *     OpenCV's {@code CV_8UC1} expects
   */
  public static byte[] toGray8(BufferedImage img) {
    float[] gray = toGray(img);
    byte[] out = new byte[gray.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Math.round(gray[i] * 255f);
    }
    return out;
  }

  /**
   * Converts RGB in [0,1] to HSV.
   *
   * @param r red in [0,1]
   * @param g green in [0,1]
   * @param b blue in [0,1]
   * @param hsv output: hue in [0,1), saturation and value in [0,1]
   */
  public static void rgbToHsv(float r, float g, float b, float[] hsv) {
    float max = Math.max(r, Math.max(g, b));
    float min = Math.min(r, Math.min(g, b));
    float d = max - min;
    float hue;
    if (d == 0) {
      hue = 0;
    } else if (max == r) {
      hue = ((g - b) / d) / 6f;
    } else if (max == g) {
      hue = ((b - r) / d + 2f) / 6f;
    } else {
      hue = ((r - g) / d + 4f) / 6f;
    }
    if (hue < 0) {
      hue += 1f;
    }
    hsv[0] = hue >= 1f ? 0f : hue;
    hsv[1] = max == 0 ? 0 : d / max;
    hsv[2] = max;
  }

  /**
   * Packs an image into a float tensor: value = (pixel/255 - mean[c]) / std[c].
   *
   * @param img source, already at the model's input size
   * @param layout CHW or HWC
   * @param mean per-channel mean (RGB order), in [0,1] units
   * @param std per-channel standard deviation, in [0,1] units
   * @return the tensor, length 3*width*height
   */
  public static float[] toTensor(BufferedImage img, Layout layout, float[] mean, float[] std) {
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    int[] rgb = toRgb(img).getRGB(0, 0, w, h, null, 0, w);
    int plane = w * h;
    float[] out = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      int p = rgb[i];
      float r = (((p >> 16) & 255) / 255f - mean[0]) / std[0];
      float g = (((p >> 8) & 255) / 255f - mean[1]) / std[1];
      float b = ((p & 255) / 255f - mean[2]) / std[2];
      if (layout == Layout.CHW) {
        out[i] = r;
        out[plane + i] = g;
        out[2 * plane + i] = b;
      } else {
        out[3 * i] = r;
        out[3 * i + 1] = g;
        out[3 * i + 2] = b;
      }
    }
    return out;
  }
}
