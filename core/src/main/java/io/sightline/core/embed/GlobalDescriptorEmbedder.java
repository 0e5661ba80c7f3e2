package io.sightline.core.embed;

import io.sightline.core.image.ImageOps;
import io.sightline.core.index.Vectors;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * The training-free default embedder: a 310-dimensional global descriptor made of five parts,
 * each L2-normalised, weighted, and concatenated, then L2-normalised as a whole.
 *
 * <ol>
 *   <li>Colour: a soft-binned HSV histogram, 8 hue x 3 saturation x 3 value (72), plus 6 grey
 *       levels (6) that take the mass of near-grey pixels, so white backgrounds and JPEG chroma
 *       noise do not scatter over hue bins; square-rooted (Hellinger).</li>
 *   <li>Global edge orientation: 8 unsigned orientations weighted by Sobel magnitude (8).</li>
 *   <li>Spatial edges: the same 8-bin histogram in each cell of a 4x4 grid (128).</li>
 *   <li>Spatial layout: an 8x8 luminance thumbnail, centred and scaled to unit variance, so it is
 *       invariant to brightness and contrast changes (64).</li>
 *   <li>Colour layout: mean opponent chroma (R-G and (R+G)/2-B) in a 4x4 grid (32).</li>
 * </ol>
 *
 * <p><b>What it captures:</b> near-duplicates — the same picture rescaled, re-encoded as JPEG,
 * mildly cropped (up to about 10-15% per side), with brightness, contrast or moderate colour
 * shifts. Images are first resized to 96x96 (aspect ignored), so the descriptor is independent of
 * resolution. <b>What it cannot do:</b> semantics. Two different photos of the same landmark, or
 * the same object on another background, are generally <em>not</em> close; for that, plug a
 * learned model through {@code OnnxImageEmbedder}, or re-rank with local features.
 *
 * <p>Pure Java, no natives, deterministic, thread-safe.
 */
public final class GlobalDescriptorEmbedder implements ImageEmbedder {
  /** Id and version recorded in every index built with this embedder. */
  public static final String ID = "global-descriptor/2";
  /** Vector length. */
  public static final int DIMENSION = 310;

  private static final int SIZE = 96;
  private static final int HUE_BINS = 8;
  private static final int SAT_BINS = 3;
  private static final int VAL_BINS = 3;
  private static final int GREY_BINS = 6;
  private static final float GREY_SAT_LOW = 0.08f;
  private static final float GREY_SAT_HIGH = 0.25f;
  private static final int ORIENT = 8;
  private static final int EDGE_GRID = 4;
  private static final int LAYOUT = 8;
  private static final int CHROMA_GRID = 4;

  private static final float W_COLOR = 1.0f;
  private static final float W_EDGE_GLOBAL = 0.5f;
  private static final float W_EDGE_GRID = 1.0f;
  private static final float W_LAYOUT = 1.0f;
  private static final float W_CHROMA = 0.7f;

  @Override
  public float[] embed(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    BufferedImage small = ImageOps.resize(image, SIZE, SIZE);
    int[] rgb = small.getRGB(0, 0, SIZE, SIZE, null, 0, SIZE);
    int n = SIZE * SIZE;
    float[] r = new float[n];
    float[] g = new float[n];
    float[] b = new float[n];
    float[] lum = new float[n];
    for (int i = 0; i < n; i++) {
      int p = rgb[i];
      r[i] = ((p >> 16) & 255) / 255f;
      g[i] = ((p >> 8) & 255) / 255f;
      b[i] = (p & 255) / 255f;
      lum[i] = 0.299f * r[i] + 0.587f * g[i] + 0.114f * b[i];
    }
    float[] out = new float[DIMENSION];
    int off = 0;
    off = put(out, off, colorHistogram(r, g, b), W_COLOR, true);
    float[][] edges = edgeHistograms(lum);
    off = put(out, off, edges[0], W_EDGE_GLOBAL, true);
    off = put(out, off, edges[1], W_EDGE_GRID, true);
    off = put(out, off, layout(lum), W_LAYOUT, false);
    off = put(out, off, chromaLayout(r, g, b), W_CHROMA, false);
    if (off != DIMENSION) {
      throw new IllegalStateException("descriptor length " + off);
    }
    double norm = Vectors.norm(out);
    if (norm < 1e-12) {
      // A constant image: give it a fixed, valid direction so it can still be indexed.
      out[0] = 1f;
      return out;
    }
    return Vectors.normalizeInPlace(out);
  }

  private static int put(float[] out, int off, float[] part, float weight, boolean sqrt) {
    if (sqrt) {
      for (int i = 0; i < part.length; i++) {
        part[i] = (float) Math.sqrt(Math.max(0, part[i]));
      }
    }
    double norm = Vectors.norm(part);
    for (int i = 0; i < part.length; i++) {
      out[off + i] = norm < 1e-12 ? 0f : (float) (part[i] / norm) * weight;
    }
    return off + part.length;
  }

  private static float[] colorHistogram(float[] r, float[] g, float[] b) {
    // chromatic part: hue x saturation x value; achromatic part: value only. A pixel's mass is
    // split between them by a saturation ramp, so near-grey pixels (white backgrounds, JPEG
    // chroma noise) never scatter over hue bins.
    float[] hist = new float[HUE_BINS * SAT_BINS * VAL_BINS + GREY_BINS];
    int greyOff = HUE_BINS * SAT_BINS * VAL_BINS;
    float[] hsv = new float[3];
    for (int i = 0; i < r.length; i++) {
      ImageOps.rgbToHsv(r[i], g[i], b[i], hsv);
      float chroma = Math.max(0f, Math.min(1f, (hsv[1] - GREY_SAT_LOW) / (GREY_SAT_HIGH - GREY_SAT_LOW)));
      float vf = Math.min(hsv[2] * VAL_BINS - 0.5f, VAL_BINS - 1f);
      int v0 = (int) Math.floor(Math.max(0, vf));
      float vw = vf <= 0 ? 0 : vf - v0;
      if (chroma < 1f) {
        float gf = Math.min(hsv[2] * GREY_BINS - 0.5f, GREY_BINS - 1f);
        int g0 = (int) Math.floor(Math.max(0, gf));
        float gw = gf <= 0 ? 0 : gf - g0;
        hist[greyOff + g0] += (1 - chroma) * (1 - gw);
        hist[greyOff + Math.min(GREY_BINS - 1, g0 + 1)] += (1 - chroma) * gw;
      }
      if (chroma <= 0f) {
        continue;
      }
      // soft (linear) assignment along hue (circular), saturation and value
      float hf = hsv[0] * HUE_BINS - 0.5f;
      int h0 = (int) Math.floor(hf);
      float hw = hf - h0;
      float sf = Math.min(hsv[1] * SAT_BINS - 0.5f, SAT_BINS - 1f);
      int s0 = (int) Math.floor(Math.max(0, sf));
      float sw = sf <= 0 ? 0 : sf - s0;
      for (int dh = 0; dh < 2; dh++) {
        int hb = Math.floorMod(h0 + dh, HUE_BINS);
        float wh = dh == 0 ? 1 - hw : hw;
        for (int ds = 0; ds < 2; ds++) {
          int sb = Math.min(SAT_BINS - 1, s0 + ds);
          float ws = ds == 0 ? 1 - sw : sw;
          for (int dv = 0; dv < 2; dv++) {
            int vb = Math.min(VAL_BINS - 1, v0 + dv);
            float wv = dv == 0 ? 1 - vw : vw;
            hist[(hb * SAT_BINS + sb) * VAL_BINS + vb] += chroma * wh * ws * wv;
          }
        }
      }
    }
    return hist;
  }

  private static float[][] edgeHistograms(float[] lum) {
    float[] global = new float[ORIENT];
    float[] grid = new float[EDGE_GRID * EDGE_GRID * ORIENT];
    int cell = SIZE / EDGE_GRID;
    for (int y = 1; y < SIZE - 1; y++) {
      for (int x = 1; x < SIZE - 1; x++) {
        int i = y * SIZE + x;
        float gx = (lum[i - SIZE + 1] + 2 * lum[i + 1] + lum[i + SIZE + 1])
            - (lum[i - SIZE - 1] + 2 * lum[i - 1] + lum[i + SIZE - 1]);
        float gy = (lum[i + SIZE - 1] + 2 * lum[i + SIZE] + lum[i + SIZE + 1])
            - (lum[i - SIZE - 1] + 2 * lum[i - SIZE] + lum[i - SIZE + 1]);
        float mag = (float) Math.sqrt(gx * gx + gy * gy);
        if (mag < 0.02f) {
          continue;
        }
        double angle = Math.atan2(gy, gx);
        if (angle < 0) {
          angle += Math.PI;
        }
        double of = angle / Math.PI * ORIENT - 0.5;
        int o0 = (int) Math.floor(of);
        float ow = (float) (of - o0);
        int a = Math.floorMod(o0, ORIENT);
        int c = Math.floorMod(o0 + 1, ORIENT);
        global[a] += mag * (1 - ow);
        global[c] += mag * ow;
        int cellIdx = (Math.min(EDGE_GRID - 1, y / cell) * EDGE_GRID + Math.min(EDGE_GRID - 1, x / cell)) * ORIENT;
        grid[cellIdx + a] += mag * (1 - ow);
        grid[cellIdx + c] += mag * ow;
      }
    }
    return new float[][] {global, grid};
  }

  private static float[] layout(float[] lum) {
    float[] cells = new float[LAYOUT * LAYOUT];
    int cell = SIZE / LAYOUT;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        cells[(y / cell) * LAYOUT + x / cell] += lum[y * SIZE + x];
      }
    }
    double mean = 0;
    for (float c : cells) {
      mean += c;
    }
    mean /= cells.length;
    for (int i = 0; i < cells.length; i++) {
      cells[i] -= (float) mean;
    }
    return cells;
  }

  private static float[] chromaLayout(float[] r, float[] g, float[] b) {
    float[] out = new float[CHROMA_GRID * CHROMA_GRID * 2];
    int cell = SIZE / CHROMA_GRID;
    float per = cell * cell;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int i = y * SIZE + x;
        int c = ((y / cell) * CHROMA_GRID + x / cell) * 2;
        out[c] += (r[i] - g[i]) / per;
        out[c + 1] += ((r[i] + g[i]) / 2 - b[i]) / per;
      }
    }
    // a small constant keeps grey images from collapsing to a zero block
    for (int i = 0; i < out.length; i++) {
      out[i] += 0.01f;
    }
    return out;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  @Override
  public String id() {
    return ID;
  }
}
