package io.sightline.commerce;

/**
 * A result that a filter took out of the similar image set, and why.
 *
 * @param id product id
 * @param category its category
 * @param rankValue its rank value
 * @param reason e.g. {@code "rank value 1.021 < 1.080"} or {@code "category 'toy' entropy 2.708 > 2.303"}
 */
public record RemovedMatch(String id, String category, double rankValue, String reason) {}
