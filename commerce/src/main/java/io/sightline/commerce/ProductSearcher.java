package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intent-gated product search by photo (seed CN113869336A, claims 1-7).
 *
 * <ol>
 *   <li><b>Intent</b> (claims 1, 4): an {@link ImageClassifier} says non-commodity, apparel or
 *       other commodity: the trainable {@link EmbeddingIntentClassifier}, or any plugged model
 *       whose labels map to the intents.</li>
 *   <li><b>Gate</b>, a score rather than a switch: when the top intent leads the runner-up by at
 *       least {@link Builder#gateMargin gateMargin}, a non-commodity photo gets
 *       {@code searched = false} and no feature extraction or search, and a commodity photo is
 *       searched in its segment; when the margin is smaller, the photo is searched in both
 *       segments ({@link ProductSearchResult#gate()} says which). {@link Builder#withoutGate()}
 *       searches every photo in both segments, {@link Builder#fixedIntent} every photo in one
 *       (a catalog of one kind); neither needs a classifier. {@link #stats()} counts what was
 *       skipped.</li>
 *   <li><b>Features</b> (claims 2-3): for apparel, an {@link ObjectDetector} finds every garment
 *       region (default: the training-free {@link ForegroundRegionProposer}); each region is
 *       embedded with the apparel embedder of the catalog and searched in the apparel index on
 *       its own. For other commodities the whole image is embedded with the other-commodity
 *       embedder and searched in the other-commodity index (variant:
 *       {@link Builder#otherCommodityMainObject} crops it to the detected main object first).</li>
 *   <li><b>Similar image set</b> (step 203): the {@code candidates} nearest products that pass
 *       the query's attribute filter ({@link ProductQuery}), whose cosine distance is at most
 *       {@code maxDistance}.</li>
 *   <li>Optional, combinable (seed fig. 6 order): rank-value filter (claim 5), category entropy
 *       filter (claim 6), category ordering (claim 7); see {@link ResultFilters} for the exact
 *       definitions and {@link FilterPreset} for the presets (default: calibrated, which pins
 *       each region's best match so neither the entropy filter nor the ordering can remove or
 *       demote it).</li>
 *   <li>A product found by several regions stays in the region where it scores best; then each
 *       region's page ({@code offset}, {@code limit}, default the first {@code top}) is cut. Every
 *       removal is listed with its reason in {@link RegionResult#filters()}.</li>
 * </ol>
 *
 * <p><b>Matchers</b> ({@link Matcher}; the catalog's, unless {@link Builder#matcher} overrides
 * it). With {@link Matcher#LOCAL local} or {@link Matcher#HYBRID hybrid} matching the whole photo
 * is also matched once in the segment's instance index (the index localises the product itself,
 * so a product the region proposer missed is still found). A verified match's box is the
 * product's extent in its catalog image mapped into the photo through the verified transform. It
 * goes to the proposed region that best overlaps that box (IoU &ge; 0.3; other commodities: the one region); a
 * match that fits no region (apparel) gets a region of its own at its box, labelled
 * {@code "instance"}. Per region, local
 * matching keeps the verified matches only (rank value {@code 2 · instanceScore}); hybrid matching
 * fuses them with the region's global hits (a verified product's rank value is
 * {@code max(2 - distance, 2 · instanceScore)}; a global hit that instance matching saw without
 * verifying it carries that weak evidence). The seed's filters and ordering then run on the
 * fused list, except that verified matches are never filtered out and come first. When nothing
 * is verified, {@link ProductSearchResult#note()} says so: under local matching, "no product of
 * this catalog is in the photo", with no results.
 *
 * <p>Thread-safe after {@link Builder#build()}: searches may run concurrently (the catalog, the
 * embedders, the classifier and the detector must be thread-safe, as their SPIs require).
 */
public final class ProductSearcher {
  private static final Logger LOG = LoggerFactory.getLogger(ProductSearcher.class);

  private final ProductCatalog catalog;
  private final IntentGate intentGate;
  private final ObjectDetector detector;
  private final ImageLoader loader;
  private final Matcher matcher;
  private final RegionSearch regionSearch;

  /** Default {@link Builder#gateMargin}: measured on the evaluation (BENCHMARKS.md, commerce). */
  public static final double DEFAULT_GATE_MARGIN = 0.2;

  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong apparel = new AtomicLong();
  private final AtomicLong other = new AtomicLong();
  private final AtomicLong regions = new AtomicLong();
  private final AtomicLong instanceSearches = new AtomicLong();
  private final AtomicLong both = new AtomicLong();

  private ProductSearcher(SearcherOptions o) {
    this.catalog = o.catalog;
    this.intentGate = new IntentGate(o.intentClassifier, o.intentLabels, o.gateMargin, o.fixedIntent, o.gateOff);
    this.detector = o.detector == null ? new ForegroundRegionProposer() : o.detector;
    RegionFilter.Settings settings = new RegionFilter.Settings(o.maxDistance, o.rankThreshold, o.entropyThreshold,
        o.categoryOrdering, o.pinBestMatch, o.dedupe);
    RegionFilter filters = new RegionFilter(o.catalog, settings);
    this.loader = o.loader;
    this.matcher = o.matcher == null ? o.catalog.matcher() : o.matcher;
    InstanceEvidence instances = new InstanceEvidence(o.catalog, o.candidates, o.instanceQueryRegions,
        instanceSearches);
    this.regionSearch = new RegionSearch(o, detector, matcher, filters, instances, apparel, other, regions);
  }

  /** @return a builder; the catalog is required, and an intent classifier unless the gate is off or the intent fixed */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Decodes and searches an image file.
   *
   * @param image the photo
   * @return the answer
   * @throws io.sightline.core.ImageDecodeException when the file is not a readable image
   * @throws io.sightline.core.ImageTooLargeException when it exceeds the loader's budget
   */
  public ProductSearchResult search(Path image) {
    return search(loader.load(image), image.toString(), ProductQuery.DEFAULT);
  }

  /**
   * Decodes and searches an image file with an attribute filter and a page.
   *
   * @param image the photo
   * @param query attribute filter and page
   * @return the answer
   * @throws io.sightline.core.ImageDecodeException when the file is not a readable image
   */
  public ProductSearchResult search(Path image, ProductQuery query) {
    return search(loader.load(image), image.toString(), query);
  }

  /**
   * Decodes and searches an encoded image (e.g. an upload).
   *
   * @param encoded image bytes (JPEG, PNG, WebP, ...)
   * @param name how the result names it
   * @return the answer
   * @throws io.sightline.core.ImageDecodeException when the bytes are not a readable image
   */
  public ProductSearchResult search(byte[] encoded, String name) {
    return search(loader.load(encoded), name, ProductQuery.DEFAULT);
  }

  /**
   * @param image a decoded photo
   * @param name how the result names it
   * @return the answer
   */
  public ProductSearchResult search(BufferedImage image, String name) {
    return search(image, name, ProductQuery.DEFAULT);
  }

  /**
   * Searches a decoded photo: the gate, the regions of each segment searched, instance matching
   * (local, hybrid), the filters, de-duplication across regions, then the requested page.
   *
   * @param image a decoded photo
   * @param name how the result names it
   * @param query attribute filter (applied inside the index search and to verified matches) and
   *     page ({@code offset}, {@code limit}; limit 0 = {@code top})
   * @return the answer
   */
  public ProductSearchResult search(BufferedImage image, String name, ProductQuery query) {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(query, "query");
    queries.incrementAndGet();
    List<Classification> scores = intentGate.classify(image);
    GateDecision gate = intentGate.decide(scores);
    Intent intent = gate.top();
    if (gate.segments().isEmpty()) {
      skipped.incrementAndGet();
      LOG.debug("{}: non-commodity (margin {}), search skipped", name, gate.margin());
      return new ProductSearchResult(name, intent, scores, false, "none", List.of(), matcher, null, gate);
    }
    if (gate.segments().size() > 1) {
      both.incrementAndGet();
    }
    return regionSearch.search(image, name, query, intent, scores, gate);
  }


  /**
   * Runs the post-search steps on nearest neighbours found elsewhere (e.g. with a precomputed
   * query vector); the same steps {@link #search} runs for every region.
   *
   * @param segment which index the hits come from
   * @param vector a query vector from the segment's embedder
   * @return the region result for the whole query
   */
  public RegionResult searchVector(Intent segment, float[] vector) {
    return searchVector(segment, vector, ProductQuery.DEFAULT);
  }

  /**
   * Like {@link #searchVector(Intent, float[])}, with an attribute filter and a page.
   *
   * @param segment which index to search
   * @param vector a query vector from the segment's embedder
   * @param query attribute filter and page (limit 0 = {@code top})
   * @return the region result for the whole query
   */
  public RegionResult searchVector(Intent segment, float[] vector, ProductQuery query) {
    return regionSearch.searchVector(segment, vector, query);
  }

  /** @return counters since build: queries, skipped non-commodity photos, searches run */
  public SearchStats stats() {
    return new SearchStats(queries.get(), skipped.get(), apparel.get(), other.get(), regions.get(),
        instanceSearches.get(), both.get());
  }

  /** @return the catalog searched */
  public ProductCatalog catalog() {
    return catalog;
  }

  /** @return the matcher this searcher uses (by default the catalog's) */
  public Matcher matcher() {
    return matcher;
  }

  /** @return the region detector for apparel photos */
  public ObjectDetector detector() {
    return detector;
  }

  /** Builder for {@link ProductSearcher}. Not thread-safe. */
  public static final class Builder {
    private final SearcherOptions o = new SearcherOptions();

    private Builder() {}

    /**
     * Sets every filter at once (distance bound, rank filter, entropy filter, category ordering,
     * best-match pin) from a preset; default {@link FilterPreset#CALIBRATED}. Options set after
     * this override single values.
     *
     * @param preset none, seed or calibrated
     * @return this builder
     */
    public Builder filters(FilterPreset preset) {
      Objects.requireNonNull(preset, "preset");
      o.maxDistance = preset.maxDistance();
      o.rankThreshold = preset.rankThreshold();
      o.entropyThreshold = preset.entropyThreshold();
      o.categoryOrdering = preset.categoryOrdering();
      o.pinBestMatch = preset.pinBestMatch();
      return this;
    }

    /**
     * @param on whether each region's best match (highest rank value) is pinned like a verified
     *     instance match: the entropy filter never removes it and category ordering never puts it
     *     below another result (default true, {@link FilterPreset#CALIBRATED}); the absolute
     *     thresholds ({@code maxDistance}, the rank filter) still apply to it
     * @return this builder
     */
    public Builder pinBestMatch(boolean on) {
      o.pinBestMatch = on;
      return this;
    }

    /**
     * @param on whether a product found by several regions of one photo is kept only in the region
     *     where it scores best (verified first, then rank value); the others list it in
     *     {@link FilterTrace#removedAsDuplicate()} (default true)
     * @return this builder
     */
    public Builder deduplicate(boolean on) {
      o.dedupe = on;
      return this;
    }

    /**
     * The gate as a score: when the most probable intent leads the runner-up by less than this
     * margin (probabilities in [0, 1]), the photo is searched in both segments, even when the top
     * intent is non-commodity. 0 makes the gate a switch (the seed's behaviour); 1 searches every
     * photo in both segments. Default {@value ProductSearcher#DEFAULT_GATE_MARGIN}.
     *
     * @param margin in [0, 1]
     * @return this builder
     */
    public Builder gateMargin(double margin) {
      if (!(margin >= 0 && margin <= 1)) {
        throw new IllegalArgumentException("gate margin must be in [0, 1]: " + margin);
      }
      o.gateMargin = margin;
      return this;
    }

    /**
     * Fixed-intent mode for a catalog of one kind: every photo is searched in this segment, no
     * intent classifier runs (none is needed).
     *
     * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
     * @return this builder
     */
    public Builder fixedIntent(Intent segment) {
      if (segment == null || !segment.isCommodity()) {
        throw new IllegalArgumentException("fixed intent must be apparel or other-commodity, not " + segment);
      }
      o.fixedIntent = segment;
      return this;
    }

    /**
     * Skips the gate: every photo is searched in both segments ("search anyway"), no intent
     * classifier runs (none is needed).
     *
     * @return this builder
     */
    public Builder withoutGate() {
      o.gateOff = true;
      return this;
    }

    /**
     * Overrides the catalog's matcher for this searcher (for comparisons; by default the searcher
     * uses the matcher the catalog was built with, {@link ProductCatalog#matcher()}). A local or
     * hybrid catalog can be searched with any matcher; a global one only with global.
     *
     * @param matcher global, local or hybrid
     * @return this builder
     */
    public Builder matcher(Matcher matcher) {
      o.matcher = Objects.requireNonNull(matcher, "matcher");
      return this;
    }

    /**
     * Variant for measurement: match each proposed region's (padded) crop in the instance index
     * instead of the whole photo once. Default false: the whole photo, since the instance index
     * localises the product itself and so also finds products the region proposer missed.
     */
    Builder instanceQueryRegions(boolean on) {
      o.instanceQueryRegions = on;
      return this;
    }

    /**
     * @param catalog the product database to search; required
     * @return this builder
     */
    public Builder catalog(ProductCatalog catalog) {
      o.catalog = Objects.requireNonNull(catalog, "catalog");
      return this;
    }

    /**
     * @param classifier the image intent classification model; required. Its labels must be
     *     intent labels ("non-commodity", "apparel", "other-commodity") or be mapped with
     *     {@link #intentLabel}; it must be able to say non-commodity.
     * @return this builder
     */
    public Builder intentClassifier(ImageClassifier classifier) {
      o.intentClassifier = Objects.requireNonNull(classifier, "classifier");
      return this;
    }

    /**
     * Maps a label of a plugged classifier to an intent (e.g. an ONNX model's "clothing").
     *
     * @param label the classifier's label
     * @param intent what it means
     * @return this builder
     */
    public Builder intentLabel(String label, Intent intent) {
      o.intentLabels.put(Objects.requireNonNull(label, "label"), Objects.requireNonNull(intent, "intent"));
      return this;
    }

    /**
     * @param detector garment detection network for apparel photos (default: the training-free
     *     {@link ForegroundRegionProposer})
     * @return this builder
     */
    public Builder garmentDetector(ObjectDetector detector) {
      o.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    /**
     * @param labels detector labels that are garments; other detections are ignored (default: all)
     * @return this builder
     */
    public Builder garmentLabels(Collection<String> labels) {
      o.garmentLabels = new LinkedHashSet<>(labels);
      return this;
    }

    /**
     * @param score detections below this confidence are ignored (default 0)
     * @return this builder
     */
    public Builder minDetectionScore(float score) {
      o.minDetectionScore = score;
      return this;
    }

    /**
     * @param padding each side of a region is widened by this share of its size before embedding
     *     (default 0.05)
     * @return this builder
     */
    public Builder regionPadding(double padding) {
      if (!(padding >= 0 && padding <= 1)) {
        throw new IllegalArgumentException("padding must be in [0, 1]: " + padding);
      }
      o.regionPadding = padding;
      return this;
    }

    /**
     * @param k nearest neighbours fetched per region before the filters (default 30)
     * @return this builder
     */
    public Builder candidates(int k) {
      if (k < 1) {
        throw new IllegalArgumentException("candidates must be >= 1");
      }
      o.candidates = k;
      return this;
    }

    /**
     * @param top results kept per region after the filters (default 10)
     * @return this builder
     */
    public Builder top(int top) {
      if (top < 1) {
        throw new IllegalArgumentException("top must be >= 1");
      }
      o.top = top;
      return this;
    }

    /**
     * @param maxDistance the similar image set keeps products with cosine distance at most this
     *     (range [0, 2]; default that of {@link FilterPreset#CALIBRATED}, {@code 1 - }
     *     {@value FilterPreset#CALIBRATED_MIN_COSINE}); verified instance matches are exempt. The
     *     seed's 1.0 (cosine &ge; 0) removes nothing for embedders with non-negative features such
     *     as the default descriptor, whose cosines are never negative
     * @return this builder
     */
    public Builder maxDistance(double maxDistance) {
      if (!(maxDistance >= 0 && maxDistance <= 2)) {
        throw new IllegalArgumentException("maxDistance must be in [0, 2]: " + maxDistance);
      }
      o.maxDistance = maxDistance;
      return this;
    }

    /**
     * @param threshold rank-value threshold of claim 5, in rank-value units {@code 2 - distance =
     *     1 + cos} (the seed's example is {@value ResultFilters#SEED_RANK_THRESHOLD}, i.e. cosine
     *     &ge; 0.08; default that of {@link FilterPreset#CALIBRATED}); verified instance matches are
     *     exempt; null switches the filter off
     * @return this builder
     */
    public Builder rankThreshold(Double threshold) {
      if (threshold != null && !Double.isFinite(threshold)) {
        throw new IllegalArgumentException("rank threshold must be finite");
      }
      o.rankThreshold = threshold;
      return this;
    }

    /**
     * @param threshold category entropy threshold of claim 6 in nats (default ln 10 = 2.303:
     *     drops categories with under 10% of the results, except pinned results); null switches
     *     the filter off
     * @return this builder
     */
    public Builder entropyThreshold(Double threshold) {
      if (threshold != null && !(threshold >= 0)) {
        throw new IllegalArgumentException("entropy threshold must be >= 0");
      }
      o.entropyThreshold = threshold;
      return this;
    }

    /**
     * @param on whether results are ordered by category score (claim 7; default true); when
     *     off they are ordered by rank value alone
     * @return this builder
     */
    public Builder categoryOrdering(boolean on) {
      o.categoryOrdering = on;
      return this;
    }

    /**
     * Variant for other commodities: instead of the whole image (the seed's claim 3), embed the
     * main object: the box around the detected region with the largest score &times; area (for
     * the training-free proposer, the most foreground pixels) and the regions holding at least a
     * fifth of that, falling back to the whole image when none is found. Default: what the catalog
     * was built with ({@link ProductCatalog#cropsToMainObject()}), so query and catalog images are
     * processed the same way. Helps when catalog images are tight product shots and queries
     * show the product small on a backdrop. Default false.
     *
     * @param on whether to crop other-commodity queries to the main object
     * @return this builder
     */
    public Builder otherCommodityMainObject(boolean on) {
      o.otherCommodityMainObject = on;
      return this;
    }

    /**
     * Variant for measurement: the main-object crop is the union of every detected region (the
     * behaviour before the best region was chosen), not the best region.
     */
    Builder mainObjectUnion(boolean on) {
      o.mainObjectUnion = on;
      return this;
    }

    /**
     * @param loader decodes query files (default {@link ImageLoader#defaults()})
     * @return this builder
     */
    public Builder imageLoader(ImageLoader loader) {
      o.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * @return the searcher
     * @throws IllegalStateException naming a missing catalog or intent classifier, a classifier
     *     whose labels cannot express non-commodity and a commodity intent, or both
     *     {@link #withoutGate()} and {@link #fixedIntent}
     */
    public ProductSearcher build() {
      return new ProductSearcher(o.validated());
    }
  }
}
