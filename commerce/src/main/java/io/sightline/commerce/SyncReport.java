package io.sightline.commerce;

import java.util.List;

/**
 * What {@link ProductCatalog#sync} changed.
 *
 * @param added ids of products that were not stored and now are
 * @param updated ids of stored products whose row or image changed, re-indexed
 * @param unchanged how many products were already stored as the file describes them
 * @param removed ids of stored products the file no longer names, now removed
 * @param problems rows left out, by line (a product whose row is invalid is kept as it was)
 * @param index the report of the indexing run over the added and updated rows
 * @param catalogSize products stored after the sync
 */
public record SyncReport(List<String> added, List<String> updated, int unchanged, List<String> removed,
    List<RowProblem> problems, IndexReport index, int catalogSize) {
  /** Copies lists. */
  public SyncReport {
    added = List.copyOf(added);
    updated = List.copyOf(updated);
    removed = List.copyOf(removed);
    problems = List.copyOf(problems);
  }
}
