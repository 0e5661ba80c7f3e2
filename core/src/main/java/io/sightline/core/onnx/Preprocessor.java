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
 */
record Preprocessor(int width, int height, Layout layout, float[] mean, float[] std,
    ResizeMode resize, boolean bgr, Color pad) {

  Preprocessor {
    mean = mean.clone();
    std = std.clone();
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
   * Maps a box in model-input pixels back to pixels of an original image of the given size.
   *
   * @param b box in input pixels
   * @param origW original width
   * @param origH original height
   * @return the box in original pixels, clamped to the image
   */
  Box toOriginal(Box b, int origW, int origH) {
    double sx;
    double sy;
    double dx = 0;
    double dy = 0;
    switch (resize) {
      case LETTERBOX: {
        double s = Math.min(width / (double) origW, height / (double) origH);
        int nw = Math.max(1, (int) Math.round(origW * s));
        int nh = Math.max(1, (int) Math.round(origH * s));
        dx = (width - nw) / 2;
        dy = (height - nh) / 2;
        sx = origW / (double) nw;
        sy = origH / (double) nh;
        break;
      }
      case CENTER_CROP: {
        double s = Math.max(width / (double) origW, height / (double) origH);
        int w = Math.max(width, (int) Math.round(origW * s));
        int h = Math.max(height, (int) Math.round(origH * s));
        dx = -((w - width) / 2);
        dy = -((h - height) / 2);
        sx = origW / (double) w;
        sy = origH / (double) h;
        break;
      }
      case STRETCH:
      default:
        sx = origW / (double) width;
        sy = origH / (double) height;
    }
    Box mapped = Box.ofCorners((b.x() - dx) * sx, (b.y() - dy) * sy, (b.x2() - dx) * sx, (b.y2() - dy) * sy);
    return mapped.clamp(origW, origH);
  }

  @Override
  public String toString() {
    return "input " + width + "x" + height + " " + layout + (bgr ? " BGR" : " RGB") + " mean "
        + Arrays.toString(mean) + " std " + Arrays.toString(std) + " resize " + resize;
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
