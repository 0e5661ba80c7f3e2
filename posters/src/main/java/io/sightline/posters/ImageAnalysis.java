package io.sightline.posters;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.util.List;

/**
 * Detection results for one source image (seed step 101): target objects and the salient region.
 *
 * @param width image width
 * @param height image height
 * @param targets target detections (faces by default) kept after the label and score filters
 * @param salient the salient region, or null when the map has none
 * @param saliencyMean mean of the saliency map
 * @param layerDetections detections of the layer detector (claim 6), empty without one
 * @param detectorId id of the target detector
 * @param saliencyId id of the saliency detector
 * @param detectMillis time spent detecting targets
 * @param saliencyMillis time spent on saliency
 * @param rejectedTargets face detections that failed verification ({@link FaceVerifier}); they do
 *     not steer the crop nor count as faces for the layers
 * @param importance importance map for the crop search, or null when the search is off
 */
public record ImageAnalysis(int width, int height, List<Detection> targets, Box salient, double saliencyMean,
    List<Detection> layerDetections, String detectorId, String saliencyId, double detectMillis,
    double saliencyMillis, List<Detection> rejectedTargets, ImportanceMap importance) {
  /** Copies lists. */
  public ImageAnalysis {
    targets = List.copyOf(targets);
    layerDetections = List.copyOf(layerDetections);
    rejectedTargets = List.copyOf(rejectedTargets);
  }

  /** An analysis without verification evidence nor importance map. */
  public ImageAnalysis(int width, int height, List<Detection> targets, Box salient, double saliencyMean,
      List<Detection> layerDetections, String detectorId, String saliencyId, double detectMillis,
      double saliencyMillis) {
    this(width, height, targets, salient, saliencyMean, layerDetections, detectorId, saliencyId, detectMillis,
        saliencyMillis, List.of(), null);
  }
}
