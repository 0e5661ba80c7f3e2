package io.sightline.core.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import io.sightline.core.image.Layout;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks each preset against values worked out by hand in this file: synthetic images made of
 * linear ramps (which bilinear and bicubic filters reproduce exactly away from their ends, at the
 * source position {@code (x + 0.5) * scale - 0.5}) and single bright lines (whose filtered values
 * are the filter weights, computed below from Pillow's / OpenCV's published kernels), so the
 * expected numbers never come from the code under test.
 */
class PresetTest {
  static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
  static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
  static final double TOL = 1e-3;

  @TempDir Path dir;

  static BufferedImage image(int w, int h, IntBinaryOperator r, IntBinaryOperator g, IntBinaryOperator b) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.applyAsInt(x, y) << 16 | g.applyAsInt(x, y) << 8 | b.applyAsInt(x, y));
      }
    }
    return img;
  }

  static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  static Preprocessor pre(Preset p) {
    return OnnxImageEmbedder.builder().preset(p).modelPath(Path.of("unused.onnx")).opts.preprocessor("test");
  }

  /** Tensor value of channel slot c (in tensor order) at row y, column x. */
  static float at(float[] t, Layout layout, int w, int h, int c, int y, int x) {
    return layout == Layout.CHW ? t[c * w * h + y * w + x] : t[(y * w + x) * 3 + c];
  }

  /** Inverts (v/255 - mean)/std back to a 0..255 pixel value. */
  static double pixel(float v, float mean, float std) {
    return (v * std + mean) * 255.0;
  }

  @Test
  void torchvisionImagenetWithoutScalingIsAPlainCentreCrop() {
    // 512x256: the shorter side is already 256, so Resize(256) keeps every pixel; CenterCrop(224)
    // starts at x = (512-224)/2 = 144, y = (256-224)/2 = 16.
    IntBinaryOperator r = (x, y) -> (x * 7 + y) & 255;
    IntBinaryOperator g = (x, y) -> (y * 3) & 255;
    IntBinaryOperator b = (x, y) -> (x ^ y) & 255;
    float[] t = pre(Preset.TORCHVISION_IMAGENET).pack(image(512, 256, r, g, b));
    assertThat(t).hasSize(3 * 224 * 224);
    for (int y = 0; y < 224; y += 7) {
      for (int x = 0; x < 224; x += 5) {
        int sx = 144 + x;
        int sy = 16 + y;
        assertThat(at(t, Layout.CHW, 224, 224, 0, y, x))
            .isCloseTo((r.applyAsInt(sx, sy) / 255f - 0.485f) / 0.229f, within(1e-4f));
        assertThat(at(t, Layout.CHW, 224, 224, 1, y, x))
            .isCloseTo((g.applyAsInt(sx, sy) / 255f - 0.456f) / 0.224f, within(1e-4f));
        assertThat(at(t, Layout.CHW, 224, 224, 2, y, x))
            .isCloseTo((b.applyAsInt(sx, sy) / 255f - 0.406f) / 0.225f, within(1e-4f));
      }
    }
    // one value by hand: pixel (144, 16): R = (144*7 + 16) & 255 = 1024 & 255 = 0
    assertThat(t[0]).isCloseTo((0f - 0.485f) / 0.229f, within(1e-4f));
  }

  @Test
  void torchvisionImagenetHalvesWithAntialiasedBilinear() {
    // 512x1024 -> Resize(256) gives 256x512 (scale 2), CenterCrop(224) starts at x = 16,
    // y = (512-224)/2 = 144. Pillow's bilinear at scale 2 reads source pixels 2X-1 .. 2X+2 with
    // weights 1/8, 3/8, 3/8, 1/8.
    BufferedImage img = image(512, 1024,
        (x, y) -> clamp(x - 100), (x, y) -> clamp(y - 400), (x, y) -> x == 300 ? 255 : 0);
    float[] t = pre(Preset.TORCHVISION_IMAGENET).pack(img);
    int w = 224;
    // R ramp: value at resized column X is (2X + 0.5) - 100; exact while 2X-1 >= 100, 2X+2 <= 355
    for (int j = 35; j <= 160; j++) {
      double expected = 2 * (16 + j) + 0.5 - 100;
      assertThat(pixel(at(t, Layout.CHW, w, w, 0, 50, j), IMAGENET_MEAN[0], IMAGENET_STD[0]))
          .as("R col %d", j).isCloseTo(expected, within(TOL));
    }
    // G ramp along rows: (2Y + 0.5) - 400 with Y = 144 + i
    for (int i = 57; i <= 182; i++) {
      double expected = 2 * (144 + i) + 0.5 - 400;
      assertThat(pixel(at(t, Layout.CHW, w, w, 1, i, 10), IMAGENET_MEAN[1], IMAGENET_STD[1]))
          .as("G row %d", i).isCloseTo(expected, within(TOL));
    }
    // B: a bright column at x = 300. Resized column 150 reads it at weight 3/8, column 149 at 1/8
    // (crop columns 134 and 133). Unfiltered bilinear would give 127.5 and 0 instead.
    assertThat(pixel(at(t, Layout.CHW, w, w, 2, 100, 134), IMAGENET_MEAN[2], IMAGENET_STD[2]))
        .isCloseTo(255 * 3 / 8.0, within(TOL));
    assertThat(pixel(at(t, Layout.CHW, w, w, 2, 100, 133), IMAGENET_MEAN[2], IMAGENET_STD[2]))
        .isCloseTo(255 / 8.0, within(TOL));
    assertThat(pixel(at(t, Layout.CHW, w, w, 2, 100, 135), IMAGENET_MEAN[2], IMAGENET_STD[2]))
        .isCloseTo(0, within(TOL));
  }

  /** Pillow's bicubic (a = -0.5) at scale 2: weights of source pixels 2X+d, d = -3..4. */
  static final double[] BICUBIC_HALF = {-0.01171875, -0.03515625, 0.11328125, 0.43359375,
      0.43359375, 0.11328125, -0.03515625, -0.01171875};

  @Test
  void bicubicWeightsWorkedOutByHand() {
    // f(x) = 1.5|x|^3 - 2.5|x|^2 + 1 (|x| < 1), -0.5|x|^3 + 2.5|x|^2 - 4|x| + 2 (1 <= |x| < 2),
    // sampled at (d - 0.5) / 2 and divided by their sum 2
    double sum = 0;
    for (double v : BICUBIC_HALF) {
      sum += v;
    }
    assertThat(sum).isCloseTo(1.0, within(1e-12));
    assertThat(0.43359375 * 2).isEqualTo(1.5 * 0.015625 - 2.5 * 0.0625 + 1); // f(0.25)
    assertThat(-0.01171875 * 2).isEqualTo(-0.5 * Math.pow(1.75, 3) + 2.5 * 1.75 * 1.75 - 4 * 1.75 + 2);
  }

  @Test
  void dinov2ResizesTo256BicubicThenCrops224() {
    // 512x512 -> 256x256 (scale 2) -> crop at 16, 16
    BufferedImage img = image(512, 512,
        (x, y) -> clamp(x - 100), (x, y) -> clamp(y - 100), (x, y) -> x == 300 ? 255 : 0);
    float[] t = pre(Preset.DINOV2).pack(img);
    int w = 224;
    // bicubic reproduces the ramp: 2X + 0.5 - 100 while 2X-3 >= 100 and 2X+4 <= 355
    for (int j = 36; j <= 159; j++) {
      double expected = 2 * (16 + j) + 0.5 - 100;
      assertThat(pixel(at(t, Layout.CHW, w, w, 0, 80, j), IMAGENET_MEAN[0], IMAGENET_STD[0]))
          .as("R col %d", j).isCloseTo(expected, within(TOL));
      assertThat(pixel(at(t, Layout.CHW, w, w, 1, j, 80), IMAGENET_MEAN[1], IMAGENET_STD[1]))
          .as("G row %d", j).isCloseTo(expected, within(TOL));
    }
    // bright column x = 300: resized column 150 (d = 0) and 149 (d = 2); the negative lobes at
    // 148 and 151 are clipped to 0 as Pillow clips 8-bit results
    double[] b = new double[4];
    for (int k = 0; k < 4; k++) {
      b[k] = pixel(at(t, Layout.CHW, w, w, 2, 100, 132 + k), IMAGENET_MEAN[2], IMAGENET_STD[2]);
    }
    assertThat(b[0]).isCloseTo(0, within(TOL));
    assertThat(b[1]).isCloseTo(255 * BICUBIC_HALF[5], within(TOL)); // 28.887
    assertThat(b[2]).isCloseTo(255 * BICUBIC_HALF[3], within(TOL)); // 110.566
    assertThat(b[3]).isCloseTo(0, within(TOL));
  }

  @Test
  void clipResizesShorterSideTo224BicubicWithClipNormalisation() {
    // 600x448 -> shorter side 224: 300x224 (scale 2 on both axes), crop x = (300-224)/2 = 38
    BufferedImage img = image(600, 448,
        (x, y) -> clamp(x - 100), (x, y) -> 90, (x, y) -> x == 380 ? 255 : 0);
    float[] t = pre(Preset.CLIP).pack(img);
    int w = 224;
    for (int j = 14; j <= 137; j++) {
      double expected = 2 * (38 + j) + 0.5 - 100;
      assertThat(pixel(at(t, Layout.CHW, w, w, 0, 120, j), CLIP_MEAN[0], CLIP_STD[0]))
          .as("R col %d", j).isCloseTo(expected, within(TOL));
    }
    // G constant 90: (90/255 - 0.4578275) / 0.26130258 = -0.3994..., everywhere, edges included
    float g = (float) ((90 / 255.0 - 0.4578275) / 0.26130258);
    assertThat(at(t, Layout.CHW, w, w, 1, 0, 0)).isCloseTo(g, within(1e-4f));
    assertThat(at(t, Layout.CHW, w, w, 1, 223, 223)).isCloseTo(g, within(1e-4f));
    // bright column 380 -> resized column 190 (crop 152) weight 0.43359375, 189 (crop 151) 0.11328125
    assertThat(pixel(at(t, Layout.CHW, w, w, 2, 5, 152), CLIP_MEAN[2], CLIP_STD[2]))
        .isCloseTo(255 * BICUBIC_HALF[3], within(TOL));
    assertThat(pixel(at(t, Layout.CHW, w, w, 2, 5, 151), CLIP_MEAN[2], CLIP_STD[2]))
        .isCloseTo(255 * BICUBIC_HALF[5], within(TOL));
  }

  @Test
  void kerasCaffeIsBgrMeanSubtractedUnscaledNhwc() {
    // 448x448 stretched to 224x224 (bilinear, scale 2): ramp value 2X + 0.5 - 100
    BufferedImage img = image(448, 448, (x, y) -> clamp(x - 100), (x, y) -> 200, (x, y) -> 10);
    Preprocessor p = pre(Preset.KERAS_CAFFE);
    assertThat(p.shape(2)).containsExactly(2, 224, 224, 3);
    float[] t = p.pack(img);
    for (int j = 51; j <= 176; j++) {
      float[] px = {at(t, Layout.HWC, 224, 224, 0, 33, j), at(t, Layout.HWC, 224, 224, 1, 33, j),
          at(t, Layout.HWC, 224, 224, 2, 33, j)};
      assertThat((double) px[0]).isCloseTo(10 - 103.939, within(TOL)); // B first
      assertThat((double) px[1]).isCloseTo(200 - 116.779, within(TOL));
      assertThat((double) px[2]).as("R col %d", j).isCloseTo(2 * j + 0.5 - 100 - 123.68, within(TOL));
    }
  }

  @Test
  void yoloLetterboxesInto640WithGrey114() {
    // 320x160 -> scale 2 -> 640x320, placed at top = round(160 - 0.1) = 160
    BufferedImage img = image(320, 160, (x, y) -> clamp(x - 30), (x, y) -> y == 80 ? 255 : 0, (x, y) -> 60);
    Preprocessor p = pre(Preset.YOLO);
    assertThat(p.shape(1)).containsExactly(1, 3, 640, 640);
    float[] t = p.pack(img);
    int w = 640;
    for (int y : new int[] {0, 100, 159, 480, 639}) {
      for (int c = 0; c < 3; c++) {
        assertThat(at(t, Layout.CHW, w, w, c, y, 320)).isCloseTo(114 / 255f, within(1e-6f));
      }
    }
    assertThat(at(t, Layout.CHW, w, w, 2, 160, 0)).isCloseTo(60 / 255f, within(1e-6f));
    assertThat(at(t, Layout.CHW, w, w, 2, 479, 639)).isCloseTo(60 / 255f, within(1e-6f));
    // OpenCV linear, no antialias: source x = (X + 0.5) / 2 - 0.5 = X/2 - 0.25 -> R = X/2 - 30.25
    for (int x = 61; x <= 568; x++) {
      assertThat(at(t, Layout.CHW, w, w, 0, 300, x) * 255.0).as("R col %d", x)
          .isCloseTo(x / 2.0 - 30.25, within(TOL));
    }
    // bright row 80: rows Y = 159..162 of the scaled image read it at 1/4, 3/4, 3/4, 1/4
    double[] expected = {0, 63.75, 191.25, 191.25, 63.75, 0};
    for (int k = 0; k < expected.length; k++) {
      int row = 160 + 158 + k;
      assertThat(at(t, Layout.CHW, w, w, 1, row, 200) * 255.0).as("G row %d", row)
          .isCloseTo(expected[k], within(TOL));
    }
  }

  @Test
  void sightlineClipartLetterboxesInto64WithWhiteAndScalesAroundGrey() {
    // 256x128 -> scale 1/4 -> 64x32 at top = round(16 - 0.1) = 16; a uniform image stays uniform
    BufferedImage img = image(256, 128, (x, y) -> 100, (x, y) -> 150, (x, y) -> 200);
    float[] t = Preset.SIGHTLINE_CLIPART.tensor(img);
    assertThat(t).hasSize(3 * 64 * 64);
    float white = (1f - 0.5f) / 0.25f;
    for (int c = 0; c < 3; c++) {
      assertThat(at(t, Layout.CHW, 64, 64, c, 0, 10)).isCloseTo(white, within(1e-5f));
      assertThat(at(t, Layout.CHW, 64, 64, c, 63, 50)).isCloseTo(white, within(1e-5f));
    }
    assertThat(at(t, Layout.CHW, 64, 64, 0, 16, 0)).isCloseTo((100 / 255f - 0.5f) / 0.25f, within(1e-4f));
    assertThat(at(t, Layout.CHW, 64, 64, 1, 32, 32)).isCloseTo((150 / 255f - 0.5f) / 0.25f, within(1e-4f));
    assertThat(at(t, Layout.CHW, 64, 64, 2, 47, 63)).isCloseTo((200 / 255f - 0.5f) / 0.25f, within(1e-4f));
    assertThat(at(t, Layout.CHW, 64, 64, 2, 48, 63)).isCloseTo(white, within(1e-5f));
    // the tensor the trainer packs is the one an embedder built with the preset packs
    assertThat(pre(Preset.SIGHTLINE_CLIPART).pack(img)).containsExactly(t);
  }

  @Test
  void geometryFollowsTorchvisionAndUltralyticsRounding() {
    // torchvision: Resize(256) on 500x375 -> 341x256 (int(256*500/375) = int(341.33)),
    // CenterCrop(224): left = round(58.5) = 58 (half to even), top = 16
    assertThat(pre(Preset.TORCHVISION_IMAGENET).geometry(500, 375))
        .isEqualTo(new Preprocessor.Geometry(341, 256, -58, -16));
    // CLIP: Resize(224) on 601x448 -> int(300.5) = 300
    assertThat(pre(Preset.CLIP).geometry(601, 448)).isEqualTo(new Preprocessor.Geometry(300, 224, -38, 0));
    // Ultralytics: 333x500, r = 1.28 -> 426x640, left = round(107 - 0.1) = 107
    assertThat(pre(Preset.YOLO).geometry(333, 500)).isEqualTo(new Preprocessor.Geometry(426, 640, 107, 0));
    // 427 wide: pad 106.5 -> left round(106.4) = 106
    assertThat(pre(Preset.YOLO).geometry(427, 640)).isEqualTo(new Preprocessor.Geometry(427, 640, 106, 0));
  }

  @Test
  void yoloBoxesMapBackThroughTheLetterbox() {
    Preprocessor p = pre(Preset.YOLO);
    Box b = p.toOriginal(Box.ofCorners(64, 200, 128, 240), 320, 160);
    // x / 2, (y - 160) / 2
    assertThat(b.x()).isCloseTo(32, within(1e-9));
    assertThat(b.y()).isCloseTo(20, within(1e-9));
    assertThat(b.x2()).isCloseTo(64, within(1e-9));
    assertThat(b.y2()).isCloseTo(40, within(1e-9));
  }

  @Test
  void presetsApplyToEveryBuilderAndLaterCallsOverride() {
    Preprocessor det = OnnxObjectDetector.builder().preset(Preset.YOLO).modelPath(Path.of("x.onnx"))
        .opts.preprocessor("d");
    assertThat(det.width()).isEqualTo(640);
    assertThat(det.resize()).isEqualTo(ResizeMode.LETTERBOX);
    assertThat(det.interpolation()).isEqualTo(Interpolation.BILINEAR_OPENCV);
    Preprocessor cls = OnnxImageClassifier.builder().preset(Preset.KERAS_CAFFE).layout(Layout.CHW)
        .modelPath(Path.of("x.onnx")).opts.preprocessor("c");
    assertThat(cls.bgr()).isTrue();
    assertThat(cls.layout()).isEqualTo(Layout.CHW);
    Preprocessor clip336 = OnnxImageEmbedder.builder().preset(Preset.CLIP).inputSize(336, 336)
        .resizeShorterSide(336).modelPath(Path.of("x.onnx")).opts.preprocessor("e");
    assertThat(clip336.geometry(672, 672)).isEqualTo(new Preprocessor.Geometry(336, 336, 0, 0));
  }

  @Test
  void tinyAndExtremeAspectImagesGiveFiniteTensors() {
    for (Preset p : Preset.values()) {
      Preprocessor pre = pre(p);
      for (int[] size : new int[][] {{1, 1}, {1000, 3}, {3, 1000}}) {
        float[] t = pre.pack(image(size[0], size[1], (x, y) -> 200, (x, y) -> 100, (x, y) -> 50));
        assertThat(t).hasSize(3 * p.inputWidth() * p.inputHeight());
        for (float v : t) {
          assertThat(Float.isFinite(v)).isTrue();
        }
      }
      // a 1x1 image fills the crop (or the letterboxed area) with its one colour
      float[] one = pre.pack(image(1, 1, (x, y) -> 200, (x, y) -> 100, (x, y) -> 50));
      int c = p.bgr() ? 2 : 0;
      float expected = (200 / 255f - p.mean()[0]) / p.std()[0];
      int w = p.inputWidth();
      int h = p.inputHeight();
      assertThat(at(one, p.layout(), w, h, c, h / 2, w / 2)).as("%s", p).isCloseTo(expected, within(1e-3f));
    }
  }

  @Test
  void presetNamesParseAsTheCommandLineWritesThem() {
    assertThat(Preset.fromName("torchvision-imagenet")).isEqualTo(Preset.TORCHVISION_IMAGENET);
    assertThat(Preset.fromName("Keras_Caffe")).isEqualTo(Preset.KERAS_CAFFE);
    assertThat(Preset.DINOV2.cliName()).isEqualTo("dinov2");
    assertThatThrownBy(() -> Preset.fromName("vgg")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clip").hasMessageContaining("yolo");
  }

  @Test
  void presetTensorReachesTheModelUnchanged() throws Exception {
    // an Identity model returns the input tensor, so the embedder's vector is the tensor itself
    Path model = dir.resolve("identity.onnx");
    OnnxModelWriter w = OnnxModelWriter.create(13);
    w.input("pixels", OnnxModelWriter.FLOAT, "N", 3, 224, 224);
    w.node("Identity", new String[] {"pixels"}, new String[] {"same"});
    w.output("same", OnnxModelWriter.FLOAT, "N", 3, 224, 224);
    Files.write(model, w.toBytes());
    IntBinaryOperator r = (x, y) -> (x * 7 + y) & 255;
    BufferedImage img = image(512, 256, r, (x, y) -> 128, (x, y) -> 0);
    try (OnnxImageEmbedder e = OnnxImageEmbedder.builder().preset(Preset.TORCHVISION_IMAGENET)
        .modelPath(model).build()) {
      float[] v = e.embed(img);
      assertThat(v).hasSize(3 * 224 * 224);
      // row 10, column 20 of the crop is source pixel (164, 26): R = (1148 + 26) & 255 = 150
      assertThat(v[10 * 224 + 20]).isCloseTo((150 / 255f - 0.485f) / 0.229f, within(1e-4f));
      assertThat(v[224 * 224 + 5]).isCloseTo((128 / 255f - 0.456f) / 0.224f, within(1e-4f));
      assertThat(v[2 * 224 * 224 + 7]).isCloseTo((0f - 0.406f) / 0.225f, within(1e-4f));
      assertThat(e.preprocessing()).contains("224x224", "CHW", "RGB", "CENTER_CROP", "shorter side 256", "BILINEAR");
    }
  }
}
