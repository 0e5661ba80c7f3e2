package io.sightline.core.onnx;

import io.sightline.core.detect.Box;
import io.sightline.core.image.ImageOps;
import io.sightline.core.image.Layout;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Turns an image into the float tensor a model expects: resize, mean/std normalisation,
 * channel order and layout. Immutable and thread-safe.
 *
 * <p>With an {@link Interpolation} set, the geometry follows torchvision / Ultralytics exactly
 * (shorter side to {@code resizeShorter} with the longer side truncated, centre crop offsets
 * rounded half to even, letterbox offsets {@code round(d - 0.1)}) and pixels are resampled by
 * {@link Resampler}; without one (null), the Java2D path of earlier releases is kept unchanged.
 *
 * @param resizeShorter for CENTER_CROP with an interpolation: the shorter side is scaled to this
 *     length before the crop (0: scale just enough to cover the input size)
 * @param interpolation the resampling filter, or null for the legacy Java2D scaling
 */
record Preprocessor(int width, int height, Layout layout, float[] mean, float[] std,
    ResizeMode resize, boolean bgr, Color pad, int resizeShorter, Interpolation interpolation) {

  Preprocessor {
    mean = mean.clone();
    std = std.clone();
  }

  Preprocessor(int width, int height, Layout layout, float[] mean, float[] std, ResizeMode resize,
      boolean bgr, Color pad) {
    this(width, height, layout, mean, std, resize, bgr, pad, 0, null);
  }

  /**
   * Where the scaled image lands on the input canvas.
   *
   * @param sw scaled width
   * @param sh scaled height
   * @param dx left of the scaled image on the canvas (negative when cropped)
   * @param dy top of the scaled image on the canvas (negative when cropped)
   */
  record Geometry(int sw, int sh, int dx, int dy) {}

  /**
   * @param origW original width
   * @param origH original height
   * @return the scaled size and its offset on the canvas
   */
  Geometry geometry(int origW, int origH) {
    switch (resize) {
      case LETTERBOX: {
        double s = Math.min(width / (double) origW, height / (double) origH);
        if (interpolation == null) {
          int nw = Math.max(1, (int) Math.round(origW * s));
          int nh = Math.max(1, (int) Math.round(origH * s));
          return new Geometry(nw, nh, (width - nw) / 2, (height - nh) / 2);
        }
        int nw = Math.max(1, (int) Math.rint(origW * s));
        int nh = Math.max(1, (int) Math.rint(origH * s));
        return new Geometry(nw, nh, (int) Math.rint((width - nw) / 2.0 - 0.1),
            (int) Math.rint((height - nh) / 2.0 - 0.1));
      }
      case CENTER_CROP: {
        int w;
        int h;
        if (interpolation != null && resizeShorter > 0) {
          int shortSide = Math.min(origW, origH);
          int longSide = Math.max(origW, origH);
          int newLong = Math.max(1, (int) ((double) resizeShorter * longSide / shortSide));
          w = origW <= origH ? resizeShorter : newLong;
          h = origW <= origH ? newLong : resizeShorter;
        } else {
          double s = Math.max(width / (double) origW, height / (double) origH);
          w = Math.max(width, (int) Math.round(origW * s));
          h = Math.max(height, (int) Math.round(origH * s));
        }
        if (interpolation == null) {
          return new Geometry(w, h, -((w - width) / 2), -((h - height) / 2));
        }
        return new Geometry(w, h, -(int) Math.rint((w - width) / 2.0), -(int) Math.rint((h - height) / 2.0));
      }
      case STRETCH:
      default:
        return new Geometry(width, height, 0, 0);
    }
  }

  /** @return the tensor shape of a batch of {@code n} images */
  long[] shape(int n) {
    return layout == Layout.CHW ? new long[] {n, 3, height, width} : new long[] {n, height, width, 3};
  }

  BufferedImage resized(BufferedImage img) {
    switch (resize) {
      case LETTERBOX:
        return ImageOps.letterbox(img, width, height, pad);
      case CENTER_CROP: {
        double s = Math.max(width / (double) img.getWidth(), height / (double) img.getHeight());
        int w = Math.max(width, (int) Math.round(img.getWidth() * s));
        int h = Math.max(height, (int) Math.round(img.getHeight() * s));
        BufferedImage scaled = ImageOps.resize(img, w, h);
        return ImageOps.crop(scaled, (w - width) / 2, (h - height) / 2, width, height);
      }
      case STRETCH:
      default:
        return ImageOps.resize(img, width, height);
    }
  }

  /** @return the packed tensor of one image, length 3*width*height */
  float[] pack(BufferedImage img) {
    if (interpolation != null) {
      return packResampled(img);
    }
    float[] t = ImageOps.toTensor(resized(img), layout, mean, std);
    if (bgr) {
      int plane = width * height;
      if (layout == Layout.CHW) {
        for (int i = 0; i < plane; i++) {
          float r = t[i];
          t[i] = t[2 * plane + i];
          t[2 * plane + i] = r;
        }
      } else {
        for (int i = 0; i < plane; i++) {
          float r = t[3 * i];
          t[3 * i] = t[3 * i + 2];
          t[3 * i + 2] = r;
        }
      }
    }
    return t;
  }

  /**
   * Resamples with {@link #interpolation} onto a canvas filled with the pad colour, then
   * normalises: value = (pixel/255 - mean) / std, in R, G, B order (or B, G, R).
   */
  private float[] packResampled(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    Geometry g = geometry(w, h);
    int[] rgb = ImageOps.toRgb(img).getRGB(0, 0, w, h, null, 0, w);
    // the window of the scaled image that lands on the canvas
    int x0 = Math.max(0, -g.dx());
    int y0 = Math.max(0, -g.dy());
    int x1 = Math.min(g.sw(), width - g.dx());
    int y1 = Math.min(g.sh(), height - g.dy());
    int plane = width * height;
    float[][] canvas = new float[3][plane];
    Arrays.fill(canvas[0], pad.getRed());
    Arrays.fill(canvas[1], pad.getGreen());
    Arrays.fill(canvas[2], pad.getBlue());
    if (x1 > x0 && y1 > y0) {
      int cw = x1 - x0;
      int ch = y1 - y0;
      float[][] win = Resampler.resize(rgb, w, h, g.sw(), g.sh(), x0, y0, cw, ch, interpolation);
      for (int y = 0; y < ch; y++) {
        int dst = (g.dy() + y0 + y) * width + g.dx() + x0;
        for (int c = 0; c < 3; c++) {
          System.arraycopy(win[c], y * cw, canvas[c], dst, cw);
        }
      }
    }
    float[] out = new float[3 * plane];
    for (int c = 0; c < 3; c++) {
      int slot = bgr ? 2 - c : c;
      float m = mean[c];
      float s = std[c];
      float[] src = canvas[c];
      for (int i = 0; i < plane; i++) {
        float v = (src[i] / 255f - m) / s;
        if (layout == Layout.CHW) {
          out[slot * plane + i] = v;
        } else {
          out[3 * i + slot] = v;
        }
      }
    }
    return out;
  }

  /**
   * Maps a box in model-input pixels back to pixels of an original image of the given size.
   *
   * @param b box in input pixels
   * @param origW original width
   * @param origH original height
   * @return the box in original pixels, clamped to the image
   */
  Box toOriginal(Box b, int origW, int origH) {
    Geometry g = geometry(origW, origH);
    double sx = origW / (double) g.sw();
    double sy = origH / (double) g.sh();
    double dx = g.dx();
    double dy = g.dy();
    Box mapped = Box.ofCorners((b.x() - dx) * sx, (b.y() - dy) * sy, (b.x2() - dx) * sx, (b.y2() - dy) * sy);
    return mapped.clamp(origW, origH);
  }

  @Override
  public String toString() {
    return "input " + width + "x" + height + " " + layout + (bgr ? " BGR" : " RGB") + " mean "
        + Arrays.toString(mean) + " std " + Arrays.toString(std) + " resize " + resize
        + (resizeShorter > 0 && resize == ResizeMode.CENTER_CROP ? " (shorter side " + resizeShorter + ")" : "")
        + (interpolation == null ? "" : " " + interpolation);
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
