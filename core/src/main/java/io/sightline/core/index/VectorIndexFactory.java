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
}
