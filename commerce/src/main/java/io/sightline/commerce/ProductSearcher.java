package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import io.sightline.core.ModelException;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.instance.NoFeaturesException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
  private final Matcher matcher;
  private final boolean instanceQueryRegions;

  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong apparel = new AtomicLong();
  private final AtomicLong other = new AtomicLong();
  private final AtomicLong regions = new AtomicLong();
  private final AtomicLong instanceSearches = new AtomicLong();

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
    this.matcher = b.matcher == null ? b.catalog.matcher() : b.matcher;
    this.instanceQueryRegions = b.instanceQueryRegions;
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
      return new ProductSearchResult(name, intent, scores, false, "none", List.of(), matcher, null);
    }
    List<Proposal> proposals = new ArrayList<>();
    String source;
    if (intent == Intent.APPAREL) {
      apparel.incrementAndGet();
      for (Detection d : detector.detect(image)) {
        if (d.score() >= minDetectionScore && (garmentLabels == null || garmentLabels.contains(d.label()))
            && !d.box().clamp(image.getWidth(), image.getHeight()).isEmpty()) {
          proposals.add(new Proposal(d.box(), d.label(), d.score(), false));
        }
      }
      source = detector.id();
      if (proposals.isEmpty()) {
        source += " (no region found: whole image)";
        proposals.add(new Proposal(new Box(0, 0, image.getWidth(), image.getHeight()), "image", 1f, false));
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
          proposals.add(new Proposal(whole, "image", 1f, true));
        } else {
          source = detector.id() + " (main object)";
          proposals.add(new Proposal(main, "object", 1f, false));
        }
      } else {
        source = "whole-image";
        proposals.add(new Proposal(whole, "image", 1f, true));
      }
    }
    Instances inst = null;
    if (matcher.usesInstances()) {
      inst = instanceMatches(image, intent, proposals);
      int added = proposals.size();
      assign(inst, intent, proposals, image.getWidth(), image.getHeight());
      added = proposals.size() - added;
      if (added > 0) {
        source += " + " + added + " instance region(s)";
      }
    }
    List<RegionResult> out = new ArrayList<>();
    for (Proposal p : proposals) {
      out.add(searchRegion(image, p, intent, inst));
    }
    return new ProductSearchResult(name, intent, scores, true, source, out, matcher, note(inst));
  }

  /** A region to search: a detection, the whole image, or where instance matching found a product. */
  private static final class Proposal {
    final Box box;
    final String label;
    final float score;
    final boolean whole;
    final Map<String, InstanceMatch> verified = new LinkedHashMap<>();

    Proposal(Box box, String label, float score, boolean whole) {
      this.box = box;
      this.label = label;
      this.score = score;
      this.whole = whole;
    }
  }

  /** The instance candidates of one query: all of them (evidence) and the verified ones with their box. */
  private record Instances(Map<String, InstanceMatch> all, List<InstanceMatch> verified, Map<String, Box> boxes,
      String failure) {}

  /**
   * Matches the query in the segment's instance index: the whole photo once (the index localises
   * the product itself, so a region the proposer missed is still found), or each proposed
   * region's crop in the {@link Builder#instanceQueryRegions} variant.
   */
  private Instances instanceMatches(BufferedImage image, Intent segment, List<Proposal> proposals) {
    Map<String, InstanceMatch> all = new LinkedHashMap<>();
    List<InstanceMatch> verified = new ArrayList<>();
    Map<String, Box> boxes = new HashMap<>();
    String failure = null;
    List<Box> queries = new ArrayList<>();
    if (instanceQueryRegions) {
      for (Proposal p : proposals) {
        queries.add(p.whole ? p.box : padded(p.box, image));
      }
    } else {
      queries.add(new Box(0, 0, image.getWidth(), image.getHeight()));
    }
    for (Box q : queries) {
      BufferedImage pixels = queries.size() == 1 && q.x() == 0 && q.y() == 0 && q.w() == image.getWidth()
          && q.h() == image.getHeight() ? image : cropExact(image, q);
      List<CatalogInstances.Located> found;
      LocalFeatureSet features;
      try {
        features = catalog.instances().extract(pixels);
        found = catalog.matchInstances(segment, features, candidates);
      } catch (NoFeaturesException e) {
        failure = "the photo has too few local features to be matched by instance (flat, tiny or blurred?)";
        LOG.debug("{}", e.getMessage());
        continue;
      }
      instanceSearches.incrementAndGet();
      double sx = pixels.getWidth() / (double) features.width();
      double sy = pixels.getHeight() / (double) features.height();
      for (CatalogInstances.Located l : found) {
        InstanceMatch m = l.match();
        InstanceMatch had = all.get(m.id());
        if (had == null || m.score() > had.score()) {
          all.put(m.id(), m);
          if (m.verified()) {
            // where the whole product is: its extent in the catalog image mapped through the
            // verified transform; else the box of the verified points
            double[] pb = CatalogInstances.project(l.extent(), m.transform());
            Box b = pb == null ? null
                : Box.ofCorners(pb[0] * sx, pb[1] * sy, pb[2] * sx, pb[3] * sy).clamp(pixels.getWidth(), pixels.getHeight());
            if (b == null || b.isEmpty()) {
              double[] r = m.queryRegion();
              b = new Box(r[0] * pixels.getWidth(), r[1] * pixels.getHeight(), r[2] * pixels.getWidth(),
                  r[3] * pixels.getHeight());
            }
            boxes.put(m.id(), new Box(q.x() + b.x(), q.y() + b.y(), b.w(), b.h()));
          }
        }
      }
    }
    for (InstanceMatch m : all.values()) {
      if (m.verified()) {
        verified.add(m);
      }
    }
    verified.sort(java.util.Comparator.comparingDouble(InstanceMatch::score).reversed().thenComparing(InstanceMatch::id));
    return new Instances(all, verified, boxes, verified.isEmpty() ? failure : null);
  }

  /** A verified match joins a region whose box overlaps its own by at least this IoU. */
  static final double REGION_IOU = 0.3;

  /**
   * Gives every verified match to a region: other commodities have one region; for apparel, the
   * proposed region whose box best overlaps the match's (IoU at least {@value #REGION_IOU}), else
   * a new region at the match's box ("instance"), which later matches may join. (A share-of-match
   * rule would let a region spanning the whole backdrop swallow every garment.)
   */
  private static void assign(Instances inst, Intent segment, List<Proposal> proposals, int width, int height) {
    for (InstanceMatch m : inst.verified()) {
      Box mb = inst.boxes().get(m.id()).clamp(width, height);
      Proposal best = null;
      double bestIou = 0;
      if (segment == Intent.OTHER_COMMODITY) {
        best = proposals.get(0);
      } else {
        for (Proposal p : proposals) {
          double iou = mb.iou(p.box);
          if (iou > bestIou) {
            bestIou = iou;
            best = p;
          }
        }
        if (bestIou < REGION_IOU) {
          best = new Proposal(mb, "instance", (float) m.score(), false);
          proposals.add(best);
        }
      }
      best.verified.put(m.id(), m);
    }
  }

  private String note(Instances inst) {
    if (inst == null) {
      return null;
    }
    if (inst.failure() != null) {
      return inst.failure() + (matcher == Matcher.LOCAL ? ": no product can be verified"
          : "; the results are global look-alikes");
    }
    if (!inst.verified().isEmpty()) {
      return null;
    }
    if (matcher == Matcher.LOCAL) {
      String best = inst.all().values().stream().max(java.util.Comparator.comparingInt(InstanceMatch::inliers))
          .map(m -> " (best candidate " + m.id() + ": " + m.inliers() + " inliers, score "
              + String.format(java.util.Locale.ROOT, "%.2f", m.score()) + ")").orElse("");
      return "no product of this catalog is in the photo: geometric verification accepted none of the "
          + inst.all().size() + " candidates" + best;
    }
    return "no product of this catalog was verified in the photo; the results are global look-alikes";
  }

  private Box padded(Box box, BufferedImage image) {
    Box b = box;
    if (regionPadding > 0) {
      b = new Box(b.x() - b.w() * regionPadding, b.y() - b.h() * regionPadding,
          b.w() * (1 + 2 * regionPadding), b.h() * (1 + 2 * regionPadding));
    }
    return b.clamp(image.getWidth(), image.getHeight());
  }

  private BufferedImage crop(BufferedImage image, Box box) {
    return cropExact(image, padded(box, image));
  }

  private static BufferedImage cropExact(BufferedImage image, Box b) {
    int x = (int) Math.floor(b.x());
    int y = (int) Math.floor(b.y());
    int w = Math.max(1, Math.min(image.getWidth() - x, (int) Math.ceil(b.w())));
    int h = Math.max(1, Math.min(image.getHeight() - y, (int) Math.ceil(b.h())));
    return ImageOps.crop(image, x, y, w, h);
  }

  private RegionResult searchRegion(BufferedImage image, Proposal p, Intent segment, Instances inst) {
    regions.incrementAndGet();
    float[] vector = null;
    List<SearchResult<String>> hits = List.of();
    if (matcher.usesGlobal()) {
      vector = catalog.embedder(segment).embed(p.whole ? image : crop(image, p.box));
      hits = catalog.search(segment, vector, candidates);
    }
    return filter(hits, vector, p.verified, inst, p.box, p.label, p.score, segment);
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
    return filter(hits, vector, Map.of(), null, new Box(0, 0, 0, 0), "vector", 1f, segment);
  }

  /**
   * Fuses a region's global hits with the instance matches verified in it (hybrid: one list,
   * verified matches scored {@code max(2 - distance, 2 · instanceScore)}; local: verified only,
   * {@code 2 · instanceScore}), then runs the seed's filters and ordering on the fused list.
   */
  private RegionResult filter(List<SearchResult<String>> hits, float[] vector, Map<String, InstanceMatch> verifiedHere,
      Instances inst, Box box, String label, float score, Intent segment) {
    List<String> ids = new ArrayList<>(hits.stream().map(SearchResult::id).toList());
    ids.addAll(verifiedHere.keySet());
    Map<String, Product> products = catalog.products(ids);
    Map<String, ProductMatch> fused = new LinkedHashMap<>();
    for (SearchResult<String> h : hits) {
      Product p = products.get(h.id());
      InstanceMatch v = verifiedHere.get(h.id());
      if (p == null || (h.distance() > maxDistance && v == null)) {
        continue; // vector without a committed product row, or outside the similar image set
      }
      InstanceMatch evidence = v;
      if (evidence == null && inst != null) {
        InstanceMatch any = inst.all().get(h.id());
        // unverified candidates lend their (weak) evidence; one verified elsewhere in the photo does not
        evidence = any != null && !any.verified() ? any : null;
      }
      fused.put(p.id(), match(p, h.distance(), evidence, v != null ? inst.boxes().get(p.id()) : null));
    }
    int extra = 0;
    for (InstanceMatch v : verifiedHere.values()) {
      Product p = products.get(v.id());
      if (p == null || fused.containsKey(v.id())) {
        continue;
      }
      extra++;
      float d = Float.NaN;
      if (vector != null) { // hybrid: the product's true global distance, from its stored vector
        float[] stored = catalog.index(segment).vector(v.id()).orElse(null);
        d = stored == null ? Float.NaN : cosineDistance(vector, stored);
      }
      fused.put(p.id(), match(p, d, v, inst.boxes().get(p.id())));
    }
    List<ProductMatch> similar = new ArrayList<>(fused.values());
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
    current = ResultFilters.verifiedFirst(current);
    List<ProductMatch> finalList = current.size() > top ? current.subList(0, top) : current;
    FilterTrace trace = new FilterTrace(hits.size() + extra, maxDistance, similar.size(), rankThreshold, byRank,
        entropyThreshold, entropy, byEntropy, categoryOrdering, catScores);
    return new RegionResult(box, label, score, segment, finalList, trace);
  }

  private static ProductMatch match(Product p, float distance, InstanceMatch m, Box region) {
    boolean verified = m != null && m.verified();
    double rank = Float.isNaN(distance) ? Double.NEGATIVE_INFINITY : ResultFilters.rankValue(distance);
    if (verified) {
      rank = Math.max(rank, 2 * m.score());
    }
    return new ProductMatch(p.id(), p.category(), p.title(), p.link(), p.image(), distance, rank, 0, Double.NaN,
        verified, m == null ? Double.NaN : m.score(), m == null ? 0 : m.inliers(), verified ? region : null);
  }

  private static float cosineDistance(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    double cos = na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    return (float) Math.max(0, Math.min(2, 1 - cos));
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
    return new SearchStats(queries.get(), skipped.get(), apparel.get(), other.get(), regions.get(),
        instanceSearches.get());
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
    private Matcher matcher;
    private boolean instanceQueryRegions;

    private Builder() {}

    /**
     * Overrides the catalog's matcher for this searcher (for comparisons; by default the searcher
     * uses the matcher the catalog was built with, {@link ProductCatalog#matcher()}). A local or
     * hybrid catalog can be searched with any matcher; a global one only with global.
     *
     * @param matcher global, local or hybrid
     * @return this builder
     */
    public Builder matcher(Matcher matcher) {
      this.matcher = Objects.requireNonNull(matcher, "matcher");
      return this;
    }

    /**
     * Variant for measurement: match each proposed region's (padded) crop in the instance index
     * instead of the whole photo once. Default false: the whole photo, since the instance index
     * localises the product itself and so also finds products the region proposer missed.
     */
    Builder instanceQueryRegions(boolean on) {
      this.instanceQueryRegions = on;
      return this;
    }

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
      if (matcher != null && matcher.usesInstances() && !catalog.matcher().usesInstances()) {
        throw new IllegalStateException("ProductSearcher: matcher " + matcher + " needs an instance index, but catalog "
            + catalog.directory() + " was built with the global matcher; build it with matcher local or hybrid");
      }
      if (top > candidates) {
        throw new IllegalStateException("ProductSearcher: top (" + top + ") exceeds candidates (" + candidates + ")");
      }
      return new ProductSearcher(this);
    }
  }
}
