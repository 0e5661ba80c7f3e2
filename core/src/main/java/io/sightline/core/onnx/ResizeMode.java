package io.sightline.core.onnx;

/** How an image is brought to a model's declared input size. */
public enum ResizeMode {
  /** Resize to exactly width x height, ignoring aspect (most embedders and classifiers). */
  STRETCH,
  /**
   * Scale to fit inside width x height keeping aspect and pad the rest with the pad colour,
   * centred (YOLO-style detectors). Detections are mapped back through the same transform.
   */
  LETTERBOX,
  /**
   * Scale so the image covers width x height keeping aspect, then cut the centre (ImageNet-style
   * classifiers).
   */
  CENTER_CROP
}
