package io.sightline.commerce;

import io.sightline.core.ModelException;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.index.SearchResult;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *   <li><b>Gate</b>: a non-commodity photo gets {@code searched = false} and no feature
 *       extraction or search; {@link #stats()} counts what was skipped.</li>
 *   <li><b>Features</b> (claims 2-3): for apparel, an {@link ObjectDetector} finds every garment
 *       region (default: the training-free {@link ForegroundRegionProposer}); each region is
 *       embedded with the apparel embedder of the catalog and searched in the apparel index on
 *       its own. For other commodities the whole image is embedded with the other-commodity
 *       embedder and searched in the other-commodity index (variant:
 *       {@link Builder#otherCommodityMainObject} crops it to the detected main object first).</li>
 *   <li><b>Similar image set</b> (step 203): the {@code candidates} nearest products whose
 *       cosine distance is at most {@code maxDistance}.</li>
 *   <li>Optional, combinable (seed fig. 6 order): rank-value filter (claim 5), category entropy
 *       filter (claim 6), category ordering (claim 7); see {@link ResultFilters} for the exact
 *       definitions. Then the first {@code top} results are kept.</li>
 * </ol>
 *
 * <p>Thread-safe after {@link Builder#build()}: searches may run concurrently (the catalog, the
 * embedders, the classifier and the detector must be thread-safe, as their SPIs require).
 */
public final class ProductSearcher {
  private static final Logger LOG = LoggerFactory.getLogger(ProductSearcher.class);

  private final ProductCatalog catalog;
  private final ImageClassifier intentClassifier;
  private final Map<String, Intent> intentLabels;
  private final ObjectDetector detector;
  private final Set<String> garmentLabels;
  private final float minDetectionScore;
  private final double regionPadding;
  private final int candidates;
  private final int top;
  private final double maxDistance;
  private final Double rankThreshold;
  private final Double entropyThreshold;
  private final boolean categoryOrdering;
  private final boolean otherCommodityMainObject;
  private final ImageLoader loader;

  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong apparel = new AtomicLong();
  private final AtomicLong other = new AtomicLong();
  private final AtomicLong regions = new AtomicLong();

  private ProductSearcher(Builder b) {
    this.catalog = b.catalog;
    this.intentClassifier = b.intentClassifier;
    this.intentLabels = Map.copyOf(b.intentLabels);
    this.detector = b.detector == null ? new ForegroundRegionProposer() : b.detector;
    this.garmentLabels = b.garmentLabels == null ? null : Set.copyOf(b.garmentLabels);
    this.minDetectionScore = b.minDetectionScore;
    this.regionPadding = b.regionPadding;
    this.candidates = b.candidates;
    this.top = b.top;
    this.maxDistance = b.maxDistance;
    this.rankThreshold = b.rankThreshold;
    this.entropyThreshold = b.entropyThreshold;
    this.categoryOrdering = b.categoryOrdering;
    this.otherCommodityMainObject = b.otherCommodityMainObject;
    this.loader = b.loader;
  }

  /** @return a builder; catalog and intent classifier are required */
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
    return search(loader.load(image), image.toString());
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
    return search(loader.load(encoded), name);
  }

  /**
   * @param image a decoded photo
   * @param name how the result names it
   * @return the answer
   */
  public ProductSearchResult search(BufferedImage image, String name) {
    Objects.requireNonNull(image, "image");
    queries.incrementAndGet();
    List<Classification> scores = intentClassifier.classify(image);
    if (scores.isEmpty()) {
      throw new ModelException("intent classifier " + intentClassifier.id() + " returned no label");
    }
    Intent intent = toIntent(scores.get(0).label());
    if (!intent.isCommodity()) {
      skipped.incrementAndGet();
      LOG.debug("{}: non-commodity ({}), search skipped", name, scores.get(0).probability());
      return new ProductSearchResult(name, intent, scores, false, "none", List.of());
    }
    List<RegionResult> out = new ArrayList<>();
    String source;
    if (intent == Intent.APPAREL) {
      apparel.incrementAndGet();
      List<Detection> found = new ArrayList<>();
      for (Detection d : detector.detect(image)) {
        if (d.score() >= minDetectionScore && (garmentLabels == null || garmentLabels.contains(d.label()))
            && !d.box().clamp(image.getWidth(), image.getHeight()).isEmpty()) {
          found.add(d);
        }
      }
      source = detector.id();
      if (found.isEmpty()) {
        source += " (no region found: whole image)";
        found.add(new Detection(new Box(0, 0, image.getWidth(), image.getHeight()), "image", 1f));
      }
      for (Detection d : found) {
        BufferedImage crop = crop(image, d.box());
        out.add(searchRegion(crop, d.box(), d.label(), d.score(), Intent.APPAREL));
      }
    } else {
      other.incrementAndGet();
      Box whole = new Box(0, 0, image.getWidth(), image.getHeight());
      if (otherCommodityMainObject) {
        Box main = null;
        for (Detection d : detector.detect(image)) {
          Box b = d.box().clamp(image.getWidth(), image.getHeight());
          if (!b.isEmpty()) {
            main = main == null ? b : main.union(b);
          }
        }
        if (main == null) {
          source = detector.id() + " (main object not found: whole image)";
          out.add(searchRegion(image, whole, "image", 1f, Intent.OTHER_COMMODITY));
        } else {
          source = detector.id() + " (main object)";
          out.add(searchRegion(crop(image, main), main, "object", 1f, Intent.OTHER_COMMODITY));
        }
      } else {
        source = "whole-image";
        out.add(searchRegion(image, whole, "image", 1f, Intent.OTHER_COMMODITY));
      }
    }
    return new ProductSearchResult(name, intent, scores, true, source, out);
  }

  private BufferedImage crop(BufferedImage image, Box box) {
    Box b = box;
    if (regionPadding > 0) {
      b = new Box(b.x() - b.w() * regionPadding, b.y() - b.h() * regionPadding,
          b.w() * (1 + 2 * regionPadding), b.h() * (1 + 2 * regionPadding));
    }
    b = b.clamp(image.getWidth(), image.getHeight());
    int x = (int) Math.floor(b.x());
    int y = (int) Math.floor(b.y());
    int w = Math.max(1, Math.min(image.getWidth() - x, (int) Math.ceil(b.w())));
    int h = Math.max(1, Math.min(image.getHeight() - y, (int) Math.ceil(b.h())));
    return ImageOps.crop(image, x, y, w, h);
  }

  private RegionResult searchRegion(BufferedImage pixels, Box box, String label, float score, Intent segment) {
    regions.incrementAndGet();
    float[] vector = catalog.embedder(segment).embed(pixels);
    List<SearchResult<String>> hits = catalog.search(segment, vector, candidates);
    return filter(hits, box, label, score, segment);
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
    regions.incrementAndGet();
    List<SearchResult<String>> hits = catalog.search(segment, vector, candidates);
    return filter(hits, new Box(0, 0, 0, 0), "vector", 1f, segment);
  }

  private RegionResult filter(List<SearchResult<String>> hits, Box box, String label, float score, Intent segment) {
    Map<String, Product> products = catalog.products(hits.stream().map(SearchResult::id).toList());
    List<ProductMatch> similar = new ArrayList<>();
    for (SearchResult<String> h : hits) {
      Product p = products.get(h.id());
      if (p == null || h.distance() > maxDistance) {
        continue; // vector without a committed product row, or outside the similar image set
      }
      similar.add(new ProductMatch(p.id(), p.category(), p.title(), p.link(), p.image(), h.distance(),
          ResultFilters.rankValue(h.distance()), 0, Double.NaN));
    }
    List<ProductMatch> current = similar;
    List<RemovedMatch> byRank = List.of();
    if (rankThreshold != null) {
      ResultFilters.Filtered f = ResultFilters.rankFilter(current, rankThreshold);
      current = f.kept();
      byRank = f.removed();
    }
    List<RemovedMatch> byEntropy = List.of();
    Map<String, Double> entropy = Map.of();
    if (entropyThreshold != null) {
      ResultFilters.Filtered f = ResultFilters.entropyFilter(current, entropyThreshold);
      current = f.kept();
      byEntropy = f.removed();
      entropy = f.categoryEntropy();
    }
    Map<String, Double> catScores = Map.of();
    if (categoryOrdering) {
      ResultFilters.Ordered o = ResultFilters.orderByCategory(current);
      current = o.ordered();
      catScores = o.categoryScores();
    } else {
      List<ProductMatch> byRankValue = ResultFilters.byRankValue(current);
      current = new ArrayList<>();
      for (int i = 0; i < byRankValue.size(); i++) {
        current.add(byRankValue.get(i).withRanking(i + 1, Double.NaN));
      }
    }
    List<ProductMatch> finalList = current.size() > top ? current.subList(0, top) : current;
    FilterTrace trace = new FilterTrace(hits.size(), maxDistance, similar.size(), rankThreshold, byRank,
        entropyThreshold, entropy, byEntropy, categoryOrdering, catScores);
    return new RegionResult(box, label, score, segment, finalList, trace);
  }

  private Intent toIntent(String label) {
    Intent i = intentLabels.get(label);
    if (i != null) {
      return i;
    }
    try {
      return Intent.parse(label);
    } catch (IllegalArgumentException e) {
      throw new ModelException("intent classifier " + intentClassifier.id() + " returned label '" + label
          + "' that maps to no intent; map it with intentLabel()");
    }
  }

  /** @return counters since build: queries, skipped non-commodity photos, searches run */
  public SearchStats stats() {
    return new SearchStats(queries.get(), skipped.get(), apparel.get(), other.get(), regions.get());
  }

  /** @return the catalog searched */
  public ProductCatalog catalog() {
    return catalog;
  }

  /** @return the region detector for apparel photos */
  public ObjectDetector detector() {
    return detector;
  }

  /** Builder for {@link ProductSearcher}. Not thread-safe. */
  public static final class Builder {
    private ProductCatalog catalog;
    private ImageClassifier intentClassifier;
    private final Map<String, Intent> intentLabels = new HashMap<>();
    private ObjectDetector detector;
    private Set<String> garmentLabels;
    private float minDetectionScore = 0f;
    private double regionPadding = 0.05;
    private int candidates = 30;
    private int top = 10;
    private double maxDistance = 1.0;
    private Double rankThreshold = ResultFilters.SEED_RANK_THRESHOLD;
    private Double entropyThreshold = ResultFilters.DEFAULT_ENTROPY_THRESHOLD;
    private boolean categoryOrdering = true;
    private boolean otherCommodityMainObject;
    private ImageLoader loader = ImageLoader.defaults();

    private Builder() {}

    /**
     * @param catalog the product database to search; required
     * @return this builder
     */
    public Builder catalog(ProductCatalog catalog) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      return this;
    }

    /**
     * @param classifier the image intent classification model; required. Its labels must be
     *     intent labels ("non-commodity", "apparel", "other-commodity") or be mapped with
     *     {@link #intentLabel}; it must be able to say non-commodity.
     * @return this builder
     */
    public Builder intentClassifier(ImageClassifier classifier) {
      this.intentClassifier = Objects.requireNonNull(classifier, "classifier");
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
      intentLabels.put(Objects.requireNonNull(label, "label"), Objects.requireNonNull(intent, "intent"));
      return this;
    }

    /**
     * @param detector garment detection network for apparel photos (default: the training-free
     *     {@link ForegroundRegionProposer})
     * @return this builder
     */
    public Builder garmentDetector(ObjectDetector detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    /**
     * @param labels detector labels that are garments; other detections are ignored (default: all)
     * @return this builder
     */
    public Builder garmentLabels(Collection<String> labels) {
      this.garmentLabels = new LinkedHashSet<>(labels);
      return this;
    }

    /**
     * @param score detections below this confidence are ignored (default 0)
     * @return this builder
     */
    public Builder minDetectionScore(float score) {
      this.minDetectionScore = score;
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
      this.regionPadding = padding;
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
      this.candidates = k;
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
      this.top = top;
      return this;
    }

    /**
     * @param maxDistance the similar image set keeps products with cosine distance at most this
     *     (default 1.0, i.e. cosine similarity &ge; 0; range [0, 2])
     * @return this builder
     */
    public Builder maxDistance(double maxDistance) {
      if (!(maxDistance >= 0 && maxDistance <= 2)) {
        throw new IllegalArgumentException("maxDistance must be in [0, 2]: " + maxDistance);
      }
      this.maxDistance = maxDistance;
      return this;
    }

    /**
     * @param threshold rank-value threshold of claim 5 (default {@value ResultFilters#SEED_RANK_THRESHOLD},
     *     the seed's example); null switches the filter off
     * @return this builder
     */
    public Builder rankThreshold(Double threshold) {
      if (threshold != null && !Double.isFinite(threshold)) {
        throw new IllegalArgumentException("rank threshold must be finite");
      }
      this.rankThreshold = threshold;
      return this;
    }

    /**
     * @param threshold category entropy threshold of claim 6 in nats (default ln 10 = 2.303:
     *     drops categories with under 10% of the results); null switches the filter off
     * @return this builder
     */
    public Builder entropyThreshold(Double threshold) {
      if (threshold != null && !(threshold >= 0)) {
        throw new IllegalArgumentException("entropy threshold must be >= 0");
      }
      this.entropyThreshold = threshold;
      return this;
    }

    /**
     * @param on whether results are ordered by category score (claim 7; default true); when
     *     off they are ordered by rank value alone
     * @return this builder
     */
    public Builder categoryOrdering(boolean on) {
      this.categoryOrdering = on;
      return this;
    }

    /**
     * Variant for other commodities: instead of the whole image (the seed's claim 3), embed the
     * box around every region the detector finds (the main object), falling back to the whole
     * image when it finds none. Helps when catalog images are tight product shots and queries
     * show the product small on a backdrop. Default false.
     *
     * @param on whether to crop other-commodity queries to the main object
     * @return this builder
     */
    public Builder otherCommodityMainObject(boolean on) {
      this.otherCommodityMainObject = on;
      return this;
    }

    /**
     * @param loader decodes query files (default {@link ImageLoader#defaults()})
     * @return this builder
     */
    public Builder imageLoader(ImageLoader loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * @return the searcher
     * @throws IllegalStateException naming a missing catalog or intent classifier, or a
     *     classifier whose labels cannot express non-commodity and a commodity intent
     */
    public ProductSearcher build() {
      if (catalog == null) {
        throw new IllegalStateException("ProductSearcher: catalog is required");
      }
      if (intentClassifier == null) {
        throw new IllegalStateException("ProductSearcher: intentClassifier is required "
            + "(train one with EmbeddingIntentClassifier.trainer(...) or plug an ImageClassifier)");
      }
      Set<Intent> covered = java.util.EnumSet.noneOf(Intent.class);
      for (String l : intentClassifier.labels()) {
        Intent i = intentLabels.get(l);
        if (i == null) {
          try {
            i = Intent.parse(l);
          } catch (IllegalArgumentException e) {
            throw new IllegalStateException("ProductSearcher: intent classifier label '" + l
                + "' maps to no intent; map it with intentLabel(\"" + l + "\", Intent.X)");
          }
        }
        covered.add(i);
      }
      if (!covered.contains(Intent.NON_COMMODITY) || covered.size() < 2) {
        throw new IllegalStateException("ProductSearcher: the intent classifier must output non-commodity and at "
            + "least one commodity intent; its labels map to " + covered);
      }
      if (top > candidates) {
        throw new IllegalStateException("ProductSearcher: top (" + top + ") exceeds candidates (" + candidates + ")");
      }
      return new ProductSearcher(this);
    }
  }
}
