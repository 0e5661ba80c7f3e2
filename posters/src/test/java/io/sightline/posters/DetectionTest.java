package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ModelException;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Face detection with the bundled cascades, saliency maps and sharpness. */
class DetectionTest {
  static final CascadeFaceDetector FACES = CascadeFaceDetector.frontalFace();

  @Test
  void findsTheAstronautsFace() {
    List<Detection> faces = FACES.detect(TestImages.astronaut());
    assertThat(faces).hasSize(1);
    Box f = faces.get(0).box();
    int[] t = TestImages.ASTRONAUT_FACE;
    assertThat(f.iou(new Box(t[0], t[1], t[2], t[3]))).isGreaterThan(0.7);
    assertThat(faces.get(0).label()).isEqualTo("face");
    assertThat(faces.get(0).score()).isBetween(0f, 1f);
  }

  @Test
  void findsTwoPastedFacesAndNoneOnAPlainImage() {
    BufferedImage two = TestImages.wideWithFaceAt(1000, 400, 100, 100, 200);
    Graphics2D g = two.createGraphics();
    g.drawImage(TestImages.astronaut().getSubimage(130, 20, 190, 190), 650, 120, 200, 200, null);
    g.dispose();
    List<Detection> faces = FACES.detect(two);
    assertThat(faces).hasSize(2);
    assertThat(FACES.detect(TestImages.gradient(640, 480))).isEmpty();
  }

  @Test
  void missingCascadeOrYuNetModelFailsClearly(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> CascadeFaceDetector.fromFile(dir.resolve("none.xml"), "face", 1.1, 3, 0.05, 640))
        .isInstanceOf(ModelException.class).hasMessageContaining("none.xml");
    Path junk = Files.writeString(dir.resolve("junk.xml"), "<not a cascade/>");
    assertThatThrownBy(() -> CascadeFaceDetector.fromFile(junk, "face", 1.1, 3, 0.05, 640))
        .isInstanceOf(ModelException.class).hasMessageContaining("junk.xml");
    assertThatThrownBy(() -> YuNetFaceDetector.of(dir.resolve("yunet.onnx")))
        .isInstanceOf(ModelException.class).hasMessageContaining("yunet.onnx");
    Path bad = Files.write(dir.resolve("bad.onnx"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> YuNetFaceDetector.of(bad))
        .isInstanceOf(ModelException.class).hasMessageContaining("bad.onnx");
  }

  /** A textured background with one strongly coloured disc: the salient object. */
  static BufferedImage discOn(int w, int h, int cx, int cy, int r) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random rnd = new Random(3);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = 110 + rnd.nextInt(20);
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(230, 30, 20));
    g.fillOval(cx - r, cy - r, 2 * r, 2 * r);
    g.dispose();
    return img;
  }

  @Test
  void bothSaliencyAlgorithmsFindTheSalientObject() {
    BufferedImage img = discOn(800, 400, 600, 250, 50);
    for (OpenCvSaliency s : List.of(OpenCvSaliency.spectralResidual(), OpenCvSaliency.fineGrained())) {
      SaliencyMap map = s.compute(img);
      assertThat(map.width()).isLessThanOrEqualTo(256);
      Box region = map.salientRegion(Double.NaN, 800, 400);
      assertThat(region).as(s.id()).isNotNull();
      assertThat(region.contains(600, 250)).as(s.id() + " " + region).isTrue();
      assertThat(region.area()).as(s.id() + " " + region).isLessThan(0.5 * 800 * 400);
    }
  }

  @Test
  void salientRegionKeepsTheLargestComponentAboveTheThreshold() {
    float[] v = new float[100];
    v[11] = 1; // a single bright pixel at (1,1)
    for (int y = 5; y < 9; y++) {
      for (int x = 4; x < 9; x++) {
        v[y * 10 + x] = 0.9f; // a 5x4 block
      }
    }
    SaliencyMap m = new SaliencyMap(10, 10, v);
    Box b = m.salientRegion(0.5, 100, 100);
    assertThat(b.contains(65, 70)).isTrue();
    assertThat(b.contains(15, 15)).isFalse();
    assertThat(new SaliencyMap(10, 10, new float[100]).salientRegion(0.5, 100, 100)).isNull();
  }

  @Test
  void sharpnessDropsWhenBlurred() {
    BufferedImage sharp = TestImages.photo("coffee.png");
    BufferedImage blurred = io.sightline.core.image.ImageOps.resize(
        io.sightline.core.image.ImageOps.resize(sharp, 75, 50), 600, 400);
    double s = Sharpness.laplacianVariance(sharp);
    double b = Sharpness.laplacianVariance(blurred);
    assertThat(b).isLessThan(s / 5);
    assertThat(Sharpness.normalise(100, 100)).isEqualTo(0.5);
    assertThat(Sharpness.normalise(s, 100)).isGreaterThan(Sharpness.normalise(b, 100));
  }

  @Test
  void expressionProxyPrefersAClearFaceToABlurredOne() {
    int[] t = TestImages.ASTRONAUT_FACE;
    BufferedImage face = TestImages.astronaut().getSubimage(t[0], t[1], t[2], t[3]);
    BufferedImage smeared = io.sightline.core.image.ImageOps.resize(
        io.sightline.core.image.ImageOps.resize(face, 8, 8), 93, 93);
    CascadeExpressionScorer s = new CascadeExpressionScorer();
    assertThat(s.score(face)).isGreaterThan(s.score(smeared) + 0.2);
    assertThat(s.score(face)).isBetween(0.0, 1.0);
  }
}
