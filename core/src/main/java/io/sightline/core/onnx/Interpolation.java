package io.sightline.core.onnx;

/**
 * The resampling filter used to bring an image to a model's input size, chosen to match the
 * library a model family was trained with. Set it with {@link OnnxModelBuilder#interpolation} or
 * through a {@link Preset}. When a builder sets none, images are scaled with Java2D (progressive
 * halving, then bilinear), the behaviour of earlier releases.
 *
 * <p>Every filter works in floating point on 8-bit input and clips each pass to 0..255, so values
 * match the reference library's own 8-bit output to within about one grey level (the libraries
 * round between passes; this does not).
 */
public enum Interpolation {
  /**
   * Pillow's {@code Image.BILINEAR} as torchvision applies it to PIL images: a triangle filter
   * whose support widens with the scale factor when shrinking (antialiased), pixel centres at
   * {@code +0.5}, weights renormalised at the image border.
   */
  BILINEAR(1.0),
  /**
   * Pillow's {@code Image.BICUBIC} (Keys cubic, {@code a = -0.5}), antialiased like
   * {@link #BILINEAR}; what CLIP and DINOv2 preprocessing use.
   */
  BICUBIC(2.0),
  /**
   * OpenCV's {@code cv2.INTER_LINEAR}: two taps per axis at source position
   * {@code (x + 0.5) * scale - 0.5}, clamped at the border, no antialiasing when shrinking; what
   * Ultralytics YOLO's letterbox uses.
   */
  BILINEAR_OPENCV(1.0);

  private final double support;

  Interpolation(double support) {
    this.support = support;
  }

  /** @return the filter's half-width in source pixels at scale 1 */
  double support() {
    return support;
  }

  /**
   * @param x distance from the sample centre, in filter units
   * @return the filter weight
   */
  double weight(double x) {
    double a = Math.abs(x);
    switch (this) {
      case BICUBIC: {
        double c = -0.5;
        if (a < 1) {
          return ((c + 2) * a - (c + 3)) * a * a + 1;
        }
        if (a < 2) {
          return (((a - 5) * a + 8) * a - 4) * c;
        }
        return 0;
      }
      case BILINEAR:
      case BILINEAR_OPENCV:
      default:
        return a < 1 ? 1 - a : 0;
    }
  }
}
