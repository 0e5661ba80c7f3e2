package io.sightline.benchmarks;

import io.sightline.benchmarks.InstanceEvaluation.Outcome;
import io.sightline.benchmarks.InstanceEvaluation.Run;
import io.sightline.benchmarks.NewShotDataset.Kind;
import io.sightline.benchmarks.NewShotDataset.Query;
import io.sightline.core.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The figures of an {@link InstanceEvaluation} run. A query's answer is its top hit when the top
 * score reaches the threshold, else none. On known queries the answer can be right, wrong (another
 * reference) or none; on unknown queries anything but none is a false accept.
 */
public final class InstanceScores {
  private InstanceScores() {}

  /**
   * Figures of one run at one threshold.
   *
   * @param recall1 known queries whose top hit is right
   * @param recallK known queries with the right reference among the k hits
   * @param mapK mean average precision of the k hits (one relevant reference per query)
   * @param nearCopyRecall1 near-copy queries whose top hit is right
   * @param threshold the threshold
   * @param acceptedRight known queries answered with the right reference
   * @param acceptedWrong known queries answered with another reference
   * @param falseAccept unknown queries answered with some reference
   * @param decisionsRight (known answered right + unknown answered none) / (known + unknown)
   * @param queryP50Ms median query time
   * @param queryP99Ms 99th percentile query time
   * @param addMs mean time to store a reference
   */
  public record Figures(double recall1, double recallK, double mapK, double nearCopyRecall1, double threshold,
      double acceptedRight, double acceptedWrong, double falseAccept, double decisionsRight, double queryP50Ms,
      double queryP99Ms, double addMs) {}

  /**
   * @param run a run
   * @param threshold accept the top hit when its score is at least this
   * @param k hits per query of the run
   * @return the figures
   */
  public static Figures figures(Run run, double threshold, int k) {
    List<Outcome> known = run.of(Kind.KNOWN);
    List<Outcome> unknown = run.of(Kind.UNKNOWN);
    List<Outcome> near = run.of(Kind.NEAR_COPY);
    List<List<String>> rankings = new ArrayList<>();
    List<Set<String>> truths = new ArrayList<>();
    double r1 = 0, rk = 0, right = 0, wrong = 0;
    for (Outcome o : known) {
      Set<String> truth = Set.of(o.query().expected());
      rankings.add(o.ranked());
      truths.add(truth);
      r1 += Metrics.hitAtK(o.ranked(), truth, 1);
      rk += Metrics.hitAtK(o.ranked(), truth, k);
      if (o.topScore() >= threshold) {
        if (o.topCorrect()) {
          right++;
        } else {
          wrong++;
        }
      }
    }
    double falseAcc = unknown.stream().filter(o -> o.topScore() >= threshold).count();
    double nr1 = near.stream().filter(Outcome::topCorrect).count();
    double[] ms = run.outcomes().stream().mapToDouble(Outcome::ms).sorted().toArray();
    return new Figures(div(r1, known.size()), div(rk, known.size()),
        known.isEmpty() ? 0 : round(Metrics.meanAveragePrecision(rankings, truths)), div(nr1, near.size()), threshold,
        div(right, known.size()), div(wrong, known.size()), div(falseAcc, unknown.size()),
        div(right + unknown.size() - falseAcc, known.size() + unknown.size()),
        ms.length == 0 ? 0 : round(Metrics.quantile(ms, 0.5)), ms.length == 0 ? 0 : round(Metrics.quantile(ms, 0.99)),
        round(run.addMs()));
  }

  /**
   * The threshold that maximises correct accepts on known queries plus correct rejections of
   * unknown queries. Of equally good thresholds the highest wins (fewer known queries answered
   * with a wrong reference), and +infinity (reject everything) is a candidate. The value returned
   * lies halfway between the observed top score it admits and the next lower one, so it does not
   * sit on a data point.
   *
   * @param run a run (normally on the tune split)
   * @return the threshold
   */
  public static double tuneThreshold(Run run) {
    List<Outcome> known = run.of(Kind.KNOWN);
    List<Outcome> unknown = run.of(Kind.UNKNOWN);
    TreeSet<Double> candidates = new TreeSet<>();
    for (Outcome o : run.outcomes()) {
      if (o.query().kind() != Kind.NEAR_COPY && !Double.isInfinite(o.topScore())) {
        candidates.add(o.topScore());
      }
    }
    candidates.add(Double.POSITIVE_INFINITY);
    double best = Double.POSITIVE_INFINITY;
    long bestRight = -1;
    Double previous = null;
    for (double t : candidates) {
      long right = known.stream().filter(o -> o.topCorrect() && o.topScore() >= t).count()
          + unknown.stream().filter(o -> o.topScore() < t).count();
      if (right >= bestRight) {
        bestRight = right;
        best = previous == null || Double.isInfinite(t) ? t : (previous + t) / 2;
      }
      previous = t;
    }
    return best;
  }

  /**
   * A Markdown table of the known queries of a run grouped by each bucket function: count,
   * recall@1 and the share answered right at the threshold.
   *
   * @param run a run
   * @param threshold the decision threshold
   * @param buckets label to bucket function
   * @return the table
   */
  public static String breakdownTable(Run run, double threshold, Map<String, Function<Query, String>> buckets) {
    StringBuilder sb = new StringBuilder("| by | bucket | queries | R@1 | accepted & right |\n|---|---|---|---|---|\n");
    for (Map.Entry<String, Function<Query, String>> b : buckets.entrySet()) {
      Map<String, double[]> acc = new TreeMap<>();
      for (Outcome o : run.of(Kind.KNOWN)) {
        double[] a = acc.computeIfAbsent(b.getValue().apply(o.query()), x -> new double[3]);
        a[0]++;
        a[1] += o.topCorrect() ? 1 : 0;
        a[2] += o.topCorrect() && o.topScore() >= threshold ? 1 : 0;
      }
      for (Map.Entry<String, double[]> e : acc.entrySet()) {
        double[] a = e.getValue();
        sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f |%n", b.getKey(), e.getKey(), (int) a[0],
            a[1] / a[0], a[2] / a[0]));
      }
    }
    return sb.toString();
  }

  private static double div(double a, double b) {
    return b == 0 ? 0 : round(a / b);
  }

  private static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
