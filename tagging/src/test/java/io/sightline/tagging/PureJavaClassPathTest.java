package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tagging is a pure-Java path: depending on {@code sightline-tagging} must not pull OpenCV,
 * OpenBLAS, DJL or ONNX Runtime (issue 17; core declares them optional). This module's test class
 * path is its own runtime one plus test libraries, so a native here means a user gets it too; every
 * other test of the module then also shows that tagging runs without them.
 */
class PureJavaClassPathTest {

  @ParameterizedTest
  @ValueSource(strings = {"org.bytedeco.javacpp.Loader", "org.bytedeco.opencv.global.opencv_core",
      "org.bytedeco.openblas.global.openblas", "ai.djl.engine.Engine", "ai.onnxruntime.OrtEnvironment",
      "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer"})
  void aNativeLibraryIsNotOnTheClassPath(String className) {
    assertThatThrownBy(() -> Class.forName(className, false, getClass().getClassLoader()))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void theCoreClassesTaggingUsesLoadWithoutThem() throws Exception {
    // loading and initialising them would fail with NoClassDefFoundError if they touched a native
    for (String c : new String[] {"io.sightline.core.embed.GlobalDescriptorEmbedder",
        "io.sightline.core.index.HnswVectorIndex", "io.sightline.core.image.ImageLoader",
        "io.sightline.core.store.Database", "io.sightline.tagging.TagRecommender"}) {
      Class.forName(c, true, getClass().getClassLoader());
    }
  }
}
