package io.sightline.core.onnx;

import io.sightline.core.image.Layout;
import java.awt.Color;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The options every ONNX builder shares: the model file, the input geometry, the normalisation
 * and the engine options. Fluent; not thread-safe.
 *
 * @param <B> the concrete builder
 */
public abstract class OnnxModelBuilder<B extends OnnxModelBuilder<B>> {
  final ModelOptions opts;

  OnnxModelBuilder(ResizeMode defaultResize) {
    this.opts = new ModelOptions(defaultResize);
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * Sets input size, resize and crop, interpolation, normalisation, channel order, layout and
   * padding to those of a model family (see {@link Preset} for exactly what each does). Call it
   * before any single setting you want to change: later calls override what it set.
   *
   * @param preset the model family's preprocessing
   * @return this
   */
  public B preset(Preset preset) {
    Objects.requireNonNull(preset, "preset").applyTo(opts);
    return self();
  }

  /**
   * @param interpolation the resampling filter (default: Java2D bilinear with progressive
   *     halving, as in earlier releases; presets set their own)
   * @return this
   */
  public B interpolation(Interpolation interpolation) {
    opts.interpolation = Objects.requireNonNull(interpolation, "interpolation");
    return self();
  }

  /**
   * torchvision's {@code Resize(n)} before {@code CenterCrop}: with {@link ResizeMode#CENTER_CROP},
   * the shorter side is scaled to {@code n} (the longer to {@code int(n * long / short)}) and the
   * centre {@code inputSize} is cut from that, resampled with {@link #interpolation(Interpolation)}
   * ({@link Interpolation#BILINEAR} when none is set). Without it, the image is scaled just enough
   * to cover the input size.
   *
   * @param n shorter side before the crop, positive
   * @return this
   */
  public B resizeShorterSide(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("shorter side must be positive: " + n);
    }
    opts.resizeShorter = n;
    return self();
  }

  /**
   * @param path the .onnx file (required)
   * @return this
   */
  public B modelPath(Path path) {
    opts.modelPath = path;
    return self();
  }

  /**
   * @param width model input width (required)
   * @param height model input height
   * @return this
   */
  public B inputSize(int width, int height) {
    opts.inputSize(width, height);
    return self();
  }

  /**
   * @param layout CHW (default) or HWC
   * @return this
   */
  public B layout(Layout layout) {
    opts.layout = Objects.requireNonNull(layout, "layout");
    return self();
  }

  /**
   * Normalisation applied after scaling pixels to [0,1]: (x - mean) / std, per channel. Common
   * values: ImageNet mean {0.485, 0.456, 0.406}, std {0.229, 0.224, 0.225}; CLIP mean
   * {0.4815, 0.4578, 0.4082}, std {0.2686, 0.2613, 0.2758}. Default: mean 0, std 1.
   *
   * @param mean per-channel mean in [0,1] units, R, G, B
   * @param std per-channel std in [0,1] units, R, G, B
   * @return this
   */
  public B normalization(float[] mean, float[] std) {
    opts.normalization(mean, std);
    return self();
  }

  /**
   * @param bgr whether the model expects B, G, R channel order (default false: R, G, B)
   * @return this
   */
  public B bgr(boolean bgr) {
    opts.bgr = bgr;
    return self();
  }

  /**
   * @param mode how images reach the input size
   * @return this
   */
  public B resize(ResizeMode mode) {
    opts.resize = Objects.requireNonNull(mode, "mode");
    return self();
  }

  /**
   * @param pad padding colour for LETTERBOX (default grey 114)
   * @return this
   */
  public B padColor(Color pad) {
    opts.pad = Objects.requireNonNull(pad, "pad");
    return self();
  }

  /**
   * Passes an option to DJL's ONNX Runtime engine (e.g. "interOpNumThreads").
   *
   * @param key option name
   * @param value option value
   * @return this
   */
  public B engineOption(String key, String value) {
    opts.engineOptions.put(key, value);
    return self();
  }
}
