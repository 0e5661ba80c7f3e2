package io.sightline.core.onnx;

import io.sightline.core.image.Layout;
import java.awt.Color;
import java.util.Arrays;
import java.util.Locale;

/**
 * The preprocessing of well-known model families, so a user names the family instead of typing
 * size, resize, mean/std, channel order and layout by hand. Apply one with
 * {@link OnnxModelBuilder#preset(Preset)} on {@link OnnxImageEmbedder}, {@link OnnxImageClassifier}
 * or {@link OnnxObjectDetector} builders; calls after {@code preset} override single settings
 * (e.g. {@code .preset(Preset.CLIP).inputSize(336, 336)} for a 336-pixel CLIP).
 *
 * <p>Every preset resamples with an explicit {@link Interpolation} and normalises as
 * {@code value = (pixel/255 - mean) / std} per channel (pixel in 0..255, mean and std as listed,
 * in R, G, B order whatever the channel order of the tensor):
 *
 * <table>
 * <caption>What each preset does</caption>
 * <tr><th>preset</th><th>resize and crop</th><th>values</th><th>channels</th><th>layout</th></tr>
 * <tr><td>{@link #TORCHVISION_IMAGENET}</td><td>shorter side to 256 (bilinear, longer side
 *   truncated), centre crop 224x224</td><td>ImageNet mean/std on /255</td><td>RGB</td>
 *   <td>NCHW</td></tr>
 * <tr><td>{@link #KERAS_CAFFE}</td><td>stretch to 224x224 (bilinear)</td><td>0..255 minus the
 *   Caffe BGR mean, not scaled</td><td>BGR</td><td>NHWC</td></tr>
 * <tr><td>{@link #CLIP}</td><td>shorter side to 224 (bicubic), centre crop 224x224</td><td>CLIP
 *   mean/std on /255</td><td>RGB</td><td>NCHW</td></tr>
 * <tr><td>{@link #DINOV2}</td><td>shorter side to 256 (bicubic), centre crop 224x224</td>
 *   <td>ImageNet mean/std on /255</td><td>RGB</td><td>NCHW</td></tr>
 * <tr><td>{@link #YOLO}</td><td>letterbox into 640x640 (OpenCV bilinear), grey 114 padding</td>
 *   <td>/255</td><td>RGB</td><td>NCHW</td></tr>
 * <tr><td>{@link #SIGHTLINE_CLIPART}</td><td>letterbox into 64x64 (bilinear), white padding</td>
 *   <td>(/255 - 0.5) / 0.25</td><td>RGB</td><td>NCHW</td></tr>
 * </table>
 *
 * <p>Geometry follows the reference code: torchvision's {@code Resize(n)} scales the shorter side
 * to {@code n} and the longer to {@code int(n * long / short)}; {@code CenterCrop} starts at
 * {@code round((size - crop) / 2)} (half to even); Ultralytics' letterbox scales by
 * {@code min(640/w, 640/h)}, rounds the new size, and puts the image at
 * {@code round(pad / 2 - 0.1)}. Resampling is Pillow's for bilinear/bicubic (what torchvision
 * does on PIL images) and OpenCV's {@code INTER_LINEAR} for YOLO; see {@link Interpolation}.
 */
public enum Preset {
  /**
   * torchvision ImageNet classifiers and backbones (ResNet, EfficientNet, ConvNeXt, ViT from
   * {@code torchvision.models}): {@code Resize(256)} bilinear, {@code CenterCrop(224)},
   * {@code ToTensor()} (RGB, /255), {@code Normalize(mean=[0.485, 0.456, 0.406],
   * std=[0.229, 0.224, 0.225])}, NCHW {@code [N,3,224,224]}.
   */
  TORCHVISION_IMAGENET(224, 224, Layout.CHW, false, ResizeMode.CENTER_CROP, 256, Interpolation.BILINEAR,
      new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}),
  /**
   * Keras applications in "caffe" mode ({@code keras.applications.resnet50 / vgg16 / vgg19
   * preprocess_input}): the image stretched to 224x224 (bilinear; Keras' {@code load_img} defaults
   * to nearest, {@code image_dataset_from_directory} to bilinear), channels reversed to B, G, R,
   * and the ImageNet mean subtracted per channel, B 103.939, G 116.779, R 123.68, with no scaling
   * (values stay in about -124..152). Layout NHWC {@code [N,224,224,3]}, as {@code tf2onnx} exports
   * Keras models; if your export is NCHW, follow the preset with {@code .layout(Layout.CHW)}.
   */
  KERAS_CAFFE(224, 224, Layout.HWC, true, ResizeMode.STRETCH, 0, Interpolation.BILINEAR,
      new float[] {123.68f / 255f, 116.779f / 255f, 103.939f / 255f},
      new float[] {1f / 255f, 1f / 255f, 1f / 255f}),
  /**
   * OpenAI CLIP / OpenCLIP image towers (ViT-B/32, ViT-B/16, ViT-L/14 at 224): {@code Resize(224)}
   * bicubic on the shorter side, {@code CenterCrop(224)}, RGB /255, {@code Normalize(mean=
   * [0.48145466, 0.4578275, 0.40821073], std=[0.26862954, 0.26130258, 0.27577711])}, NCHW.
   */
  CLIP(224, 224, Layout.CHW, false, ResizeMode.CENTER_CROP, 224, Interpolation.BICUBIC,
      new float[] {0.48145466f, 0.4578275f, 0.40821073f},
      new float[] {0.26862954f, 0.26130258f, 0.27577711f}),
  /**
   * Meta's DINOv2 backbones (ViT-S/B/L/G 14) with their evaluation transform:
   * {@code Resize(256)} bicubic on the shorter side, {@code CenterCrop(224)}, RGB /255, ImageNet
   * mean/std, NCHW {@code [N,3,224,224]}.
   */
  DINOV2(224, 224, Layout.CHW, false, ResizeMode.CENTER_CROP, 256, Interpolation.BICUBIC,
      new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}),
  /**
   * Ultralytics YOLO (v5/v8/v11 exports at 640): letterbox into 640x640 keeping aspect
   * (OpenCV bilinear), padding grey (114, 114, 114), RGB, values /255 in 0..1, no mean/std,
   * NCHW {@code [N,3,640,640]}. Detections map back to the original image through the same
   * letterbox.
   */
  YOLO(640, 640, Layout.CHW, false, ResizeMode.LETTERBOX, 0, Interpolation.BILINEAR_OPENCV,
      new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f}),
  /**
   * Sightline's own image encoders (module {@code sightline-models}, trained on drawings with
   * transparent backgrounds): letterbox into 64x64 keeping aspect (Pillow bilinear, antialiased),
   * padding white, RGB, {@code (pixel/255 - 0.5) / 0.25}, NCHW {@code [N,3,64,64]}. The trainer
   * packs its images with {@link #tensor} so training and inference see the same pixels.
   */
  SIGHTLINE_CLIPART(64, 64, Layout.CHW, false, ResizeMode.LETTERBOX, 0, Interpolation.BILINEAR,
      new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});

  private static final Color GREY_114 = new Color(114, 114, 114);

  private final int width;
  private final int height;
  private final Layout layout;
  private final boolean bgr;
  private final ResizeMode resize;
  private final int resizeShorter;
  private final Interpolation interpolation;
  private final float[] mean;
  private final float[] std;

  Preset(int width, int height, Layout layout, boolean bgr, ResizeMode resize, int resizeShorter,
      Interpolation interpolation, float[] mean, float[] std) {
    this.width = width;
    this.height = height;
    this.layout = layout;
    this.bgr = bgr;
    this.resize = resize;
    this.resizeShorter = resizeShorter;
    this.interpolation = interpolation;
    this.mean = mean;
    this.std = std;
  }

  /**
   * Parses a preset name as a command line gives it: case-insensitive, {@code -} or {@code _}
   * (e.g. {@code torchvision-imagenet}, {@code clip}, {@code KERAS_CAFFE}).
   *
   * @param name the name
   * @return the preset
   * @throws IllegalArgumentException when no preset has that name; the message lists them
   */
  public static Preset fromName(String name) {
    if (name != null) {
      String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (Preset p : values()) {
        if (p.name().equals(n)) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("unknown preset '" + name + "'; known presets: "
        + Arrays.stream(values()).map(Preset::cliName).toList());
  }

  /** @return the lower-case, dashed name a command line uses, e.g. {@code torchvision-imagenet} */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** @return the model input width */
  public int inputWidth() {
    return width;
  }

  /** @return the model input height */
  public int inputHeight() {
    return height;
  }

  /** @return the tensor layout */
  public Layout layout() {
    return layout;
  }

  /** @return whether the tensor's channels are B, G, R */
  public boolean bgr() {
    return bgr;
  }

  /** @return how the image reaches the input size */
  public ResizeMode resize() {
    return resize;
  }

  /** @return the shorter-side length before the centre crop, or 0 when the preset does not crop */
  public int resizeShorterSide() {
    return resizeShorter;
  }

  /** @return the resampling filter */
  public Interpolation interpolation() {
    return interpolation;
  }

  /** @return per-channel mean in [0,1] pixel units, R, G, B (a copy) */
  public float[] mean() {
    return mean.clone();
  }

  /** @return per-channel std in [0,1] pixel units, R, G, B (a copy) */
  public float[] std() {
    return std.clone();
  }

  /** @return the padding colour of a letterbox (grey 114; white for {@link #SIGHTLINE_CLIPART}) */
  public Color padColor() {
    return this == SIGHTLINE_CLIPART ? Color.WHITE : GREY_114;
  }

  /**
   * Packs one image into the tensor values a model of this family receives, exactly as an
   * embedder, classifier or detector built with this preset does (for training a model with the
   * same preprocessing, or checking an export).
   *
   * @param image an RGB image (alpha, if any, is ignored: composite it first)
   * @return {@code 3 * inputWidth() * inputHeight()} values in this preset's layout
   */
  public float[] tensor(java.awt.image.BufferedImage image) {
    return new Preprocessor(width, height, layout, mean, std, resize, bgr, padColor(), resizeShorter, interpolation)
        .pack(image);
  }

  /** Copies this preset into builder state. */
  void applyTo(ModelOptions o) {
    o.width = width;
    o.height = height;
    o.layout = layout;
    o.bgr = bgr;
    o.resize = resize;
    o.resizeShorter = resizeShorter;
    o.interpolation = interpolation;
    o.mean = mean.clone();
    o.std = std.clone();
    o.pad = padColor();
    o.preset = this;
  }
}
