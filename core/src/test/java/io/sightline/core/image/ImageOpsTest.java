package io.sightline.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.TestImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImageOpsTest {
  @Test
  void resizeCropLetterbox() {
    BufferedImage img = TestImages.synthetic(5, 640, 480);
    assertThat(ImageOps.resize(img, 64, 48).getWidth()).isEqualTo(64);
    BufferedImage c = ImageOps.crop(img, 600, 400, 100, 100);
    assertThat(c.getWidth()).isEqualTo(40);
    assertThat(c.getHeight()).isEqualTo(80);
    assertThatThrownBy(() -> ImageOps.crop(img, 700, 0, 10, 10)).isInstanceOf(IllegalArgumentException.class);
    BufferedImage lb = ImageOps.letterbox(img, 100, 100, Color.BLACK);
    assertThat(lb.getRGB(50, 2) & 0xFFFFFF).isEqualTo(0);
    assertThat(ImageOps.fitWithin(img, 320).getWidth()).isEqualTo(320);
  }

  @Test
  void resizeOfUniformImageKeepsColour() {
    BufferedImage img = new BufferedImage(1000, 1000, BufferedImage.TYPE_INT_RGB);
    var g = img.createGraphics();
    g.setColor(new Color(10, 200, 30));
    g.fillRect(0, 0, 1000, 1000);
    g.dispose();
    assertThat(ImageOps.resize(img, 7, 7).getRGB(3, 3) & 0xFFFFFF).isEqualTo(0x0AC81E);
  }

  @Test
  void tensorPackingChwAndHwc() {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xFF0000);
    img.setRGB(1, 0, 0x0000FF);
    float[] mean = {0.5f, 0.5f, 0.5f};
    float[] std = {0.5f, 0.5f, 0.5f};
    float[] chw = ImageOps.toTensor(img, Layout.CHW, mean, std);
    assertThat(chw).containsExactly(1f, -1f, -1f, -1f, -1f, 1f);
    float[] hwc = ImageOps.toTensor(img, Layout.HWC, mean, std);
    assertThat(hwc).containsExactly(1f, -1f, -1f, -1f, -1f, 1f);
    float[] hwc2 = ImageOps.toTensor(img, Layout.HWC, new float[3], new float[] {1, 1, 1});
    assertThat(hwc2).containsExactly(1f, 0f, 0f, 0f, 0f, 1f);
  }

  @Test
  void hsvConversion() {
    float[] hsv = new float[3];
    ImageOps.rgbToHsv(0f, 1f, 0f, hsv);
    assertThat(hsv[0]).isCloseTo(1f / 3, within(1e-6f));
    assertThat(hsv[1]).isEqualTo(1f);
    ImageOps.rgbToHsv(0.5f, 0.5f, 0.5f, hsv);
    assertThat(hsv[1]).isZero();
    assertThat(hsv[2]).isEqualTo(0.5f);
  }
}
