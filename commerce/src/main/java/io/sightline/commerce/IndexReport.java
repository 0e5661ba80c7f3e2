package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import java.util.List;
import java.util.Map;

/**
 * What one indexing run did.
 *
 * @param indexed rows stored (new or replaced)
 * @param replaced of those, rows whose id already existed
 * @param perSegment rows stored per index (apparel, other-commodity)
 * @param problems rows left out, with their line and reason
 * @param catalogSize products in the catalog afterwards
 * @param matcher the catalog's matcher
 * @param withoutLocalFeatures with a local or hybrid matcher, ids of the stored rows that are not
 *     in the instance index (too few local features, e.g. a flat or tiny image, or vectors given
 *     without images): they are found only by their global vector; empty for a global catalog
 */
public record IndexReport(int indexed, int replaced, Map<Intent, Integer> perSegment,
    List<RowProblem> problems, int catalogSize, Matcher matcher, List<String> withoutLocalFeatures) {
  /** Copies collections. */
  public IndexReport {
    perSegment = Map.copyOf(perSegment);
    problems = List.copyOf(problems);
    withoutLocalFeatures = List.copyOf(withoutLocalFeatures);
  }

  /**
   * A report of a global catalog (no instance index).
   *
   * @param indexed rows stored
   * @param replaced rows replaced
   * @param perSegment rows per index
   * @param problems rows left out
   * @param catalogSize products afterwards
   */
  public IndexReport(int indexed, int replaced, Map<Intent, Integer> perSegment, List<RowProblem> problems,
      int catalogSize) {
    this(indexed, replaced, perSegment, problems, catalogSize, Matcher.GLOBAL, List.of());
  }
}
