package io.sightline.commerce;

/**
 * One product found for a region, with the evidence of its place in the list.
 *
 * @param id product id
 * @param category the product's image category
 * @param title display title
 * @param link product page
 * @param image product image path
 * @param distance cosine distance between the region's and the product's features, in [0, 2]
 * @param rankValue {@code 2 - distance} (seed step 304): larger is more similar, in [0, 2]
 * @param rankPosition 1-based position by rank value among the results that survived the filters
 *     (the {@code X_i} of the category ranking score), 0 before ordering
 * @param categoryScore ranking score of the product's category (see {@link ResultFilters#categoryScore}),
 *     NaN when category ordering is off or only one category is present
 */
public record ProductMatch(String id, String category, String title, String link, String image,
    float distance, double rankValue, int rankPosition, double categoryScore) {

  /**
   * @param id product id
   * @param category category
   * @param distance cosine distance
   * @return a match with empty title, link and image, rank value {@code 2 - distance}, not yet ordered
   */
  public static ProductMatch of(String id, String category, float distance) {
    return new ProductMatch(id, category, "", "", "", distance, ResultFilters.rankValue(distance), 0, Double.NaN);
  }

  /**
   * @param position rank position
   * @param score category score
   * @return a copy with these
   */
  public ProductMatch withRanking(int position, double score) {
    return new ProductMatch(id, category, title, link, image, distance, rankValue, position, score);
  }
}
