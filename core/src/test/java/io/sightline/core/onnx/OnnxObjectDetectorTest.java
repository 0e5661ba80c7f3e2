package io.sightline.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ModelException;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding, thresholds, NMS and coordinate mapping against models whose output is a known tensor.
 * The input image is 128x64, so the 64x64 letterbox scales by 0.5 and pads 16 px above and below:
 * an input-pixel box (x, y) maps to original pixels ((x - 0) * 2, (y - 16) * 2).
 */
class OnnxObjectDetectorTest {
  static final List<String> LABELS = List.of("cat", "dog");

  // cx, cy, w, h, objectness, cat, dog  (input pixels of the 64x64 model input)
  static final float[][] ROWS = {
      {20, 30, 10, 8, 0.9f, 0.8f, 0.1f},   // cat 0.72
      {21, 30, 10, 8, 0.8f, 0.7f, 0.1f},   // cat 0.56, IoU 0.82 with row 0: suppressed
      {21, 30, 10, 8, 0.9f, 0.1f, 0.7f},   // dog 0.63, overlaps a cat: kept by class-wise NMS
      {50, 40, 12, 6, 0.5f, 0.3f, 0.2f},   // cat 0.15: under the 0.25 threshold
      {45, 30, 20, 10, 0.95f, 0.0f, 0.9f}, // dog 0.855
  };

  @TempDir static Path dir;
  static Path v5;
  static Path v8;
  static Path v8rows;
  static Path ssd;

  @BeforeAll
  static void writeModels() throws Exception {
    int n = ROWS.length;
    float[] v5data = new float[n * 7];
    float[] v8data = new float[6 * n];     // [1, 4 + C, N]
    float[] v8rowData = new float[n * 6];  // [1, N, 4 + C]
    for (int i = 0; i < n; i++) {
      System.arraycopy(ROWS[i], 0, v5data, i * 7, 7);
      float[] noObj = {ROWS[i][0], ROWS[i][1], ROWS[i][2], ROWS[i][3],
          ROWS[i][4] * ROWS[i][5], ROWS[i][4] * ROWS[i][6]};
      for (int k = 0; k < 6; k++) {
        v8data[k * n + i] = noObj[k];
        v8rowData[i * 6 + k] = noObj[k];
      }
    }
    v5 = Files.write(dir.resolve("yolo5.onnx"), OnnxModelWriter.constantYolo(64, new long[] {1, n, 7}, v5data));
    v8 = Files.write(dir.resolve("yolo8.onnx"), OnnxModelWriter.constantYolo(64, new long[] {1, 6, n}, v8data));
    v8rows = Files.write(dir.resolve("yolo8rows.onnx"),
        OnnxModelWriter.constantYolo(64, new long[] {1, n, 6}, v8rowData));
    ssd = Files.write(dir.resolve("ssd.onnx"), OnnxModelWriter.constantSsd(64,
        new float[] {0.1f, 0.25f, 0.4f, 0.5f, 0.5f, 0.3f, 0.9f, 0.7f, 0.2f, 0.2f, 0.3f, 0.3f},
        new float[] {0.9f, 0.6f, 0.05f},
        new long[] {1, 2, 0}));
  }

  static BufferedImage image() {
    return new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
  }

  static void assertBox(Box b, double x0, double y0, double x1, double y1) {
    assertThat(b.x()).isCloseTo(x0, within(1e-3));
    assertThat(b.y()).isCloseTo(y0, within(1e-3));
    assertThat(b.x2()).isCloseTo(x1, within(1e-3));
    assertThat(b.y2()).isCloseTo(y1, within(1e-3));
  }

  static void assertYoloResult(List<Detection> d) {
    assertThat(d).extracting(Detection::label).containsExactly("dog", "cat", "dog");
    assertThat(d.get(0).score()).isCloseTo(0.855f, within(1e-5f));
    assertThat(d.get(1).score()).isCloseTo(0.72f, within(1e-5f));
    assertThat(d.get(2).score()).isCloseTo(0.63f, within(1e-5f));
    // dog: input [35, 25] - [55, 35] -> original [70, 18] - [110, 38]
    assertBox(d.get(0).box(), 70, 18, 110, 38);
    // cat: input [15, 26] - [25, 34] -> original [30, 20] - [50, 36]
    assertBox(d.get(1).box(), 30, 20, 50, 36);
    // dog: input [16, 26] - [26, 34] -> original [32, 20] - [52, 36]
    assertBox(d.get(2).box(), 32, 20, 52, 36);
  }

  @Test
  void yoloV5DecodeThresholdNmsAndLetterboxMapping() {
    try (OnnxObjectDetector det = OnnxObjectDetector.builder().modelPath(v5).inputSize(64, 64)
        .format(OnnxObjectDetector.Format.YOLO_V5).labels(LABELS).build()) {
      assertYoloResult(det.detect(image()));
    }
  }

  @Test
  void yoloV8BothLayouts() {
    for (Path p : List.of(v8, v8rows)) {
      try (OnnxObjectDetector det = OnnxObjectDetector.builder().modelPath(p).inputSize(64, 64)
          .format(OnnxObjectDetector.Format.YOLO_V8).labels(LABELS).build()) {
        assertYoloResult(det.detect(image()));
      }
    }
  }

  @Test
  void classAgnosticNmsAndThresholdsChangeTheResult() {
    try (OnnxObjectDetector agnostic = OnnxObjectDetector.builder().modelPath(v5).inputSize(64, 64)
            .format(OnnxObjectDetector.Format.YOLO_V5).labels(LABELS).classWiseNms(false).build();
        OnnxObjectDetector noNms = OnnxObjectDetector.builder().modelPath(v5).inputSize(64, 64)
            .format(OnnxObjectDetector.Format.YOLO_V5).labels(LABELS).applyNms(false)
            .confidenceThreshold(0.1f).build()) {
      List<Detection> d = agnostic.detect(image());
      assertThat(d).extracting(Detection::label).containsExactly("dog", "cat");
      assertThat(d.get(0).score()).isCloseTo(0.855f, within(1e-5f));
      assertThat(d.get(1).score()).isCloseTo(0.72f, within(1e-5f));
      assertThat(noNms.detect(image())).hasSize(5);
    }
  }

  @Test
  void boxesScoresLabelsNormalisedWithBackgroundOffset() {
    try (OnnxObjectDetector det = OnnxObjectDetector.builder().modelPath(ssd).inputSize(64, 64)
        .format(OnnxObjectDetector.Format.BOXES_SCORES_LABELS).labels(LABELS)
        .normalizedBoxes(true).labelOffset(1).confidenceThreshold(0.3f).build()) {
      List<Detection> d = det.detect(image());
      assertThat(d).extracting(Detection::label).containsExactly("cat", "dog");
      assertThat(d.get(0).score()).isCloseTo(0.9f, within(1e-6f));
      // cat: input [6.4, 16] - [25.6, 32] -> original [12.8, 0] - [51.2, 32]
      assertBox(d.get(0).box(), 12.8, 0, 51.2, 32);
      // dog: input [32, 19.2] - [57.6, 44.8] -> original [64, 6.4] - [115.2, 57.6]
      assertBox(d.get(1).box(), 64, 6.4, 115.2, 57.6);
    }
  }

  @Test
  void stretchResizeMapsBackByScaling() {
    try (OnnxObjectDetector det = OnnxObjectDetector.builder().modelPath(ssd).inputSize(64, 64)
        .format(OnnxObjectDetector.Format.BOXES_SCORES_LABELS).labels(LABELS)
        .resize(ResizeMode.STRETCH).normalizedBoxes(true).labelOffset(1).build()) {
      List<Detection> d = det.detect(image());
      // fractions of the input are fractions of the image: 0.1*128, 0.25*64, 0.4*128, 0.5*64
      assertBox(d.get(0).box(), 12.8, 16, 51.2, 32);
    }
  }

  @Test
  void labelCountOrShapeMismatchIsAModelException() {
    assertThatThrownBy(() -> OnnxObjectDetector.builder().modelPath(v5).inputSize(64, 64)
        .format(OnnxObjectDetector.Format.YOLO_V5).labels(List.of("a", "b", "c")).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("yolo5.onnx")
        .hasMessageContaining("[1, 5, 7]")
        .hasMessageContaining("[1, N, 8]");
    assertThatThrownBy(() -> OnnxObjectDetector.builder().modelPath(v5).inputSize(64, 64)
        .format(OnnxObjectDetector.Format.BOXES_SCORES_LABELS).labels(LABELS).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("no output named 'boxes'");
    try (OnnxObjectDetector oneLabel = OnnxObjectDetector.builder().modelPath(ssd).inputSize(64, 64)
        .format(OnnxObjectDetector.Format.BOXES_SCORES_LABELS).labels(List.of("only"))
        .normalizedBoxes(true).build()) {
      assertThatThrownBy(() -> oneLabel.detect(image()))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("class index 1 (label offset 0) outside the 1 labels");
    }
  }

  @Test
  void builderNamesMissingFormat() {
    assertThatThrownBy(() -> OnnxObjectDetector.builder().modelPath(v5).inputSize(64, 64).labels(LABELS).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("format");
  }
}
