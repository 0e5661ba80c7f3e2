package io.sightline.posters;

import io.sightline.core.image.ImageLoader;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Test images: the bundled astronaut photo (a real face) and generated canvases. */
final class TestImages {
  static final Path PHOTOS = Path.of("../testdata/photos");
  /** Face of the astronaut in astronaut.png (512x512), as found by the frontal cascade. */
  static final int[] ASTRONAUT_FACE = {177, 67, 93, 93};

  private TestImages() {}

  static BufferedImage astronaut() {
    return ImageLoader.defaults().load(PHOTOS.resolve("astronaut.png"));
  }

  static BufferedImage photo(String name) {
    return ImageLoader.defaults().load(PHOTOS.resolve(name));
  }

  /** A wide canvas of smooth gradient with the astronaut's head and shoulders pasted at x. */
  static BufferedImage wideWithFaceAt(int width, int height, int x, int y, int size) {
    BufferedImage out = gradient(width, height);
    BufferedImage head = astronaut().getSubimage(130, 20, 190, 190);
    Graphics2D g = out.createGraphics();
    g.drawImage(head, x, y, size, size, null);
    g.dispose();
    return out;
  }

  static BufferedImage gradient(int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int yy = 0; yy < height; yy++) {
      for (int xx = 0; xx < width; xx++) {
        int r = 60 + 80 * xx / width;
        int gg = 90 + 60 * yy / height;
        out.setRGB(xx, yy, (r << 16) | (gg << 8) | 150);
      }
    }
    return out;
  }

  /** A translucent red square logo with a fully transparent border, written as PNG. */
  static Path logo(Path dir) throws IOException {
    BufferedImage logo = new BufferedImage(100, 100, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = logo.createGraphics();
    g.setColor(new Color(255, 0, 0, 255));
    g.fillRect(25, 25, 50, 50);
    g.dispose();
    Path p = dir.resolve("logo.png");
    ImageIO.write(logo, "png", p.toFile());
    return p;
  }

  static Path template(Path dir, String json) throws IOException {
    Path p = dir.resolve("t.json");
    Files.writeString(p, json);
    return p;
  }

  static final String STORY = """
      {"name": "story", "width": 540, "height": 960,
       "fixed": [{"name": "logo", "image": "logo.png", "box": [0.05, 0.03, 0.20, 0.1125]},
                 {"name": "search", "text": "Search Sightline", "box": [0.10, 0.90, 0.80, 0.06],
                  "font": "SansSerif", "color": "#FFFFFF", "background": "#00000080"}],
       "floating": [{"name": "title", "text": "Drama title", "region": [0.0, 0.0, 1.0, 0.85],
                     "size": [0.60, 0.08], "font": "Serif", "color": "#FFFFFF"}]}
      """;
}
