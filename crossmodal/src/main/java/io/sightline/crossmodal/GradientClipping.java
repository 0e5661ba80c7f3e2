package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
    // each gradient's sum of squares in float64 (no overflow for any float32 value), all summed on
    // the engine side and read back once: one synchronisation per step instead of per parameter
    NDManager tmp = null;
    double sq;
    try {
      NDList squares = new NDList();
      for (Parameter p : block.getParameters().values()) {
        if (!p.requiresGradient() || !p.isInitialized() || !p.getArray().hasGradient()) {
          continue;
        }
        if (tmp == null) { // on the parameters' device; closing it frees only this step's arrays
          tmp = p.getArray().getManager().newSubManager();
        }
        NDArray g = p.getArray().getGradient();
        g.attach(tmp);
        squares.add(g.toType(DataType.FLOAT64, false).square().sum());
      }
      if (squares.isEmpty()) {
        return 1f;
      }
      sq = NDArrays.stack(squares).sum().getDouble();
    } finally {
      if (tmp != null) {
        tmp.close();
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
