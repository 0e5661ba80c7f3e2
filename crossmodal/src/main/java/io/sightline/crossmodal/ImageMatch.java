package io.sightline.crossmodal;

import java.nio.file.Path;

/**
 * One retrieved image for a text.
 *
 * @param image the image
 * @param score match probability from the model (ranking key)
 * @param logit raw matching output
 * @param firstStageSimilarity cosine similarity of the first stage (index search), or NaN when the
 *     image was scored without a first stage
 */
public record ImageMatch(Path image, double score, double logit, double firstStageSimilarity) {}
