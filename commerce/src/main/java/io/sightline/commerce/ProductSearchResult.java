package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import io.sightline.core.classify.Classification;
import java.util.List;

/**
 * The answer for one query photo.
 *
 * @param image the query's name (its path, or what the caller passed)
 * @param intent the intent the gate decided (the most probable one, even when an unsure gate had
 *     both segments searched), the fixed intent in fixed-intent mode, null when the gate is off
 * @param intentScores the intent classifier's full output, most probable first (empty when no
 *     classifier ran)
 * @param searched false for a non-commodity photo: no feature was extracted and no index searched
 * @param regionSource what produced the regions: the detector's id (e.g.
 *     {@value ForegroundRegionProposer#ID} for the training-free proposer), with
 *     {@code " (no region found: whole image)"} appended when it found nothing; {@code "whole-image"}
 *     for other commodities (or the detector's id with {@code " (main object)"} in the main-object variant); {@code "none"} when not searched;
 *     {@code " + N instance region(s)"} appended when instance matching found products outside every proposed region
 * @param regions one entry per searched region (empty when not searched)
 * @param matcher the matcher that searched
 * @param note why the answer holds no verified product, when the matcher is local or hybrid:
 *     e.g. {@code "no product of this catalog is in the photo: ..."} (geometric verification
 *     rejected every candidate) or that the photo has too few local features; null otherwise
 * @param gate how the gate decided: its mode, margin and the segments searched
 */
public record ProductSearchResult(String image, Intent intent, List<Classification> intentScores, boolean searched,
    String regionSource, List<RegionResult> regions, Matcher matcher, String note, GateDecision gate) {
  /** Copies lists; the gate decision is required. */
  public ProductSearchResult {
    java.util.Objects.requireNonNull(gate, "gate");
    intentScores = List.copyOf(intentScores);
    regions = List.copyOf(regions);
  }

  /**
   * An answer without a gate record (the classifier decided alone).
   *
   * @param image the query's name
   * @param intent the intent
   * @param intentScores the classifier's output
   * @param searched whether a search ran
   * @param regionSource what produced the regions
   * @param regions the regions
   * @param matcher the matcher
   * @param note why nothing was verified, or null
   */
  public ProductSearchResult(String image, Intent intent, List<Classification> intentScores, boolean searched,
      String regionSource, List<RegionResult> regions, Matcher matcher, String note) {
    this(image, intent, intentScores, searched, regionSource, regions, matcher, note,
        new GateDecision(GateDecision.Mode.CLASSIFIER, intent, Double.NaN, Double.NaN, false,
            searched && intent != null && intent.isCommodity() ? List.of(intent) : List.of()));
  }

  /**
   * An answer of the global matcher.
   *
   * @param image the query's name
   * @param intent the intent
   * @param intentScores the classifier's output
   * @param searched whether a search ran
   * @param regionSource what produced the regions
   * @param regions the regions
   */
  public ProductSearchResult(String image, Intent intent, List<Classification> intentScores, boolean searched,
      String regionSource, List<RegionResult> regions) {
    this(image, intent, intentScores, searched, regionSource, regions, Matcher.GLOBAL, null);
  }

  /** @return whether the gate judged the photo to show a product (with the gate off: whether it was searched) */
  public boolean isProduct() {
    return intent == null ? searched : intent.isCommodity();
  }

  /** @return verified instance matches over all regions */
  public int verifiedCount() {
    return (int) regions.stream().flatMap(r -> r.results().stream()).filter(ProductMatch::verified).count();
  }

  /** @return a one-line explanation, e.g. "not a product photo: search skipped" */
  public String message() {
    if (!searched) {
      return "not a product photo (" + intent + "): search skipped";
    }
    int n = regions.stream().mapToInt(r -> r.results().size()).sum();
    String what = gate.uncertain() || intent == null ? "both segments" : intent.toString();
    String m = what + ": " + regions.size() + " region(s) searched, " + n + " result(s)";
    if (matcher.usesInstances()) {
      m += ", " + verifiedCount() + " verified";
    }
    return note == null ? m : m + "; " + note;
  }
}
