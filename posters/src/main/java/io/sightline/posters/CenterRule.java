package io.sightline.posters;

/** Which rule of the seed chose the crop centre; reported with every crop as evidence. */
public enum CenterRule {
  /** No target and no salient region: the image centre. */
  IMAGE_CENTER,
  /** No target detected: the centre of the salient region (seed (46), claim 2). */
  SALIENT_CENTER,
  /** One target: its centre, which lies outside the salient region (seed (41), claim 4). */
  TARGET_CENTER,
  /** Several targets: the centre of the largest merged dilated box, outside the salient region (claim 3). */
  MERGED_TARGETS_CENTER,
  /** The target centre lies inside the salient region: weighted sum of both centres (seed (45), claim 4). */
  WEIGHTED_TARGET_AND_SALIENT
}
