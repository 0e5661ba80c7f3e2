package io.sightline.posters;

/**
 * Boundary-connectivity prior (after Zhu et al., "Saliency optimization from robust background
 * detection", CVPR 2014): a region of the importance map that runs along the image border is more
 * likely background than a compact region inside the frame. The map is thresholded at
 * {@value #LEVEL} of its peak (on a half-size grid) and split into 8-connected regions; each region's connectivity is
 * {@code L / √A} (L: its pixels on the image border, A: its area) and its values are multiplied by
 * {@code exp(−strength · connectivity²)}. A region that does not touch the border is unchanged.
 */
final class BorderPrior {
  /** Threshold of the regions, as a fraction of the map's peak. */
  static final double LEVEL = 0.2;

  private BorderPrior() {}

  /**
   * Applies the prior in place.
   *
   * @param v map values, row-major
   * @param w width
   * @param h height
   * @param strength how strongly border-connected regions are damped; 0 leaves the map alone
   */
  static void apply(float[] v, int w, int h, double strength) {
    if (strength <= 0 || w < 3 || h < 3) {
      return;
    }
    float max = 0;
    for (float f : v) {
      max = Math.max(max, f);
    }
    if (max <= 0) {
      return;
    }
    float t = (float) (LEVEL * max);
    // regions are found on a half-size grid (each cell the max of its 2x2 pixels): 4x less work
    int gw = (w + 1) / 2;
    int gh = (h + 1) / 2;
    byte[] bin = new byte[gw * gh];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (v[y * w + x] >= t) {
          bin[(y / 2) * gw + x / 2] = (byte) 255;
        }
      }
    }
    CvImages.Labels regions = CvImages.labels(bin, gw, gh);
    int n = regions.count();
    if (n <= 1) {
      return;
    }
    int[] lab = regions.of();
    int[] area = new int[n];
    int[] border = new int[n];
    for (int y = 0; y < gh; y++) {
      for (int x = 0; x < gw; x++) {
        int l = lab[y * gw + x];
        area[l]++;
        if (x == 0 || y == 0 || x == gw - 1 || y == gh - 1) {
          border[l]++;
        }
      }
    }
    float[] factor = new float[n];
    for (int l = 1; l < n; l++) {
      double con = border[l] / Math.sqrt(Math.max(1, area[l]));
      factor[l] = (float) Math.exp(-strength * con * con);
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int l = lab[(y / 2) * gw + x / 2];
        if (l > 0) {
          v[y * w + x] *= factor[l];
        }
      }
    }
  }
}
