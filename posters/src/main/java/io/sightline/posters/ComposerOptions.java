package io.sightline.posters;

import io.sightline.core.detect.ObjectDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a {@link PosterComposer.Builder} collects, with the defaults, and the checks its
 * {@link PosterComposer.Builder#build() build()} runs before the composer is made. Not thread-safe,
 * like the builder that owns it; the composer reads it once, in its constructor.
 */
final class ComposerOptions {
  final List<PosterTemplate> templates = new ArrayList<>();
  ObjectDetector targetDetector;
  Set<String> targetLabels;
  double minTargetScore;
  SaliencyDetector saliency;
  double saliencyThreshold = Double.NaN;
  double dilation = 1.5;
  double targetWeight = 0.7;
  boolean keepTargetsWhole = true;
  PlacementStrategy placement = PlacementStrategy.AVOID_SUBJECTS;
  boolean avoidPlacedLayers = true;
  double sharpnessHalfPoint = Sharpness.DEFAULT_HALF_POINT;
  double minResolution = 0.25;
  double minSharpness = 0.1;
  ImageScorer expressionScorer;
  boolean noExpression;
  double minExpression;
  ImageScorer attractivenessScorer;
  ScoreWeights weights = ScoreWeights.DEFAULT;
  double minScore;
  ObjectDetector layerDetector;
  double ctrAtFull = 0.1;
  boolean cropSearch = true;
  CropSearch search;
  boolean verifyFaces = true;
  double minFaceScore = 0.5;
  double minSkin = 0.3;
  double minSkinOnlyScore = FaceVerifier.DEFAULT_SKIN_ONLY_SCORE;
  boolean fineGrainedImportance;
  ImportanceMap.Weights importanceWeights = ImportanceMap.Weights.DEFAULT;
  int analysisSide = PosterComposer.DEFAULT_ANALYSIS_SIDE;
  double safeMargin = 0.04;
  double obstacleMargin = 0.02;

  /**
   * @return these options, checked
   * @throws IllegalStateException as documented on {@link PosterComposer.Builder#build()}
   */
  ComposerOptions validated() {
    if (templates.isEmpty()) {
      throw new IllegalStateException("PosterComposer needs at least one template: call template(...) or scenarios(...)");
    }
    if (!(Double.isNaN(saliencyThreshold) || (saliencyThreshold >= 0 && saliencyThreshold <= 1))) {
      throw new IllegalStateException("saliencyThreshold must be in [0,1] or NaN (Otsu), got " + saliencyThreshold);
    }
    if (!(dilation >= 1) || !(targetWeight >= 0 && targetWeight <= 1)) {
      throw new IllegalStateException("dilation must be >= 1 and targetWeight in [0,1]");
    }
    if (!(sharpnessHalfPoint > 0) || !(ctrAtFull > 0 && ctrAtFull <= 1)) {
      throw new IllegalStateException("sharpnessHalfPoint must be positive and clickThroughAtFull in (0,1]");
    }
    if (!(safeMargin >= 0 && safeMargin < 0.5) || !(obstacleMargin >= 0 && obstacleMargin < 0.5)) {
      throw new IllegalStateException("safeMargin and obstacleMargin must be in [0,0.5)");
    }
    if (!(minFaceScore >= 0 && minFaceScore <= 1) || !(minSkin >= 0 && minSkin <= 1)
        || !(minSkinOnlyScore >= 0 && minSkinOnlyScore <= 1)) {
      throw new IllegalStateException("face verification minScore, minSkin and minSkinOnlyScore must be in [0,1]");
    }
    for (double v : new double[] {minResolution, minSharpness, minExpression, minScore}) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalStateException("thresholds (minResolution, minSharpness, minExpression, minScore) "
            + "must be in [0,1], got " + v);
      }
    }
    return this;
  }
}
