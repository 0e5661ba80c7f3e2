package io.sightline.core.onnx;

import java.util.Arrays;

/**
 * One model output copied to the Java heap (any numeric type is converted to float).
 *
 * @param name output name in the ONNX graph
 * @param shape its shape
 * @param data row-major values
 */
record OutputTensor(String name, long[] shape, float[] data) {
  /** @return the number of values per batch row (product of all but the first dimension) */
  int rowSize() {
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      n *= shape[i];
    }
    return (int) n;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
