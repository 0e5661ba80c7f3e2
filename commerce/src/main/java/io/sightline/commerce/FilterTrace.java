package io.sightline.commerce;

import java.util.List;
import java.util.Map;

/**
 * What happened between the raw nearest neighbours and the final list of one region.
 *
 * @param candidates nearest neighbours fetched from the index
 * @param maxDistance distance threshold of the similar image set
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
 */
public record FilterTrace(int candidates, double maxDistance, int similarSetSize, Double rankThreshold,
    List<RemovedMatch> removedByRank, Double entropyThreshold, Map<String, Double> categoryEntropy,
    List<RemovedMatch> removedByEntropy, boolean categoryOrdering, Map<String, Double> categoryScores) {
  /** Copies collections. */
  public FilterTrace {
    removedByRank = List.copyOf(removedByRank);
    categoryEntropy = Map.copyOf(categoryEntropy);
    removedByEntropy = List.copyOf(removedByEntropy);
    categoryScores = Map.copyOf(categoryScores);
  }
}
