package io.sightline.describer;

import java.util.List;
import java.util.Map;

/**
 * An entity with its correctness score and the evidence behind it.
 *
 * @param name display name (most frequent surface form)
 * @param key normalised key
 * @param score correctness degree from the scorer
 * @param accepted whether the score is above the threshold
 * @param features the feature parameters that were scored, by name
 * @param referenceIds the matched references whose pages mention it
 */
public record ScoredEntity(String name, String key, double score, boolean accepted,
    Map<String, Double> features, List<String> referenceIds) {
  /** Copies. */
  public ScoredEntity {
    features = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(features));
    referenceIds = List.copyOf(referenceIds);
  }
}
