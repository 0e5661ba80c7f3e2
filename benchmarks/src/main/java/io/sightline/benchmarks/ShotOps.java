package io.sightline.benchmarks;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Pixel operations behind {@link ShotSynth}: alpha-preserving resize, a perspective warp by
 * inverse homography with bilinear sampling, an affine colour transform, a light gradient and a
 * separable Gaussian blur. Canvases are packed RGB {@code int[]} arrays (row-major, {@code
 * 0xRRGGBB}); objects are premultiplied ARGB images.
 */
final class ShotOps {
  private ShotOps() {}

  /**
   * Resizes keeping transparency (premultiplied, so edges do not darken); large reductions go
   * through successive halvings so every source pixel contributes.
   *
   * @param img any image
   * @param w target width
   * @param h target height
   * @return a {@link BufferedImage#TYPE_INT_ARGB_PRE} image of {@code w x h}
   */
  static BufferedImage resizeArgb(BufferedImage img, int w, int h) {
    BufferedImage cur = img;
    while (cur.getWidth() / 2 >= w && cur.getHeight() / 2 >= h) {
      cur = draw(cur, cur.getWidth() / 2, cur.getHeight() / 2);
    }
    return draw(cur, w, h);
  }

  private static BufferedImage draw(BufferedImage img, int w, int h) {
    BufferedImage out = new BufferedImage(Math.max(1, w), Math.max(1, h), BufferedImage.TYPE_INT_ARGB_PRE);
    Graphics2D g = out.createGraphics();
    g.setComposite(AlphaComposite.Src);
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
    g.dispose();
    return out;
  }

  /**
   * @param img an image
   * @return its pixels as packed ints in the image's own format (copy for non-int rasters)
   */
  static int[] pixels(BufferedImage img) {
    if (img.getRaster().getDataBuffer() instanceof DataBufferInt d
        && (img.getType() == BufferedImage.TYPE_INT_RGB || img.getType() == BufferedImage.TYPE_INT_ARGB_PRE)) {
      return d.getData();
    }
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  /**
   * @param rgb packed RGB pixels
   * @param w width
   * @param h height
   * @return an INT_RGB image backed by a copy of the pixels
   */
  static BufferedImage toImage(int[] rgb, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, rgb, 0, w);
    return out;
  }

  /**
   * The homography that maps four source points onto four destination points (direct linear
   * transform, h33 = 1).
   *
   * @param src four (x, y) points
   * @param dst four (x, y) points
   * @return the 3x3 matrix, row-major
   */
  static double[] homography(double[][] src, double[][] dst) {
    double[][] a = new double[8][9];
    for (int i = 0; i < 4; i++) {
      double x = src[i][0];
      double y = src[i][1];
      double u = dst[i][0];
      double v = dst[i][1];
      a[2 * i] = new double[] {x, y, 1, 0, 0, 0, -u * x, -u * y, u};
      a[2 * i + 1] = new double[] {0, 0, 0, x, y, 1, -v * x, -v * y, v};
    }
    for (int c = 0; c < 8; c++) { // Gaussian elimination with partial pivoting
      int p = c;
      for (int r = c + 1; r < 8; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
          p = r;
        }
      }
      double[] t = a[c];
      a[c] = a[p];
      a[p] = t;
      for (int r = 0; r < 8; r++) {
        if (r != c) {
          double f = a[r][c] / a[c][c];
          for (int k = c; k < 9; k++) {
            a[r][k] -= f * a[c][k];
          }
        }
      }
    }
    double[] h = new double[9];
    for (int i = 0; i < 8; i++) {
      h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1;
    return h;
  }

  /**
   * @param m a 3x3 matrix, row-major
   * @return its inverse
   */
  static double[] invert3(double[] m) {
    double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8];
    double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    return new double[] {
        (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det,
        (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det,
        (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
  }

  /**
   * Composites a premultiplied ARGB object onto the canvas through the inverse homography
   * {@code hinv} (canvas pixel centre to object coordinates), bilinear sampling, over the canvas
   * rectangle [x0, x1) x [y0, y1) (which may extend past the canvas).
   *
   * @param canvas packed RGB canvas, changed in place
   * @param w canvas width
   * @param h canvas height
   * @param obj premultiplied ARGB object
   * @param hinv inverse homography, row-major
   * @param box {x0, y0, x1, y1}
   * @param mask per canvas pixel, receives the object's coverage in [0, 1]
   * @return the object's total coverage (pixels), including the part outside the canvas
   */
  static double warp(int[] canvas, int w, int h, BufferedImage obj, double[] hinv, int[] box, float[] mask) {
    int sw = obj.getWidth();
    int sh = obj.getHeight();
    int[] src = pixels(obj);
    double total = 0;
    for (int y = box[1]; y < box[3]; y++) {
      for (int x = box[0]; x < box[2]; x++) {
        double px = x + 0.5;
        double py = y + 0.5;
        double d = hinv[6] * px + hinv[7] * py + hinv[8];
        double u = (hinv[0] * px + hinv[1] * py + hinv[2]) / d - 0.5;
        double v = (hinv[3] * px + hinv[4] * py + hinv[5]) / d - 0.5;
        if (u <= -1 || v <= -1 || u >= sw || v >= sh) {
          continue;
        }
        int u0 = (int) Math.floor(u);
        int v0 = (int) Math.floor(v);
        double fu = u - u0;
        double fv = v - v0;
        double[] acc = new double[4];
        sample(src, sw, sh, u0, v0, (1 - fu) * (1 - fv), acc);
        sample(src, sw, sh, u0 + 1, v0, fu * (1 - fv), acc);
        sample(src, sw, sh, u0, v0 + 1, (1 - fu) * fv, acc);
        sample(src, sw, sh, u0 + 1, v0 + 1, fu * fv, acc);
        double a = acc[0] / 255.0;
        if (a <= 0) {
          continue;
        }
        total += a;
        if (x < 0 || y < 0 || x >= w || y >= h) {
          continue;
        }
        int i = y * w + x;
        int bg = canvas[i];
        int r = clamp(acc[1] + (1 - a) * ((bg >> 16) & 255));
        int g = clamp(acc[2] + (1 - a) * ((bg >> 8) & 255));
        int b = clamp(acc[3] + (1 - a) * (bg & 255));
        canvas[i] = (r << 16) | (g << 8) | b;
        mask[i] = (float) a;
      }
    }
    return total;
  }

  private static void sample(int[] src, int sw, int sh, int x, int y, double wt, double[] acc) {
    if (x < 0 || y < 0 || x >= sw || y >= sh || wt == 0) {
      return; // outside the object: transparent
    }
    int p = src[y * sw + x];
    acc[0] += wt * ((p >>> 24) & 255);
    acc[1] += wt * ((p >> 16) & 255);
    acc[2] += wt * ((p >> 8) & 255);
    acc[3] += wt * (p & 255);
  }

  /**
   * Applies brightness, contrast, saturation, hue rotation and white balance as one affine
   * colour transform, then a linear light gradient, in place.
   *
   * @param rgb packed RGB pixels
   * @param w width
   * @param h height
   * @param c the colour parameters
   */
  static void colour(int[] rgb, int w, int h, Colour c) {
    // RGB <-> YIQ; hue rotates (I, Q), saturation scales it
    double[] t = {0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312};
    double[] ti = invert3(t);
    double cos = Math.cos(Math.toRadians(c.hueDeg())) * c.saturation();
    double sin = Math.sin(Math.toRadians(c.hueDeg())) * c.saturation();
    double[] r = {1, 0, 0, 0, cos, -sin, 0, sin, cos};
    double[] m = mul(ti, mul(r, mul(t, new double[] {c.redGain(), 0, 0, 0, 1, 0, 0, 0, c.blueGain()})));
    double k = c.brightness() * c.contrast();
    double off = c.brightness() * 128 * (1 - c.contrast());
    double gx = Math.cos(c.gradientAngle()) * c.gradient() / w;
    double gy = Math.sin(c.gradientAngle()) * c.gradient() / h;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int p = rgb[i];
        double pr = (p >> 16) & 255;
        double pg = (p >> 8) & 255;
        double pb = p & 255;
        double light = 1 + gx * (x - w / 2.0) + gy * (y - h / 2.0);
        int nr = clamp(light * (k * (m[0] * pr + m[1] * pg + m[2] * pb) + off));
        int ng = clamp(light * (k * (m[3] * pr + m[4] * pg + m[5] * pb) + off));
        int nb = clamp(light * (k * (m[6] * pr + m[7] * pg + m[8] * pb) + off));
        rgb[i] = (nr << 16) | (ng << 8) | nb;
      }
    }
  }

  /**
   * Colour and light change of a shot.
   *
   * @param brightness gain (1 = unchanged)
   * @param contrast gain around mid-grey (1 = unchanged)
   * @param saturation chroma gain (1 = unchanged)
   * @param hueDeg hue rotation in degrees
   * @param redGain white balance gain of red
   * @param blueGain white balance gain of blue
   * @param gradient light falloff across the frame (0 = even light; 0.2 = ±10 % at the edges)
   * @param gradientAngle direction of the falloff, radians
   */
  record Colour(double brightness, double contrast, double saturation, double hueDeg, double redGain,
      double blueGain, double gradient, double gradientAngle) {}

  private static double[] mul(double[] a, double[] b) {
    double[] o = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        o[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
      }
    }
    return o;
  }

  /**
   * Separable Gaussian blur in place (borders clamped).
   *
   * @param rgb packed RGB pixels
   * @param w width
   * @param h height
   * @param sigma standard deviation in pixels; below 0.3 nothing is done
   */
  static void blur(int[] rgb, int w, int h, double sigma) {
    if (sigma < 0.3) {
      return;
    }
    int rad = (int) Math.ceil(3 * sigma);
    double[] k = new double[2 * rad + 1];
    double sum = 0;
    for (int i = -rad; i <= rad; i++) {
      k[i + rad] = Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + rad];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    int[] tmp = new int[rgb.length];
    pass(rgb, tmp, w, h, k, 1, w);
    pass(tmp, rgb, h, w, k, w, 1);
  }

  /** One 1-D pass: {@code n} lines of {@code len} pixels, {@code step} apart along a line. */
  private static void pass(int[] in, int[] out, int len, int n, double[] k, int step, int lineStep) {
    int rad = k.length / 2;
    for (int line = 0; line < n; line++) {
      int base = line * lineStep;
      for (int i = 0; i < len; i++) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int j = -rad; j <= rad; j++) {
          int p = in[base + Math.min(len - 1, Math.max(0, i + j)) * step];
          double wt = k[j + rad];
          r += wt * ((p >> 16) & 255);
          g += wt * ((p >> 8) & 255);
          b += wt * (p & 255);
        }
        out[base + i * step] = (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
      }
    }
  }

  static int clamp(double v) {
    return v <= 0 ? 0 : v >= 255 ? 255 : (int) (v + 0.5);
  }
}
