package io.sightline.benchmarks;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What {@link InstanceEvaluation} evaluates: a store of reference images that answers a query
 * image with scored reference ids, best first. The score must grow with confidence; the
 * evaluation accepts the top hit when its score reaches a threshold tuned on the tune split, so
 * scores need not be calibrated, only comparable across queries.
 *
 * <p>To evaluate a new matcher, implement this (usually a few lines around a core class) and add
 * one line to {@link InstanceEvaluation#MATCHERS}.
 */
public interface Matcher extends AutoCloseable {
  /**
   * One scored reference.
   *
   * @param id the reference id given to {@link #add}
   * @param score larger is better
   */
  record Hit(String id, double score) {}

  /**
   * Stores a reference.
   *
   * @param id its id
   * @param image its image (RGB)
   */
  void add(String id, BufferedImage image);

  /**
   * @param image the query image (RGB)
   * @param k how many hits at most
   * @return the best references, best first (may be fewer than k, or empty)
   */
  List<Hit> query(BufferedImage image, int k);

  /** Releases native resources; the default does nothing. */
  @Override
  default void close() {}
}
