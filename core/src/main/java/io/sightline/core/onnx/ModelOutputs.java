package io.sightline.core.onnx;

import java.util.List;

/**
 * Translator output: every model output, in the model's output order.
 *
 * @param tensors the outputs
 */
record ModelOutputs(List<OutputTensor> tensors) {
  /** @return the output names */
  List<String> names() {
    return tensors.stream().map(OutputTensor::name).toList();
  }
}
