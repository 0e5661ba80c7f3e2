package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import io.sightline.core.metrics.Metrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The post-search steps of the seed, as pure functions over a similar image set. Each can be used
 * alone or chained (seed fig. 6: rank filter, then entropy filter, then ordering).
 *
 * <ul>
 *   <li><b>Rank value</b> (step 304): {@code rank = 2 - distance}, distance being the cosine
 *       distance {@code 1 - cos} in [0, 2], so the rank value lies in [0, 2] and larger means more
 *       similar. The seed's example threshold 1.08 keeps results with cosine similarity &ge; 0.08.</li>
 *   <li><b>Rank filter</b> (claim 5): results with a rank value below the threshold are dropped;
 *       the rest form the first target similar image set.</li>
 *   <li><b>Category entropy</b> (claim 6): when the results span several categories, category
 *       {@code c} holding {@code n_c} of the {@code N} results gets the entropy value
 *       {@code H(c) = -ln(n_c / N)} (its self-information, in nats; {@link Metrics#selfInformation}).
 *       A rare category is an uncertain one; categories with {@code H(c)} above the threshold are
 *       dropped (second target similar image set). A threshold {@code t} drops exactly the
 *       categories holding less than {@code e^-t} of the results: the default {@code ln 10 = 2.303}
 *       drops categories under 10%. The seed's example (30 results: beverage 20, cup 8, toy 2)
 *       gives 0.405, 1.322 and 2.708 nats: toy is dropped, 28 results remain.</li>
 *   <li><b>Category ordering</b> (claim 7): results get 1-based rank positions {@code X_i} by rank
 *       value; category {@code c} with {@code k} results scores
 *       {@code score(c) = sum over its results of 1 / X_i} (the seed's formula is lost; this
 *       reciprocal-rank sum rewards a category both for many results and for high places).
 *       Categories are listed by score (ties: the better best position first), results within a
 *       category by rank value. With one category, results are ordered by rank value alone.</li>
 * </ul>
 *
 * <p><b>Verified instance matches</b> ({@link ProductMatch#verified()}, from the local or hybrid
 * {@link Matcher}) are geometric proof that the product is in the photo, not a similarity: the
 * rank and entropy filters never remove them (they still count in the category shares), and
 * {@link #verifiedFirst} puts them before every unverified result after the ordering.
 */
public final class ResultFilters {
  /** Default entropy threshold: ln 10, i.e. drop categories with less than 10% of the results. */
  public static final double DEFAULT_ENTROPY_THRESHOLD = Math.log(10);
  /** The seed's example rank-value threshold. */
  public static final double SEED_RANK_THRESHOLD = 1.08;

  private ResultFilters() {}

  /**
   * A filter's outcome.
   *
   * @param kept the results kept, in input order
   * @param removed the results removed, with reasons
   * @param categoryEntropy per-category entropy (entropy filter only)
   */
  public record Filtered(List<ProductMatch> kept, List<RemovedMatch> removed, Map<String, Double> categoryEntropy) {
    /** Copies collections. */
    public Filtered {
      kept = List.copyOf(kept);
      removed = List.copyOf(removed);
      categoryEntropy = Map.copyOf(categoryEntropy);
    }
  }

  /**
   * The ordering's outcome.
   *
   * @param ordered results in final order, with positions and category scores
   * @param categoryScores score per category (empty with a single category)
   */
  public record Ordered(List<ProductMatch> ordered, Map<String, Double> categoryScores) {
    /** Copies collections. */
    public Ordered {
      ordered = List.copyOf(ordered);
      categoryScores = Map.copyOf(categoryScores);
    }
  }

  /**
   * @param distance cosine distance in [0, 2]
   * @return the rank value {@code 2 - distance}
   */
  public static double rankValue(double distance) {
    return 2.0 - distance;
  }

  /**
   * Claim 5: keeps results whose rank value is at least {@code threshold}, and every verified
   * instance match.
   *
   * @param results the similar image set
   * @param threshold rank-value threshold
   * @return kept and removed results
   */
  public static Filtered rankFilter(List<ProductMatch> results, double threshold) {
    return rankFilter(results, threshold, Set.of());
  }

  /**
   * Claim 5 with pinned results: keeps results whose rank value is at least {@code threshold},
   * every verified instance match and every result whose id is in {@code pinned}. The reason of
   * a removal is written in the unit of the score that decided it: the cosine similarity
   * ({@code rank - 1}) for a global result, the instance score ({@code rank / 2}) for a result
   * ranked by instance evidence alone.
   *
   * @param results the similar image set
   * @param threshold rank-value threshold
   * @param pinned ids that are never removed
   * @return kept and removed results
   */
  public static Filtered rankFilter(List<ProductMatch> results, double threshold, Set<String> pinned) {
    List<ProductMatch> kept = new ArrayList<>();
    List<RemovedMatch> removed = new ArrayList<>();
    for (ProductMatch m : results) {
      if (m.verified() || pinned.contains(m.id()) || m.rankValue() >= threshold) {
        kept.add(m);
      } else {
        removed.add(new RemovedMatch(m.id(), m.category(), m.rankValue(), rankReason(m, threshold)));
      }
    }
    return new Filtered(kept, removed, Map.of());
  }

  /** Why the rank filter removed {@code m}, in the unit of its score. */
  static String rankReason(ProductMatch m, double threshold) {
    if (Float.isNaN(m.distance())) {
      return String.format(Locale.ROOT, "instance score %.3f < %.3f (rank value %.3f < %.3f)", m.rankValue() / 2,
          threshold / 2, m.rankValue(), threshold);
    }
    return String.format(Locale.ROOT, "cosine similarity %.3f < %.3f (rank value %.3f < %.3f)", m.rankValue() - 1,
        threshold - 1, m.rankValue(), threshold);
  }

  /**
   * The similar image set's distance bound (seed step 203): keeps results whose cosine distance
   * is at most {@code maxDistance}, every verified instance match, every pinned id, and results
   * without a global distance (local matcher).
   *
   * @param results candidate results
   * @param maxDistance largest cosine distance kept, in [0, 2]
   * @param pinned ids that are never removed
   * @return kept and removed results
   */
  public static Filtered distanceFilter(List<ProductMatch> results, double maxDistance, Set<String> pinned) {
    List<ProductMatch> kept = new ArrayList<>();
    List<RemovedMatch> removed = new ArrayList<>();
    for (ProductMatch m : results) {
      if (m.verified() || pinned.contains(m.id()) || Float.isNaN(m.distance()) || m.distance() <= maxDistance) {
        kept.add(m);
      } else {
        removed.add(new RemovedMatch(m.id(), m.category(), m.rankValue(), String.format(Locale.ROOT,
            "cosine distance %.3f > %.3f (cosine similarity %.3f < %.3f)", m.distance(), maxDistance,
            1 - m.distance(), 1 - maxDistance)));
      }
    }
    return new Filtered(kept, removed, Map.of());
  }

  /**
   * @param results results
   * @return the id of the result with the highest rank value (ties by id), null when empty: the
   *     best match that the calibrated filters pin
   */
  public static String bestMatch(List<ProductMatch> results) {
    return results.isEmpty() ? null : byRankValue(results).get(0).id();
  }

  /**
   * @param results results
   * @return each category's entropy value {@code -ln(n_c / N)}, in nats (empty for no results)
   */
  public static Map<String, Double> categoryEntropy(List<ProductMatch> results) {
    if (results.isEmpty()) {
      return Map.of();
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (ProductMatch m : results) {
      counts.merge(m.category(), 1, Integer::sum);
    }
    return Metrics.selfInformation(counts);
  }

  /**
   * Claim 6: when the results span several categories, drops the categories whose entropy value
   * exceeds {@code threshold}. With one category nothing is dropped. Verified instance matches
   * count in the shares but are never dropped.
   *
   * <p>When <em>every</em> category is above the threshold (results scattered over many small
   * categories, none dominant), nothing is dropped either: the filter's premise, a dominant
   * category plus noise, does not hold, and dropping all would return an empty answer even for an
   * exact match. The entropies are still reported, so the trace shows why nothing went.
   *
   * @param results the similar image set (or the first target set)
   * @param threshold entropy threshold in nats
   * @return kept and removed results, and the entropies
   */
  public static Filtered entropyFilter(List<ProductMatch> results, double threshold) {
    return entropyFilter(results, threshold, Set.of());
  }

  /**
   * Claim 6 with pinned results: as {@link #entropyFilter(List, double)}, and results whose id is
   * in {@code pinned} are never dropped either (they count in the shares).
   *
   * @param results the similar image set (or the first target set)
   * @param threshold entropy threshold in nats
   * @param pinned ids that are never removed
   * @return kept and removed results, and the entropies
   */
  public static Filtered entropyFilter(List<ProductMatch> results, double threshold, Set<String> pinned) {
    Map<String, Double> h = categoryEntropy(results);
    if (h.size() < 2) {
      return new Filtered(results, List.of(), Map.of());
    }
    List<ProductMatch> kept = new ArrayList<>();
    List<RemovedMatch> removed = new ArrayList<>();
    for (ProductMatch m : results) {
      double e = h.get(m.category());
      if (e > threshold && !m.verified() && !pinned.contains(m.id())) {
        removed.add(new RemovedMatch(m.id(), m.category(), m.rankValue(),
            String.format(Locale.ROOT, "category '%s' entropy %.3f > %.3f", m.category(), e, threshold)));
      } else {
        kept.add(m);
      }
    }
    if (kept.isEmpty()) {
      return new Filtered(results, List.of(), h);
    }
    return new Filtered(kept, removed, h);
  }

  /**
   * @param positions the 1-based rank positions {@code X_i} of one category's results
   * @return {@code sum 1 / X_i}
   */
  public static double categoryScore(List<Integer> positions) {
    double s = 0;
    for (int x : positions) {
      if (x < 1) {
        throw new IllegalArgumentException("rank positions are 1-based: " + x);
      }
      s += 1.0 / x;
    }
    return s;
  }

  /**
   * Claim 7: orders results by category score, then by rank value within a category; with one
   * category, by rank value alone.
   *
   * @param results results in any order
   * @return ordered results with rank positions and category scores
   */
  public static Ordered orderByCategory(List<ProductMatch> results) {
    List<ProductMatch> byRank = byRankValue(results);
    Map<String, List<Integer>> positions = new LinkedHashMap<>();
    for (int i = 0; i < byRank.size(); i++) {
      positions.computeIfAbsent(byRank.get(i).category(), c -> new ArrayList<>()).add(i + 1);
    }
    if (positions.size() < 2) {
      List<ProductMatch> out = new ArrayList<>();
      for (int i = 0; i < byRank.size(); i++) {
        out.add(byRank.get(i).withRanking(i + 1, Double.NaN));
      }
      return new Ordered(out, Map.of());
    }
    Map<String, Double> scores = new HashMap<>();
    for (Map.Entry<String, List<Integer>> e : positions.entrySet()) {
      scores.put(e.getKey(), categoryScore(e.getValue()));
    }
    List<String> categories = new ArrayList<>(positions.keySet()); // already in best-position order
    categories.sort(Comparator.comparingDouble((String c) -> -scores.get(c))
        .thenComparingInt(c -> positions.get(c).get(0)));
    Map<String, Integer> catRank = new HashMap<>();
    for (int i = 0; i < categories.size(); i++) {
      catRank.put(categories.get(i), i);
    }
    List<ProductMatch> ranked = new ArrayList<>();
    for (int i = 0; i < byRank.size(); i++) {
      ProductMatch m = byRank.get(i);
      ranked.add(m.withRanking(i + 1, scores.get(m.category())));
    }
    List<ProductMatch> out = new ArrayList<>(ranked);
    // stable sort: within a category the rank-value order stays
    out.sort(Comparator.comparingInt(m -> catRank.get(m.category())));
    return new Ordered(out, scores);
  }

  /**
   * Moves the verified instance matches before the others, keeping the order within each group
   * (the hybrid matcher's "verified first, then global results").
   *
   * @param results ordered results
   * @return the same results, verified first
   */
  public static List<ProductMatch> verifiedFirst(List<ProductMatch> results) {
    return pinnedFirst(results, Set.of());
  }

  /**
   * Moves the verified instance matches first, then the results whose id is in {@code pinned}
   * (the best match, under the calibrated filters), then the others, keeping the order within
   * each group; so category ordering never puts a pinned result below an unpinned one.
   *
   * @param results ordered results
   * @param pinned ids to place right after the verified matches
   * @return the same results, reordered
   */
  public static List<ProductMatch> pinnedFirst(List<ProductMatch> results, Set<String> pinned) {
    List<ProductMatch> out = new ArrayList<>(results.size());
    for (ProductMatch m : results) {
      if (m.verified()) {
        out.add(m);
      }
    }
    for (ProductMatch m : results) {
      if (!m.verified() && pinned.contains(m.id())) {
        out.add(m);
      }
    }
    for (ProductMatch m : results) {
      if (!m.verified() && !pinned.contains(m.id())) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * The calibrated preset's final order: verified instance matches first, by rank value (so
   * category ordering cannot demote the best verified match), then the results whose id is in
   * {@code pinned} (the best unverified match), then the others in their given (category) order.
   *
   * @param results ordered results
   * @param pinned ids to place right after the verified matches
   * @return the same results, reordered
   */
  public static List<ProductMatch> bestFirst(List<ProductMatch> results, Set<String> pinned) {
    List<ProductMatch> out = new ArrayList<>(byRankValue(results.stream().filter(ProductMatch::verified).toList()));
    out.addAll(pinnedFirst(results.stream().filter(m -> !m.verified()).toList(), pinned));
    return out;
  }

  /**
   * @param results results
   * @return a copy sorted by rank value, highest first (ties by id for determinism)
   */
  public static List<ProductMatch> byRankValue(List<ProductMatch> results) {
    List<ProductMatch> out = new ArrayList<>(results);
    out.sort(Comparator.comparingDouble(ProductMatch::rankValue).reversed().thenComparing(ProductMatch::id));
    return out;
  }
}
