package io.sightline.commerce;

/**
 * What a shop asks besides the photo: an attribute filter and which page of each region's
 * results to return.
 *
 * @param filter attribute condition every returned product meets (verified instance matches
 *     included), null for none
 * @param offset how many of each region's filtered, ordered results to skip (0 = first page)
 * @param limit how many to return per region at most; 0 = the searcher's {@code top}
 */
public record ProductQuery(ProductFilter filter, int offset, int limit) {
  /** The first page, no filter, the searcher's {@code top} results. */
  public static final ProductQuery DEFAULT = new ProductQuery(null, 0, 0);

  /**
   * @throws InvalidQueryException when offset is negative or limit negative
   */
  public ProductQuery {
    if (offset < 0) {
      throw new InvalidQueryException("offset must be >= 0, not " + offset);
    }
    if (limit < 0) {
      throw new InvalidQueryException("limit must be >= 1 (or 0 for the searcher's default), not " + limit);
    }
  }

  /**
   * @param filter the attribute condition
   * @return the first page with this filter
   */
  public static ProductQuery filtered(ProductFilter filter) {
    return new ProductQuery(filter, 0, 0);
  }

  /**
   * @param offset results to skip per region
   * @param limit results per region
   * @return this query on another page
   */
  public ProductQuery page(int offset, int limit) {
    return new ProductQuery(filter, offset, limit);
  }
}
