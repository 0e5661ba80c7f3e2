package io.sightline.describer;

import io.sightline.core.ModelException;
import java.util.List;

/**
 * A training-free correctness score in [0, 1], for use before labels exist:
 *
 * <pre>
 * grouped:      score = sourceMatchMax² · (0.4·positionWeightMax + 0.3·referenceShare + 0.3·titleShare)
 *                       · (1 − √databaseFrequency) · (0.5 + 0.5·nameLike)
 * per mention:  score = sourceMatch² · (0.6·positionWeight + 0.4·inTitle)
 *                       · (1 − √databaseFrequency) · (0.5 + 0.5·nameLike)
 * </pre>
 *
 * It rewards entities that sit prominently (title, fields) on the pages of closely matching
 * images, that several matching pages agree on, that are specific (rare in the whole store) and
 * name-like. The default threshold is {@value #DEFAULT_THRESHOLD}. Stateless and thread-safe.
 */
public final class HeuristicEntityScorer implements EntityScorer {
  /** Default score threshold. */
  public static final double DEFAULT_THRESHOLD = 0.25;

  @Override
  public String id() {
    return "heuristic/1";
  }

  @Override
  public double defaultThreshold() {
    return DEFAULT_THRESHOLD;
  }

  @Override
  public void checkSchema(FeatureSchema schema) {
    if (!schema.equals(FeatureSchema.GROUPED) && !schema.equals(FeatureSchema.PER_MENTION)) {
      throw new ModelException("heuristic scorer knows only the built-in feature schemas");
    }
  }

  @Override
  public double[] score(FeatureSchema schema, List<double[]> rows) {
    checkSchema(schema);
    double[] out = new double[rows.size()];
    boolean grouped = schema.mode() == ScoringMode.GROUPED;
    int df = schema.indexOf("databaseFrequency");
    int name = schema.indexOf("nameLike");
    for (int i = 0; i < out.length; i++) {
      double[] f = rows.get(i);
      double spec = 1 - Math.sqrt(Math.min(1, f[df]));
      double nl = 0.5 + 0.5 * f[name];
      if (grouped) {
        double sim = f[schema.indexOf("sourceMatchMax")];
        double prominence = 0.4 * f[schema.indexOf("positionWeightMax")]
            + 0.3 * f[schema.indexOf("referenceShare")] + 0.3 * f[schema.indexOf("titleShare")];
        out[i] = sim * sim * prominence * spec * nl;
      } else {
        double sim = f[schema.indexOf("sourceMatch")];
        double prominence = 0.6 * f[schema.indexOf("positionWeight")] + 0.4 * f[schema.indexOf("inTitle")];
        out[i] = sim * sim * prominence * spec * nl;
      }
      out[i] = Math.max(0, Math.min(1, out[i]));
    }
    return out;
  }
}
