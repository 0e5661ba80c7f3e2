package io.sightline.describer;

/**
 * A reference whose image matches the target image (seed [0024]).
 *
 * @param reference the page of the reference
 * @param imageKey content hash of its image
 * @param similarity similarity of its image to the target (cosine for the default index)
 * @param rank 1-based rank of its image among the matches
 */
public record ReferenceMatch(Reference reference, String imageKey, double similarity, int rank) {
  /** @return the reference id */
  public String id() {
    return reference.id();
  }
}
