package io.sightline.core.onnx;

/**
 * Separable resampling of 8-bit RGB pixels into float planes (0..255 scale), following Pillow's
 * convolution resampler ({@link Interpolation#BILINEAR}, {@link Interpolation#BICUBIC}) or
 * OpenCV's {@code INTER_LINEAR} ({@link Interpolation#BILINEAR_OPENCV}). Only a window of the
 * resized image is computed, so a centre crop does not pay for the pixels it drops.
 */
final class Resampler {
  private Resampler() {}

  /** Filter taps of one axis: output {@code o} reads {@code len[o]} source pixels from {@code start[o]}. */
  record Taps(int[] start, int[] len, double[] weights, int stride) {}

  /**
   * @param interp filter
   * @param inSize source length along the axis
   * @param outSize resized length along the axis
   * @param from first output index wanted
   * @param count number of output indices wanted
   * @return the taps of outputs {@code from .. from+count-1}
   */
  static Taps taps(Interpolation interp, int inSize, int outSize, int from, int count) {
    double scale = inSize / (double) outSize;
    int[] start = new int[count];
    int[] len = new int[count];
    if (interp == Interpolation.BILINEAR_OPENCV) {
      double[] w = new double[2 * count];
      for (int o = 0; o < count; o++) {
        double fx = (from + o + 0.5) * scale - 0.5;
        int sx = (int) Math.floor(fx);
        fx -= sx;
        if (sx < 0) {
          sx = 0;
          fx = 0;
        }
        if (sx >= inSize - 1) {
          sx = inSize - 1;
          fx = 0;
        }
        start[o] = sx;
        len[o] = fx == 0 ? 1 : 2;
        w[2 * o] = 1 - fx;
        w[2 * o + 1] = fx;
      }
      return new Taps(start, len, w, 2);
    }
    double filterScale = Math.max(scale, 1.0);
    double support = interp.support() * filterScale;
    int stride = (int) Math.ceil(support) * 2 + 1;
    double[] w = new double[stride * count];
    double ss = 1.0 / filterScale;
    for (int o = 0; o < count; o++) {
      double center = (from + o + 0.5) * scale;
      int xmin = Math.max(0, (int) (center - support + 0.5));
      int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
      xmax = Math.min(xmax, stride);
      double total = 0;
      for (int x = 0; x < xmax; x++) {
        double v = interp.weight((x + xmin - center + 0.5) * ss);
        w[o * stride + x] = v;
        total += v;
      }
      if (total != 0) {
        for (int x = 0; x < xmax; x++) {
          w[o * stride + x] /= total;
        }
      }
      start[o] = xmin;
      len[o] = Math.max(0, xmax);
    }
    return new Taps(start, len, w, stride);
  }

  /**
   * Resizes {@code w x h} packed RGB pixels to {@code outW x outH} and returns the window
   * {@code [x0, x0+cw) x [y0, y0+ch)} of the result as three planes (R, G, B), values 0..255.
   */
  static float[][] resize(int[] rgb, int w, int h, int outW, int outH, int x0, int y0, int cw, int ch,
      Interpolation interp) {
    Taps tx = taps(interp, w, outW, x0, cw);
    Taps ty = taps(interp, h, outH, y0, ch);
    int rowMin = h;
    int rowMax = 0;
    for (int o = 0; o < ch; o++) {
      rowMin = Math.min(rowMin, ty.start[o]);
      rowMax = Math.max(rowMax, ty.start[o] + ty.len[o]);
    }
    int rows = Math.max(0, rowMax - rowMin);
    // horizontal pass: rows [rowMin, rowMax) x cw columns
    double[][] tmp = new double[3][rows * cw];
    for (int y = 0; y < rows; y++) {
      int base = (rowMin + y) * w;
      for (int o = 0; o < cw; o++) {
        double r = 0;
        double g = 0;
        double b = 0;
        int s = tx.start[o];
        int off = o * tx.stride;
        for (int k = 0; k < tx.len[o]; k++) {
          int p = rgb[base + s + k];
          double wt = tx.weights[off + k];
          r += wt * ((p >> 16) & 255);
          g += wt * ((p >> 8) & 255);
          b += wt * (p & 255);
        }
        int i = y * cw + o;
        tmp[0][i] = clip(r);
        tmp[1][i] = clip(g);
        tmp[2][i] = clip(b);
      }
    }
    // vertical pass
    float[][] out = new float[3][cw * ch];
    for (int o = 0; o < ch; o++) {
      int s = ty.start[o] - rowMin;
      int off = o * ty.stride;
      for (int x = 0; x < cw; x++) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int k = 0; k < ty.len[o]; k++) {
          int i = (s + k) * cw + x;
          double wt = ty.weights[off + k];
          r += wt * tmp[0][i];
          g += wt * tmp[1][i];
          b += wt * tmp[2][i];
        }
        int i = o * cw + x;
        out[0][i] = (float) clip(r);
        out[1][i] = (float) clip(g);
        out[2][i] = (float) clip(b);
      }
    }
    return out;
  }

  private static double clip(double v) {
    return v < 0 ? 0 : (v > 255 ? 255 : v);
  }
}
