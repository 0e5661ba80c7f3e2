package io.sightline.tagging;

/**
 * How often a tag occurs in a cluster (or in the whole stock).
 *
 * @param tag the tag
 * @param count number of posts carrying the tag (an image without a post counts as its own post;
 *     a post counts once however many of its images carry the tag, seed [0066])
 * @param frequency {@code count / posts}, in [0, 1]
 */
public record TagCount(String tag, int count, double frequency) {}
