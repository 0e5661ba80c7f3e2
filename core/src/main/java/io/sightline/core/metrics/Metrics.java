package io.sightline.core.metrics;

import io.sightline.core.detect.Box;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retrieval and detection metrics: the one implementation used by tests, evaluation programs and
 * benchmarks alike.
 */
public final class Metrics {
  private Metrics() {}

  /**
   * @param <T> item type
   * @param ranked results, best first
   * @param relevant the relevant items
   * @param k cut-off
   * @return |relevant ∩ top-k| / |relevant| (1 when nothing is relevant)
   */
  public static <T> double recallAtK(List<T> ranked, Set<T> relevant, int k) {
    if (relevant.isEmpty()) {
      return 1.0;
    }
    return hits(ranked, relevant, k) / (double) relevant.size();
  }

  /**
   * @param <T> item type
   * @param ranked results, best first
   * @param relevant the relevant items
   * @param k cut-off
   * @return |relevant ∩ top-k| / k
   */
  public static <T> double precisionAtK(List<T> ranked, Set<T> relevant, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1");
    }
    return hits(ranked, relevant, k) / (double) k;
  }

  /**
   * @param <T> item type
   * @param ranked results, best first
   * @param relevant the relevant items
   * @param k cut-off
   * @return 1 when any relevant item is in the top k, else 0 (success@k, "recall@k" for a single target)
   */
  public static <T> double hitAtK(List<T> ranked, Set<T> relevant, int k) {
    return hits(ranked, relevant, k) > 0 ? 1.0 : 0.0;
  }

  private static <T> int hits(List<T> ranked, Set<T> relevant, int k) {
    int n = Math.min(k, ranked.size());
    int hits = 0;
    for (int i = 0; i < n; i++) {
      if (relevant.contains(ranked.get(i))) {
        hits++;
      }
    }
    return hits;
  }

  /**
   * @param <T> item type
   * @param ranked results, best first
   * @param relevant the relevant items
   * @return average precision over the whole ranking (0 when nothing relevant is retrieved)
   */
  public static <T> double averagePrecision(List<T> ranked, Set<T> relevant) {
    if (relevant.isEmpty()) {
      return 0.0;
    }
    double sum = 0;
    int hits = 0;
    for (int i = 0; i < ranked.size(); i++) {
      if (relevant.contains(ranked.get(i))) {
        hits++;
        sum += hits / (double) (i + 1);
      }
    }
    return sum / relevant.size();
  }

  /**
   * @param <T> item type
   * @param rankings one ranking per query
   * @param relevants the relevant set per query, same order
   * @return mean average precision
   */
  public static <T> double meanAveragePrecision(List<List<T>> rankings, List<Set<T>> relevants) {
    if (rankings.size() != relevants.size()) {
      throw new IllegalArgumentException("rankings and relevant sets differ in count");
    }
    if (rankings.isEmpty()) {
      return 0.0;
    }
    double s = 0;
    for (int i = 0; i < rankings.size(); i++) {
      s += averagePrecision(rankings.get(i), relevants.get(i));
    }
    return s / rankings.size();
  }

  /**
   * @param a box
   * @param b box
   * @return intersection over union
   */
  public static double iou(Box a, Box b) {
    return a.iou(b);
  }

  /**
   * @param counts counts per category
   * @return Shannon entropy in nats of the distribution the counts define (0 for an empty input)
   */
  public static double entropy(Collection<? extends Number> counts) {
    double total = 0;
    for (Number c : counts) {
      total += c.doubleValue();
    }
    if (total <= 0) {
      return 0.0;
    }
    double h = 0;
    for (Number c : counts) {
      double p = c.doubleValue() / total;
      if (p > 0) {
        h -= p * Math.log(p);
      }
    }
    return h;
  }

  /**
   * @param share a probability in (0,1]
   * @return self-information −ln p in nats
   */
  public static double selfInformation(double share) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("share must be in (0,1]: " + share);
    }
    return -Math.log(share);
  }

  /**
   * @param <T> category type
   * @param counts count per category
   * @return each category's self-information −ln(count/total)
   */
  public static <T> Map<T, Double> selfInformation(Map<T, ? extends Number> counts) {
    double total = 0;
    for (Number c : counts.values()) {
      total += c.doubleValue();
    }
    Map<T, Double> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<T, ? extends Number> e : counts.entrySet()) {
      out.put(e.getKey(), selfInformation(e.getValue().doubleValue() / total));
    }
    return out;
  }

  /**
   * @param sorted values sorted ascending
   * @param q quantile in [0,1]
   * @return the nearest-rank quantile
   */
  public static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }
}
