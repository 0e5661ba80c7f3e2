package io.sightline.describer;

import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Test data: the six bundled flags with generated pages (labelled as generated in their text). */
final class Fixtures {
  static final Path FLAGS = Path.of("../testdata/flags");
  static final Path PHOTOS = Path.of("../testdata/photos");
  static final String[] COUNTRIES = {"peru", "brazil", "japan", "france", "germany", "italy"};

  private Fixtures() {}

  static String display(String country) {
    return Character.toUpperCase(country.charAt(0)) + country.substring(1);
  }

  /**
   * Two generated pages per flag: one with the entity in the title, one with it only in the body
   * and a distractor country in the title.
   */
  static List<ReferenceInput> flagInputs() {
    List<ReferenceInput> out = new ArrayList<>();
    for (int i = 0; i < COUNTRIES.length; i++) {
      String c = display(COUNTRIES[i]);
      String other = display(COUNTRIES[(i + 1) % COUNTRIES.length]);
      Path img = FLAGS.resolve(COUNTRIES[i] + ".png");
      out.add(ReferenceInput.of(new Reference(COUNTRIES[i] + "-a", "Flag of " + c + " | clipart",
          "The flag of " + c + " is shown here. Generated demo page; compare with the flag of " + other + ".",
          Map.of("subject", "flag of " + c), 1000, 300, 40), ImageSource.ofPath(img)));
      out.add(ReferenceInput.of(new Reference(COUNTRIES[i] + "-b", "Travel notes from " + other,
          "A flag seen on a trip. It is the flag of " + c + ", flying over a square.", Map.of(),
          200, 50, 3), ImageSource.ofPath(img)));
    }
    return out;
  }

  /** A transformed copy of a flag: scaled, slightly cropped and brightened, as a user photo. */
  static BufferedImage transformed(String country) {
    BufferedImage src = ImageLoader.defaults().load(FLAGS.resolve(country + ".png"));
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage crop = ImageOps.crop(src, w / 20, h / 20, w - w / 10, h - h / 10);
    BufferedImage scaled = ImageOps.resize(crop, (int) (crop.getWidth() * 0.7), (int) (crop.getHeight() * 0.7));
    BufferedImage out = new BufferedImage(scaled.getWidth(), scaled.getHeight(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        int p = scaled.getRGB(x, y);
        int r = Math.min(255, ((p >> 16) & 255) + 12);
        int g = Math.min(255, ((p >> 8) & 255) + 12);
        int b = Math.min(255, (p & 255) + 12);
        out.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return out;
  }

  /** A synthetic picture unlike any flag. */
  static BufferedImage unknownPicture() {
    BufferedImage img = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    for (int i = 0; i < 12; i++) {
      g.setColor(new Color(20 * i, 255 - 15 * i, (70 * i) % 255));
      g.fillOval(10 * i, 5 * i, 40, 30);
    }
    g.dispose();
    return img;
  }

  static Path writePng(BufferedImage img, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  static Map<String, String> fields(String k, String v) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(k, v);
    return m;
  }
}
