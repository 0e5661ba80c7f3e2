package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerRendererTest {
  private static FontMetrics metrics(Font f) {
    Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    try {
      return g.getFontMetrics(f);
    } finally {
      g.dispose();
    }
  }

  @Test
  void wrapsAtWordsAndBreaksOverlongWords() {
    FontMetrics fm = metrics(new Font("SansSerif", Font.PLAIN, 20));
    List<String> lines = LayerRenderer.wrap("the quick brown fox jumps over the lazy dog", fm, 120);
    assertThat(lines.size()).isGreaterThan(2);
    assertThat(String.join(" ", lines)).isEqualTo("the quick brown fox jumps over the lazy dog");
    lines.forEach(l -> assertThat(fm.stringWidth(l)).isLessThanOrEqualTo(120));
    List<String> broken = LayerRenderer.wrap("Supercalifragilisticexpialidocious", fm, 60);
    assertThat(broken.size()).isGreaterThan(1);
    assertThat(String.join("", broken)).isEqualTo("Supercalifragilisticexpialidocious");
    assertThat(LayerRenderer.wrap("one\ntwo", fm, 500)).containsExactly("one", "two");
  }

  @Test
  void textStaysInsideItsBoxAndFillsIt() {
    BufferedImage canvas = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
    LayerContent.Text t = new LayerContent.Text("A much longer title that has to wrap", new Font("Serif", Font.BOLD, 12),
        Color.WHITE, null);
    Box box = new Box(50, 100, 200, 80);
    LayerRenderer.draw(canvas, t, box, null);
    int inside = 0;
    int outside = 0;
    for (int y = 0; y < 300; y++) {
      for (int x = 0; x < 400; x++) {
        if ((canvas.getRGB(x, y) & 0xFFFFFF) != 0) {
          if (box.contains(x, y)) {
            inside++;
          } else {
            outside++;
          }
        }
      }
    }
    assertThat(outside).isZero();
    assertThat(inside).isGreaterThan(500);
  }

  @Test
  void imagesKeepAspectAndAlpha() {
    BufferedImage canvas = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    g.setColor(Color.BLUE);
    g.fillRect(0, 0, 200, 200);
    g.dispose();
    BufferedImage logo = new BufferedImage(100, 50, BufferedImage.TYPE_INT_ARGB); // 2:1, half transparent
    Graphics2D lg = logo.createGraphics();
    lg.setColor(Color.RED);
    lg.fillRect(0, 0, 50, 50);
    lg.dispose();
    LayerRenderer.draw(canvas, new LayerContent.Image(null, logo), new Box(0, 0, 200, 200), null);
    // fitted to 200x100, centred vertically at y 50..150; left half red, right half transparent
    assertThat(canvas.getRGB(50, 100) & 0xFFFFFF).isEqualTo(0xFF0000);
    assertThat(canvas.getRGB(150, 100) & 0xFFFFFF).isEqualTo(0x0000FF);
    assertThat(canvas.getRGB(50, 20) & 0xFFFFFF).isEqualTo(0x0000FF);
  }
}
