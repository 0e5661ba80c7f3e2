package io.sightline.core.index;

import java.io.Serializable;
import java.util.Objects;

/**
 * Validation shared by the index implementations.
 *
 * @param <K> key type
 */
abstract class AbstractVectorIndex<K extends Serializable> implements VectorIndex<K> {
  protected final int dimension;
  protected final Metric metric;
  protected final String embedderId;

  AbstractVectorIndex(int dimension, Metric metric, String embedderId) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive: " + dimension);
    }
    this.dimension = dimension;
    this.metric = Objects.requireNonNull(metric, "metric");
    this.embedderId = Objects.requireNonNull(embedderId, "embedderId");
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public Metric metric() {
    return metric;
  }

  @Override
  public String embedderId() {
    return embedderId;
  }

  /** Validates and copies a vector (normalised under cosine). */
  protected float[] prepare(float[] v) {
    Vectors.check(v, dimension);
    return metric == Metric.COSINE ? Vectors.normalized(v) : v.clone();
  }

  protected static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1: " + k);
    }
  }

  protected static <K> void checkId(K id) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
  }
}
