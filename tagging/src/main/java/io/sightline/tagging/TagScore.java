package io.sightline.tagging;

/**
 * A recommended tag.
 *
 * @param tag the tag
 * @param frequency its score in [0, 1]: for the nearest-cluster strategy the share of the
 *     cluster's posts that carry it (seed [0037]); for the other strategies the weighted share
 *     described by {@link Strategy}
 * @param count posts carrying it among those considered (nearest cluster, matched clusters, or
 *     neighbours)
 */
public record TagScore(String tag, double frequency, int count) {}
