package io.sightline.commerce;

import io.sightline.commerce.InstanceEvidence.Proposal;
import io.sightline.core.classify.Classification;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.Matcher;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The steps of {@link ProductSearcher#search(BufferedImage, String, ProductQuery)} after the gate:
 * the regions proposed in each segment, their padding, instance matching, and the search of each
 * region (embedding, index search, the filters), and the search of a precomputed vector.
 * Immutable after construction; the counters it is given are the searcher's and atomic, so
 * searches may run concurrently, as the searcher's contract says.
 */
final class RegionSearch {
  private final ProductCatalog catalog;
  private final ObjectDetector detector;
  private final Set<String> garmentLabels;
  private final float minDetectionScore;
  private final double regionPadding;
  private final RegionFilter filters;
  private final boolean otherCommodityMainObject;
  private final boolean mainObjectUnion;
  private final Matcher matcher;
  private final InstanceEvidence instances;
  private final int candidates;
  private final int top;
  private final AtomicLong apparel;
  private final AtomicLong other;
  private final AtomicLong regions;

  RegionSearch(SearcherOptions o, ObjectDetector detector, Matcher matcher, RegionFilter filters,
      InstanceEvidence instances, AtomicLong apparel, AtomicLong other, AtomicLong regions) {
    this.catalog = o.catalog;
    this.detector = detector;
    this.garmentLabels = o.garmentLabels == null ? null : Set.copyOf(o.garmentLabels);
    this.minDetectionScore = o.minDetectionScore;
    this.regionPadding = o.regionPadding;
    this.filters = filters;
    this.otherCommodityMainObject = o.otherCommodityMainObject == null ? o.catalog.cropsToMainObject()
        : o.otherCommodityMainObject;
    this.mainObjectUnion = o.mainObjectUnion;
    this.matcher = matcher;
    this.instances = instances;
    this.candidates = o.candidates;
    this.top = o.top;
    this.apparel = apparel;
    this.other = other;
    this.regions = regions;
  }

  /**
   * The steps after the gate: the regions of each segment the gate chose, instance matching
   * (local, hybrid), the search of every region, the filters, de-duplication across regions, then
   * the requested page.
   */
  ProductSearchResult search(BufferedImage image, String name, ProductQuery query, Intent intent,
      List<Classification> scores, GateDecision gate) {
    List<Proposal> proposals = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    for (Intent segment : gate.segments()) {
      sources.add(propose(image, segment, proposals));
    }
    String source = String.join(" + ", sources);
    InstanceEvidence.Instances inst = null;
    if (matcher.usesInstances()) {
      int added = 0;
      for (Intent segment : gate.segments()) {
        List<Box> crops = new ArrayList<>();
        for (Proposal p : proposals) {
          if (p.segment == segment) {
            crops.add(p.whole ? p.box : padded(p.box, image));
          }
        }
        InstanceEvidence.Instances one = instances.match(image, segment, crops);
        added += InstanceEvidence.assign(one, segment, proposals, image.getWidth(), image.getHeight());
        inst = InstanceEvidence.merge(inst, one);
      }
      if (added > 0) {
        source += " + " + added + " instance region(s)";
      }
    }
    int limit = query.limit() == 0 ? top : query.limit();
    int k = Math.max(candidates, query.offset() + limit);
    List<RegionFilter.Ranked> ranked = new ArrayList<>();
    for (Proposal p : proposals) {
      ranked.add(searchRegion(image, p, inst, query.filter(), k));
    }
    List<RegionResult> out = filters.finish(ranked, query.offset(), limit);
    return new ProductSearchResult(name, intent, scores, true, source, out, matcher,
        InstanceEvidence.note(inst, matcher), gate);
  }

  /** The steps of {@link ProductSearcher#searchVector(Intent, float[], ProductQuery)}. */
  RegionResult searchVector(Intent segment, float[] vector, ProductQuery query) {
    Objects.requireNonNull(query, "query");
    regions.incrementAndGet();
    int limit = query.limit() == 0 ? top : query.limit();
    List<SearchResult<String>> hits = catalog.search(segment, vector, Math.max(candidates, query.offset() + limit),
        query.filter());
    RegionFilter.Ranked r = filters.filter(hits, vector, Map.of(), null, new Box(0, 0, 0, 0), "vector", 1f, segment,
        query.filter());
    return filters.finish(List.of(r), query.offset(), limit).get(0);
  }

  /** Adds the regions of one segment to search; returns what produced them. */
  private String propose(BufferedImage image, Intent segment, List<Proposal> proposals) {
    Box whole = new Box(0, 0, image.getWidth(), image.getHeight());
    if (segment == Intent.APPAREL) {
      apparel.incrementAndGet();
      int before = proposals.size();
      for (Detection d : detector.detect(image)) {
        if (d.score() >= minDetectionScore && (garmentLabels == null || garmentLabels.contains(d.label()))
            && !d.box().clamp(image.getWidth(), image.getHeight()).isEmpty()) {
          proposals.add(new Proposal(d.box(), d.label(), d.score(), false, segment));
        }
      }
      if (proposals.size() == before) {
        proposals.add(new Proposal(whole, "image", 1f, false, segment));
        return detector.id() + " (no region found: whole image)";
      }
      return detector.id();
    }
    other.incrementAndGet();
    if (!otherCommodityMainObject) {
      proposals.add(new Proposal(whole, "image", 1f, true, segment));
      return "whole-image";
    }
    Box main = MainObject.box(detector.detect(image), image.getWidth(), image.getHeight(), mainObjectUnion);
    if (main == null) {
      proposals.add(new Proposal(whole, "image", 1f, true, segment));
      return detector.id() + " (main object not found: whole image)";
    }
    proposals.add(new Proposal(main, "object", 1f, false, segment));
    return detector.id() + " (main object)";
  }

  private Box padded(Box box, BufferedImage image) {
    Box b = box;
    if (regionPadding > 0) {
      b = new Box(b.x() - b.w() * regionPadding, b.y() - b.h() * regionPadding,
          b.w() * (1 + 2 * regionPadding), b.h() * (1 + 2 * regionPadding));
    }
    return b.clamp(image.getWidth(), image.getHeight());
  }

  private RegionFilter.Ranked searchRegion(BufferedImage image, Proposal p, InstanceEvidence.Instances inst,
      ProductFilter where, int k) {
    regions.incrementAndGet();
    float[] vector = null;
    List<SearchResult<String>> hits = List.of();
    if (matcher.usesGlobal()) {
      vector = catalog.embedder(p.segment).embed(p.whole ? image : InstanceEvidence.cropExact(image, padded(p.box, image)));
      hits = catalog.search(p.segment, vector, k, where);
    }
    return filters.filter(hits, vector, p.verified, inst, p.box, p.label, p.score, p.segment, where);
  }
}
