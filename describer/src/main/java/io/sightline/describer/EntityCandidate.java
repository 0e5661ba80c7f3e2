package io.sightline.describer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An entity (group, or single page mention in per-mention mode) with its feature parameters,
 * before scoring.
 *
 * @param key normalised key
 * @param name display name (the most frequent surface form)
 * @param schema the feature schema
 * @param features feature values in schema order (not copied; treat as read-only)
 * @param referenceIds the matched references whose pages mention it
 */
public record EntityCandidate(String key, String name, FeatureSchema schema, double[] features,
    List<String> referenceIds) {
  /** Copies the id list. */
  public EntityCandidate {
    referenceIds = List.copyOf(referenceIds);
  }

  /** @return feature name to value, in schema order */
  public Map<String, Double> featureMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < features.length; i++) {
      m.put(schema.names().get(i), features[i]);
    }
    return m;
  }

  /**
   * @param name feature name
   * @return its value
   * @throws IllegalArgumentException when the schema has no such feature
   */
  public double feature(String name) {
    int i = schema.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no feature " + name + " in " + schema.mode());
    }
    return features[i];
  }
}
