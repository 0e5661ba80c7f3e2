package io.sightline.core.index;

import io.sightline.core.ProgressListener;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A searchable set of fixed-dimension vectors keyed by {@code K}, each with optional string
 * attributes for filtered search.
 *
 * <p>Implementations are thread-safe: searches may run concurrently with adds, updates and
 * removes. Every vector is validated on the way in and out: wrong length raises
 * {@link io.sightline.core.DimensionMismatchException}; NaN, infinite, or (under
 * {@link Metric#COSINE}) zero vectors raise {@link io.sightline.core.InvalidVectorException}.
 *
 * <p>An index records the id of the embedder that produced its vectors; {@code load} refuses a
 * file written for another embedder, so vectors of two models are never compared.
 *
 * @param <K> key type; must be {@link Serializable} so the index can be saved
 */
public interface VectorIndex<K extends Serializable> extends AutoCloseable {

  /** @return vector length */
  int dimension();

  /** @return the comparison metric */
  Metric metric();

  /** @return id of the embedder whose vectors this index holds */
  String embedderId();

  /** @return number of vectors */
  int size();

  /**
   * Adds a vector, replacing any vector stored under the same key.
   *
   * @param id key
   * @param vector vector of length {@link #dimension()}
   * @param attributes attributes for filtering (may be empty)
   */
  void add(K id, float[] vector, Map<String, String> attributes);

  /**
   * Adds a vector without attributes.
   *
   * @param id key
   * @param vector vector of length {@link #dimension()}
   */
  default void add(K id, float[] vector) {
    add(id, vector, Map.of());
  }

  /**
   * Adds many vectors, reporting progress. All are validated before any is added.
   *
   * @param items the vectors
   * @param listener progress receiver
   */
  void addAll(Collection<IndexItem<K>> items, ProgressListener listener);

  /**
   * @param items the vectors
   */
  default void addAll(Collection<IndexItem<K>> items) {
    addAll(items, ProgressListener.NONE);
  }

  /**
   * Replaces the vector (and attributes) under an existing key.
   *
   * @param id key
   * @param vector new vector
   * @param attributes new attributes
   * @return false when the key was absent (nothing is added then)
   */
  default boolean update(K id, float[] vector, Map<String, String> attributes) {
    if (!contains(id)) {
      return false;
    }
    add(id, vector, attributes);
    return true;
  }

  /**
   * @param id key
   * @return true when a vector was removed
   */
  boolean remove(K id);

  /**
   * @param id key
   * @return whether a vector is stored under it
   */
  boolean contains(K id);

  /**
   * @param id key
   * @return a copy of the stored vector (normalised when the metric is cosine)
   */
  Optional<float[]> vector(K id);

  /**
   * @param id key
   * @return the stored attributes, or empty when the key is absent
   */
  Optional<Map<String, String>> attributes(K id);

  /**
   * Whether this index holds an item as given: its key, its vector (compared after normalising
   * both when the metric is cosine, as the index stores it; each component within 1e-5) and its
   * attributes. Stores whose own records are the truth use it to bring an index that persisted
   * from an earlier process up to those records, writing only what differs.
   *
   * @param item the key, vector and attributes expected
   * @return true when the index holds exactly that
   */
  default boolean holds(IndexItem<K> item) {
    Optional<float[]> have = vector(item.id());
    if (have.isEmpty() || have.get().length != item.vector().length
        || !item.attributes().equals(attributes(item.id()).orElse(null))) {
      return false;
    }
    boolean cosine = metric() == Metric.COSINE;
    float[] a = cosine ? Vectors.normalized(have.get()) : have.get();
    float[] b = cosine ? Vectors.normalized(item.vector()) : item.vector();
    for (int j = 0; j < a.length; j++) {
      if (!(Math.abs(a[j] - b[j]) <= 1e-5)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Nearest neighbours that pass a filter, closest first.
   *
   * @param query vector of length {@link #dimension()}
   * @param k how many results at most
   * @param filter keeps or drops candidates
   * @return up to {@code k} results, closest first
   */
  List<SearchResult<K>> search(float[] query, int k, SearchFilter<K> filter);

  /**
   * @param query vector
   * @param k how many results at most
   * @return up to {@code k} results, closest first
   */
  default List<SearchResult<K>> search(float[] query, int k) {
    return search(query, k, SearchFilter.all());
  }

  /** @return every key, in no particular order (a snapshot) */
  List<K> keys();

  /**
   * Saves atomically (temp file, fsync, rename) with a versioned, checksummed header.
   *
   * @param path target file
   */
  void save(Path path);

  /** Releases resources; the default does nothing. */
  @Override
  default void close() {}
}
