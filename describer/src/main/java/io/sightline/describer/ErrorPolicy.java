package io.sightline.describer;

/** What an import does with malformed records. */
public enum ErrorPolicy {
  /** Skip each malformed record, report it with its line number, and ingest the others (each
   * batch in its own transaction). */
  SKIP,
  /** Validate and prepare every record first; if any is malformed ingest nothing and throw, else
   * ingest all in one transaction. */
  REJECT
}
