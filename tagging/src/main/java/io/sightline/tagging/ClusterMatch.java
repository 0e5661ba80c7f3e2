package io.sightline.tagging;

/**
 * A cluster a query image was matched to.
 *
 * @param cluster cluster number
 * @param distance Euclidean distance between the (normalised) query vector and the centre
 * @param similarity cosine similarity between query vector and centre
 * @param weight the share this cluster contributes to the tag scores (1 for the nearest-cluster
 *     strategy, similarity-proportional for soft assignment)
 * @param posts posts in the cluster
 */
public record ClusterMatch(int cluster, double distance, double similarity, double weight, int posts) {}
