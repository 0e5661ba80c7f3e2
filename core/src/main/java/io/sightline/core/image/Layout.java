package io.sightline.core.image;

/** Memory layout of an image tensor. */
public enum Layout {
  /** channels, height, width (PyTorch / most ONNX vision models). */
  CHW,
  /** height, width, channels (TensorFlow exports). */
  HWC
}
