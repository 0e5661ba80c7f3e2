package io.sightline.describer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training data of an {@link LstmEntityScorer}: the labelled per-mention examples of a query
 * grouped into one sequence per entity, and the standardisation taken from the training rows.
 */
final class LstmSequences {
  private LstmSequences() {}

  /** One entity's sequence for training. */
  record Seq(String query, List<double[]> rows, boolean label) {}

  static List<Seq> sequences(String query, List<TrainingExample> examples, int maxLength) {
    Map<String, List<double[]>> rows = new LinkedHashMap<>();
    Map<String, Boolean> labels = new HashMap<>();
    for (TrainingExample e : examples) {
      String key = e.candidate().key();
      List<double[]> l = rows.computeIfAbsent(key, k -> new ArrayList<>());
      if (l.size() < maxLength) {
        l.add(e.candidate().features());
      }
      labels.merge(key, e.correct(), Boolean::logicalOr);
    }
    List<Seq> out = new ArrayList<>();
    for (Map.Entry<String, List<double[]>> r : rows.entrySet()) {
      out.add(new Seq(query, r.getValue(), labels.get(r.getKey())));
    }
    return out;
  }

  /**
   * The mean and standard deviation of every feature over all rows of the training sequences (1
   * for a constant feature).
   *
   * @return {mean, std}
   */
  static float[][] standardisation(List<Seq> train, int f) {
    double[] sum = new double[f];
    double[] sq = new double[f];
    long n = 0;
    for (Seq s : train) {
      for (double[] r : s.rows) {
        for (int j = 0; j < f; j++) {
          sum[j] += r[j];
          sq[j] += r[j] * r[j];
        }
        n++;
      }
    }
    float[] mean = new float[f];
    float[] std = new float[f];
    for (int j = 0; j < f; j++) {
      double m = sum[j] / n;
      double var = Math.max(0, sq[j] / n - m * m);
      mean[j] = (float) m;
      std[j] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
    }
    return new float[][] {mean, std};
  }

  static List<List<double[]>> rowsOf(List<Seq> seqs) {
    List<List<double[]>> out = new ArrayList<>(seqs.size());
    for (Seq s : seqs) {
      out.add(s.rows);
    }
    return out;
  }

  static float[] labelsOf(List<Seq> seqs) {
    float[] y = new float[seqs.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = seqs.get(i).label ? 1f : 0f;
    }
    return y;
  }
}
