package io.sightline.crossmodal;

import io.sightline.core.detect.Box;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Generated test images: coloured shapes on a light background, described by "colour shape". */
final class Fixtures {
  static final String[] COLORS = {"red", "green", "blue", "yellow"};
  static final Color[] RGB = {new Color(220, 30, 30), new Color(30, 170, 40), new Color(30, 60, 220),
      new Color(235, 210, 20)};
  static final String[] SHAPES = {"square", "disc"};

  private Fixtures() {}

  /**
   * Writes {@code perClass} images for every colour x shape and returns pairs with a labelled box
   * around the shape.
   */
  static List<ImageTextPair> shapes(Path dir, int perClass, long seed) throws IOException {
    Files.createDirectories(dir);
    Random rnd = new Random(seed);
    List<ImageTextPair> out = new ArrayList<>();
    for (int c = 0; c < COLORS.length; c++) {
      for (int s = 0; s < SHAPES.length; s++) {
        for (int i = 0; i < perClass; i++) {
          int w = 64;
          BufferedImage img = new BufferedImage(w, w, BufferedImage.TYPE_INT_RGB);
          Graphics2D g = img.createGraphics();
          g.setColor(new Color(240 - rnd.nextInt(30), 240 - rnd.nextInt(30), 235));
          g.fillRect(0, 0, w, w);
          int size = 24 + rnd.nextInt(16);
          int x = rnd.nextInt(w - size);
          int y = rnd.nextInt(w - size);
          g.setColor(RGB[c]);
          if (s == 0) {
            g.fillRect(x, y, size, size);
          } else {
            g.fillOval(x, y, size, size);
          }
          g.dispose();
          Path p = dir.resolve(COLORS[c] + "_" + SHAPES[s] + "_" + i + ".png");
          ImageIO.write(img, "png", p.toFile());
          out.add(new ImageTextPair(p, "a " + COLORS[c] + " " + SHAPES[s],
              List.of(new LabeledBox(new Box(x, y, size, size), SHAPES[s]))));
        }
      }
    }
    return out;
  }

  static String classOf(Path image) {
    String n = image.getFileName().toString();
    return n.substring(0, n.lastIndexOf('_'));
  }
}
