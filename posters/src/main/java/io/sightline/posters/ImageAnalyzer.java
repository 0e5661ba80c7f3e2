package io.sightline.posters;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composer's first job (seed step 101): finds the targets (faces or any detector's objects),
 * verifies faces, computes the saliency map, its salient region and the importance map, all on one
 * reduced copy of the photo, and maps the results back to the photo's pixels. Immutable and
 * thread-safe when its detectors are.
 */
final class ImageAnalyzer {
  private static final Logger LOG = LoggerFactory.getLogger(ImageAnalyzer.class);

  private final ObjectDetector targetDetector;
  private final Set<String> targetLabels;
  private final double minTargetScore;
  private final SaliencyDetector saliency;
  private final double saliencyThreshold;
  private final FaceVerifier verifier;
  private final boolean importanceMap;
  private final boolean fineGrainedImportance;
  private final ImportanceMap.Weights importanceWeights;
  private final int analysisSide;
  private final ObjectDetector layerDetector;

  /**
   * @param targetDetector finds targets
   * @param targetLabels labels kept, or null for all
   * @param minTargetScore smallest target score kept
   * @param saliency the saliency detector
   * @param saliencyThreshold threshold of the salient region, NaN for Otsu
   * @param verifier face verifier, or null to trust every face hit
   * @param importanceMap whether to compute the importance map (the crop search needs it)
   * @param fineGrainedImportance fuse fine-grained saliency into the importance map
   * @param importanceWeights weights of the importance map's components
   * @param analysisSide longer side of the reduced copy, 0 for the full image
   * @param layerDetector finds "extract" layer content, or null
   */
  ImageAnalyzer(ObjectDetector targetDetector, Set<String> targetLabels, double minTargetScore,
      SaliencyDetector saliency, double saliencyThreshold, FaceVerifier verifier, boolean importanceMap,
      boolean fineGrainedImportance, ImportanceMap.Weights importanceWeights, int analysisSide,
      ObjectDetector layerDetector) {
    this.targetDetector = Objects.requireNonNull(targetDetector, "targetDetector");
    this.targetLabels = targetLabels;
    this.minTargetScore = minTargetScore;
    this.saliency = Objects.requireNonNull(saliency, "saliency");
    this.saliencyThreshold = saliencyThreshold;
    this.verifier = verifier;
    this.importanceMap = importanceMap;
    this.fineGrainedImportance = fineGrainedImportance;
    this.importanceWeights = Objects.requireNonNull(importanceWeights, "importanceWeights");
    this.analysisSide = analysisSide;
    this.layerDetector = layerDetector;
  }

  ObjectDetector targetDetector() {
    return targetDetector;
  }

  /** Detects targets and the salient region; see {@link PosterComposer#analyze(BufferedImage)}. */
  ImageAnalysis analyze(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    BufferedImage rgb = ImageOps.toRgb(image);
    long t0 = System.nanoTime();
    // one reduced copy serves the face cascade, the saliency and the importance map (issue 13: speed)
    BufferedImage work = analysisSide > 0 ? CvImages.reduced(rgb, analysisSide) : rgb;
    List<Detection> targets = new ArrayList<>();
    List<Detection> rejected = new ArrayList<>();
    for (Detection d : detectTargets(rgb, work)) {
      if (d.score() >= minTargetScore && (targetLabels == null || targetLabels.contains(d.label()))
          && !d.box().clamp(rgb.getWidth(), rgb.getHeight()).isEmpty()) {
        if (verifier != null && "face".equals(d.label()) && !verifier.verify(rgb, d)) {
          rejected.add(d);
        } else {
          targets.add(d);
        }
      }
    }
    if (!rejected.isEmpty()) {
      LOG.debug("{} face detection(s) failed verification (no eye, little skin or low score): {}", rejected.size(),
          rejected);
    }
    long t1 = System.nanoTime();
    SaliencyMap map = saliency.compute(work);
    Box salient = map.salientRegion(saliencyThreshold, rgb.getWidth(), rgb.getHeight());
    ImportanceMap importance = null;
    if (importanceMap) {
      ImportanceMap m = ImportanceMap.compute(work, map, fineGrainedImportance, importanceWeights);
      importance = new ImportanceMap(m.width(), m.height(), rgb.getWidth(), rgb.getHeight(), m.raw());
    }
    long t2 = System.nanoTime();
    List<Detection> layerDets = layerDetector == null ? List.of() : layerDetector.detect(rgb);
    return new ImageAnalysis(rgb.getWidth(), rgb.getHeight(), targets, salient, map.mean(), layerDets,
        targetDetector.id(), saliency.id(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, rejected, importance);
  }

  /**
   * Runs the target detector; a cascade whose own working size is no larger than the analysis side
   * runs on the reduced copy (the boxes are mapped back), any other detector on the full image.
   */
  private List<Detection> detectTargets(BufferedImage rgb, BufferedImage work) {
    if (work == rgb || !(targetDetector instanceof CascadeFaceDetector c) || c.maxSide() > analysisSide) {
      return targetDetector.detect(rgb);
    }
    double sx = rgb.getWidth() / (double) work.getWidth();
    double sy = rgb.getHeight() / (double) work.getHeight();
    List<Detection> out = new ArrayList<>();
    for (Detection d : c.detect(work)) {
      Box b = d.box();
      out.add(new Detection(new Box(b.x() * sx, b.y() * sy, b.w() * sx, b.h() * sy)
          .clamp(rgb.getWidth(), rgb.getHeight()), d.label(), d.score()));
    }
    return out;
  }
}
