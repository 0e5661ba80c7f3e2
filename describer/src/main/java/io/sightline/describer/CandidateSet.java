package io.sightline.describer;

import java.util.List;

/**
 * The matched references of a target image and the entity candidates computed from them, before
 * scoring (used for describing and for building training data).
 *
 * @param matches matched references, most similar first
 * @param candidates entity candidates with their features
 */
public record CandidateSet(List<ReferenceMatch> matches, List<EntityCandidate> candidates) {
  /** Copies. */
  public CandidateSet {
    matches = List.copyOf(matches);
    candidates = List.copyOf(candidates);
  }
}
