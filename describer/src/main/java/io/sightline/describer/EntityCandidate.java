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
 * @param features feature values in schema order (copied in and out)
 * @param referenceIds the matched references whose pages mention it
 */
public record EntityCandidate(String key, String name, FeatureSchema schema, double[] features,
    List<String> referenceIds) {
  /** Copies the features and the id list, and checks the length. */
  public EntityCandidate {
    if (features.length != schema.size()) {
      throw new IllegalArgumentException("expected " + schema.size() + " features, got " + features.length);
    }
    features = features.clone();
    referenceIds = List.copyOf(referenceIds);
  }

  /** @return a copy of the feature values, in schema order */
  @Override
  public double[] features() {
    return features.clone();
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
