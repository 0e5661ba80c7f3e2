package io.sightline.core.onnx;

import io.sightline.core.image.Layout;
import java.awt.Color;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builder state shared by the ONNX builders: model file, input geometry and normalisation. */
final class ModelOptions {
  Path modelPath;
  int width = -1;
  int height = -1;
  Layout layout = Layout.CHW;
  float[] mean = {0f, 0f, 0f};
  float[] std = {1f, 1f, 1f};
  ResizeMode resize;
  boolean bgr;
  Color pad = new Color(114, 114, 114);
  int resizeShorter;
  Interpolation interpolation;
  Preset preset;
  final Map<String, String> engineOptions = new LinkedHashMap<>();

  ModelOptions(ResizeMode defaultResize) {
    this.resize = defaultResize;
  }

  void inputSize(int w, int h) {
    if (w < 1 || h < 1) {
      throw new IllegalArgumentException("input size must be positive: " + w + "x" + h);
    }
    width = w;
    height = h;
  }

  void normalization(float[] m, float[] s) {
    if (m == null || s == null || m.length != 3 || s.length != 3) {
      throw new IllegalArgumentException("mean and std need 3 values each (R, G, B)");
    }
    for (float v : s) {
      if (!(v > 0) || !Float.isFinite(v)) {
        throw new IllegalArgumentException("std values must be positive and finite");
      }
    }
    mean = m.clone();
    std = s.clone();
  }

  /** Checks required parts; call from build(). */
  Preprocessor preprocessor(String what) {
    if (modelPath == null) {
      throw new IllegalStateException(what + ": modelPath is required");
    }
    if (width < 1) {
      throw new IllegalStateException(what + ": inputSize(width, height) is required");
    }
    Interpolation interp = interpolation;
    if (interp == null && resizeShorter > 0 && resize == ResizeMode.CENTER_CROP) {
      interp = Interpolation.BILINEAR; // torchvision's Resize default
    }
    return new Preprocessor(width, height, layout, mean, std, resize, bgr, pad, resizeShorter, interp);
  }
}
