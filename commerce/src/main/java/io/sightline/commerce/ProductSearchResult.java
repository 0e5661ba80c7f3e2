package io.sightline.commerce;

import io.sightline.core.classify.Classification;
import java.util.List;

/**
 * The answer for one query photo.
 *
 * @param image the query's name (its path, or what the caller passed)
 * @param intent the intent the gate decided
 * @param intentScores the intent classifier's full output, most probable first
 * @param searched false for a non-commodity photo: no feature was extracted and no index searched
 * @param regionSource what produced the regions: the detector's id (e.g.
 *     {@value ForegroundRegionProposer#ID} for the training-free proposer), with
 *     {@code " (no region found: whole image)"} appended when it found nothing; {@code "whole-image"}
 *     for other commodities; {@code "none"} when not searched
 * @param regions one entry per searched region (empty when not searched)
 */
public record ProductSearchResult(String image, Intent intent, List<Classification> intentScores, boolean searched,
    String regionSource, List<RegionResult> regions) {
  /** Copies lists. */
  public ProductSearchResult {
    intentScores = List.copyOf(intentScores);
    regions = List.copyOf(regions);
  }

  /** @return whether the gate judged the photo to show a product */
  public boolean isProduct() {
    return intent.isCommodity();
  }

  /** @return a one-line explanation, e.g. "not a product photo: search skipped" */
  public String message() {
    if (!searched) {
      return "not a product photo (" + intent + "): search skipped";
    }
    int n = regions.stream().mapToInt(r -> r.results().size()).sum();
    return intent + ": " + regions.size() + " region(s) searched, " + n + " result(s)";
  }
}
