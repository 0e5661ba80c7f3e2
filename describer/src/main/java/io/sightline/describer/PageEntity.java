package io.sightline.describer;

/**
 * An entity found in one reference's page at one position, with its number of occurrences there.
 *
 * @param key normalised entity key
 * @param surface the surface form first seen
 * @param kind candidate kind
 * @param position where on the page
 * @param occurrences how many times at that position (>= 1)
 */
public record PageEntity(String key, String surface, EntityKind kind, TextPosition position, int occurrences) {}
