package io.sightline.core.instance;

/**
 * RootSIFT keypoints and descriptors of one image, as {@link RootSiftExtractor} computes them.
 * Coordinates are in pixels of the <em>working</em> image (the input scaled so its longer side
 * is at most the extractor's {@code maxSide}); {@link #width()} and {@link #height()} are that
 * working size. Plain Java data, no native memory.
 *
 * @param width working image width in pixels
 * @param height working image height in pixels
 * @param xs keypoint x coordinates
 * @param ys keypoint y coordinates
 * @param sizes keypoint diameters (SIFT scale), in working pixels
 * @param angles keypoint orientations in degrees [0, 360)
 * @param descriptors {@code count() * DIMENSION} RootSIFT values, row by row (each row has unit
 *     L2 norm)
 */
public record LocalFeatureSet(int width, int height, float[] xs, float[] ys, float[] sizes, float[] angles,
    float[] descriptors) {
  /** Length of one RootSIFT descriptor. */
  public static final int DIMENSION = 128;

  /** Checks that the arrays agree. */
  public LocalFeatureSet {
    if (xs == null || ys == null || sizes == null || angles == null || descriptors == null) {
      throw new IllegalArgumentException("keypoints and descriptors are required");
    }
    int n = xs.length;
    if (ys.length != n || sizes.length != n || angles.length != n || (long) n * DIMENSION != descriptors.length) {
      throw new IllegalArgumentException("inconsistent local features: " + n + " keypoints, "
          + descriptors.length + " descriptor values");
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
  }

  /** @return the number of keypoints */
  public int count() {
    return xs.length;
  }
}
