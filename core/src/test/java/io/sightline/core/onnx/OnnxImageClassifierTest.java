package io.sightline.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ModelException;
import io.sightline.core.classify.Classification;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImageClassifierTest {
  static final List<String> LABELS = List.of("red", "green", "blue");

  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void writeModel() throws Exception {
    model = Files.write(dir.resolve("tiny-classifier.onnx"), OnnxModelWriter.tinyClassifier());
  }

  static BufferedImage filled(Color c) {
    BufferedImage img = new BufferedImage(20, 12, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(c);
    g.fillRect(0, 0, 20, 12);
    g.dispose();
    return img;
  }

  /** softmax(mean(RGB) · W^T + C) for a uniformly coloured image, in label order. */
  static double[] expected(Color c) {
    double[] m = {c.getRed() / 255.0, c.getGreen() / 255.0, c.getBlue() / 255.0};
    double[] logits = new double[3];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < 3; k++) {
      logits[k] = OnnxModelWriter.CLASS_B[k];
      for (int j = 0; j < 3; j++) {
        logits[k] += OnnxModelWriter.CLASS_W[k][j] * m[j];
      }
      max = Math.max(max, logits[k]);
    }
    double sum = 0;
    double[] p = new double[3];
    for (int k = 0; k < 3; k++) {
      p[k] = Math.exp(logits[k] - max);
      sum += p[k];
    }
    for (int k = 0; k < 3; k++) {
      p[k] /= sum;
    }
    return p;
  }

  static void assertMatches(List<Classification> result, Color c) {
    double[] p = expected(c);
    assertThat(result).hasSize(3);
    double total = 0;
    for (Classification cl : result) {
      assertThat((double) cl.probability()).as(cl.label())
          .isCloseTo(p[LABELS.indexOf(cl.label())], within(1e-5));
      total += cl.probability();
    }
    assertThat(total).isCloseTo(1.0, within(1e-5));
    for (int i = 1; i < result.size(); i++) {
      assertThat(result.get(i - 1).probability()).isGreaterThanOrEqualTo(result.get(i).probability());
    }
  }

  OnnxImageClassifier.Builder base() {
    return OnnxImageClassifier.builder().modelPath(model).inputSize(8, 8).labels(LABELS);
  }

  @Test
  void softmaxOverLogitsGivesRealProbabilities() {
    Color orange = new Color(230, 120, 30);
    try (OnnxImageClassifier c = base().outputName("logits").build()) {
      assertThat(c.labels()).isEqualTo(LABELS);
      assertThat(c.id()).startsWith("onnx:tiny-classifier.onnx@sha256:");
      assertThat(c.classify(filled(Color.RED)).get(0).label()).isEqualTo("red");
      assertThat(c.classify(filled(new Color(20, 200, 40))).get(0).label()).isEqualTo("green");
      assertThat(c.classify(filled(Color.BLUE)).get(0).label()).isEqualTo("blue");
      assertMatches(c.classify(filled(orange)), orange);
      assertMatches(c.classify(filled(Color.GRAY)), Color.GRAY);
    }
  }

  @Test
  void alreadyProbabilitiesOutputAndBatchingAgree() {
    List<BufferedImage> images = List.of(filled(Color.RED), filled(Color.CYAN), filled(new Color(90, 60, 200)));
    try (OnnxImageClassifier probs = base().outputName("probs")
            .activation(OnnxImageClassifier.Activation.NONE).batchSize(2).build();
        OnnxImageClassifier logits = base().build()) {
      List<List<Classification>> a = probs.classifyAll(images);
      List<List<Classification>> b = logits.classifyAll(images);
      assertMatches(a.get(1), Color.CYAN);
      for (int i = 0; i < images.size(); i++) {
        for (int k = 0; k < 3; k++) {
          assertThat(a.get(i).get(k).label()).isEqualTo(b.get(i).get(k).label());
          assertThat(a.get(i).get(k).probability()).isCloseTo(b.get(i).get(k).probability(), within(1e-5f));
        }
      }
    }
  }

  @Test
  void labelsFromFile() throws Exception {
    Path labels = Files.writeString(dir.resolve("labels.txt"), "red\n\ngreen\nblue\n");
    try (OnnxImageClassifier c = OnnxImageClassifier.builder().modelPath(model).inputSize(8, 8)
        .labelsFile(labels).build()) {
      assertThat(c.labels()).containsExactly("red", "green", "blue");
      assertThat(c.classify(filled(Color.BLUE)).get(0).label()).isEqualTo("blue");
    }
  }

  @Test
  void labelCountMustMatchTheModel() throws Exception {
    Path labels = Files.writeString(dir.resolve("four.txt"), "a\nb\nc\nd\n");
    assertThatThrownBy(() -> OnnxImageClassifier.builder().modelPath(model).inputSize(8, 8)
        .labelsFile(labels).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("tiny-classifier.onnx")
        .hasMessageContaining("3 scores per image but 4 labels")
        .hasMessageContaining("four.txt");
  }

  @Test
  void logitsDeclaredAsProbabilitiesAreRefused() {
    assertThatThrownBy(() -> base().outputName("logits").activation(OnnxImageClassifier.Activation.NONE).build())
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("not a probability");
  }

  @Test
  void missingLabelsAreNamed() {
    assertThatThrownBy(() -> OnnxImageClassifier.builder().modelPath(model).inputSize(8, 8).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("labels");
  }
}
