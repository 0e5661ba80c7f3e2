package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import java.util.List;
import java.util.Optional;

/**
 * The description information generated for a target image (claim 1, step 206), with its
 * evidence: the matched references and their similarities, every scored entity with its feature
 * values, and the thresholds applied.
 *
 * @param image a label for the target (its path, or null)
 * @param status whether an entity was found, and if not, why
 * @param best the best entity above the score threshold, or null ("no proper entity")
 * @param entities the entities above the threshold, best first
 * @param candidates every scored entity, best first (evidence)
 * @param matches the matched references, most similar first
 * @param thresholds the thresholds applied
 * @param mode grouped (claims 4-5) or per mention (claim 6)
 * @param scorerId the scorer used
 * @param matcher how the references were matched
 */
public record Description(String image, Status status, ScoredEntity best, List<ScoredEntity> entities,
    List<ScoredEntity> candidates, List<Match> matches, Thresholds thresholds, ScoringMode mode, String scorerId,
    Matcher matcher) {

  /** Copies. */
  public Description {
    entities = List.copyOf(entities);
    candidates = List.copyOf(candidates);
    matches = List.copyOf(matches);
  }

  /** Outcome of a description. */
  public enum Status {
    /** At least one entity scored above the threshold. */
    DESCRIBED,
    /** References matched, but no entity scored above the threshold (seed [0032]: "there is no
     * proper entity in this search"). */
    NO_PROPER_ENTITY,
    /** No reference image matched: none at or above the match threshold, and none verified by
     * the instance index ({@link Matcher#LOCAL}, {@link Matcher#HYBRID}). */
    NO_MATCHING_REFERENCE
  }

  /**
   * A matched reference with the evidence of the match (see {@link ReferenceMatch}).
   *
   * @param id reference id
   * @param similarity similarity of its image to the target, as the {@link Matcher} fuses it
   * @param rank 1-based rank of its image
   * @param title its page title
   * @param instanceScore calibrated instance score (0..1); 0 when the instance index did not score it
   * @param inliers geometrically verified correspondences; 0 when the instance index did not score it
   * @param verified whether the instance index verified the match
   */
  public record Match(String id, double similarity, int rank, String title, double instanceScore, int inliers,
      boolean verified) {
    /**
     * A match found by the global index only.
     *
     * @param id reference id
     * @param similarity cosine of the image vectors
     * @param rank 1-based rank of its image
     * @param title its page title
     */
    public Match(String id, double similarity, int rank, String title) {
      this(id, similarity, rank, title, 0, 0, false);
    }
  }

  /**
   * Thresholds applied.
   *
   * @param matchThreshold minimum cosine of a reference matched by the global index
   * @param topImages maximum number of matched images (top-M)
   * @param scoreThreshold minimum correctness score of an answer
   * @param instanceThreshold calibrated instance score at which the instance index verifies a
   *     match (NaN under {@link Matcher#GLOBAL})
   */
  public record Thresholds(double matchThreshold, int topImages, double scoreThreshold, double instanceThreshold) {
    /**
     * Thresholds of global matching.
     *
     * @param matchThreshold minimum cosine of a matched reference
     * @param topImages maximum number of matched images (top-M)
     * @param scoreThreshold minimum correctness score of an answer
     */
    public Thresholds(double matchThreshold, int topImages, double scoreThreshold) {
      this(matchThreshold, topImages, scoreThreshold, Double.NaN);
    }
  }

  /** @return the best entity, empty when there is no proper entity */
  public Optional<ScoredEntity> bestEntity() {
    return Optional.ofNullable(best);
  }
}
