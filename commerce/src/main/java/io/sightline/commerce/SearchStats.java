package io.sightline.commerce;

/**
 * Counters of a {@link ProductSearcher} since it was built: how much work the intent gate saved.
 *
 * @param queries photos received
 * @param skipped photos judged non-commodity: no feature extraction, no search
 * @param apparel photos searched per garment region
 * @param otherCommodity photos searched as a whole
 * @param regionsSearched index searches run (one per region)
 */
public record SearchStats(long queries, long skipped, long apparel, long otherCommodity, long regionsSearched) {
  /** @return share of photos whose search was skipped (0 when none received) */
  public double skippedShare() {
    return queries == 0 ? 0 : skipped / (double) queries;
  }
}
