package io.sightline.core.rerank;

import java.io.Serializable;

/**
 * ORB keypoints and binary descriptors of one image, computed once by
 * {@link LocalFeatureReranker#computeFeatures} and reusable for every later query (keep them beside
 * the reference image's index entry). Plain Java data, serialisable, no native memory.
 *
 * @param width width of the image the features came from, in pixels
 * @param height height of that image
 * @param xs keypoint x coordinates, in pixels of the original image
 * @param ys keypoint y coordinates
 * @param descriptors {@code xs.length * descriptorBytes} bytes, row by row
 * @param descriptorBytes bytes per descriptor (32 for ORB)
 */
public record LocalFeatures(int width, int height, float[] xs, float[] ys, byte[] descriptors,
    int descriptorBytes) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks that the arrays agree. */
  public LocalFeatures {
    if (xs == null || ys == null || descriptors == null) {
      throw new IllegalArgumentException("keypoints and descriptors are required");
    }
    if (xs.length != ys.length || (long) xs.length * descriptorBytes != descriptors.length) {
      throw new IllegalArgumentException("inconsistent local features: " + xs.length + " x, " + ys.length
          + " y, " + descriptors.length + " descriptor bytes of " + descriptorBytes + " per keypoint");
    }
  }

  /** @return the number of keypoints */
  public int count() {
    return xs.length;
  }
}
