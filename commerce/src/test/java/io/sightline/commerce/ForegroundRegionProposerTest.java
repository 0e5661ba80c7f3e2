package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForegroundRegionProposerTest {
  private final ForegroundRegionProposer proposer = new ForegroundRegionProposer();

  private static boolean matched(List<Detection> found, Box truth) {
    return found.stream().anyMatch(d -> d.box().iou(truth) > 0.7);
  }

  @Test
  void findsEachGarmentOfAnOutfitOnAPlainBackground() {
    BufferedImage outfit = Fixtures.outfit(new Color(235, 235, 230), Fixtures.garment(0, 1),
        Fixtures.garment(1, 2), Fixtures.garment(2, 3));
    List<Detection> found = proposer.detect(outfit);
    assertThat(found).hasSize(3);
    // garments sit at x = 30, 180, 330 (120 wide + 30 gap), y = 30; their drawn extents:
    assertThat(matched(found, Box.ofCorners(30 + 10, 30 + 8, 30 + 110, 30 + 112))).isTrue();
    assertThat(matched(found, Box.ofCorners(180 + 20, 30 + 6, 180 + 100, 30 + 114))).isTrue();
    assertThat(matched(found, Box.ofCorners(330 + 6, 30 + 40, 330 + 114, 30 + 100))).isTrue();
    assertThat(found).allSatisfy(d -> assertThat(d.label()).isEqualTo("region"));
  }

  @Test
  void handlesATwoColourBackgroundAndScalesBoxesToInputPixels() {
    BufferedImage img = Fixtures.canvas(1200, 800, new Color(40, 90, 160));
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(200, 200, 190));
    g.fillRect(0, 400, 1200, 400); // floor: a second background colour touching the border
    g.setColor(new Color(220, 40, 30));
    g.fillRect(200, 250, 300, 300);
    g.setColor(new Color(20, 160, 60));
    g.fillOval(750, 300, 250, 350);
    g.dispose();
    List<Detection> found = proposer.detect(img);
    assertThat(found).hasSize(2);
    assertThat(matched(found, new Box(200, 250, 300, 300))).isTrue();
    assertThat(matched(found, new Box(750, 300, 250, 350))).isTrue();
  }

  @Test
  void blankImageHasNoRegionsAndResultsAreDeterministic() {
    assertThat(proposer.detect(Fixtures.canvas(300, 200, Color.WHITE))).isEmpty();
    BufferedImage p = Fixtures.product(5);
    assertThat(proposer.detect(p)).isEqualTo(proposer.detect(p));
  }
}
