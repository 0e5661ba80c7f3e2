package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The global gradient norm and the factor that brings it down to the bound. */
class GradientClippingTest {
  /** A one-unit linear block after one backward pass of sum(w.x + b): gradients x and 1. */
  private static Linear block(NDManager m, boolean bias, float... x) {
    Linear block = Linear.builder().setUnits(1).optBias(bias).build();
    block.initialize(m, DataType.FLOAT32, new Shape(1, x.length));
    block.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
    ParameterStore ps = new ParameterStore(m, false);
    try (GradientCollector gc = m.getEngine().newGradientCollector()) {
      NDArray y = block.forward(ps, new NDList(m.create(x, new Shape(1, x.length))), true).singletonOrThrow();
      gc.backward(y.sum());
    }
    return block;
  }

  @Test
  void gradientsAboveTheBoundAreScaledDownToIt() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Linear b = block(m, false, 3, 4); // norm 5
      float scale = GradientClipping.scaleFor(b, 1.0);
      // 1/5, never so large that the clipped norm exceeds the bound
      assertThat(scale).isCloseTo(0.2f, Offset.offset(1e-6f));
      assertThat((double) scale * 5).isLessThanOrEqualTo(1.0);
      assertThat(GradientClipping.scaleFor(b, 2.5)).isCloseTo(0.5f, Offset.offset(1e-6f));
    }
  }

  @Test
  void gradientsWithinTheBoundAreLeftAlone() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Linear b = block(m, false, 3, 4); // norm 5
      assertThat(GradientClipping.scaleFor(b, 10)).isEqualTo(1f);
      assertThat(GradientClipping.scaleFor(b, 5)).as("norm exactly at the bound").isEqualTo(1f);
    }
  }

  @Test
  void noBoundMeansNoClipping() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Linear b = block(m, false, 3, 4);
      assertThat(GradientClipping.scaleFor(b, 0)).isEqualTo(1f);
      assertThat(GradientClipping.scaleFor(b, -1)).isEqualTo(1f);
    }
  }

  @Test
  void gradientsWhoseSquaresOverflowFloatStillGiveTheirNorm() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Linear b = block(m, false, 3e20f, 4e20f); // norm 5e20; each square overflows float32
      assertThat((double) GradientClipping.scaleFor(b, 1.0)).isCloseTo(2e-21, Offset.offset(1e-26));
    }
  }

  @Test
  void aBlockWithoutGradientsIsLeftAlone() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Linear b = Linear.builder().setUnits(1).build();
      b.initialize(m, DataType.FLOAT32, new Shape(1, 2)); // no backward pass: no gradients
      assertThat(GradientClipping.scaleFor(b, 1.0)).isEqualTo(1f);
    }
  }

  @Test
  void aNonFiniteGradientGivesNaN() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertThat(GradientClipping.scaleFor(block(m, false, Float.POSITIVE_INFINITY, 1), 1.0)).isNaN();
      assertThat(GradientClipping.scaleFor(block(m, false, Float.NaN, 1), 0)).as("even without a bound").isNaN();
    }
  }

  @Test
  void theNormRunsOverEveryParameter() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Linear b = block(m, true, 2, 2); // weight gradient (2, 2), bias gradient 1: norm 3
      assertThat(GradientClipping.scaleFor(b, 1.0)).isCloseTo(1f / 3, Offset.offset(1e-6f));
      assertThat(GradientClipping.scaleFor(b, 3.0)).isEqualTo(1f);
      assertThat(GradientClipping.scaleFor(b, 2.9)).isLessThan(1f);
    }
  }
}
