package io.sightline.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.io.InputFiles;
import io.sightline.core.onnx.OnnxImageClassifier;
import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.OnnxModelWriter;
import io.sightline.core.onnx.OnnxObjectDetector;
import io.sightline.core.store.Database;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every closeable type in core is {@link AutoCloseable}, and closing twice is harmless. */
class CloseableTypesTest {
  @TempDir
  Path dir;

  @Test
  void everyPublicTypeWithACloseMethodIsAutoCloseable() throws Exception {
    Path classes = Path.of("target/classes");
    assertThat(classes.resolve("io/sightline/core")).isDirectory();
    List<String> closeable = new ArrayList<>();
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> s = Files.walk(classes)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        if (!Modifier.isPublic(c.getModifiers())) {
          continue;
        }
        for (Method m : c.getMethods()) {
          if (m.getName().equals("close") && m.getParameterCount() == 0) {
            closeable.add(c.getSimpleName());
            if (!AutoCloseable.class.isAssignableFrom(c)) {
              offenders.add(c.getName());
            }
            break;
          }
        }
      }
    }
    assertThat(offenders).as("public types with close() that are not AutoCloseable").isEmpty();
    assertThat(closeable).contains("OnnxImageEmbedder", "OnnxObjectDetector", "OnnxImageClassifier",
        "Database", "HnswVectorIndex", "ExactVectorIndex", "GlobalDescriptorEmbedder", "LineReader");
  }

  private static void closeTwice(AutoCloseable c) {
    assertThatCode(() -> {
      c.close();
      c.close();
    }).as(c.getClass().getSimpleName()).doesNotThrowAnyException();
  }

  @Test
  void closingTwiceIsSafe() throws Exception {
    Path emb = Files.write(dir.resolve("e.onnx"), OnnxModelWriter.tinyEmbedder(false));
    Path cls = Files.write(dir.resolve("c.onnx"), OnnxModelWriter.tinyClassifier());
    Path det = Files.write(dir.resolve("d.onnx"), OnnxModelWriter.constantYolo(64, new long[] {1, 1, 7},
        new float[] {32, 32, 10, 10, 0.9f, 0.8f, 0.1f}));
    OnnxImageEmbedder e = OnnxImageEmbedder.builder().modelPath(emb).inputSize(8, 8).build();
    e.embed(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB));
    closeTwice(e);
    closeTwice(OnnxImageClassifier.builder().modelPath(cls).inputSize(8, 8).labels(List.of("r", "g", "b")).build());
    closeTwice(OnnxObjectDetector.builder().modelPath(det).inputSize(64, 64)
        .format(OnnxObjectDetector.Format.YOLO_V5).labels(List.of("cat", "dog")).build());
    GlobalDescriptorEmbedder g = new GlobalDescriptorEmbedder();
    closeTwice(g);
    closeTwice(Database.openFile(dir.resolve("db"), "t"));
    closeTwice(Database.inMemory("close-twice"));
    HnswVectorIndex<String> hnsw = HnswVectorIndex.builder().dimension(4).embedderId("x").initialCapacity(8).build();
    hnsw.add("a", new float[] {1, 0, 0, 0});
    closeTwice(hnsw);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(4, io.sightline.core.index.Metric.COSINE, "x");
    exact.add("a", new float[] {1, 0, 0, 0});
    closeTwice(exact);
    Path txt = Files.writeString(dir.resolve("a.txt"), "a\n");
    closeTwice(InputFiles.of(txt).openLines());
  }
}
