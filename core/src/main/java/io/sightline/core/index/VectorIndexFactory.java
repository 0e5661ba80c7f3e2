package io.sightline.core.index;

/**
 * Opens the {@link VectorIndex} a store keeps its vectors in, so the store can live on another
 * index than the default in-heap {@link HnswVectorIndex}: for example an on-disk Lucene index that
 * survives the process and takes small commits,
 * {@code (dim, metric, embedderId) -> LuceneVectorIndex.open(dir, dim, metric, embedderId)}
 * (module {@code sightline-index-lucene}).
 *
 * <p>A writing store calls {@link #open} once when it first needs the index and closes what it got when
 * the store itself is closed. An index that comes back non-empty (it persisted from an earlier
 * run) is reconciled with the store's own records before it is used: entries the store no longer
 * has are removed, missing or changed ones are written again. The index must therefore be owned
 * by this one store; do not share a directory between stores.
 */
@FunctionalInterface
public interface VectorIndexFactory {

  /**
   * Opens (creating when absent) the index.
   *
   * @param dimension vector length the store will add
   * @param metric comparison metric the store searches with
   * @param embedderId id of the embedder whose vectors the store holds; an index made for another
   *     embedder must be refused (as {@link HnswVectorIndex#load} and the Lucene index do)
   * @return an index of {@link String} keys with that dimension, metric and embedder id
   */
  VectorIndex<String> open(int dimension, Metric metric, String embedderId);

  /**
   * Opens the index for a store opened read-only beside the process that writes it. The index
   * must not take a write lock or write anything; its mutating methods may throw.
   *
   * @param dimension vector length the store compares
   * @param metric comparison metric
   * @param embedderId id of the embedder whose vectors the store holds
   * @return the index, or empty when there is none to read (the default: the store then builds its
   *     own in the heap)
   */
  default java.util.Optional<VectorIndex<String>> openReadOnly(int dimension, Metric metric, String embedderId) {
    return java.util.Optional.empty();
  }

  /**
   * Checks that an index a factory returned is the one a store asked for; a factory that ignores
   * its arguments (or opens another store's directory) is refused before anything is read or written.
   *
   * @param idx the index from {@link #open} or {@link #openReadOnly}
   * @param dimension the vector length asked for
   * @param metric the metric asked for
   * @param embedderId the embedder id asked for
   * @param where the store, for the message
   * @return {@code idx}
   * @throws io.sightline.core.IncompatibleFormatException when any of the three differs
   */
  static VectorIndex<String> requireMatching(VectorIndex<String> idx, int dimension, Metric metric, String embedderId,
      String where) {
    if (idx.dimension() != dimension || idx.metric() != metric || !embedderId.equals(idx.embedderId())) {
      throw new io.sightline.core.IncompatibleFormatException(where + ": the vector index " + idx + " holds "
          + idx.dimension() + "-d " + idx.metric() + " vectors of embedder " + idx.embedderId() + "; it needs "
          + dimension + "-d " + metric + " vectors of " + embedderId);
    }
    return idx;
  }
}
