package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar operands for arithmetic on arrays that take part in a backward pass.
 *
 * <p>DJL's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code maximum(Number)} and the like
 * wrap the number in a PyTorch tensor over a Java direct buffer and close it right after the
 * operation; autograd keeps that tensor for the backward pass (the gradient of {@code x / c} needs
 * {@code c}), but the buffer belongs to the garbage collector from then on. When a collection ran
 * between forward and backward, the backward pass read freed memory: gradients were wrong at
 * random, now and then not finite, and two identical runs in one process gave different weights.
 * A scalar made here is allocated by PyTorch itself and lives as long as autograd needs it.
 */
final class Scalars {
  private Scalars() {}

  /**
   * @param like the array the scalar is combined with (its manager, type and device are used)
   * @param value the scalar's value
   * @return a 0-dimensional array holding {@code value}, owned by PyTorch
   */
  static NDArray of(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType());
  }
}
