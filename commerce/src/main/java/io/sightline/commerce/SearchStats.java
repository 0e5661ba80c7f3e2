package io.sightline.commerce;

/**
 * Counters of a {@link ProductSearcher} since it was built: how much work the intent gate saved.
 *
 * @param queries photos received
 * @param skipped photos judged non-commodity: no feature extraction, no search
 * @param apparel photos searched in the apparel segment (per garment region)
 * @param otherCommodity photos searched in the other-commodity segment (as a whole)
 * @param regionsSearched regions searched (one global search each with the global or hybrid matcher)
 * @param instanceSearches instance-index searches run (local and hybrid matchers: one per photo and segment)
 * @param bothSegments photos searched in both segments (the gate was unsure, or off)
 */
public record SearchStats(long queries, long skipped, long apparel, long otherCommodity, long regionsSearched,
    long instanceSearches, long bothSegments) {

  /**
   * Counters without the both-segment count.
   *
   * @param queries photos received
   * @param skipped photos skipped
   * @param apparel apparel photos
   * @param otherCommodity other-commodity photos
   * @param regionsSearched regions searched
   * @param instanceSearches instance searches
   */
  public SearchStats(long queries, long skipped, long apparel, long otherCommodity, long regionsSearched,
      long instanceSearches) {
    this(queries, skipped, apparel, otherCommodity, regionsSearched, instanceSearches, 0);
  }

  /**
   * Counters without instance searches (the global matcher).
   *
   * @param queries photos received
   * @param skipped photos skipped
   * @param apparel apparel photos
   * @param otherCommodity other-commodity photos
   * @param regionsSearched regions searched
   */
  public SearchStats(long queries, long skipped, long apparel, long otherCommodity, long regionsSearched) {
    this(queries, skipped, apparel, otherCommodity, regionsSearched, 0, 0);
  }

  /** @return share of photos whose search was skipped (0 when none received) */
  public double skippedShare() {
    return queries == 0 ? 0 : skipped / (double) queries;
  }
}
