package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Names what an image shows from the text around matching reference images (EP 3 889 802 A1).
 *
 * <ol>
 *   <li>find the reference images that match the target (top-M images, with every page that shows
 *       them) — claim 1, step 202 — with the store's {@link Matcher}: nearest image vectors with
 *       cosine at or above the match threshold ({@link Matcher#GLOBAL}), geometrically verified
 *       instance matches ({@link Matcher#LOCAL}), or both ({@link Matcher#HYBRID}); each match
 *       carries its similarity and instance evidence (inliers, calibrated score);</li>
 *   <li>take the entities extracted from those pages (stored at ingest time, or re-extracted now
 *       with {@link Builder#queryTimeExtractor}) — step 204, claim 3;</li>
 *   <li>compute their feature parameters (claim 7), grouped per identical entity with statistics
 *       (claims 4-5) or one by one (claim 6) — {@link ScoringMode}; the matching degrees "entity ↔
 *       target" and "page ↔ target" use the matcher's fused similarity
 *       ({@link ReferenceMatch#similarity()});</li>
 *   <li>score their correctness degree with an {@link EntityScorer} and return those above the
 *       score threshold, best first; below it an explicit "no proper entity" — claims 5-6, step 206.</li>
 * </ol>
 *
 * <pre>{@code
 * try (ReferenceStore store = ReferenceStore.open(Path.of("refs-db"))) {
 *   ImageDescriber describer = ImageDescriber.builder().store(store)
 *       .scorer(GbdtEntityScorer.load(Path.of("scorer.gbdt"))).build();
 *   Description d = describer.describe(Path.of("photo.jpg"));
 *   d.bestEntity().ifPresentOrElse(e -> System.out.println(e.name()),
 *       () -> System.out.println("no proper entity"));
 * }
 * }</pre>
 *
 * <p>Thread-safe after {@link Builder#build()}: any number of threads may describe at once while
 * the store is being updated.
 */
public final class ImageDescriber {
  /** Default match threshold (cosine similarity of the default embedder's vectors). */
  public static final double DEFAULT_MATCH_THRESHOLD = 0.80;
  /** Default number of matched images (top-M). */
  public static final int DEFAULT_TOP_IMAGES = 10;

  private final ReferenceStore store;
  private final EntityScorer scorer;
  private final ScoringMode mode;
  private final FeatureSchema schema;
  private final double matchThreshold;
  private final int topImages;
  private final double scoreThreshold;
  private final EntityExtractor queryTimeExtractor;
  private final Matcher matcher;

  private ImageDescriber(Builder b) {
    this.store = b.store;
    this.scorer = b.scorer;
    this.mode = b.mode;
    this.schema = FeatureSchema.of(b.mode);
    this.matchThreshold = b.matchThreshold;
    this.topImages = b.topImages;
    this.scoreThreshold = Double.isNaN(b.scoreThreshold) ? scorer.defaultThreshold() : b.scoreThreshold;
    this.queryTimeExtractor = b.queryTimeExtractor;
    this.matcher = b.matcher != null ? b.matcher : b.store.matcher();
  }

  /** @return a builder; the store is required */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Describes an image file.
   *
   * @param image the file
   * @return the description
   * @throws io.sightline.core.ImageDecodeException when the file is missing or not an image
   */
  public Description describe(Path image) {
    BufferedImage img = ImageSource.ofPath(image).load(store.imageLoader());
    return describe(img, image.toString());
  }

  /**
   * Describes an image.
   *
   * @param image the target image
   * @param label a label carried into the result (may be null)
   * @return the description
   */
  public Description describe(BufferedImage image, String label) {
    Objects.requireNonNull(image, "image");
    return describe(candidates(image), matcher, label);
  }

  /**
   * Describes a target given by its vector (made with the store's embedder). A vector alone can
   * only be matched by the global index: the description is made with {@link Matcher#GLOBAL}
   * whatever this describer's matcher (use {@link #describe(BufferedImage, String)} to match by
   * instance).
   *
   * @param vector the target's vector
   * @param label a label carried into the result (may be null)
   * @return the description
   * @throws IllegalStateException when this describer's matcher is {@link Matcher#LOCAL}
   */
  public Description describeVector(float[] vector, String label) {
    if (matcher == Matcher.LOCAL) {
      throw new IllegalStateException("ImageDescriber: matcher 'local' matches images, not vectors;"
          + " call describe(image, label)");
    }
    return describe(candidates(vector), Matcher.GLOBAL, label);
  }

  Description describe(CandidateSet set, Matcher used, String label) { // package-private for ImageDescriberRulesTest
    Description.Thresholds th = new Description.Thresholds(matchThreshold, topImages, scoreThreshold,
        used.usesInstances() ? store.instanceThreshold() : Double.NaN);
    List<Description.Match> matches = new ArrayList<>();
    for (ReferenceMatch m : set.matches()) {
      matches.add(new Description.Match(m.id(), m.similarity(), m.rank(), m.reference().title(), m.instanceScore(),
          m.inliers(), m.verified()));
    }
    if (set.matches().isEmpty()) {
      return new Description(label, Description.Status.NO_MATCHING_REFERENCE, null, List.of(), List.of(),
          matches, th, mode, scorer.id(), used);
    }
    List<EntityCandidate> cands = set.candidates();
    if (mode == ScoringMode.PER_MENTION && scorer instanceof SequenceEntityScorer seq) {
      return describeSequences(label, seq, cands, matches, th, used);
    }
    List<double[]> rows = new ArrayList<>(cands.size());
    for (EntityCandidate c : cands) {
      rows.add(c.features());
    }
    double[] scores = scorer.score(schema, rows);
    // per-mention mode: an entity is represented by its best-scoring occurrence
    Map<String, Integer> bestOf = new HashMap<>();
    for (int i = 0; i < cands.size(); i++) {
      Integer prev = bestOf.get(cands.get(i).key());
      if (prev == null || scores[i] > scores[prev]) {
        bestOf.put(cands.get(i).key(), i);
      }
    }
    List<ScoredEntity> scored = new ArrayList<>();
    for (int i : bestOf.values()) {
      EntityCandidate c = cands.get(i);
      scored.add(new ScoredEntity(c.name(), c.key(), scores[i], scores[i] > scoreThreshold, c.featureMap(),
          c.referenceIds()));
    }
    return finish(label, scored, matches, th, used);
  }

  /** Ranks scored entities and picks the best accepted one (or none: "no proper entity"). */
  private Description finish(String label, List<ScoredEntity> scored, List<Description.Match> matches,
      Description.Thresholds th, Matcher used) {
    // Equal scores (e.g. every entity of a one-page store): the more specific, longer name first.
    scored.sort(Comparator.comparingDouble(ScoredEntity::score).reversed()
        .thenComparing(Comparator.comparingInt((ScoredEntity e) -> EntityNames.words(e.key())).reversed())
        .thenComparing(ScoredEntity::key));
    List<ScoredEntity> accepted = scored.stream().filter(ScoredEntity::accepted).toList();
    ScoredEntity best = accepted.isEmpty() ? null : accepted.get(0);
    return new Description(label, best == null ? Description.Status.NO_PROPER_ENTITY : Description.Status.DESCRIBED,
        best, accepted, scored, matches, th, mode, scorer.id(), used);
  }

  /**
   * Per-mention mode with a sequence scorer (seed [0036]): each entity is scored once, on the
   * sequence of its mentions (candidates come in match order, so best-matching reference first);
   * its evidence is its first mention's features and every mentioning reference.
   */
  private Description describeSequences(String label, SequenceEntityScorer seq, List<EntityCandidate> cands,
      List<Description.Match> matches, Description.Thresholds th, Matcher used) {
    Map<String, List<EntityCandidate>> byKey = new LinkedHashMap<>();
    for (EntityCandidate c : cands) {
      byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
    }
    List<List<double[]>> sequences = new ArrayList<>(byKey.size());
    for (List<EntityCandidate> l : byKey.values()) {
      sequences.add(l.stream().map(EntityCandidate::features).toList());
    }
    double[] scores = seq.scoreSequences(schema, sequences);
    List<ScoredEntity> scored = new ArrayList<>();
    int i = 0;
    for (List<EntityCandidate> l : byKey.values()) {
      EntityCandidate first = l.get(0);
      List<String> refs = new ArrayList<>();
      l.forEach(c -> refs.addAll(c.referenceIds()));
      scored.add(new ScoredEntity(first.name(), first.key(), scores[i], scores[i] > scoreThreshold,
          first.featureMap(), refs));
      i++;
    }
    return finish(label, scored, matches, th, used);
  }

  /**
   * The matched references and the unscored entity candidates of a target image, matched with
   * this describer's {@link Matcher} (steps 202-204 and the feature parameters), e.g. for building
   * training data.
   *
   * @param image the target image
   * @return matches and candidates
   * @throws io.sightline.core.instance.NoFeaturesException under {@link Matcher#LOCAL}, when the
   *     target has too few local features to be matched by instance
   */
  public CandidateSet candidates(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    float[] vector = matcher == Matcher.LOCAL ? null : store.embedder().embed(image);
    return candidates(store.evidence(image, vector, matcher, topImages, matchThreshold, queryTimeExtractor == null));
  }

  /**
   * The matched references and the unscored entity candidates of a target given by its vector,
   * matched by the global index only (see {@link #describeVector}).
   *
   * @param vector the target's vector
   * @return matches and candidates
   */
  public CandidateSet candidates(float[] vector) {
    return candidates(store.evidence(vector, topImages, matchThreshold, queryTimeExtractor == null));
  }

  private CandidateSet candidates(ReferenceStore.Evidence ev) {
    List<ReferenceMatch> matches = ev.matches();
    if (matches.isEmpty()) {
      return new CandidateSet(List.of(), List.of());
    }
    Map<String, List<PageEntity>> entities = ev.entities();
    Map<String, Integer> df = ev.documentFrequency();
    if (queryTimeExtractor != null) {
      entities = new HashMap<>();
      for (ReferenceMatch m : matches) {
        entities.put(m.id(), PageEntities.extract(queryTimeExtractor, m.reference()));
      }
      Set<String> keys = new LinkedHashSet<>();
      entities.values().forEach(l -> l.forEach(e -> keys.add(e.key())));
      df = store.documentFrequency(keys);
    }
    return new CandidateSet(matches, EntityFeatures.compute(mode, matches, entities, df, ev.storeSize()));
  }

  /**
   * Describes many images, reporting progress and checking for cancellation between images.
   *
   * @param images files
   * @param listener progress
   * @param cancel cancellation
   * @return one description per image, in order
   */
  public List<Description> describeAll(List<Path> images, ProgressListener listener, CancellationToken cancel) {
    List<Description> out = new ArrayList<>(images.size());
    for (Path p : images) {
      cancel.throwIfCancelled();
      out.add(describe(p));
      listener.onProgress("describe", out.size(), images.size(), "");
    }
    return out;
  }

  /** @return the scoring mode */
  public ScoringMode mode() {
    return mode;
  }

  /** @return the feature schema of this describer's candidates */
  public FeatureSchema schema() {
    return schema;
  }

  /** @return the scorer */
  public EntityScorer scorer() {
    return scorer;
  }

  /** @return the store */
  public ReferenceStore store() {
    return store;
  }

  /** @return the thresholds this describer applies */
  public Description.Thresholds thresholds() {
    return new Description.Thresholds(matchThreshold, topImages, scoreThreshold,
        matcher.usesInstances() ? store.instanceThreshold() : Double.NaN);
  }

  /** @return how this describer matches target images */
  public Matcher matcher() {
    return matcher;
  }

  /** Builder for {@link ImageDescriber}. */
  public static final class Builder {
    private ReferenceStore store;
    private EntityScorer scorer = new HeuristicEntityScorer();
    private ScoringMode mode = ScoringMode.GROUPED;
    private double matchThreshold = DEFAULT_MATCH_THRESHOLD;
    private int topImages = DEFAULT_TOP_IMAGES;
    private double scoreThreshold = Double.NaN;
    private EntityExtractor queryTimeExtractor;
    private Matcher matcher;

    private Builder() {}

    /**
     * Overrides the store's matcher for this describer, e.g. to compare global matching with
     * the store's instance matching on the same references. LOCAL and HYBRID need a store built
     * with one of them.
     *
     * @param matcher the matcher, or null for the store's ({@link ReferenceStore#matcher()}, default)
     * @return this
     */
    public Builder matcher(Matcher matcher) {
      this.matcher = matcher;
      return this;
    }

    /**
     * @param store the reference image information database (required)
     * @return this
     */
    public Builder store(ReferenceStore store) {
      this.store = store;
      return this;
    }

    /**
     * @param scorer correctness scorer (default {@link HeuristicEntityScorer})
     * @return this
     */
    public Builder scorer(EntityScorer scorer) {
      this.scorer = scorer;
      return this;
    }

    /**
     * @param mode grouped (default, claims 4-5) or per mention (claim 6)
     * @return this
     */
    public Builder mode(ScoringMode mode) {
      this.mode = mode;
      return this;
    }

    /**
     * @param matchThreshold minimum cosine of a reference matched by the global index (default
     *     {@value ImageDescriber#DEFAULT_MATCH_THRESHOLD}); instance matches are verified by the
     *     instance index's own calibrated threshold
     * @return this
     */
    public Builder matchThreshold(double matchThreshold) {
      this.matchThreshold = matchThreshold;
      return this;
    }

    /**
     * @param topImages how many matched images at most (default {@value ImageDescriber#DEFAULT_TOP_IMAGES})
     * @return this
     */
    public Builder topImages(int topImages) {
      this.topImages = topImages;
      return this;
    }

    /**
     * @param scoreThreshold minimum correctness score of an answer (default: the scorer's)
     * @return this
     */
    public Builder scoreThreshold(double scoreThreshold) {
      this.scoreThreshold = scoreThreshold;
      return this;
    }

    /**
     * Re-extract the entities of matched pages at query time with this extractor instead of using
     * those stored at ingest (seed [0026], second alternative).
     *
     * @param extractor the extractor, or null to use stored entities (default)
     * @return this
     */
    public Builder queryTimeExtractor(EntityExtractor extractor) {
      this.queryTimeExtractor = extractor;
      return this;
    }

    /**
     * @return the describer
     * @throws IllegalStateException naming a missing or invalid setting
     * @throws io.sightline.core.ModelException when the scorer was trained on other features
     */
    public ImageDescriber build() {
      if (store == null) {
        throw new IllegalStateException("ImageDescriber: store is required");
      }
      if (scorer == null) {
        throw new IllegalStateException("ImageDescriber: scorer is required");
      }
      if (mode == null) {
        throw new IllegalStateException("ImageDescriber: mode is required");
      }
      if (!(matchThreshold >= -1 && matchThreshold <= 1)) {
        throw new IllegalStateException("ImageDescriber: matchThreshold must be in [-1, 1]");
      }
      if (topImages < 1) {
        throw new IllegalStateException("ImageDescriber: topImages must be >= 1");
      }
      if (!Double.isNaN(scoreThreshold) && !Double.isFinite(scoreThreshold)) {
        throw new IllegalStateException("ImageDescriber: scoreThreshold must be finite");
      }
      if (matcher != null && matcher.usesInstances() && !store.matcher().usesInstances()) {
        throw new IllegalStateException("ImageDescriber: matcher '" + matcher.id() + "' needs an instance index,"
            + " but the store was built with matcher 'global'; open the store with ReferenceStore.builder()"
            + ".matcher(Matcher." + matcher.name() + ") to build one");
      }
      scorer.checkSchema(FeatureSchema.of(mode));
      return new ImageDescriber(this);
    }
  }
}
