package io.sightline.benchmarks;

import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;

/**
 * The classic 64-bit DCT perceptual hash (pHash): 32x32 grey, 2-D DCT, the 8x8 lowest
 * frequencies (DC excluded from the median) compared with their median. Near-duplicates differ
 * in few bits (Hamming distance). Used as the baseline of the near-duplicate evaluation.
 */
public final class PerceptualHash {
  private static final int N = 32;
  private static final double[][] COS = new double[N][N];

  static {
    for (int u = 0; u < N; u++) {
      for (int x = 0; x < N; x++) {
        COS[u][x] = Math.cos((2 * x + 1) * u * Math.PI / (2 * N));
      }
    }
  }

  private PerceptualHash() {}

  /**
   * @param img image
   * @return its 64-bit hash
   */
  public static long hash(BufferedImage img) {
    float[] g = ImageOps.toGray(ImageOps.resize(img, N, N));
    double[] coef = new double[64];
    for (int u = 0; u < 8; u++) {
      for (int v = 0; v < 8; v++) {
        double s = 0;
        for (int y = 0; y < N; y++) {
          double row = 0;
          for (int x = 0; x < N; x++) {
            row += g[y * N + x] * COS[v][x];
          }
          s += row * COS[u][y];
        }
        coef[u * 8 + v] = s;
      }
    }
    double[] sorted = java.util.Arrays.copyOfRange(coef, 1, 64);
    java.util.Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    long h = 0;
    for (int i = 0; i < 64; i++) {
      if (coef[i] > median) {
        h |= 1L << i;
      }
    }
    return h;
  }

  /**
   * @param a hash
   * @param b hash
   * @return number of differing bits
   */
  public static int distance(long a, long b) {
    return Long.bitCount(a ^ b);
  }
}
