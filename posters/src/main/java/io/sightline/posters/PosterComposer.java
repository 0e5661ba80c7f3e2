package io.sightline.posters;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(PosterComposer.class);
  /** Longer side of the reduced copy analysed by default (issue 13: ≤ 150 ms per 1080p photo). */
  public static final int DEFAULT_ANALYSIS_SIDE = 560;

  private final List<PosterTemplate> templates;
  private final ObjectDetector targetDetector;
  private final Set<String> targetLabels;
  private final double minTargetScore;
  private final SaliencyDetector saliency;
  private final double saliencyThreshold;
  private final CropPlanner planner;
  private final PlacementStrategy placement;
  private final boolean avoidPlacedLayers;
  private final double sharpnessHalfPoint;
  private final double minResolution;
  private final double minSharpness;
  private final ImageScorer expressionScorer;
  private final double minExpression;
  private final ImageScorer attractivenessScorer;
  private final ScoreWeights weights;
  private final double minScore;
  private final ObjectDetector layerDetector;
  private final double ctrAtFull;
  private final CropSearch search;
  private final FaceVerifier verifier;
  private final boolean fineGrainedImportance;
  private final int analysisSide;
  private final double safeMargin;
  private final double obstacleMargin;

  private PosterComposer(Builder b) {
    this.templates = List.copyOf(b.templates);
    this.targetDetector = b.targetDetector != null ? b.targetDetector : CascadeFaceDetector.frontalFace();
    this.targetLabels = b.targetLabels == null ? null : Set.copyOf(b.targetLabels);
    this.minTargetScore = b.minTargetScore;
    this.saliency = b.saliency != null ? b.saliency : OpenCvSaliency.spectralResidual();
    this.saliencyThreshold = b.saliencyThreshold;
    this.planner = new CropPlanner(b.dilation, b.targetWeight, b.keepTargetsWhole);
    this.placement = b.placement;
    this.avoidPlacedLayers = b.avoidPlacedLayers;
    this.sharpnessHalfPoint = b.sharpnessHalfPoint;
    this.minResolution = b.minResolution;
    this.minSharpness = b.minSharpness;
    this.expressionScorer = b.noExpression ? null
        : b.expressionScorer != null ? b.expressionScorer : new CascadeExpressionScorer();
    this.minExpression = b.minExpression;
    this.attractivenessScorer = b.attractivenessScorer;
    this.weights = b.weights;
    this.minScore = b.minScore;
    this.layerDetector = b.layerDetector;
    this.ctrAtFull = b.ctrAtFull;
    this.search = b.cropSearch ? (b.search != null ? b.search : new CropSearch()) : null;
    this.verifier = b.verifyFaces ? new FaceVerifier(b.minFaceScore, b.minSkin) : null;
    this.fineGrainedImportance = b.fineGrainedImportance;
    this.analysisSide = b.analysisSide;
    this.safeMargin = b.safeMargin;
    this.obstacleMargin = b.obstacleMargin;
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
    if (search != null) {
      ImportanceMap m = ImportanceMap.compute(work, map, fineGrainedImportance);
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
      Poster p = make(rgb, a, t, sourceId, link, seconds);
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
    if (keepBest < 1) {
      throw new IllegalArgumentException("keepBest must be at least 1");
    }
    String id = video.getFileName().toString();
    List<ImageAnalysis> analyses = new ArrayList<>();
    List<Poster> kept = new ArrayList<>();
    List<Poster> dropped = new ArrayList<>();
    VideoFrames.Info info = VideoFrames.probe(video);
    long step = Math.max(1, Math.round(everySeconds * info.fps()));
    long total = info.frameCount() < 0 ? -1 : Math.min(maxFrames, (info.frameCount() + step - 1) / step);
    int[] n = {0};
    VideoFrames.sample(video, everySeconds, maxFrames, cancel, f -> {
      ComposeResult r = composeFrame(f.image(), id, link, f.seconds());
      analyses.addAll(r.analyses());
      kept.addAll(r.kept());
      dropped.addAll(r.dropped());
      progress.onProgress("video", ++n[0], total, String.format(java.util.Locale.ROOT, "t=%.1fs", f.seconds()));
    });
    kept.sort(Comparator.comparingDouble((Poster p) -> p.score().total()).reversed());
    Map<String, Integer> perTemplate = new HashMap<>();
    List<Poster> best = new ArrayList<>();
    for (Poster p : kept) {
      int c = perTemplate.merge(p.template(), 1, Integer::sum);
      if (c <= keepBest) {
        best.add(p);
      } else {
        dropped.add(p.withScore(drop(p.score(), "not among the " + keepBest + " best posters for template "
            + p.template())));
      }
    }
    return new ComposeResult(analyses, best, dropped);
  }

  /**
   * Re-scores a poster with user feedback (seed (66), (76)) and applies the score threshold again.
   *
   * @param poster a poster made by this composer
   * @param feedback click-through and retention rates
   * @return the poster with the new score
   */
  public Poster rescore(Poster poster, Feedback feedback) {
    PosterScore s = poster.score();
    double fb = feedback.score(ctrAtFull);
    double total = PosterScore.weighted(weights, s.resolution(), s.sharpness(), s.expression(), s.attractiveness(), fb);
    boolean wasDroppedOtherwise = !s.kept() && !s.reason().startsWith("score ");
    boolean ok = !wasDroppedOtherwise && total >= minScore;
    String reason = wasDroppedOtherwise ? s.reason() : ok ? "" : scoreReason(total);
    return poster.withScore(new PosterScore(s.resolution(), s.sharpness(), s.laplacianVariance(), s.expression(),
        s.attractiveness(), fb, total, ok, reason));
  }

  private String scoreReason(double total) {
    return String.format(java.util.Locale.ROOT, "score %.3f is below the threshold %.3f", total, minScore);
  }

  private static PosterScore drop(PosterScore s, String reason) {
    return new PosterScore(s.resolution(), s.sharpness(), s.laplacianVariance(), s.expression(), s.attractiveness(),
        s.feedback(), s.total(), false, reason);
  }

  private Poster make(BufferedImage src, ImageAnalysis a, PosterTemplate t, String sourceId, String link,
      double seconds) {
    List<Box> targetBoxes = a.targets().stream().map(Detection::box).toList();
    CropDecision crop = search != null && a.importance() != null
        ? search.search(src.getWidth(), src.getHeight(), t.aspect(), a.importance(), targetBoxes, a.salient(), planner)
        : planner.plan(src.getWidth(), src.getHeight(), t.aspect(), targetBoxes, a.salient());
    Box c = crop.crop();
    BufferedImage cropped = ImageOps.crop(src, (int) c.x(), (int) c.y(), (int) c.w(), (int) c.h());
    double sx = t.width() / c.w();
    double sy = t.height() / c.h();
    List<Box> targetsOnPoster = new ArrayList<>();
    for (Box b : crop.targets()) {
      Box m = toPoster(b, c, sx, sy, t);
      if (!m.isEmpty()) {
        targetsOnPoster.add(m);
      }
    }
    Box salientOnPoster = crop.salient() == null ? null : toPoster(crop.salient(), c, sx, sy, t);
    if (salientOnPoster != null && salientOnPoster.isEmpty()) {
      salientOnPoster = null;
    }
    double resolution = Math.min(1.0, c.w() / t.width());
    double lapVar = Sharpness.laplacianVariance(ImageOps.fitWithin(cropped, 512));
    double sharp = Sharpness.normalise(lapVar, sharpnessHalfPoint);
    if (resolution < minResolution || sharp < minSharpness) {
      String reason = resolution < minResolution
          ? String.format(java.util.Locale.ROOT, "resolution %.3f is below the threshold %.3f (crop %dx%d for a "
              + "%dx%d poster)", resolution, minResolution, (int) c.w(), (int) c.h(), t.width(), t.height())
          : String.format(java.util.Locale.ROOT, "sharpness %.3f is below the threshold %.3f", sharp, minSharpness);
      double total = PosterScore.weighted(weights, resolution, sharp, Double.NaN, Double.NaN, Double.NaN);
      return new Poster(sourceId, t.name(), t.width(), t.height(), null, crop, targetsOnPoster, salientOnPoster,
          List.of(), new PosterScore(resolution, sharp, lapVar, Double.NaN, Double.NaN, Double.NaN, total, false,
              reason), link, seconds);
    }
    BufferedImage poster = ImageOps.resize(cropped, t.width(), t.height());
    // faces (plus a margin) are hard obstacles: a floating layer never covers one; the whole head
    // (hair, chin) and the subject, each plus a margin, are avoided whenever a place allows
    double margin = obstacleMargin * Math.min(t.width(), t.height());
    List<Box> faceObstacles = new ArrayList<>();
    List<Box> obstacles = new ArrayList<>();
    for (Box b : crop.targets()) {
      Box f = toPoster(b, c, sx, sy, t);
      if (!f.isEmpty()) {
        faceObstacles.add(grow(f, margin).clamp(t.width(), t.height()));
      }
      Box m = toPoster(CropSearch.head(b), c, sx, sy, t);
      if (!m.isEmpty()) {
        obstacles.add(grow(m, margin).clamp(t.width(), t.height()));
      }
    }
    if (salientOnPoster != null) {
      obstacles.add(grow(salientOnPoster, margin).clamp(t.width(), t.height()));
    }
    LayerPlacer placer = new LayerPlacer(poster, faceObstacles, obstacles);
    List<PlacedLayer> placed = new ArrayList<>();
    // decide every place on the clean crop first, then draw, so layers never influence variance
    List<Runnable> draws = new ArrayList<>();
    for (FixedLayer f : t.fixed()) {
      Box box = f.box().scale(t.width(), t.height());
      BufferedImage ext = extracted(src, a, f.content());
      if (f.content() instanceof LayerContent.Extracted && ext == null) {
        placed.add(new PlacedLayer(f.name(), "fixed", f.content().kind(), null, box, 0, 0, 0));
        continue;
      }
      placed.add(new PlacedLayer(f.name(), "fixed", f.content().kind(), box, box, placer.overlap(box),
          placer.variance(box), 1));
      draws.add(() -> LayerRenderer.draw(poster, f.content(), box, ext));
    }
    if (avoidPlacedLayers) {
      for (PlacedLayer p : placed) {
        if (p.box() != null) {
          placer.addObstacle(p.box());
        }
      }
    }
    for (FloatingLayer f : t.floating()) {
      Box region = f.region().scale(t.width(), t.height());
      BufferedImage ext = extracted(src, a, f.content());
      if (f.content() instanceof LayerContent.Extracted && ext == null) {
        placed.add(new PlacedLayer(f.name(), "floating", f.content().kind(), null, region, 0, 0, 0));
        continue;
      }
      double lw = Math.max(1, Math.round(f.width() * t.width()));
      double lh = Math.max(1, Math.round(f.height() * t.height()));
      Box safe = safeRegion(region, t, lw, lh);
      LayerPlacer.Placement pl = placer.place(safe, Math.min(lw, safe.w()), Math.min(lh, safe.h()), placement);
      if (placement == PlacementStrategy.AVOID_SUBJECTS && pl.faceOverlap() > 0) {
        LOG.info("floating layer '{}' of {} fits nowhere in its region without covering a face; left out",
            f.name(), t.name());
        placed.add(new PlacedLayer(f.name(), "floating", f.content().kind(), null, region, pl.overlap(),
            pl.variance(), pl.candidates()));
        continue;
      }
      placed.add(new PlacedLayer(f.name(), "floating", f.content().kind(), pl.box(), region, pl.overlap(),
          pl.variance(), pl.candidates()));
      if (avoidPlacedLayers) {
        placer.addObstacle(pl.box());
      }
      draws.add(() -> LayerRenderer.draw(poster, f.content(), pl.box(), ext));
    }
    draws.forEach(Runnable::run);

    double expression = Double.NaN;
    if (expressionScorer != null) {
      double s = 0;
      int n = 0;
      for (Detection d : a.targets()) {
        if (!"face".equals(d.label())) {
          continue;
        }
        Box in = d.box().intersection(c);
        if (in.area() < 0.5 * d.box().area() || in.w() < 8 || in.h() < 8) {
          continue;
        }
        s += expressionScorer.score(ImageOps.crop(src, (int) in.x(), (int) in.y(), (int) Math.ceil(in.w()),
            (int) Math.ceil(in.h())));
        n++;
      }
      expression = n == 0 ? Double.NaN : s / n;
    }
    double attract = attractivenessScorer == null ? Double.NaN : attractivenessScorer.score(poster);
    double total = PosterScore.weighted(weights, resolution, sharp, expression, attract, Double.NaN);
    String reason = "";
    if (!Double.isNaN(expression) && expression < minExpression) {
      reason = String.format(java.util.Locale.ROOT, "expression %.3f is below the threshold %.3f", expression,
          minExpression);
    } else if (total < minScore) {
      reason = scoreReason(total);
    }
    PosterScore score = new PosterScore(resolution, sharp, lapVar, expression, attract, Double.NaN, total,
        reason.isEmpty(), reason);
    LOG.debug("poster {} / {}: crop {} rule {} score {}", sourceId, t.name(), c, crop.rule(), total);
    return new Poster(sourceId, t.name(), t.width(), t.height(), poster, crop, targetsOnPoster, salientOnPoster,
        placed, score, link, seconds);
  }

  private BufferedImage extracted(BufferedImage src, ImageAnalysis a, LayerContent content) {
    if (!(content instanceof LayerContent.Extracted e)) {
      return null;
    }
    if (layerDetector == null) {
      throw new PosterException("a template layer extracts '" + e.label()
          + "' from the image, but the composer has no layerDetector; set one with Builder.layerDetector(...)");
    }
    for (Detection d : a.layerDetections()) {
      if (d.label().equals(e.label())) {
        Box b = d.box().clamp(src.getWidth(), src.getHeight());
        if (b.w() >= 1 && b.h() >= 1) {
          return ImageOps.crop(src, (int) b.x(), (int) b.y(), (int) Math.ceil(b.w()), (int) Math.ceil(b.h()));
        }
      }
    }
    LOG.info("layer '{}' not found in the image; the layer is left out", e.label());
    return null;
  }

  private static Box grow(Box b, double m) {
    return new Box(b.x() - m, b.y() - m, b.w() + 2 * m, b.h() + 2 * m);
  }

  /** The region less a safe margin along every canvas edge it touches, when the layer still fits. */
  private Box safeRegion(Box region, PosterTemplate t, double lw, double lh) {
    double m = safeMargin * Math.min(t.width(), t.height());
    if (m <= 0) {
      return region;
    }
    double x0 = Math.max(region.x(), m);
    double y0 = Math.max(region.y(), m);
    double x1 = Math.min(region.x2(), t.width() - m);
    double y1 = Math.min(region.y2(), t.height() - m);
    if (x1 - x0 + 0.5 < lw || y1 - y0 + 0.5 < lh) {
      return region;
    }
    return new Box(x0, y0, x1 - x0, y1 - y0);
  }

  private static Box toPoster(Box b, Box crop, double sx, double sy, PosterTemplate t) {
    return new Box((b.x() - crop.x()) * sx, (b.y() - crop.y()) * sy, b.w() * sx, b.h() * sy).clamp(t.width(), t.height());
  }

  /** Closes the detectors this composer was given or created. */
  @Override
  public void close() {
    targetDetector.close();
    if (layerDetector != null) {
      layerDetector.close();
    }
  }

  /** Fluent builder; only {@link #template} is required. Not thread-safe. */
  public static final class Builder {
    private final List<PosterTemplate> templates = new ArrayList<>();
    private ObjectDetector targetDetector;
    private Set<String> targetLabels;
    private double minTargetScore;
    private SaliencyDetector saliency;
    private double saliencyThreshold = Double.NaN;
    private double dilation = 1.5;
    private double targetWeight = 0.7;
    private boolean keepTargetsWhole = true;
    private PlacementStrategy placement = PlacementStrategy.AVOID_SUBJECTS;
    private boolean avoidPlacedLayers = true;
    private double sharpnessHalfPoint = Sharpness.DEFAULT_HALF_POINT;
    private double minResolution = 0.25;
    private double minSharpness = 0.1;
    private ImageScorer expressionScorer;
    private boolean noExpression;
    private double minExpression;
    private ImageScorer attractivenessScorer;
    private ScoreWeights weights = ScoreWeights.DEFAULT;
    private double minScore;
    private ObjectDetector layerDetector;
    private double ctrAtFull = 0.1;
    private boolean cropSearch = true;
    private CropSearch search;
    private boolean verifyFaces = true;
    private double minFaceScore = 0.5;
    private double minSkin = 0.3;
    private boolean fineGrainedImportance;
    private int analysisSide = DEFAULT_ANALYSIS_SIDE;
    private double safeMargin = 0.04;
    private double obstacleMargin = 0.02;

    private Builder() {}

    /**
     * Adds a template (one poster per source image each); required at least once.
     *
     * @param template the template
     * @return this
     */
    public Builder template(PosterTemplate template) {
      templates.add(Objects.requireNonNull(template, "template"));
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
      this.targetDetector = detector;
      return this;
    }

    /**
     * @param labels keep only detections with these labels (null keeps all)
     * @return this
     */
    public Builder targetLabels(Set<String> labels) {
      this.targetLabels = labels == null ? null : new LinkedHashSet<>(labels);
      return this;
    }

    /**
     * @param score drop target detections scoring below this
     * @return this
     */
    public Builder minTargetScore(double score) {
      this.minTargetScore = score;
      return this;
    }

    /**
     * @param detector saliency detector (OpenCV spectral residual by default)
     * @return this
     */
    public Builder saliency(SaliencyDetector detector) {
      this.saliency = detector;
      return this;
    }

    /**
     * @param threshold saliency threshold in [0,1] for the salient region; NaN (default) uses Otsu
     * @return this
     */
    public Builder saliencyThreshold(double threshold) {
      this.saliencyThreshold = threshold;
      return this;
    }

    /**
     * @param factor dilation coefficient of target boxes before merging (default 1.5)
     * @return this
     */
    public Builder dilation(double factor) {
      this.dilation = factor;
      return this;
    }

    /**
     * @param weight weight of the target centre when it lies in the salient region (default 0.7)
     * @return this
     */
    public Builder targetWeight(double weight) {
      this.targetWeight = weight;
      return this;
    }

    /**
     * @param keep shift the crop window so that faces stay whole when they fit (default true);
     *     false applies the seed's centre rules only
     * @return this
     */
    public Builder keepTargetsWhole(boolean keep) {
      this.keepTargetsWhole = keep;
      return this;
    }

    /**
     * @param on search the crop window on the importance map ({@link CropSearch}, default true);
     *     false places the window by the seed's centre rules alone ({@link CropPlanner})
     * @return this
     */
    public Builder cropSearch(boolean on) {
      this.cropSearch = on;
      return this;
    }

    /**
     * @param s the crop search and its weights (turns the search on)
     * @return this
     */
    public Builder cropSearch(CropSearch s) {
      this.search = Objects.requireNonNull(s, "search");
      this.cropSearch = true;
      return this;
    }

    /**
     * @param on also fuse OpenCV's fine-grained saliency into the importance map (default false:
     *     no gain on the tune split, about 40% more time)
     * @return this
     */
    public Builder fineGrainedImportance(boolean on) {
      this.fineGrainedImportance = on;
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
      this.analysisSide = side;
      return this;
    }

    /**
     * @param on verify "face" detections before they count ({@link FaceVerifier}, default true)
     * @return this
     */
    public Builder verifyFaces(boolean on) {
      this.verifyFaces = on;
      return this;
    }

    /**
     * @param minScore smallest detector score of a face (default 0.5)
     * @param minSkin skin share that verifies a face where no eye is found (default 0.3)
     * @return this
     */
    public Builder faceVerification(double minScore, double minSkin) {
      this.minFaceScore = minScore;
      this.minSkin = minSkin;
      this.verifyFaces = true;
      return this;
    }

    /**
     * @param fraction floating layers keep this share of the canvas's shorter side away from the
     *     canvas edges (default 0.04; 0 turns the safe area off)
     * @return this
     */
    public Builder safeMargin(double fraction) {
      this.safeMargin = fraction;
      return this;
    }

    /**
     * @param fraction margin around face (head) and subject obstacles, as a share of the canvas's
     *     shorter side (default 0.02)
     * @return this
     */
    public Builder obstacleMargin(double fraction) {
      this.obstacleMargin = fraction;
      return this;
    }

    /**
     * @param strategy how floating layers are placed (default {@link PlacementStrategy#AVOID_SUBJECTS})
     * @return this
     */
    public Builder placement(PlacementStrategy strategy) {
      this.placement = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /**
     * @param avoid whether floating layers also avoid layers placed before them (default true)
     * @return this
     */
    public Builder avoidPlacedLayers(boolean avoid) {
      this.avoidPlacedLayers = avoid;
      return this;
    }

    /**
     * @param halfPoint Laplacian variance that normalises to sharpness 0.5 (default 100)
     * @return this
     */
    public Builder sharpnessHalfPoint(double halfPoint) {
      this.sharpnessHalfPoint = halfPoint;
      return this;
    }

    /**
     * @param min crops with fewer source pixels per poster pixel are dropped (default 0.25)
     * @return this
     */
    public Builder minResolution(double min) {
      this.minResolution = min;
      return this;
    }

    /**
     * @param min crops with lower normalised sharpness are dropped before layers (default 0.1)
     * @return this
     */
    public Builder minSharpness(double min) {
      this.minSharpness = min;
      return this;
    }

    /**
     * @param scorer expression scorer of face crops (default {@link CascadeExpressionScorer})
     * @return this
     */
    public Builder expressionScorer(ImageScorer scorer) {
      this.expressionScorer = Objects.requireNonNull(scorer, "scorer");
      this.noExpression = false;
      return this;
    }

    /** @return this, with expression scoring switched off */
    public Builder noExpressionScorer() {
      this.noExpression = true;
      this.expressionScorer = null;
      return this;
    }

    /**
     * @param min posters with faces whose mean expression score is below this are dropped (default 0)
     * @return this
     */
    public Builder minExpression(double min) {
      this.minExpression = min;
      return this;
    }

    /**
     * @param scorer attractiveness model of whole posters (none by default)
     * @return this
     */
    public Builder attractivenessScorer(ImageScorer scorer) {
      this.attractivenessScorer = scorer;
      return this;
    }

    /**
     * @param weights score weights
     * @return this
     */
    public Builder weights(ScoreWeights weights) {
      this.weights = Objects.requireNonNull(weights, "weights");
      return this;
    }

    /**
     * @param min posters with a lower total score are dropped (default 0)
     * @return this
     */
    public Builder minScore(double min) {
      this.minScore = min;
      return this;
    }

    /**
     * @param detector finds layer content in the source image for {@code "extract"} layers (claim 6)
     * @return this
     */
    public Builder layerDetector(ObjectDetector detector) {
      this.layerDetector = detector;
      return this;
    }

    /**
     * @param ctr click-through rate that gives feedback score 1 (default 0.1)
     * @return this
     */
    public Builder clickThroughAtFull(double ctr) {
      this.ctrAtFull = ctr;
      return this;
    }

    /**
     * @return the composer
     * @throws IllegalStateException when no template was given or a parameter is out of range
     */
    public PosterComposer build() {
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
      if (!(minFaceScore >= 0 && minFaceScore <= 1) || !(minSkin >= 0 && minSkin <= 1)) {
        throw new IllegalStateException("face verification minScore and minSkin must be in [0,1]");
      }
      for (double v : new double[] {minResolution, minSharpness, minExpression, minScore}) {
        if (!(v >= 0 && v <= 1)) {
          throw new IllegalStateException("thresholds (minResolution, minSharpness, minExpression, minScore) "
              + "must be in [0,1], got " + v);
        }
      }
      return new PosterComposer(this);
    }
  }
}
