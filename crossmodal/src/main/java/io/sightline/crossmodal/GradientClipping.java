package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * Global-norm gradient clipping: the L2 norm over all gradients of a block, and the factor that
 * brings it down to a bound. The factor is applied by the optimizer's fused update
 * ({@link CheckpointableAdamW#setGradientScale}), never by writing into the gradients: PyTorch
 * may hand one gradient buffer to several parameters, so an in-place scale could hit a buffer
 * twice (it made training diverge to NaN in a test).
 */
final class GradientClipping {
  private GradientClipping() {}

  /**
   * @param block the block whose parameters' gradients are measured (read only)
   * @param maxNorm the bound; 0 or less: no clipping
   * @return the factor for this step's gradients (1 when the norm is within the bound), or NaN
   *     when a gradient is not finite (the caller skips the step)
   */
  static float scaleFor(Block block, double maxNorm) {
    double sq = 0;
    for (Parameter p : block.getParameters().values()) {
      if (!p.requiresGradient() || !p.isInitialized() || !p.getArray().hasGradient()) {
        continue;
      }
      // scaled by the largest magnitude first: squares of large float32 gradients overflow
      try (NDArray g = p.getArray().getGradient(); NDArray mx = g.abs().max()) {
        float largest = mx.getFloat();
        if (largest == 0f) {
          continue;
        }
        if (!Float.isFinite(largest)) {
          return Float.NaN;
        }
        try (NDArray scaled = g.div(largest); NDArray s = scaled.square().sum()) {
          sq += (double) s.getFloat() * largest * largest;
        }
      }
    }
    double norm = Math.sqrt(sq);
    if (!Double.isFinite(norm)) {
      return Float.NaN;
    }
    if (!(maxNorm > 0) || norm <= maxNorm) {
      return 1f;
    }
    return (float) (maxNorm / (norm + 1e-6));
  }

  /**
   * Sets every gradient of {@code block} to zero, for a step that is skipped. PyTorch adds each
   * backward pass onto the gradients already there, and DJL zeroes them only inside the
   * optimizer's update; a skipped update would otherwise leave a non-finite gradient in place and
   * every later step would add onto it (and be skipped too). Zeroing by subtraction would not do:
   * NaN minus NaN is NaN.
   *
   * @param block the block whose gradients are discarded
   */
  static void discard(Block block) {
    for (Parameter p : block.getParameters().values()) {
      if (p.requiresGradient() && p.isInitialized() && p.getArray().hasGradient()) {
        ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p.getArray());
      }
    }
  }
}
