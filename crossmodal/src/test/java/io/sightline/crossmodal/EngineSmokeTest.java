package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class EngineSmokeTest {
  @Test
  void pytorchEngineLoadsOffline() {
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    Engine engine = Engine.getEngine("PyTorch");
    try (NDManager m = engine.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3});
      assertThat(a.sum().getFloat()).isEqualTo(6f);
    }
  }
}
