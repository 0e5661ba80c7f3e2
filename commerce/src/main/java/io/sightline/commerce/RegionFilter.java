package io.sightline.commerce;

import io.sightline.core.detect.Box;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.InstanceMatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The post-search steps of one region, and the cross-region steps of one photo: fusion of global
 * hits with verified instance matches, the similar-set bound, the seed's filters with pinned
 * results, then de-duplication across regions and the page. Package-private helper of
 * {@link ProductSearcher}; immutable, thread-safe.
 */
final class RegionFilter {
  /** Filter settings of a searcher. */
  record Settings(double maxDistance, Double rankThreshold, Double entropyThreshold, boolean categoryOrdering,
      boolean pinBestMatch, boolean dedupe) {}

  /** One region's full ordered list (before de-duplication and the page) with its trace. */
  record Ranked(Box box, String label, float score, Intent segment, List<ProductMatch> ordered, FilterTrace trace) {}

  private final ProductCatalog catalog;
  private final Settings settings;

  RegionFilter(ProductCatalog catalog, Settings settings) {
    this.catalog = catalog;
    this.settings = settings;
  }

  /**
   * Fuses a region's global hits with the instance matches verified in it (hybrid: one list,
   * verified matches scored {@code max(2 - distance, 2 · instanceScore)}; local: verified only,
   * {@code 2 · instanceScore}), then runs the distance bound and the seed's filters and ordering
   * on the fused list; verified matches and (when pinned) the best match are never removed or
   * demoted.
   */
  Ranked filter(List<SearchResult<String>> hits, float[] vector, Map<String, InstanceMatch> verifiedHere,
      InstanceEvidence.Instances inst, Box box, String label, float score, Intent segment, ProductFilter where) {
    List<String> ids = new ArrayList<>(hits.stream().map(SearchResult::id).toList());
    ids.addAll(verifiedHere.keySet());
    Map<String, Product> products = catalog.products(ids);
    Map<String, ProductMatch> fused = new LinkedHashMap<>();
    List<RemovedMatch> byAttributes = new ArrayList<>();
    for (SearchResult<String> h : hits) {
      Product p = products.get(h.id());
      if (p == null) {
        continue; // vector without a committed product row
      }
      InstanceMatch v = verifiedHere.get(h.id());
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
      float d = Float.NaN;
      if (vector != null) { // hybrid: the product's true global distance, from its stored vector
        float[] stored = catalog.index(segment).vector(v.id()).orElse(null);
        d = stored == null ? Float.NaN : cosineDistance(vector, stored);
      }
      ProductMatch m = match(p, d, v, inst.boxes().get(p.id()));
      if (where != null && !where.test(p.attributesWithCategory())) {
        byAttributes.add(new RemovedMatch(p.id(), p.category(), m.rankValue(), "verified, but fails " + where));
        continue;
      }
      extra++;
      fused.put(p.id(), m);
    }
    List<ProductMatch> all = new ArrayList<>(fused.values());
    Set<String> pinned = new LinkedHashSet<>();
    for (ProductMatch m : all) {
      if (m.verified()) {
        pinned.add(m.id());
      }
    }
    ResultFilters.Filtered near = ResultFilters.distanceFilter(all, settings.maxDistance(), Set.of());
    List<ProductMatch> similar = near.kept();
    Set<String> best = new LinkedHashSet<>();
    if (settings.pinBestMatch() && !similar.isEmpty()) {
      best.add(ResultFilters.bestMatch(similar));
      pinned.addAll(best);
    }
    List<ProductMatch> current = similar;
    List<RemovedMatch> byRank = List.of();
    if (settings.rankThreshold() != null) {
      ResultFilters.Filtered f = ResultFilters.rankFilter(current, settings.rankThreshold(), Set.of());
      current = f.kept();
      byRank = f.removed();
      if (!best.isEmpty() && !current.stream().anyMatch(m -> best.contains(m.id()))) {
        pinned.removeAll(best); // an absolute threshold may reject even the best match
        best.clear();
      }
    }
    List<RemovedMatch> byEntropy = List.of();
    Map<String, Double> entropy = Map.of();
    if (settings.entropyThreshold() != null) {
      ResultFilters.Filtered f = ResultFilters.entropyFilter(current, settings.entropyThreshold(), best);
      current = f.kept();
      byEntropy = f.removed();
      entropy = f.categoryEntropy();
    }
    Map<String, Double> catScores = Map.of();
    if (settings.categoryOrdering()) {
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
    current = settings.pinBestMatch() ? ResultFilters.bestFirst(current, best) : ResultFilters.verifiedFirst(current);
    FilterTrace trace = new FilterTrace(hits.size() + extra, settings.maxDistance(), near.removed(), similar.size(),
        settings.rankThreshold(), byRank, settings.entropyThreshold(), entropy, byEntropy, settings.categoryOrdering(),
        catScores, new ArrayList<>(pinned), List.of(), byAttributes, current.size(), 0);
    return new Ranked(box, label, score, segment, current, trace);
  }

  /**
   * De-duplicates across the regions of one photo (a product found by several regions stays only
   * in the one where it scores best: verified first, then higher rank value, then the earlier
   * region) and cuts each region's page.
   */
  List<RegionResult> finish(List<Ranked> ranked, int offset, int limit) {
    Map<String, Integer> owner = new HashMap<>();
    if (settings.dedupe()) {
      for (int r = 0; r < ranked.size(); r++) {
        for (ProductMatch m : ranked.get(r).ordered()) {
          Integer o = owner.get(m.id());
          if (o == null || better(m, find(ranked.get(o), m.id()))) {
            owner.put(m.id(), r);
          }
        }
      }
    }
    List<RegionResult> out = new ArrayList<>();
    for (int r = 0; r < ranked.size(); r++) {
      Ranked g = ranked.get(r);
      List<ProductMatch> kept = new ArrayList<>();
      List<RemovedMatch> dupes = new ArrayList<>();
      for (ProductMatch m : g.ordered()) {
        Integer o = owner.get(m.id());
        if (o != null && o != r) {
          Ranked other = ranked.get(o);
          dupes.add(new RemovedMatch(m.id(), m.category(), m.rankValue(), String.format(Locale.ROOT,
              "also found in region %d (%s at %s) with a better score", o, other.label(), boxText(other.box()))));
        } else {
          kept.add(m);
        }
      }
      int from = Math.min(offset, kept.size());
      int to = Math.min(kept.size(), from + limit);
      FilterTrace t = g.trace().withPage(dupes, kept.size(), offset);
      out.add(new RegionResult(g.box(), g.label(), g.score(), g.segment(), kept.subList(from, to), t));
    }
    return out;
  }

  private static ProductMatch find(Ranked g, String id) {
    for (ProductMatch m : g.ordered()) {
      if (m.id().equals(id)) {
        return m;
      }
    }
    return null;
  }

  private static boolean better(ProductMatch a, ProductMatch b) {
    if (a.verified() != b.verified()) {
      return a.verified();
    }
    return a.rankValue() > b.rankValue();
  }

  private static String boxText(Box b) {
    return String.format(Locale.ROOT, "[%d,%d,%d,%d]", Math.round(b.x()), Math.round(b.y()), Math.round(b.w()),
        Math.round(b.h()));
  }

  static ProductMatch match(Product p, float distance, InstanceMatch m, Box region) {
    boolean verified = m != null && m.verified();
    double rank = Float.isNaN(distance) ? Double.NEGATIVE_INFINITY : ResultFilters.rankValue(distance);
    if (verified) {
      rank = Math.max(rank, 2 * m.score());
    }
    return new ProductMatch(p.id(), p.category(), p.title(), p.link(), p.image(), distance, rank, 0, Double.NaN,
        verified, m == null ? Double.NaN : m.score(), m == null ? 0 : m.inliers(), verified ? region : null);
  }

  static float cosineDistance(float[] a, float[] b) {
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
}
