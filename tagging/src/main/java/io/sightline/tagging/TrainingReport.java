package io.sightline.tagging;

import java.util.List;

/**
 * How the current clusters were made: evidence for the model.
 *
 * @param method clustering method
 * @param init initial centres (for a warm start, the method that made the centres it started from)
 * @param warmStarted whether the run started from the previous model's centres (claim 8 update)
 * @param requestedClusters K asked for
 * @param clusters non-empty clusters kept in the model
 * @param stockImages stock images clustered
 * @param iterations iterations (K-means passes or mini-batches) run
 * @param converged whether the deviation converged before the iteration limit
 * @param deviations the feature deviation D after each iteration (seed [0049]; for mini-batch,
 *     D of each batch)
 * @param finalDeviation D of all stock images against the final centres
 * @param millis wall-clock time of the clustering
 * @param seed random seed used
 */
public record TrainingReport(ClusteringMethod method, CentreInit init, boolean warmStarted,
    int requestedClusters, int clusters, int stockImages, int iterations, boolean converged,
    List<Double> deviations, double finalDeviation, long millis, long seed) {
  /** Copies the list. */
  public TrainingReport {
    deviations = List.copyOf(deviations);
  }
}
