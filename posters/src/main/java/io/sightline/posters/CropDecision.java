package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.util.List;
import java.util.Objects;

/**
 * Where and why an image was cropped: the evidence behind one crop.
 *
 * @param crop the crop window in pixels of the source image (the whole image when not cropped)
 * @param centerX chosen crop centre x (before clamping the window into the image)
 * @param centerY chosen crop centre y
 * @param rule which rule chose the centre
 * @param targets the target (face) boxes used
 * @param mergedTargets the dilated-and-merged target boxes (several-target rule), else empty
 * @param targetCenterBox the box whose centre gave the first cropping centre, or null
 * @param salient the salient region, or null
 * @param cropped false when the source already had the target aspect (seed (39))
 * @param shiftedToKeepTargets true when the window was moved off the chosen centre so that the
 *     targets stay whole (see {@link CropPlanner#keepTargetsWhole()}); for a searched crop, true
 *     when faces were present and the window differs from the seed rules' window
 * @param searchScore score of the window chosen by {@link CropSearch} (the seed's centre is then
 *     the search's prior and the rule its evidence), NaN when the seed rules alone placed the window
 */
public record CropDecision(Box crop, double centerX, double centerY, CenterRule rule, List<Box> targets,
    List<Box> mergedTargets, Box targetCenterBox, Box salient, boolean cropped, boolean shiftedToKeepTargets,
    double searchScore) {
  /** Copies lists. */
  public CropDecision {
    Objects.requireNonNull(crop, "crop");
    Objects.requireNonNull(rule, "rule");
    targets = List.copyOf(targets);
    mergedTargets = List.copyOf(mergedTargets);
  }

  /** A decision of the seed rules alone (no search). */
  public CropDecision(Box crop, double centerX, double centerY, CenterRule rule, List<Box> targets,
      List<Box> mergedTargets, Box targetCenterBox, Box salient, boolean cropped, boolean shiftedToKeepTargets) {
    this(crop, centerX, centerY, rule, targets, mergedTargets, targetCenterBox, salient, cropped,
        shiftedToKeepTargets, Double.NaN);
  }

  /** @return whether {@link CropSearch} chose the window */
  public boolean searched() {
    return !Double.isNaN(searchScore);
  }
}
