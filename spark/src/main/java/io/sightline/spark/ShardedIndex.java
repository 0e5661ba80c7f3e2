package io.sightline.spark;

import io.sightline.core.StoreException;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shards written by {@link IndexShards}, loaded from a local folder and searched as one index:
 * each shard returns its own top k and the results are merged by distance (ties by key). Needs no
 * Spark at run time.
 *
 * <p>Thread-safe for searches, like {@link HnswVectorIndex}. Every shard is loaded into the heap;
 * for more data than one JVM holds, serve shards from several processes and merge their top k the
 * same way.
 *
 * @param <K> key type
 */
public final class ShardedIndex<K extends Serializable> implements AutoCloseable {
  private final List<HnswVectorIndex<K>> shards;

  private ShardedIndex(List<HnswVectorIndex<K>> shards) {
    this.shards = List.copyOf(shards);
  }

  /**
   * Loads {@code shard-*.hnsw} from a folder (copy it locally first from HDFS or S3).
   *
   * @param folder local folder
   * @param expectedEmbedderId the embedder queries come from (null skips the check)
   * @return the index over string keys
   * @throws StoreException when the folder holds no shard, or a shard is corrupt
   * @throws io.sightline.core.IncompatibleFormatException when a shard holds another embedder's
   *     vectors
   */
  public static ShardedIndex<String> load(Path folder, String expectedEmbedderId) {
    return load(folder, String.class, expectedEmbedderId);
  }

  /**
   * @param <K> key type
   * @param folder local folder
   * @param keyType class of the keys
   * @param expectedEmbedderId the embedder queries come from (null skips the check)
   * @return the index
   */
  public static <K extends Serializable> ShardedIndex<K> load(Path folder, Class<K> keyType,
      String expectedEmbedderId) {
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(p -> p.getFileName().toString().matches("shard-\\d+\\.hnsw")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files.isEmpty()) {
      throw new StoreException(folder + ": no shard-*.hnsw files");
    }
    List<HnswVectorIndex<K>> loaded = new ArrayList<>();
    for (Path f : files) {
      loaded.add(HnswVectorIndex.load(f, keyType, expectedEmbedderId));
    }
    HnswVectorIndex<K> first = loaded.get(0);
    for (HnswVectorIndex<K> s : loaded) {
      if (s.dimension() != first.dimension() || s.metric() != first.metric()
          || !s.embedderId().equals(first.embedderId())) {
        throw new StoreException(folder + ": shards differ in dimension, metric or embedder");
      }
    }
    return new ShardedIndex<>(loaded);
  }

  /** @return the shards, in file order */
  public List<HnswVectorIndex<K>> shards() {
    return shards;
  }

  /** @return vectors in all shards */
  public int size() {
    return shards.stream().mapToInt(HnswVectorIndex::size).sum();
  }

  /** @return vector length */
  public int dimension() {
    return shards.get(0).dimension();
  }

  /** @return the metric */
  public Metric metric() {
    return shards.get(0).metric();
  }

  /** @return embedder id of the vectors */
  public String embedderId() {
    return shards.get(0).embedderId();
  }

  /**
   * @param ef search-time candidate list for every shard
   */
  public void setEf(int ef) {
    shards.forEach(s -> s.setEf(ef));
  }

  /**
   * Nearest neighbours over all shards.
   *
   * @param query vector
   * @param k how many
   * @return up to k results, closest first (ties by key text)
   */
  public List<SearchResult<K>> search(float[] query, int k) {
    List<SearchResult<K>> all = new ArrayList<>();
    for (HnswVectorIndex<K> s : shards) {
      all.addAll(s.search(query, k));
    }
    return merge(all, k);
  }

  /**
   * Exact (brute-force) search over all shards, for recall checks.
   *
   * @param query vector
   * @param k how many
   * @return up to k results, closest first
   */
  public List<SearchResult<K>> searchExact(float[] query, int k) {
    List<SearchResult<K>> all = new ArrayList<>();
    for (HnswVectorIndex<K> s : shards) {
      all.addAll(s.searchExact(query, k));
    }
    return merge(all, k);
  }

  static <K> List<SearchResult<K>> merge(List<SearchResult<K>> all, int k) {
    all.sort(Comparator.comparingDouble((SearchResult<K> r) -> r.distance())
        .thenComparing(r -> String.valueOf(r.id())));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  @Override
  public void close() {
    shards.forEach(HnswVectorIndex::close);
  }
}
