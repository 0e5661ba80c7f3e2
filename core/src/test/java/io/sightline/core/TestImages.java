package io.sightline.core;

import io.sightline.core.image.Distortions;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Test helpers shared by every module's tests (published in the core test-jar): generated images,
 * the realistic transformations used for near-duplicate queries, and access to testdata/.
 */
public final class TestImages {
  private TestImages() {}

  /**
   * @param seed random seed
   * @param w width
   * @param h height
   * @return a random composition of coloured shapes and lines on a gradient
   */
  public static BufferedImage synthetic(long seed, int w, int h) {
    Random rnd = new Random(seed);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setPaint(new java.awt.GradientPaint(0, 0, randomColor(rnd), w, h, randomColor(rnd)));
    g.fillRect(0, 0, w, h);
    int shapes = 4 + rnd.nextInt(6);
    for (int i = 0; i < shapes; i++) {
      g.setColor(randomColor(rnd));
      int x = rnd.nextInt(w);
      int y = rnd.nextInt(h);
      int sw = w / 8 + rnd.nextInt(w / 3);
      int sh = h / 8 + rnd.nextInt(h / 3);
      switch (rnd.nextInt(3)) {
        case 0 -> g.fillRect(x - sw / 2, y - sh / 2, sw, sh);
        case 1 -> g.fillOval(x - sw / 2, y - sh / 2, sw, sh);
        default -> {
          g.setStroke(new BasicStroke(2 + rnd.nextInt(8)));
          g.drawLine(x, y, rnd.nextInt(w), rnd.nextInt(h));
        }
      }
    }
    g.dispose();
    return img;
  }

  private static Color randomColor(Random rnd) {
    return new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256));
  }

  /**
   * @param img source
   * @param quality JPEG quality in (0,1]
   * @return the JPEG bytes
   */
  public static byte[] jpegBytes(BufferedImage img, float quality) {
    return Distortions.jpegBytes(img, quality);
  }

  /**
   * @param img source
   * @param format "png", "bmp", ...
   * @return encoded bytes
   */
  public static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, bos)) {
        throw new IllegalArgumentException("no writer for " + format);
      }
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param img source
   * @param quality JPEG quality
   * @return the image after a JPEG round trip
   */
  public static BufferedImage jpegRoundTrip(BufferedImage img, float quality) {
    return Distortions.jpeg(img, quality);
  }

  /**
   * @param img source
   * @param fraction share removed from each side
   * @return the centre crop
   */
  public static BufferedImage cropBorders(BufferedImage img, double fraction) {
    return Distortions.cropBorders(img, fraction);
  }

  /**
   * @param img source
   * @param scale factor
   * @return the rescaled image
   */
  public static BufferedImage rescale(BufferedImage img, double scale) {
    return Distortions.rescale(img, scale);
  }

  /**
   * @param img source
   * @param gainR red gain
   * @param gainG green gain
   * @param gainB blue gain
   * @param offset brightness offset
   * @return the shifted image
   */
  public static BufferedImage colorShift(BufferedImage img, double gainR, double gainG, double gainB, int offset) {
    return Distortions.colorShift(img, gainR, gainG, gainB, offset);
  }

  /**
   * @param img source
   * @return an INT_RGB copy (alpha over white)
   */
  public static BufferedImage toRgb(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.drawImage(img, 0, 0, null);
    g.dispose();
    return out;
  }

  /**
   * Finds the repository's testdata folder by walking up from the working directory.
   *
   * @return the testdata folder
   */
  public static Path testdata() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      Path t = p.resolve("testdata");
      if (Files.isDirectory(t.resolve("clipart"))) {
        return t;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("testdata/ not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * @return every PNG under testdata/clipart, sorted
   */
  public static List<Path> clipart() {
    try (Stream<Path> s = Files.walk(testdata().resolve("clipart"))) {
      List<Path> out = new ArrayList<>(s.filter(p -> p.toString().endsWith(".png")).sorted().toList());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
