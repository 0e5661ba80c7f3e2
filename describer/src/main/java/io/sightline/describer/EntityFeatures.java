package io.sightline.describer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the feature parameters of the entities of matched references (claims 4, 6 and 7);
 * see {@link FeatureSchema} for each feature's definition. Stateless and thread-safe.
 */
public final class EntityFeatures {
  private EntityFeatures() {}

  /** Per (entity, page) aggregates. */
  private static final class PageStat {
    final ReferenceMatch match;
    int occurrences;
    double weighted;
    double bestWeight;
    boolean inTitle;
    EntityKind kind;

    PageStat(ReferenceMatch match) {
      this.match = match;
    }
  }

  /**
   * @param mode grouped (claims 4-5) or per mention (claim 6)
   * @param matches the matched references
   * @param entities the stored entities of each matched page
   * @param documentFrequency pages of the whole store mentioning each entity
   * @param storeSize number of pages in the store
   * @return one candidate per entity group (grouped) or per entity and page (per mention), in a
   *     deterministic order
   */
  public static List<EntityCandidate> compute(ScoringMode mode, List<ReferenceMatch> matches,
      Map<String, List<PageEntity>> entities, Map<String, Integer> documentFrequency, int storeSize) {
    int m = matches.size();
    double topSim = 0;
    double simSum = 0;
    for (ReferenceMatch r : matches) {
      topSim = Math.max(topSim, r.similarity());
      simSum += r.similarity();
    }
    // entity key -> page stats in match order; surface votes
    Map<String, List<PageStat>> byEntity = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> surfaces = new HashMap<>();
    Map<String, Double> pageTotals = new HashMap<>();
    for (ReferenceMatch r : matches) {
      List<PageEntity> list = entities.getOrDefault(r.id(), List.of());
      double total = 0;
      Map<String, PageStat> stats = new LinkedHashMap<>();
      for (PageEntity e : list) {
        double w = e.position().weight() * e.occurrences();
        total += w;
        PageStat s = stats.computeIfAbsent(e.key(), k -> new PageStat(r));
        s.occurrences += e.occurrences();
        s.weighted += w;
        s.bestWeight = Math.max(s.bestWeight, e.position().weight());
        s.inTitle |= e.position() == TextPosition.TITLE;
        if (s.kind == null || e.kind().nameLike() > s.kind.nameLike()) {
          s.kind = e.kind();
        }
        surfaces.computeIfAbsent(e.key(), k -> new LinkedHashMap<>()).merge(e.surface(), e.occurrences(), Integer::sum);
      }
      pageTotals.put(r.id(), total);
      for (Map.Entry<String, PageStat> e : stats.entrySet()) {
        byEntity.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
      }
    }
    List<EntityCandidate> out = new ArrayList<>();
    // One page cannot tell a generic word from a specific one: a store of one page counts as two,
    // so its words get 0.5 (no evidence either way) instead of 1 ("on every page", score 0).
    double n = Math.max(2, storeSize);
    for (Map.Entry<String, List<PageStat>> g : byEntity.entrySet()) {
      String key = g.getKey();
      String name = surfaces.get(key).entrySet().stream()
          .max(Comparator.comparingInt(Map.Entry<String, Integer>::getValue)
              .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
          .map(Map.Entry::getKey).orElse(key);
      double df = documentFrequency.getOrDefault(key, 0) / n;
      double words = EntityNames.words(key);
      List<PageStat> pages = g.getValue();
      if (mode == ScoringMode.GROUPED) {
        double d = 0;
        double v = 0;
        double c = 0;
        double occ = 0;
        double pwMax = 0;
        double pwSum = 0;
        double titles = 0;
        double em = 0;
        double emMax = 0;
        double smMax = 0;
        double smSum = 0;
        int bestRank = Integer.MAX_VALUE;
        double nameLike = 0;
        List<String> ids = new ArrayList<>();
        for (PageStat s : pages) {
          ReferenceMatch r = s.match;
          ids.add(r.id());
          d += r.reference().displays();
          v += r.reference().views();
          c += r.reference().clicks();
          occ += s.occurrences;
          pwMax = Math.max(pwMax, s.bestWeight);
          pwSum += s.bestWeight;
          titles += s.inTitle ? 1 : 0;
          double share = s.weighted / Math.max(1e-9, pageTotals.get(r.id()));
          em += r.similarity() * share;
          emMax = Math.max(emMax, r.similarity() * share);
          smMax = Math.max(smMax, r.similarity());
          smSum += r.similarity();
          bestRank = Math.min(bestRank, r.rank());
          nameLike = Math.max(nameLike, s.kind.nameLike());
        }
        int k = pages.size();
        double[] f = {
            m, k, k / (double) m, Math.log1p(d), Math.log1p(v), Math.log1p(c), c / Math.max(1, d),
            occ, occ / k, pwMax, pwSum / k, titles / k,
            em / Math.max(1e-9, simSum), emMax, smMax, smSum / k, topSim, bestRank,
            df, nameLike, words};
        out.add(new EntityCandidate(key, name, FeatureSchema.GROUPED, f, ids));
      } else {
        for (PageStat s : pages) {
          ReferenceMatch r = s.match;
          Reference p = r.reference();
          double share = s.weighted / Math.max(1e-9, pageTotals.get(r.id()));
          double[] f = {
              m, Math.log1p(p.displays()), Math.log1p(p.views()), Math.log1p(p.clicks()),
              p.clicks() / (double) Math.max(1, p.displays()), s.occurrences, s.bestWeight,
              s.inTitle ? 1 : 0, r.similarity() * share, r.similarity(), topSim, r.rank(),
              df, s.kind.nameLike(), words};
          out.add(new EntityCandidate(key, name, FeatureSchema.PER_MENTION, f, List.of(r.id())));
        }
      }
    }
    return out;
  }
}
