package io.sightline.commerce;

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
 */
public record IndexReport(int indexed, int replaced, Map<Intent, Integer> perSegment,
    List<RowProblem> problems, int catalogSize) {
  /** Copies collections. */
  public IndexReport {
    perSegment = Map.copyOf(perSegment);
    problems = List.copyOf(problems);
  }
}
