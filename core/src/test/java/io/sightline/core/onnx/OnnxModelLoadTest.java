package io.sightline.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ModelException;
import io.sightline.core.SightlineException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnnxModel#load} reads exactly the file it is given: it neither lists nor walks the folder
 * the model lies in (a shared folder such as /tmp changes under it), and every failure is a
 * {@link ModelException}.
 */
class OnnxModelLoadTest {
  @TempDir Path dir;

  static Preprocessor pre() {
    return new Preprocessor(8, 8, io.sightline.core.image.Layout.CHW, new float[3],
        new float[] {1, 1, 1}, ResizeMode.STRETCH, false, java.awt.Color.GRAY);
  }

  @Test
  void siblingsOfTheModelAreNeverRead() throws Exception {
    Path model = Files.write(dir.resolve("tiny.onnx"), OnnxModelWriter.tinyEmbedder(false));
    // another program's files beside the model: DJL repository descriptors (one valid, which
    // made DJL's folder walk take the whole folder for a model repository, one not JSON), and
    // models under the names DJL would guess from the folder
    Path other = Files.createDirectories(dir.resolve("other-app/nested"));
    Files.writeString(other.resolve("metadata.json"),
        "{\"metadataVersion\": \"0.2\", \"artifacts\": []}", StandardCharsets.UTF_8);
    Path broken = Files.createDirectories(dir.resolve("broken-app"));
    Files.writeString(broken.resolve("metadata.json"), "{ not json", StandardCharsets.UTF_8);
    Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3});
    Files.write(dir.resolve(dir.getFileName() + ".onnx"), new byte[] {4, 5, 6});
    try (OnnxModel m = OnnxModel.load(model, pre(), java.util.Map.of())) {
      assertThat(m.file()).isEqualTo(model.toAbsolutePath().normalize());
      assertThat(m.run(java.util.List.of(new java.awt.image.BufferedImage(8, 8,
          java.awt.image.BufferedImage.TYPE_INT_RGB))).tensors()).hasSize(2);
    }
  }

  @Test
  void loadsWhileSiblingFoldersComeAndGo() throws Exception {
    Path model = Files.write(dir.resolve("tiny.onnx"), OnnxModelWriter.tinyEmbedder(false));
    AtomicBoolean stop = new AtomicBoolean();
    Thread churn = new Thread(() -> {
      int i = 0;
      while (!stop.get()) {
        Path d = dir.resolve("churn-" + (i++ % 4));
        try {
          Files.createDirectories(d.resolve("a/b"));
          Files.write(d.resolve("a/b/f.bin"), new byte[16]);
          Files.delete(d.resolve("a/b/f.bin"));
          Files.delete(d.resolve("a/b"));
          Files.delete(d.resolve("a"));
          Files.delete(d);
        } catch (Exception ignored) {
          // the churn only has to disturb the folder
        }
      }
    });
    churn.start();
    try {
      for (int i = 0; i < 5; i++) {
        try (OnnxModel m = OnnxModel.load(model, pre(), java.util.Map.of())) {
          assertThat(m.sha256()).hasSize(64);
        }
      }
    } finally {
      stop.set(true);
      churn.join();
    }
  }

  @Test
  void everyLoadFailureIsAModelException() throws Exception {
    Path missing = dir.resolve("missing.onnx");
    assertThatThrownBy(() -> OnnxModel.load(missing, pre(), java.util.Map.of()))
        .isInstanceOf(ModelException.class).hasMessageContaining("missing.onnx");
    assertThatThrownBy(() -> OnnxModel.load(dir, pre(), java.util.Map.of()))
        .isInstanceOf(ModelException.class).hasMessageContaining("not a readable file");
    Path garbage = Files.write(dir.resolve("garbage.onnx"), "hello".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> OnnxModel.load(garbage, pre(), java.util.Map.of()))
        .isInstanceOf(ModelException.class).hasMessageContaining("garbage.onnx");
    Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
    assertThatThrownBy(() -> OnnxModel.load(empty, pre(), java.util.Map.of()))
        .isInstanceOf(ModelException.class).hasMessageContaining("empty.onnx");
    Path model = Files.write(dir.resolve("tiny.onnx"), OnnxModelWriter.tinyEmbedder(false));
    assertThatThrownBy(() -> OnnxModel.load(model, pre(), java.util.Map.of("interOpNumThreads", "many")))
        .isInstanceOf(SightlineException.class).hasMessageContaining("tiny.onnx");
  }
}
