package io.sightline.posters;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns photos and video frames into posters for several platforms (seed US12394174B2):
 *
 * <ol>
 *   <li>detect target objects (faces by default, {@link CascadeFaceDetector}; YuNet with
 *       {@link YuNetFaceDetector}; any {@link ObjectDetector}) and the salient region
 *       ({@link OpenCvSaliency} by default, any {@link SaliencyDetector});</li>
 *   <li>verify face detections ({@link FaceVerifier}: eye or skin, and a score) and crop to each
 *       template's aspect: {@link CropSearch} scores every window on the {@link ImportanceMap},
 *       with the centre chosen by {@link CropPlanner} (claims 2–4) as its prior and the verified
 *       faces kept whole (or {@link CropPlanner} alone with {@code cropSearch(false)});</li>
 *   <li>score resolution and sharpness and drop crops below the thresholds (claim 7);</li>
 *   <li>draw the template's fixed layers in their boxes (claim 8) and place each floating layer
 *       where it least covers faces and the subject (claims 1, 9, 11) — never on a face, off the
 *       heads and subject (with margins) where possible, inside a safe area — then draw it;</li>
 *   <li>score expression (claim 10), attractiveness and feedback, drop below the thresholds and
 *       rank the rest.</li>
 * </ol>
 *
 * <pre>{@code
 * PosterComposer composer = PosterComposer.builder()
 *     .template(PosterTemplate.load(Path.of("story.json")))
 *     .template(PosterTemplate.load(Path.of("story.json")).withAspect(AspectRatio.LANDSCAPE_16_9))
 *     .build();
 * ComposeResult r = composer.compose(ImageLoader.defaults().load(photo), "photo-1", "https://example.com/v/1");
 * for (Poster p : r.kept()) PosterWriter.write(p, outDir, PosterWriter.Format.PNG);
 * }</pre>
 *
 * <p>Immutable and thread-safe after {@link Builder#build()} (the detectors given must be
 * thread-safe, as the SPIs require). Library code logs through slf4j and never prints.
 */
public final class PosterComposer implements AutoCloseable {
  /** Longer side of the reduced copy analysed by default (issue 13: ≤ 150 ms per 1080p photo). */
  public static final int DEFAULT_ANALYSIS_SIDE = 560;

  private final List<PosterTemplate> templates;
  private final CropPlanner planner;
  private final ImageAnalyzer analyzer;
  private final PosterMaker maker;
  private final PosterScoring scoring;
  private final ObjectDetector layerDetector;

  private PosterComposer(ComposerOptions o) {
    this.templates = List.copyOf(o.templates);
    this.planner = new CropPlanner(o.dilation, o.targetWeight, o.keepTargetsWhole);
    CropSearch search = o.cropSearch ? (o.search != null ? o.search : new CropSearch()) : null;
    this.layerDetector = o.layerDetector;
    this.analyzer = new ImageAnalyzer(
        o.targetDetector != null ? o.targetDetector : CascadeFaceDetector.frontalFace(),
        o.targetLabels == null ? null : Set.copyOf(o.targetLabels), o.minTargetScore,
        o.saliency != null ? o.saliency : OpenCvSaliency.spectralResidual(), o.saliencyThreshold,
        o.verifyFaces ? new FaceVerifier(o.minFaceScore, o.minSkin, o.minSkinOnlyScore) : null, search != null,
        o.fineGrainedImportance, o.importanceWeights, o.analysisSide, o.layerDetector);
    this.scoring = new PosterScoring(o.sharpnessHalfPoint, o.minResolution, o.minSharpness,
        o.noExpression ? null : o.expressionScorer != null ? o.expressionScorer : new CascadeExpressionScorer(),
        o.minExpression, o.attractivenessScorer, o.weights, o.minScore, o.ctrAtFull);
    LayerLayout layout = new LayerLayout(o.placement, o.avoidPlacedLayers, o.safeMargin, o.obstacleMargin,
        o.layerDetector != null);
    this.maker = new PosterMaker(planner, search, layout, scoring);
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the templates, one poster each per source image */
  public List<PosterTemplate> templates() {
    return templates;
  }

  /** @return the crop planner in use */
  public CropPlanner planner() {
    return planner;
  }

  /**
   * Detects targets and the salient region (seed step 101).
   *
   * @param image the source image
   * @return the detections
   */
  public ImageAnalysis analyze(BufferedImage image) {
    return analyzer.analyze(image);
  }

  /**
   * Makes one poster per template from a still image.
   *
   * @param image the source image
   * @param sourceId id reported with the posters (e.g. the file name)
   * @param link target link bound to the posters (seed (63)), or null
   * @return kept posters (best first) and dropped ones
   */
  public ComposeResult compose(BufferedImage image, String sourceId, String link) {
    return composeFrame(image, sourceId, link, Double.NaN);
  }

  private ComposeResult composeFrame(BufferedImage image, String sourceId, String link, double seconds) {
    Objects.requireNonNull(sourceId, "sourceId");
    BufferedImage rgb = ImageOps.toRgb(image);
    ImageAnalysis a = analyze(rgb);
    List<Poster> kept = new ArrayList<>();
    List<Poster> dropped = new ArrayList<>();
    for (PosterTemplate t : templates) {
      Poster p = maker.make(rgb, a, t, sourceId, link, seconds);
      (p.score().kept() ? kept : dropped).add(p);
    }
    kept.sort(Comparator.comparingDouble((Poster p) -> p.score().total()).reversed());
    return new ComposeResult(List.of(a), kept, dropped);
  }

  /**
   * Makes posters from video frames (seed (24), (65), FIG. 12): samples a frame every
   * {@code everySeconds}, makes one poster per template from each, and keeps, per template, the
   * {@code keepBest} best posters that pass the thresholds.
   *
   * @param video the video file
   * @param link target link bound to the posters, or null
   * @param everySeconds sampling period in seconds
   * @param maxFrames most frames to process
   * @param keepBest posters kept per template
   * @param progress receives "video" progress per frame
   * @param cancel checked before each frame
   * @return kept posters (best first) and the rest
   * @throws io.sightline.core.ImageDecodeException when the video cannot be read
   */
  public ComposeResult composeVideo(Path video, String link, double everySeconds, int maxFrames, int keepBest,
      ProgressListener progress, CancellationToken cancel) {
    return VideoPosters.compose(this::composeFrame, video, link, everySeconds, maxFrames, keepBest, progress,
        cancel);
  }

  /**
   * Re-scores a poster with user feedback (seed (66), (76)) and applies the score threshold again.
   *
   * @param poster a poster made by this composer
   * @param feedback click-through and retention rates
   * @return the poster with the new score
   */
  public Poster rescore(Poster poster, Feedback feedback) {
    return scoring.rescore(poster, feedback);
  }

  /** Closes the detectors this composer was given or created. */
  @Override
  public void close() {
    analyzer.targetDetector().close();
    if (layerDetector != null) {
      layerDetector.close();
    }
  }

  /** Fluent builder; only {@link #template} is required. Not thread-safe. */
  public static final class Builder {
    private final ComposerOptions o = new ComposerOptions();

    private Builder() {}

    /**
     * Adds a template (one poster per source image each); required at least once.
     *
     * @param template the template
     * @return this
     */
    public Builder template(PosterTemplate template) {
      o.templates.add(Objects.requireNonNull(template, "template"));
      return this;
    }

    /**
     * Adds the template once per application scenario / platform size (claim 5).
     *
     * @param template the template
     * @param scenarios the platforms
     * @return this
     */
    public Builder scenarios(PosterTemplate template, List<Scenario> scenarios) {
      for (Scenario s : scenarios) {
        template(template.forScenario(s));
      }
      return this;
    }

    /**
     * @param detector target detector (faces by default; any {@link ObjectDetector} for bodies, buildings...)
     * @return this
     */
    public Builder targetDetector(ObjectDetector detector) {
      o.targetDetector = detector;
      return this;
    }

    /**
     * @param labels keep only detections with these labels (null keeps all)
     * @return this
     */
    public Builder targetLabels(Set<String> labels) {
      o.targetLabels = labels == null ? null : new LinkedHashSet<>(labels);
      return this;
    }

    /**
     * @param score drop target detections scoring below this
     * @return this
     */
    public Builder minTargetScore(double score) {
      o.minTargetScore = score;
      return this;
    }

    /**
     * @param detector saliency detector (OpenCV spectral residual by default)
     * @return this
     */
    public Builder saliency(SaliencyDetector detector) {
      o.saliency = detector;
      return this;
    }

    /**
     * @param threshold saliency threshold in [0,1] for the salient region; NaN (default) uses Otsu
     * @return this
     */
    public Builder saliencyThreshold(double threshold) {
      o.saliencyThreshold = threshold;
      return this;
    }

    /**
     * @param factor dilation coefficient of target boxes before merging (default 1.5)
     * @return this
     */
    public Builder dilation(double factor) {
      o.dilation = factor;
      return this;
    }

    /**
     * @param weight weight of the target centre when it lies in the salient region (default 0.7)
     * @return this
     */
    public Builder targetWeight(double weight) {
      o.targetWeight = weight;
      return this;
    }

    /**
     * @param keep shift the crop window so that faces stay whole when they fit (default true);
     *     false applies the seed's centre rules only
     * @return this
     */
    public Builder keepTargetsWhole(boolean keep) {
      o.keepTargetsWhole = keep;
      return this;
    }

    /**
     * @param on search the crop window on the importance map ({@link CropSearch}, default true);
     *     false places the window by the seed's centre rules alone ({@link CropPlanner})
     * @return this
     */
    public Builder cropSearch(boolean on) {
      o.cropSearch = on;
      return this;
    }

    /**
     * @param s the crop search and its weights (turns the search on)
     * @return this
     */
    public Builder cropSearch(CropSearch s) {
      o.search = Objects.requireNonNull(s, "search");
      o.cropSearch = true;
      return this;
    }

    /**
     * @param on also fuse OpenCV's fine-grained saliency into the importance map (default false:
     *     no gain on the tune split, about 40% more time)
     * @return this
     */
    public Builder fineGrainedImportance(boolean on) {
      o.fineGrainedImportance = on;
      return this;
    }

    /**
     * @param weights weights of the importance map's components ({@link ImportanceMap.Weights#DEFAULT}
     *     by default: edge, saturation, skin, spectral residual, colour contrast, the surround
     *     colour and edge-density contrast and the border prior); {@link ImportanceMap.Weights#PLAIN}
     *     is the map without the surround and border terms, for subjects that run off the frame's
     *     edge
     * @return this
     */
    public Builder importanceWeights(ImportanceMap.Weights weights) {
      o.importanceWeights = Objects.requireNonNull(weights, "weights");
      return this;
    }

    /**
     * @param side longer side of the one reduced copy that the face cascade, the saliency and the
     *     importance map work on (default {@value PosterComposer#DEFAULT_ANALYSIS_SIDE}); 0 analyses
     *     the full image as before issue 13's speed step (the cascade then reduces on its own)
     * @return this
     */
    public Builder analysisSide(int side) {
      if (side != 0 && side < 64) {
        throw new IllegalArgumentException("analysisSide must be 0 or at least 64, got " + side);
      }
      o.analysisSide = side;
      return this;
    }

    /**
     * @param on verify "face" detections before they count ({@link FaceVerifier}, default true)
     * @return this
     */
    public Builder verifyFaces(boolean on) {
      o.verifyFaces = on;
      return this;
    }

    /**
     * @param minScore smallest detector score of a face (default 0.5)
     * @param minSkin skin share that verifies a face where no eye is found (default 0.3)
     * @return this
     */
    public Builder faceVerification(double minScore, double minSkin) {
      return faceVerification(minScore, minSkin, Math.max(minScore, FaceVerifier.DEFAULT_SKIN_ONLY_SCORE));
    }

    /**
     * @param minScore smallest detector score of a face (default 0.5)
     * @param minSkin skin share that verifies a face where no eye is found (default 0.3)
     * @param minSkinOnlyScore detector score from which skin alone verifies a face (default 0.6;
     *     {@code minScore} accepts any detection with enough skin, as before 2026-12-03)
     * @return this
     */
    public Builder faceVerification(double minScore, double minSkin, double minSkinOnlyScore) {
      o.minFaceScore = minScore;
      o.minSkin = minSkin;
      o.minSkinOnlyScore = minSkinOnlyScore;
      o.verifyFaces = true;
      return this;
    }

    /**
     * @param fraction floating layers keep this share of the canvas's shorter side away from the
     *     canvas edges (default 0.04; 0 turns the safe area off)
     * @return this
     */
    public Builder safeMargin(double fraction) {
      o.safeMargin = fraction;
      return this;
    }

    /**
     * @param fraction margin around face (head) and subject obstacles, as a share of the canvas's
     *     shorter side (default 0.02)
     * @return this
     */
    public Builder obstacleMargin(double fraction) {
      o.obstacleMargin = fraction;
      return this;
    }

    /**
     * @param strategy how floating layers are placed (default {@link PlacementStrategy#AVOID_SUBJECTS})
     * @return this
     */
    public Builder placement(PlacementStrategy strategy) {
      o.placement = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /**
     * @param avoid whether floating layers also avoid layers placed before them (default true)
     * @return this
     */
    public Builder avoidPlacedLayers(boolean avoid) {
      o.avoidPlacedLayers = avoid;
      return this;
    }

    /**
     * @param halfPoint Laplacian variance that normalises to sharpness 0.5 (default 100)
     * @return this
     */
    public Builder sharpnessHalfPoint(double halfPoint) {
      o.sharpnessHalfPoint = halfPoint;
      return this;
    }

    /**
     * @param min crops with fewer source pixels per poster pixel are dropped (default 0.25)
     * @return this
     */
    public Builder minResolution(double min) {
      o.minResolution = min;
      return this;
    }

    /**
     * @param min crops with lower normalised sharpness are dropped before layers (default 0.1)
     * @return this
     */
    public Builder minSharpness(double min) {
      o.minSharpness = min;
      return this;
    }

    /**
     * @param scorer expression scorer of face crops (default {@link CascadeExpressionScorer})
     * @return this
     */
    public Builder expressionScorer(ImageScorer scorer) {
      o.expressionScorer = Objects.requireNonNull(scorer, "scorer");
      o.noExpression = false;
      return this;
    }

    /** @return this, with expression scoring switched off */
    public Builder noExpressionScorer() {
      o.noExpression = true;
      o.expressionScorer = null;
      return this;
    }

    /**
     * @param min posters with faces whose mean expression score is below this are dropped (default 0)
     * @return this
     */
    public Builder minExpression(double min) {
      o.minExpression = min;
      return this;
    }

    /**
     * @param scorer attractiveness model of whole posters (none by default)
     * @return this
     */
    public Builder attractivenessScorer(ImageScorer scorer) {
      o.attractivenessScorer = scorer;
      return this;
    }

    /**
     * @param weights score weights
     * @return this
     */
    public Builder weights(ScoreWeights weights) {
      o.weights = Objects.requireNonNull(weights, "weights");
      return this;
    }

    /**
     * @param min posters with a lower total score are dropped (default 0)
     * @return this
     */
    public Builder minScore(double min) {
      o.minScore = min;
      return this;
    }

    /**
     * @param detector finds layer content in the source image for {@code "extract"} layers (claim 6)
     * @return this
     */
    public Builder layerDetector(ObjectDetector detector) {
      o.layerDetector = detector;
      return this;
    }

    /**
     * @param ctr click-through rate that gives feedback score 1 (default 0.1)
     * @return this
     */
    public Builder clickThroughAtFull(double ctr) {
      o.ctrAtFull = ctr;
      return this;
    }

    /**
     * @return the composer
     * @throws IllegalStateException when no template was given or a parameter is out of range
     */
    public PosterComposer build() {
      return new PosterComposer(o.validated());
    }
  }
}
