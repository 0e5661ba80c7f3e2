package io.sightline.describer;

import java.util.List;

/**
 * What an import did.
 *
 * @param lines non-blank input lines read
 * @param added references added with a new image vector
 * @param merged references whose image duplicated a stored one (pages merged)
 * @param updated existing references replaced
 * @param skipped records skipped because they were malformed (each in {@code errors})
 * @param errors the malformed records, with their line numbers
 */
public record IngestReport(long lines, long added, long merged, long updated, long skipped,
    List<LineError> errors) {
  /** Copies. */
  public IngestReport {
    errors = List.copyOf(errors);
  }

  /**
   * A malformed input record.
   *
   * @param line 1-based line number
   * @param message what is wrong
   */
  public record LineError(long line, String message) {}
}
