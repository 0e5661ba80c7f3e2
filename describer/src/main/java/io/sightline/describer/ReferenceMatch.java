package io.sightline.describer;

import io.sightline.core.instance.Matcher;
/**
 * A reference whose image matches the target image (seed [0024]), with the evidence of the match.
 *
 * @param reference the page of the reference
 * @param imageKey content hash of its image
 * @param similarity similarity of its image to the target as the store's {@link Matcher} fuses
 *     it: the cosine of the image vectors ({@link Matcher#GLOBAL}, and references found only by the
 *     global index under {@link Matcher#HYBRID}), the calibrated instance score ({@link Matcher#LOCAL}),
 *     or max(cosine, instance score) for references the instance index verified under HYBRID. The
 *     feature parameters "entity ↔ target" and "page ↔ target" are computed from it.
 * @param rank 1-based rank of its image among the matches (instance-verified images first)
 * @param instanceScore calibrated probability (0..1) from the instance index that the image shows
 *     the same object as the target; 0 when the instance index did not score it (global matching)
 * @param inliers geometrically verified correspondences behind {@code instanceScore}; 0 when the
 *     instance index did not score it
 * @param verified whether the instance index verified the match ({@code instanceScore} at or
 *     above its threshold)
 */
public record ReferenceMatch(Reference reference, String imageKey, double similarity, int rank,
    double instanceScore, int inliers, boolean verified) {

  /**
   * A match found by the global index only (no instance evidence).
   *
   * @param reference the page of the reference
   * @param imageKey content hash of its image
   * @param similarity cosine of the image vectors
   * @param rank 1-based rank of its image
   */
  public ReferenceMatch(Reference reference, String imageKey, double similarity, int rank) {
    this(reference, imageKey, similarity, rank, 0, 0, false);
  }

  /** @return the reference id */
  public String id() {
    return reference.id();
  }
}
