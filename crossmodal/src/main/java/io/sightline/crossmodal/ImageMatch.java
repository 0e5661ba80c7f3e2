package io.sightline.crossmodal;

import java.nio.file.Path;

/**
 * One retrieved image for a text.
 *
 * @param image the image
 * @param score match probability from the model's matching head (the ranking key of
 *     {@link RetrievalSettings.Ranking#MATCHING}; other rankings fill it for the images they return)
 * @param logit raw matching output
 * @param firstStageSimilarity cosine of the text's and the image's contrastive embeddings (the
 *     ranking key of {@link RetrievalSettings.Ranking#EMBEDDING}), or NaN when the image was ranked
 *     by the matching head over every image, which computes no cosine
 */
public record ImageMatch(Path image, double score, double logit, double firstStageSimilarity) {}
