package io.sightline.commerce;

/**
 * A catalog row that was not indexed, and why.
 *
 * @param line 1-based line of the catalog file (0 for API input)
 * @param id the row's product id ("" when absent)
 * @param message what is wrong (missing image, undecodable image, unknown category, ...)
 */
public record RowProblem(long line, String id, String message) {}
