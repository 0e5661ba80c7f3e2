package io.sightline.core;

/**
 * Receives progress of long work: indexing, clustering, training. Called from the working thread;
 * implementations must be quick and must not throw.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores every report. */
  ProgressListener NONE = (task, done, total, message) -> { };

  /**
   * @param task short name of the work ("index", "kmeans", "train")
   * @param done units finished so far
   * @param total units in all, or -1 when unknown
   * @param message optional detail such as a loss or a deviation value; may be empty
   */
  void onProgress(String task, long done, long total, String message);
}
