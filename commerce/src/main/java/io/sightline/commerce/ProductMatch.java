package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import io.sightline.core.detect.Box;

/**
 * One product found for a region, with the evidence of its place in the list.
 *
 * <p>With the {@link Matcher#LOCAL local} or {@link Matcher#HYBRID hybrid} matcher a result may
 * come from instance matching: {@code verified} is true when geometric verification found the
 * product in the photo, with {@code inliers} consistent correspondences, a calibrated
 * {@code instanceScore} and the {@code queryRegion} where it lies.
 *
 * @param id product id
 * @param category the product's image category
 * @param title display title
 * @param link product page
 * @param image product image path
 * @param distance cosine distance between the region's and the product's global features, in
 *     [0, 2]; NaN when no global feature was compared (the {@link Matcher#LOCAL local} matcher)
 * @param rankValue the value the filters and the ordering use, in [0, 2], larger is better:
 *     {@code 2 - distance} (seed step 304) for a global result; {@code 2 · instanceScore} for a
 *     verified match under the local matcher; {@code max(2 - distance, 2 · instanceScore)} for a
 *     verified match under the hybrid matcher (i.e. the larger of the two scores on one scale)
 * @param rankPosition 1-based position by rank value among the results that survived the filters
 *     (the {@code X_i} of the category ranking score), 0 before ordering
 * @param categoryScore ranking score of the product's category (see {@link ResultFilters#categoryScore}),
 *     NaN when category ordering is off or only one category is present
 * @param verified whether instance matching verified that this product is in the photo (such
 *     results come first and are never removed by the rank or entropy filter)
 * @param instanceScore calibrated probability in [0, 1] that the product is in the photo, from
 *     the verified inlier count ({@link io.sightline.core.instance.InstanceMatch#score()}); NaN when
 *     instance matching did not consider the product
 * @param inliers geometrically verified correspondences (0 when instance matching did not
 *     consider the product)
 * @param queryRegion where the product lies in the query, in pixels of the query image, when
 *     verified: the extent of its keypoints in the catalog image mapped into the photo through the
 *     verified transform (the box of the verified points when that extent is unknown); null
 *     otherwise
 */
public record ProductMatch(String id, String category, String title, String link, String image,
    float distance, double rankValue, int rankPosition, double categoryScore, boolean verified,
    double instanceScore, int inliers, Box queryRegion) {

  /**
   * A global result without instance evidence.
   *
   * @param id product id
   * @param category category
   * @param title title
   * @param link link
   * @param image image path
   * @param distance cosine distance
   * @param rankValue rank value
   * @param rankPosition rank position
   * @param categoryScore category score
   */
  public ProductMatch(String id, String category, String title, String link, String image, float distance,
      double rankValue, int rankPosition, double categoryScore) {
    this(id, category, title, link, image, distance, rankValue, rankPosition, categoryScore, false, Double.NaN, 0,
        null);
  }

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
    return new ProductMatch(id, category, title, link, image, distance, rankValue, position, score, verified,
        instanceScore, inliers, queryRegion);
  }

  /** @return whether instance matching considered this product (its score and inliers are set) */
  public boolean hasInstanceEvidence() {
    return !Double.isNaN(instanceScore);
  }
}
