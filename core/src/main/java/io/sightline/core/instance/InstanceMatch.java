package io.sightline.core.instance;

import java.util.Arrays;

/**
 * One stored image that may show the same object as the query, with the evidence for it.
 *
 * @param id the stored image's id
 * @param score calibrated score in [0, 1]: the estimated probability that the stored image shows
 *     the same object, from the verified inlier count; {@link #verified()} is {@code score >=} the
 *     matcher's threshold
 * @param verified whether the geometric evidence passes the matcher's threshold
 * @param inliers distinct correspondences consistent with one affine transform
 * @param correspondences tentative correspondences (shared visual word, close signature) checked
 * @param shortlistScore the inverted-file similarity that put the image on the shortlist
 * @param transform affine {@code [a, b, tx, c, d, ty]} mapping query pixels (working scale of the
 *     extractor) to stored-image pixels; null when nothing was fitted
 * @param scale stored size / query size of the object (square root of the transform's determinant)
 * @param rotation rotation of the object between query and stored image, degrees
 * @param queryRegion where the object lies in the query, {@code [x, y, w, h]} as fractions of the
 *     query image (the box of the verified points); null when not verified
 */
public record InstanceMatch(String id, double score, boolean verified, int inliers, int correspondences,
    double shortlistScore, double[] transform, double scale, double rotation, double[] queryRegion) {

  /** Copies the arrays. */
  public InstanceMatch {
    transform = transform == null ? null : transform.clone();
    queryRegion = queryRegion == null ? null : queryRegion.clone();
  }

  @Override
  public double[] transform() {
    return transform == null ? null : transform.clone();
  }

  @Override
  public double[] queryRegion() {
    return queryRegion == null ? null : queryRegion.clone();
  }

  @Override
  public String toString() {
    return "InstanceMatch[" + id + ", score=" + String.format("%.3f", score) + ", verified=" + verified
        + ", inliers=" + inliers + "/" + correspondences + ", scale=" + String.format("%.2f", scale)
        + ", rotation=" + String.format("%.1f", rotation) + ", region=" + Arrays.toString(queryRegion) + "]";
  }
}
