package io.sightline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.image.Distortions;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PerceptualHashTest {
  static BufferedImage picture(int seed) {
    BufferedImage img = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < 12; i++) {
      g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
      g.fillOval(r.nextInt(200), r.nextInt(150), 20 + r.nextInt(80), 20 + r.nextInt(80));
    }
    g.dispose();
    return img;
  }

  @Test
  void nearDuplicatesAreCloserThanOtherPictures() {
    BufferedImage a = picture(1);
    long h = PerceptualHash.hash(a);
    assertThat(PerceptualHash.distance(h, PerceptualHash.hash(Distortions.jpeg(Distortions.rescale(a, 0.5), 0.6f))))
        .isLessThan(8);
    assertThat(PerceptualHash.distance(h, PerceptualHash.hash(picture(2)))).isGreaterThan(16);
  }
}
