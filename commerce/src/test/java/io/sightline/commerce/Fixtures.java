package io.sightline.commerce;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Generated test images: products on white, garments, outfits and textured non-product scenes. */
final class Fixtures {
  static final Path TESTDATA = Path.of("../testdata").toAbsolutePath().normalize();

  private Fixtures() {}

  static BufferedImage canvas(int w, int h, Color bg) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(bg);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  static Color color(Random r) {
    return Color.getHSBColor(r.nextFloat(), 0.5f + 0.5f * r.nextFloat(), 0.3f + 0.6f * r.nextFloat());
  }

  /** A distinct "other commodity" product: random shapes and stripes on white. */
  static BufferedImage product(long seed) {
    Random r = new Random(seed);
    BufferedImage img = canvas(160, 160, Color.WHITE);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    int shapes = 2 + r.nextInt(3);
    for (int i = 0; i < shapes; i++) {
      g.setColor(color(r));
      int x = 15 + r.nextInt(70);
      int y = 15 + r.nextInt(70);
      int w = 30 + r.nextInt(60);
      int h = 30 + r.nextInt(60);
      switch (r.nextInt(3)) {
        case 0 -> g.fillRect(x, y, w, h);
        case 1 -> g.fill(new Ellipse2D.Double(x, y, w, h));
        default -> g.fillPolygon(new Polygon(new int[] {x, x + w, x + r.nextInt(w + 1)},
            new int[] {y + h, y + h, y}, 3));
      }
    }
    g.setStroke(new BasicStroke(2 + r.nextInt(4)));
    g.setColor(color(r));
    for (int i = 0; i < 3 + r.nextInt(5); i++) {
      int x = 20 + r.nextInt(120);
      g.drawLine(x, 20, x + r.nextInt(30) - 15, 140);
    }
    g.dispose();
    return img;
  }

  /** A garment filling most of a white frame: kind 0 shirt, 1 trousers, 2 shoe; seed picks colours and pattern. */
  static BufferedImage garment(int kind, long seed) {
    Random r = new Random(seed);
    BufferedImage img = canvas(120, 120, Color.WHITE);
    Graphics2D g = img.createGraphics();
    Color main = color(r);
    Color accent = color(r);
    g.setColor(main);
    Polygon shape = switch (kind) {
      case 0 -> new Polygon(new int[] {10, 40, 80, 110, 100, 85, 85, 35, 35, 20},
          new int[] {30, 8, 8, 30, 50, 42, 112, 112, 42, 50}, 10);
      case 1 -> new Polygon(new int[] {30, 90, 100, 72, 60, 48, 20},
          new int[] {6, 6, 114, 114, 40, 114, 114}, 7);
      default -> new Polygon(new int[] {6, 50, 60, 112, 114, 6},
          new int[] {40, 40, 62, 74, 100, 100}, 6);
    };
    g.fillPolygon(shape);
    g.setClip(shape);
    g.setColor(accent);
    int stripes = r.nextInt(4);
    for (int i = 0; i < 12; i++) {
      int p = i * (8 + 3 * stripes);
      switch (stripes) {
        case 0 -> g.fillRect(0, p, 120, 3 + r.nextInt(3));
        case 1 -> g.fillRect(p, 0, 3 + r.nextInt(3), 120);
        case 2 -> g.fillOval(p % 110, (p * 7) % 110, 10, 10);
        default -> g.drawLine(0, p, p, 0);
      }
    }
    g.dispose();
    return img;
  }

  /** Pastes images left to right on a background with gaps; returns the composed outfit photo. */
  static BufferedImage outfit(Color bg, BufferedImage... parts) {
    int gap = 30;
    int w = gap;
    int h = 0;
    for (BufferedImage p : parts) {
      w += p.getWidth() + gap;
      h = Math.max(h, p.getHeight());
    }
    BufferedImage img = canvas(w, h + 2 * gap, bg);
    Graphics2D g = img.createGraphics();
    int x = gap;
    for (BufferedImage p : parts) {
      // paste only the garment (white of the product shot is dropped, like a cut-out)
      for (int yy = 0; yy < p.getHeight(); yy++) {
        for (int xx = 0; xx < p.getWidth(); xx++) {
          int c = p.getRGB(xx, yy) & 0xffffff;
          if (c != 0xffffff) {
            img.setRGB(x + xx, gap + yy, c);
          }
        }
      }
      x += p.getWidth() + gap;
    }
    g.dispose();
    return img;
  }

  /** A non-product "scene": smooth gradients plus noise texture (photo-like statistics). */
  static BufferedImage scene(long seed) {
    Random r = new Random(seed);
    int w = 160;
    int h = 120;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    float h0 = r.nextFloat();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float v = 0.3f + 0.5f * y / h + 0.15f * (float) Math.sin(x * 0.15 + seed) + 0.1f * r.nextFloat();
        float s = 0.2f + 0.3f * x / w;
        float hue = h0 + 0.1f * (float) Math.sin(y * 0.05);
        img.setRGB(x, y, Color.HSBtoRGB(hue, s, Math.min(1f, Math.max(0f, v))));
      }
    }
    return img;
  }

  static Path write(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    String name = file.getFileName().toString();
    ImageIO.write(img, name.endsWith(".jpg") ? "jpg" : "png", file.toFile());
    return file;
  }
}
