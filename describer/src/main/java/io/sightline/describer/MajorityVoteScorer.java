package io.sightline.describer;

import io.sightline.core.ModelException;
import java.util.List;

/**
 * Baseline: an entity's score is the share of matched references whose page mentions it (plus
 * 0.001 × its matching degree to break ties). With the default threshold of
 * {@value #DEFAULT_THRESHOLD} it answers when a majority of the matched pages agree, or exactly
 * half of them when their pages match the target at all (the tie-break term lifts the score above
 * the threshold).
 * Grouped mode only. Stateless and thread-safe.
 */
public final class MajorityVoteScorer implements EntityScorer {
  /** Default score threshold: half of the matched pages (see the class comment for the tie). */
  public static final double DEFAULT_THRESHOLD = 0.5;

  @Override
  public String id() {
    return "majority-vote/1";
  }

  @Override
  public double defaultThreshold() {
    return DEFAULT_THRESHOLD;
  }

  @Override
  public void checkSchema(FeatureSchema schema) {
    if (schema.indexOf("referenceShare") < 0 || schema.indexOf("entityMatch") < 0) {
      throw new ModelException("majority vote needs grouped features (referenceShare); got " + schema.mode());
    }
  }

  @Override
  public double[] score(FeatureSchema schema, List<double[]> rows) {
    checkSchema(schema);
    int share = schema.indexOf("referenceShare");
    int em = schema.indexOf("entityMatch");
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = rows.get(i)[share] + 0.001 * rows.get(i)[em];
    }
    return out;
  }
}
