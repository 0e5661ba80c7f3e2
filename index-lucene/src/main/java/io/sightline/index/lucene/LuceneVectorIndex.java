package io.sightline.index.lucene;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.core.index.Vectors;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VectorIndex} that lives on disk: Apache Lucene 9 HNSW vector fields in a directory
 * (memory-mapped through {@link FSDirectory#open}).
 *
 * <p><b>Commit policy.</b> Every mutating call ({@link #add}, {@link #update}, {@link #remove})
 * is committed (Lucene commit, fsync) before it returns; {@link #addAll} commits once, after all
 * of its items, so a crash during it leaves the index as it was before the call. A process killed
 * at any moment reopens at the last commit (crash safety is Lucene's: a commit becomes visible
 * only when its {@code segments_N} file is fully written and synced). Searches, {@link #size},
 * {@link #keys} etc. only ever see committed state: readers come from a {@link SearcherManager}
 * over the directory, refreshed after each commit, so any number of threads may search while one
 * writer commits (mutations are serialised by a lock).
 *
 * <p><b>Format checks.</b> The embedder id, dimension, metric, key type, vector encoding and a
 * format version are kept in the commit user data (part of Lucene's checksummed
 * {@code segments_N}); opening a directory made for another embedder,
 * dimension, metric, key type or vector encoding raises {@link IncompatibleFormatException}.
 * Directories of the first release (format 1: no attribute terms, encoding not recorded) still
 * open and stay format 1; their filters all run after the graph search.
 *
 * <p><b>Scores.</b> Hits carry the same distance and similarity as
 * {@link io.sightline.core.index.ExactVectorIndex}: Lucene's graph chooses the candidates, then
 * the distance is recomputed from the stored float vector with {@link Metric#distance} and results
 * are ordered by it, closest first.
 *
 * <p><b>Filters.</b> Filters made with {@link LuceneFilters} (attribute equals, starts with, one
 * of, and {@code and}s of them) run inside the graph search as the filter query of Lucene's
 * {@code KnnFloatVectorQuery}, so the {@code k} nearest matching vectors come back however
 * selective the filter. Any other {@link SearchFilter} (core's factories, lambdas, the part of an
 * {@code and} that is not a {@link LuceneFilters} filter) is an arbitrary Java predicate and runs
 * after the graph search: the index fetches {@code max(k, ef)} candidates, filters them, and
 * widens the candidate list fourfold until {@code k} pass, the index is exhausted, or
 * {@link Options#maxCandidates()} candidates were examined; a filter that keeps fewer than
 * {@code k} of those returns fewer than {@code k} results.
 *
 * <p><b>Quantization.</b> {@link Options#quantized(boolean) quantized(true)} builds the graph over
 * int8 scalar-quantized copies of the vectors; the float vectors are kept and scores stay exact.
 * The choice is recorded in the commit user data; reopening with the other choice raises
 * {@link IncompatibleFormatException}.
 *
 * <p><b>Keys.</b> {@link String}, {@link Long} and {@link Integer} keys are supported (stored as
 * an indexed string term); other key types are refused when the index is opened.
 *
 * <p><b>Limits.</b> One process may open a directory for writing at a time (Lucene's
 * {@code write.lock}); dimension at most {@value #MAX_DIMENSION} (Lucene's default codec limit).
 *
 * @param <K> key type
 */
public final class LuceneVectorIndex<K extends Serializable> implements VectorIndex<K> {
  private static final Logger LOG = LoggerFactory.getLogger(LuceneVectorIndex.class);

  /** Largest dimension Lucene's default vector format accepts. */
  public static final int MAX_DIMENSION = 1024;

  /**
   * Tuning of the Lucene graph and of filtered search.
   *
   * @param m graph degree (Lucene's maxConn), default 16
   * @param beamWidth candidate list size while building, default 100
   * @param ef candidate list size at search time (at least {@code k} is used), default 100
   * @param maxCandidates most candidates a search with a post-filter examines, default 10,000
   * @param scalarQuantized build the graph over int8 scalar-quantized copies of the vectors
   *     (Lucene's {@code Lucene99HnswScalarQuantizedVectorsFormat}, 7 bits in one byte per
   *     dimension); raw floats are kept for exact scores. Recorded in the index: a directory
   *     reopens only with the choice it was made with. Default false
   */
  public record Options(int m, int beamWidth, int ef, int maxCandidates, boolean scalarQuantized) {
    /** Validates. */
    public Options {
      if (m < 2 || beamWidth < 1 || ef < 1 || maxCandidates < 1) {
        throw new IllegalArgumentException("m >= 2, beamWidth, ef and maxCandidates >= 1 required");
      }
    }

    /** @return the defaults */
    public static Options defaults() {
      return new Options(16, 100, 100, 10_000, false);
    }

    /**
     * @param quantized whether the graph uses int8 scalar-quantized vectors
     * @return these options with {@link #scalarQuantized()} set, e.g.
     *     {@code Options.defaults().quantized(true)}
     */
    public Options quantized(boolean quantized) {
      return new Options(m, beamWidth, ef, maxCandidates, quantized);
    }
  }

  private final Path path;
  private final IndexMetadata metadata;
  private final Options options;
  private final Documents<K> docs;
  /** Null when opened read-only. */
  private final LuceneWriter writer;
  private final LuceneSearcher<K> searcher;
  /** Read-only opening: the directory this index closes itself (a writer closes its own). */
  private final Directory readOnlyDirectory;
  private volatile boolean readOnlyClosed;

  private LuceneVectorIndex(Path path, IndexMetadata metadata, Options options, Documents<K> docs,
      LuceneWriter writer, LuceneSearcher<K> searcher, Directory readOnlyDirectory) {
    this.path = path;
    this.metadata = metadata;
    this.options = options;
    this.docs = docs;
    this.writer = writer;
    this.searcher = searcher;
    this.readOnlyDirectory = readOnlyDirectory;
  }

  /**
   * A {@link VectorIndexFactory} over one directory, for stores that can keep their index on disk
   * (e.g. {@code TagRecommender.builder().neighbourIndex(LuceneVectorIndex.factory(dir))}): writing
   * stores {@link #open} it, read-only ones {@link #openReadOnly} it when it exists.
   *
   * @param dir the index directory; give each store its own
   * @return the factory
   */
  public static VectorIndexFactory factory(Path dir) {
    Objects.requireNonNull(dir, "dir");
    return new VectorIndexFactory() {
      @Override
      public VectorIndex<String> open(int dimension, Metric metric, String embedderId) {
        return LuceneVectorIndex.open(dir, dimension, metric, embedderId);
      }

      @Override
      public Optional<VectorIndex<String>> openReadOnly(int dimension, Metric metric, String embedderId) {
        return Files.isDirectory(dir) ? Optional.of(LuceneVectorIndex.openReadOnly(dir, dimension, metric, embedderId))
            : Optional.empty();
      }

      @Override
      public String toString() {
        return "Lucene vector indexes at " + dir;
      }
    };
  }

  /**
   * Opens an existing index for reading only, beside the one process that writes it: no write
   * lock is taken and nothing is written. Searches and look-ups see the last commit and pick up
   * the writer's later commits within about a second. {@link #add}, {@link #addAll},
   * {@link #update}, {@link #remove} and {@link #save} throw {@link IllegalStateException}.
   *
   * @param dir the index directory
   * @param dimension vector length the caller expects
   * @param metric comparison metric the caller expects
   * @param embedderId id of the embedder whose vectors the caller compares
   * @return the index; close it
   * @throws StoreException when {@code dir} holds no index, or on I/O failure
   * @throws IncompatibleFormatException when the index was made for another embedder, dimension,
   *     metric or key type, or is not a Sightline Lucene index
   */
  public static LuceneVectorIndex<String> openReadOnly(Path dir, int dimension, Metric metric, String embedderId) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(embedderId, "embedderId");
    if (!Files.isDirectory(dir)) {
      throw new StoreException(dir + ": no Lucene vector index here to open read-only");
    }
    Directory directory = null;
    try {
      directory = FSDirectory.open(dir);
      if (!DirectoryReader.indexExists(directory)) {
        throw new StoreException(dir + ": no Lucene vector index here to open read-only");
      }
      Map<String, String> userData = SegmentInfos.readLatestCommit(directory).getUserData();
      boolean quantized = IndexMetadata.ENCODING_INT8.equals(userData.get(IndexMetadata.UD_VECTOR_ENCODING));
      IndexMetadata metadata = IndexMetadata.check(dir, userData, new IndexMetadata(IndexMetadata.FORMAT_VERSION,
          embedderId, dimension, metric, String.class, quantized));
      Documents<String> docs = new Documents<>(KeyCodec.of(String.class), metric);
      LuceneVectorIndex<String>[] self = new LuceneVectorIndex[1];
      LuceneSearcher<String> searcher = new LuceneSearcher<>(dir, directory, docs, metric, Options.defaults(),
          metadata.attributeTerms(), () -> self[0].ensureReadable(), READ_ONLY_REFRESH_NANOS);
      self[0] = new LuceneVectorIndex<>(dir, metadata, Options.defaults(), docs, null, searcher, directory);
      LOG.debug("opened Lucene vector index {} read-only ({} vectors)", dir, self[0].size());
      return self[0];
    } catch (IOException e) {
      closeQuietly(directory, null);
      throw new StoreException(dir + ": cannot open Lucene vector index read-only: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(directory, null);
      throw e;
    }
  }

  /** How often a read-only opening looks for the writer's new commits. */
  static final long READ_ONLY_REFRESH_NANOS = 1_000_000_000L;

  private void ensureReadable() {
    if (readOnlyClosed) {
      throw new IllegalStateException(path + ": index is closed");
    }
  }

  /** @return whether this index was opened with {@link #openReadOnly} */
  public boolean isReadOnly() {
    return writer == null;
  }

  private LuceneWriter writable() {
    if (writer == null) {
      throw new IllegalStateException(path + ": opened read-only; only the process that opened it with open(...)"
          + " writes it");
    }
    return writer;
  }

  /**
   * Opens (creating when absent) an index of {@link String} keys with default options.
   *
   * @param dir the index directory
   * @param dimension vector length
   * @param metric comparison metric
   * @param embedderId id of the embedder whose vectors go in
   * @return the index; close it
   * @throws IncompatibleFormatException when {@code dir} holds an index made for another embedder,
   *     dimension, metric, key type or vector encoding, or is not a Sightline Lucene index
   * @throws StoreException on I/O failure or when another writer holds the directory
   */
  public static LuceneVectorIndex<String> open(Path dir, int dimension, Metric metric, String embedderId) {
    return open(dir, String.class, dimension, metric, embedderId, Options.defaults());
  }

  /**
   * Opens (creating when absent) an index.
   *
   * @param <K> key type
   * @param dir the index directory
   * @param keyType {@code String.class}, {@code Long.class} or {@code Integer.class}
   * @param dimension vector length, 1 to {@value #MAX_DIMENSION}
   * @param metric comparison metric
   * @param embedderId id of the embedder whose vectors go in
   * @param options graph and search tuning
   * @return the index; close it
   * @throws IllegalArgumentException on an unsupported key type or dimension
   * @throws IncompatibleFormatException when {@code dir} holds an index made for another embedder,
   *     dimension, metric, key type or vector encoding ({@link Options#scalarQuantized()}), or is
   *     not a Sightline Lucene index
   * @throws StoreException on I/O failure or when another writer holds the directory
   */
  public static <K extends Serializable> LuceneVectorIndex<K> open(Path dir, Class<K> keyType, int dimension,
      Metric metric, String embedderId, Options options) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(embedderId, "embedderId");
    Objects.requireNonNull(options, "options");
    KeyCodec<K> codec = KeyCodec.of(keyType);
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new IllegalArgumentException("dimension must be 1.." + MAX_DIMENSION + " (Lucene's vector limit): "
          + dimension);
    }
    IndexMetadata metadata = new IndexMetadata(IndexMetadata.FORMAT_VERSION, embedderId, dimension, metric, keyType,
        options.scalarQuantized());
    Directory directory = null;
    LuceneWriter writer = null;
    try {
      Files.createDirectories(dir);
      directory = FSDirectory.open(dir);
      if (DirectoryReader.indexExists(directory)) {
        metadata = IndexMetadata.check(dir, SegmentInfos.readLatestCommit(directory).getUserData(), metadata);
      }
      writer = new LuceneWriter(dir, directory, metadata, options);
      Documents<K> docs = new Documents<>(codec, metric);
      LuceneSearcher<K> searcher = new LuceneSearcher<>(dir, directory, docs, metric, options,
          metadata.attributeTerms(), writer::ensureOpen, 0);
      writer.refreshing(searcher);
      LuceneVectorIndex<K> index = new LuceneVectorIndex<>(dir, metadata, options, docs, writer, searcher, null);
      LOG.debug("opened Lucene vector index {} ({} vectors, dim {}, {}, embedder {}, format {}, {})", dir,
          index.size(), dimension, metric, embedderId, metadata.formatVersion(),
          metadata.scalarQuantized() ? "int8 graph vectors" : "float graph vectors");
      return index;
    } catch (LockObtainFailedException e) {
      closeQuietly(directory, null);
      throw new StoreException(dir + ": index is open for writing elsewhere (Lucene write.lock held)", e);
    } catch (IOException e) {
      closeQuietly(directory, writer);
      throw new StoreException(dir + ": cannot open Lucene vector index: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(directory, writer);
      throw e;
    }
  }

  private static void closeQuietly(Directory d, LuceneWriter w) {
    try {
      if (w != null) {
        w.close(); // closes the directory too
      } else if (d != null) {
        d.close();
      }
    } catch (IOException | RuntimeException ignored) {
      // already failing
    }
  }

  /** @return the index directory */
  public Path path() {
    return path;
  }

  /** @return "Lucene vector index at DIR" (for logs and messages) */
  @Override
  public String toString() {
    return "Lucene vector index at " + path;
  }

  /** @return the tuning this index was opened with */
  public Options options() {
    return options;
  }

  @Override
  public int dimension() {
    return metadata.dimension();
  }

  @Override
  public Metric metric() {
    return metadata.metric();
  }

  @Override
  public String embedderId() {
    return metadata.embedderId();
  }

  @Override
  public int size() {
    return searcher.size();
  }

  private float[] prepare(float[] v) {
    Vectors.check(v, metadata.dimension());
    return metadata.metric() == Metric.COSINE ? Vectors.normalized(v) : v.clone();
  }

  private Document document(K id, float[] vector, Map<String, String> attributes) {
    checkId(id);
    return docs.document(id, prepare(vector), attributes == null ? Map.of() : attributes);
  }

  @Override
  public void add(K id, float[] vector, Map<String, String> attributes) {
    Document doc = document(id, vector, attributes);
    writable().mutate(w -> {
      w.updateDocument(docs.term(id), doc);
      return null;
    });
  }

  @Override
  public boolean update(K id, float[] vector, Map<String, String> attributes) {
    Document doc = document(id, vector, attributes);
    return writable().mutate(w -> {
      if (!contains(id)) {
        return false;
      }
      w.updateDocument(docs.term(id), doc);
      return true;
    });
  }

  @Override
  public boolean remove(K id) {
    if (id == null) {
      return false;
    }
    return writable().mutate(w -> {
      if (!contains(id)) {
        return false;
      }
      w.deleteDocuments(docs.term(id));
      return true;
    });
  }

  @Override
  public void addAll(Collection<IndexItem<K>> items, ProgressListener listener) {
    Objects.requireNonNull(listener, "listener");
    LuceneWriter out = writable();
    List<Document> batch = new ArrayList<>(items.size());
    List<Term> terms = new ArrayList<>(items.size());
    for (IndexItem<K> it : items) {
      batch.add(document(it.id(), it.vector(), it.attributes()));
      terms.add(docs.term(it.id()));
    }
    out.updateAll(terms, batch, listener);
  }

  @Override
  public boolean contains(K id) {
    return id != null && searcher.contains(id);
  }

  @Override
  public Optional<float[]> vector(K id) {
    return id == null ? Optional.empty() : searcher.vector(id);
  }

  @Override
  public Optional<Map<String, String>> attributes(K id) {
    return id == null ? Optional.empty() : searcher.attributes(id);
  }

  @Override
  public List<SearchResult<K>> search(float[] query, int k, SearchFilter<K> filter) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1: " + k);
    }
    Objects.requireNonNull(filter, "filter");
    return searcher.search(prepare(query), k, filter);
  }

  @Override
  public List<K> keys() {
    return searcher.keys();
  }

  /**
   * Copies the last commit into another directory, which {@link #open} then opens: files go to a
   * temporary sibling directory, are fsynced, and the directory is renamed onto {@code target}
   * (an existing {@code target} is moved aside first and deleted after). Writers are not blocked
   * (the commit is pinned with a snapshot while it is copied).
   *
   * @param target the directory to write; must not be this index's own directory
   */
  @Override
  public void save(Path target) {
    Objects.requireNonNull(target, "target");
    writable().copyLastCommit(target);
  }

  /** Closes readers, the writer (everything is already committed) and the directory. Idempotent. */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
      return;
    }
    synchronized (this) {
      if (readOnlyClosed) {
        return;
      }
      readOnlyClosed = true;
      try {
        searcher.close();
      } catch (IOException e) {
        LOG.warn("{}: closing readers failed", path, e);
      }
      closeQuietly(readOnlyDirectory, null);
    }
  }

  private static void checkId(Object id) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
  }
}
