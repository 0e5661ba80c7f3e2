package io.sightline.commerce;

import java.util.List;
import java.util.Map;

/**
 * What happened between the raw nearest neighbours and the final list of one region: per filter,
 * its threshold and what it removed, with the reason in the unit of the score that decided.
 *
 * @param candidates nearest neighbours fetched from the index (plus verified instance matches
 *     that the global search did not return)
 * @param maxDistance distance threshold of the similar image set (cosine distance)
 * @param removedByDistance candidates farther than {@code maxDistance}
 * @param similarSetSize candidates within {@code maxDistance} (the similar image set, step 203)
 * @param rankThreshold rank-value threshold (claim 5), null when that filter is off
 * @param removedByRank results below it
 * @param entropyThreshold category entropy threshold (claim 6), null when that filter is off
 * @param categoryEntropy each category's entropy (self-information {@code -ln(share)}, nats) in
 *     the set the entropy filter saw; empty when the filter is off or one category is present
 * @param removedByEntropy results of categories above the threshold
 * @param categoryOrdering whether results were ordered by category score (claim 7)
 * @param categoryScores each surviving category's ranking score; empty when ordering is off or
 *     one category is present
 * @param pinned ids that no filter could remove or demote: the verified instance matches and,
 *     with a preset that pins it, the best match
 * @param removedAsDuplicate results dropped because another region of the same photo holds the
 *     same product with a better score (the reason names that region)
 * @param removedByAttributes verified instance matches that the query's attribute filter
 *     excluded (global hits are filtered inside the index search and are not listed)
 * @param total results left after every filter, before the page was cut
 * @param offset index of the first result of the page in that list
 */
public record FilterTrace(int candidates, double maxDistance, List<RemovedMatch> removedByDistance,
    int similarSetSize, Double rankThreshold, List<RemovedMatch> removedByRank, Double entropyThreshold,
    Map<String, Double> categoryEntropy, List<RemovedMatch> removedByEntropy, boolean categoryOrdering,
    Map<String, Double> categoryScores, List<String> pinned, List<RemovedMatch> removedAsDuplicate,
    List<RemovedMatch> removedByAttributes, int total, int offset) {
  /** Copies collections. */
  public FilterTrace {
    removedByDistance = List.copyOf(removedByDistance);
    removedByRank = List.copyOf(removedByRank);
    categoryEntropy = Map.copyOf(categoryEntropy);
    removedByEntropy = List.copyOf(removedByEntropy);
    categoryScores = Map.copyOf(categoryScores);
    pinned = List.copyOf(pinned);
    removedAsDuplicate = List.copyOf(removedAsDuplicate);
    removedByAttributes = List.copyOf(removedByAttributes);
  }

  /**
   * @param dupes results removed as duplicates of another region's
   * @param total results after every filter
   * @param offset the page's first index
   * @return a copy with these
   */
  FilterTrace withPage(List<RemovedMatch> dupes, int total, int offset) {
    return new FilterTrace(candidates, maxDistance, removedByDistance, similarSetSize, rankThreshold, removedByRank,
        entropyThreshold, categoryEntropy, removedByEntropy, categoryOrdering, categoryScores, pinned, dupes,
        removedByAttributes, total, offset);
  }
}
