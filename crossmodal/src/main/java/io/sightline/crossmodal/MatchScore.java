package io.sightline.crossmodal;

/**
 * How well a text and an image match, from the model's matching identifier (CLS) output.
 *
 * @param score match probability in [0, 1] (sigmoid of the logit)
 * @param logit the raw matching output
 */
public record MatchScore(double score, double logit) {}
