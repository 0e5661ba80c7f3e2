package io.sightline.crossmodal;

import java.util.List;

/**
 * The objects of one image with their visual features (pooled over each region by the embedder)
 * and normalised spatial coordinates {@code [x1/W, y1/H, x2/W, y2/H, area/(W*H)]}. Object 0 is
 * always the whole image. Immutable by convention: callers must not modify the arrays.
 *
 * @param objects the objects
 * @param visual one visual vector per object
 * @param spatial one 5-value spatial vector per object
 * @param width image width in pixels
 * @param height image height in pixels
 */
public record ImageFeatures(List<ImageObject> objects, float[][] visual, float[][] spatial,
    int width, int height) {
  /** Number of spatial values per object. */
  public static final int SPATIAL_DIM = 5;

  /** Copies the object list. */
  public ImageFeatures {
    objects = List.copyOf(objects);
    if (visual.length != objects.size() || spatial.length != objects.size()) {
      throw new IllegalArgumentException("one visual and one spatial vector per object expected");
    }
  }

  /** @return the whole-image visual vector (object 0) */
  public float[] global() {
    return visual[0];
  }

  /** @return number of objects */
  public int size() {
    return objects.size();
  }
}
