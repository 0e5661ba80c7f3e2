package io.sightline.core.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The realistic changes an image goes through between a reference and a query — rescaling,
 * JPEG re-encoding, cropping, colour shifts, rotation — used by the demo, the evaluation programs
 * and the tests to build near-duplicate queries. All methods return new images.
 */
public final class Distortions {
  private Distortions() {}

  /**
   * A named distortion.
   *
   * @param name short name used in reports
   * @param apply the transformation
   */
  public record Named(String name, UnaryOperator<BufferedImage> apply) {}

  /**
   * @return the standard query set: crop 8% per side, rescale to 50%, JPEG quality 0.5,
   *     colour shift (warmer, brighter), and all four combined
   */
  public static List<Named> standard() {
    return List.of(
        new Named("crop", i -> cropBorders(i, 0.08)),
        new Named("rescale", i -> rescale(i, 0.5)),
        new Named("jpeg", i -> jpeg(i, 0.5f)),
        new Named("color", i -> colorShift(i, 1.12, 1.0, 0.88, 12)),
        new Named("combined", i -> jpeg(colorShift(rescale(cropBorders(i, 0.05), 0.6), 1.08, 1.0, 0.92, 8), 0.6f)));
  }

  /**
   * @param img source
   * @param scale factor, e.g. 0.5
   * @return the rescaled image
   */
  public static BufferedImage rescale(BufferedImage img, double scale) {
    int w = Math.max(1, (int) Math.round(img.getWidth() * scale));
    int h = Math.max(1, (int) Math.round(img.getHeight() * scale));
    return ImageOps.resize(img, w, h);
  }

  /**
   * @param img source
   * @param fraction share removed from each side
   * @return the centre crop
   */
  public static BufferedImage cropBorders(BufferedImage img, double fraction) {
    int dx = (int) (img.getWidth() * fraction);
    int dy = (int) (img.getHeight() * fraction);
    return ImageOps.crop(img, dx, dy, img.getWidth() - 2 * dx, img.getHeight() - 2 * dy);
  }

  /**
   * @param img source
   * @param quality JPEG quality in (0,1]
   * @return encoded JPEG bytes
   */
  public static byte[] jpegBytes(BufferedImage img, float quality) {
    Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
    ImageWriter w = it.next();
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bos)) {
      w.setOutput(out);
      ImageWriteParam p = w.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality);
      w.write(null, new IIOImage(ImageOps.toRgb(img), null, null), p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      w.dispose();
    }
    return bos.toByteArray();
  }

  /**
   * @param img source
   * @param quality JPEG quality in (0,1]
   * @return the image after a JPEG encode/decode round trip
   */
  public static BufferedImage jpeg(BufferedImage img, float quality) {
    try {
      return ImageOps.toRgb(ImageIO.read(new ByteArrayInputStream(jpegBytes(img, quality))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Per-channel gain plus a brightness offset.
   *
   * @param img source
   * @param gainR red gain
   * @param gainG green gain
   * @param gainB blue gain
   * @param offset added to every channel (0-255 scale)
   * @return the shifted image
   */
  public static BufferedImage colorShift(BufferedImage img, double gainR, double gainG, double gainB, int offset) {
    BufferedImage src = ImageOps.toRgb(img);
    int w = src.getWidth();
    int h = src.getHeight();
    int[] px = src.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < px.length; i++) {
      int p = px[i];
      int r = clamp((int) (((p >> 16) & 255) * gainR) + offset);
      int g = clamp((int) (((p >> 8) & 255) * gainG) + offset);
      int b = clamp((int) ((p & 255) * gainB) + offset);
      px[i] = (r << 16) | (g << 8) | b;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, px, 0, w);
    return out;
  }

  /**
   * Rotates about the centre, keeping the canvas size and filling corners with white.
   *
   * @param img source
   * @param degrees angle, counter-clockwise positive
   * @return the rotated image
   */
  public static BufferedImage rotate(BufferedImage img, double degrees) {
    int w = img.getWidth();
    int h = img.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setColor(java.awt.Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img, AffineTransform.getRotateInstance(Math.toRadians(-degrees), w / 2.0, h / 2.0), null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
