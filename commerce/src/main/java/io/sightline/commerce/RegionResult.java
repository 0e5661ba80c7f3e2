package io.sightline.commerce;

import io.sightline.core.detect.Box;
import java.util.List;

/**
 * The products found for one region of a query photo: a garment region for apparel, the whole
 * image for other commodities.
 *
 * @param box where, in pixels of the query image
 * @param label the detector's label ("region" for the training-free proposer, "image" for a
 *     whole-image search)
 * @param score the detector's confidence (1 for a whole-image search)
 * @param segment which index was searched ({@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY})
 * @param results the final, ordered results (at most the searcher's {@code top})
 * @param filters what each step kept and removed
 */
public record RegionResult(Box box, String label, float score, Intent segment, List<ProductMatch> results,
    FilterTrace filters) {
  /** Copies the list. */
  public RegionResult {
    results = List.copyOf(results);
  }
}
