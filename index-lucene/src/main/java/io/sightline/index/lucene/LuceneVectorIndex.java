package io.sightline.index.lucene;

import io.sightline.core.CancelledException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.Vectors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
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
 * <p><b>Format checks.</b> The embedder id, dimension, metric, key type and a format version are
 * kept in the commit user data (part of Lucene's checksummed {@code segments_N}); opening a
 * directory made for another embedder, dimension, metric or key type raises
 * {@link IncompatibleFormatException}.
 *
 * <p><b>Scores.</b> Hits carry the same distance and similarity as
 * {@link io.sightline.core.index.ExactVectorIndex}: Lucene's graph chooses the candidates, then
 * the distance is recomputed from the stored float vector with {@link Metric#distance} and results
 * are ordered by it, closest first.
 *
 * <p><b>Filters.</b> A {@link SearchFilter} is an arbitrary Java predicate, so it runs after the
 * graph search: the index fetches {@code max(k, ef)} candidates, filters them, and widens the
 * candidate list fourfold until {@code k} pass, the index is exhausted, or
 * {@link Options#maxCandidates()} candidates were examined; a filter that keeps fewer than
 * {@code k} of those returns fewer than {@code k} results.
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
  static final String KIND = "sightline-lucene-vector-index";
  static final int FORMAT_VERSION = 1;
  static final String UD_KIND = "sightline.kind";
  static final String UD_FORMAT = "sightline.format";
  static final String UD_EMBEDDER = "sightline.embedderId";
  static final String UD_DIMENSION = "sightline.dimension";
  static final String UD_METRIC = "sightline.metric";
  static final String UD_KEY_TYPE = "sightline.keyType";

  static final String F_ID = "id";
  static final String F_VECTOR = "vector";
  static final String F_ATTRS = "attrs";

  /**
   * Tuning of the Lucene graph and of filtered search.
   *
   * @param m graph degree (Lucene's maxConn), default 16
   * @param beamWidth candidate list size while building, default 100
   * @param ef candidate list size at search time (at least {@code k} is used), default 100
   * @param maxCandidates most candidates a filtered search examines, default 10,000
   * @param scalarQuantized store an int8-quantized copy of the vectors for the graph (Lucene's
   *     {@code Lucene99HnswScalarQuantizedVectorsFormat}); raw floats are kept for exact scores
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
  }

  private final Path path;
  private final int dimension;
  private final Metric metric;
  private final String embedderId;
  private final KeyCodec<K> keys;
  private final Options options;
  private final Directory directory;
  private final SnapshotDeletionPolicy snapshots;
  private final SearcherManager searchers;
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile IndexWriter writer;
  private volatile boolean closed;

  private LuceneVectorIndex(Path path, int dimension, Metric metric, String embedderId, KeyCodec<K> keys,
      Options options, Directory directory) throws IOException {
    this.path = path;
    this.dimension = dimension;
    this.metric = metric;
    this.embedderId = embedderId;
    this.keys = keys;
    this.options = options;
    this.directory = directory;
    this.snapshots = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
    this.writer = newWriter();
    if (!DirectoryReader.indexExists(directory)) {
      writer.commit(); // an empty first commit so the directory carries its metadata
    }
    this.searchers = new SearcherManager(directory, null);
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
   *     dimension, metric or key type, or is not a Sightline Lucene index
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
   *     dimension, metric or key type, or is not a Sightline Lucene index
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
    Directory directory = null;
    try {
      Files.createDirectories(dir);
      directory = FSDirectory.open(dir);
      if (DirectoryReader.indexExists(directory)) {
        checkMetadata(dir, SegmentInfos.readLatestCommit(directory).getUserData(), keyType, dimension, metric,
            embedderId);
      }
      LuceneVectorIndex<K> index = new LuceneVectorIndex<>(dir, dimension, metric, embedderId, codec, options,
          directory);
      LOG.debug("opened Lucene vector index {} ({} vectors, dim {}, {}, embedder {})", dir, index.size(),
          dimension, metric, embedderId);
      return index;
    } catch (LockObtainFailedException e) {
      closeQuietly(directory);
      throw new StoreException(dir + ": index is open for writing elsewhere (Lucene write.lock held)", e);
    } catch (IOException e) {
      closeQuietly(directory);
      throw new StoreException(dir + ": cannot open Lucene vector index: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(directory);
      throw e;
    }
  }

  private static void checkMetadata(Path dir, Map<String, String> ud, Class<?> keyType, int dimension,
      Metric metric, String embedderId) {
    if (!KIND.equals(ud.get(UD_KIND))) {
      throw new IncompatibleFormatException(dir + ": not a Sightline Lucene vector index (no '" + UD_KIND
          + "' in the commit data)");
    }
    int format = parseInt(dir, ud.get(UD_FORMAT));
    if (format != FORMAT_VERSION) {
      throw new IncompatibleFormatException(dir + ": index format version " + format + ", this code reads "
          + FORMAT_VERSION);
    }
    if (!embedderId.equals(ud.get(UD_EMBEDDER))) {
      throw new IncompatibleFormatException(dir + ": index was built with embedder '" + ud.get(UD_EMBEDDER)
          + "' but is being opened for embedder '" + embedderId + "'; re-index with the new embedder");
    }
    if (parseInt(dir, ud.get(UD_DIMENSION)) != dimension) {
      throw new IncompatibleFormatException(dir + ": index holds vectors of dimension " + ud.get(UD_DIMENSION)
          + ", opened for dimension " + dimension);
    }
    if (!metric.name().equals(ud.get(UD_METRIC))) {
      throw new IncompatibleFormatException(dir + ": index uses metric " + ud.get(UD_METRIC) + ", opened for "
          + metric);
    }
    if (!keyType.getName().equals(ud.get(UD_KEY_TYPE))) {
      throw new IncompatibleFormatException(dir + ": index has keys of type " + ud.get(UD_KEY_TYPE)
          + ", opened for " + keyType.getName());
    }
  }

  private static int parseInt(Path dir, String s) {
    try {
      return Integer.parseInt(Objects.requireNonNull(s));
    } catch (RuntimeException e) {
      throw new IncompatibleFormatException(dir + ": corrupt index metadata value '" + s + "'", e);
    }
  }

  private IndexWriter newWriter() throws IOException {
    KnnVectorsFormat format = options.scalarQuantized()
        ? new Lucene99HnswScalarQuantizedVectorsFormat(options.m(), options.beamWidth())
        : new Lucene99HnswVectorsFormat(options.m(), options.beamWidth());
    IndexWriterConfig cfg = new IndexWriterConfig()
        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
        .setIndexDeletionPolicy(snapshots)
        .setRAMBufferSizeMB(64)
        .setCodec(new Lucene912Codec() {
          @Override
          public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return format;
          }
        });
    IndexWriter w = new IndexWriter(directory, cfg);
    Map<String, String> ud = new LinkedHashMap<>();
    ud.put(UD_KIND, KIND);
    ud.put(UD_FORMAT, Integer.toString(FORMAT_VERSION));
    ud.put(UD_EMBEDDER, embedderId);
    ud.put(UD_DIMENSION, Integer.toString(dimension));
    ud.put(UD_METRIC, metric.name());
    ud.put(UD_KEY_TYPE, keys.type().getName());
    w.setLiveCommitData(ud.entrySet());
    return w;
  }

  private static VectorSimilarityFunction similarity(Metric metric) {
    return switch (metric) {
      // cosine vectors are normalised on the way in, so the dot product orders them
      case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
      case INNER_PRODUCT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
    };
  }

  /** @return the index directory */
  public Path path() {
    return path;
  }

  /** @return the tuning this index was opened with */
  public Options options() {
    return options;
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

  @Override
  public int size() {
    return withSearcher(s -> s.getIndexReader().numDocs());
  }

  private float[] prepare(float[] v) {
    Vectors.check(v, dimension);
    return metric == Metric.COSINE ? Vectors.normalized(v) : v.clone();
  }

  private Document document(K id, float[] prepared, Map<String, String> attributes) {
    Document doc = new Document();
    doc.add(new StringField(F_ID, keys.encode(id), Field.Store.YES));
    doc.add(new KnnFloatVectorField(F_VECTOR, prepared, similarity(metric)));
    doc.add(new StoredField(F_ATTRS, encodeAttributes(attributes)));
    return doc;
  }

  private Term term(K id) {
    return new Term(F_ID, keys.encode(id));
  }

  @Override
  public void add(K id, float[] vector, Map<String, String> attributes) {
    checkId(id);
    Document doc = document(id, prepare(vector), attributes == null ? Map.of() : attributes);
    mutate(w -> {
      w.updateDocument(term(id), doc);
      return null;
    });
  }

  @Override
  public boolean update(K id, float[] vector, Map<String, String> attributes) {
    checkId(id);
    Document doc = document(id, prepare(vector), attributes == null ? Map.of() : attributes);
    return mutate(w -> {
      if (!contains(id)) {
        return false;
      }
      w.updateDocument(term(id), doc);
      return true;
    });
  }

  @Override
  public boolean remove(K id) {
    if (id == null) {
      return false;
    }
    return mutate(w -> {
      if (!contains(id)) {
        return false;
      }
      w.deleteDocuments(term(id));
      return true;
    });
  }

  @Override
  public void addAll(Collection<IndexItem<K>> items, ProgressListener listener) {
    Objects.requireNonNull(listener, "listener");
    List<Document> docs = new ArrayList<>(items.size());
    List<Term> terms = new ArrayList<>(items.size());
    for (IndexItem<K> it : items) {
      checkId(it.id());
      docs.add(document(it.id(), prepare(it.vector()), it.attributes()));
      terms.add(term(it.id()));
    }
    int total = docs.size();
    int interval = Math.max(1, Math.min(10_000, total / 100));
    mutate(w -> {
      for (int i = 0; i < total; i++) {
        w.updateDocument(terms.get(i), docs.get(i));
        if ((i + 1) % interval == 0 || i + 1 == total) {
          listener.onProgress("index", i + 1, total, "");
        }
        if (Thread.currentThread().isInterrupted()) {
          throw new CancelledException("indexing interrupted after " + (i + 1) + " of " + total
              + "; nothing of this call was committed");
        }
      }
      return null;
    });
  }

  @FunctionalInterface
  private interface WriterOp<T> {
    T apply(IndexWriter w) throws IOException;
  }

  /** Runs a write under the lock, commits, refreshes readers; rolls back on failure. */
  private <T> T mutate(WriterOp<T> op) {
    writeLock.lock();
    try {
      ensureOpen();
      T result;
      try {
        result = op.apply(writer);
        writer.commit();
      } catch (IOException | RuntimeException | Error e) {
        rollback(e);
        if (e instanceof IOException io) {
          throw new StoreException(path + ": write failed, rolled back to the last commit: " + io.getMessage(), io);
        }
        throw e;
      }
      searchers.maybeRefreshBlocking();
      return result;
    } catch (IOException e) {
      throw new StoreException(path + ": cannot refresh readers: " + e.getMessage(), e);
    } finally {
      writeLock.unlock();
    }
  }

  /** Drops everything since the last commit and reopens the writer (rollback closes it). */
  private void rollback(Throwable cause) {
    // clear the interrupt while Lucene cleans up, restore it for the caller afterwards
    boolean interrupted = Thread.interrupted();
    try {
      writer.rollback();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    try {
      writer = newWriter();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
      closed = true;
      LOG.error("{}: writer could not be reopened after a failed write; index closed", path, e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean contains(K id) {
    if (id == null) {
      return false;
    }
    return withSearcher(s -> s.count(new TermQuery(term(id))) > 0);
  }

  @Override
  public Optional<float[]> vector(K id) {
    if (id == null) {
      return Optional.empty();
    }
    return withSearcher(s -> {
      int doc = find(s, id);
      return doc < 0 ? Optional.<float[]>empty() : Optional.of(storedVector(s, doc));
    });
  }

  @Override
  public Optional<Map<String, String>> attributes(K id) {
    if (id == null) {
      return Optional.empty();
    }
    return withSearcher(s -> {
      int doc = find(s, id);
      return doc < 0 ? Optional.<Map<String, String>>empty()
          : Optional.of(decodeAttributes(s.storedFields().document(doc).getBinaryValue(F_ATTRS)));
    });
  }

  private int find(IndexSearcher s, K id) throws IOException {
    TopDocs td = s.search(new TermQuery(term(id)), 1);
    return td.scoreDocs.length == 0 ? -1 : td.scoreDocs[0].doc;
  }

  private float[] storedVector(IndexSearcher s, int doc) throws IOException {
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    FloatVectorValues values = leaf.reader().getFloatVectorValues(F_VECTOR);
    int local = doc - leaf.docBase;
    if (values == null || values.advance(local) != local) {
      throw new StoreException(path + ": document " + doc + " has no vector; the index is corrupt");
    }
    return values.vectorValue().clone();
  }

  @Override
  public List<SearchResult<K>> search(float[] query, int k, SearchFilter<K> filter) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1: " + k);
    }
    Objects.requireNonNull(filter, "filter");
    float[] q = prepare(query);
    return withSearcher(s -> {
      int size = s.getIndexReader().numDocs();
      if (size == 0) {
        return List.of();
      }
      int want = Math.min(k, size);
      int limit = Math.min(size, Math.max(want, options.maxCandidates()));
      int fetch = Math.min(limit, Math.max(want, options.ef()));
      StoredFields stored = s.storedFields();
      while (true) {
        TopDocs td = s.search(new KnnFloatVectorQuery(F_VECTOR, q, fetch), fetch);
        List<SearchResult<K>> out = new ArrayList<>();
        for (ScoreDoc sd : td.scoreDocs) {
          Document d = stored.document(sd.doc);
          K id = keys.decode(d.get(F_ID));
          Map<String, String> attrs = decodeAttributes(d.getBinaryValue(F_ATTRS));
          if (filter.test(id, attrs)) {
            float dist = metric.distance(q, storedVector(s, sd.doc));
            out.add(new SearchResult<>(id, dist, metric.similarity(dist), attrs));
          }
        }
        if (out.size() >= want || fetch >= limit || td.scoreDocs.length < fetch) {
          out.sort(Comparator.comparingDouble(SearchResult::distance));
          return out.size() > want ? new ArrayList<>(out.subList(0, want)) : out;
        }
        fetch = (int) Math.min(limit, fetch * 4L);
      }
    });
  }

  @Override
  public List<K> keys() {
    return withSearcher(s -> {
      List<K> out = new ArrayList<>(s.getIndexReader().numDocs());
      for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
        LeafReader r = leaf.reader();
        Bits live = r.getLiveDocs();
        StoredFields sf = r.storedFields();
        for (int i = 0; i < r.maxDoc(); i++) {
          if (live == null || live.get(i)) {
            out.add(keys.decode(sf.document(i, java.util.Set.of(F_ID)).get(F_ID)));
          }
        }
      }
      return out;
    });
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
    ensureOpen();
    Path abs = target.toAbsolutePath().normalize();
    if (abs.equals(path.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("save target is the index's own directory; it is always saved: " + target);
    }
    Path parent = abs.getParent();
    Path tmp = parent.resolve(abs.getFileName() + ".tmp-" + System.nanoTime());
    IndexCommit commit = null;
    try {
      Files.createDirectories(parent);
      commit = snapshots.snapshot();
      try (Directory out = FSDirectory.open(tmp)) {
        for (String name : commit.getFileNames()) {
          out.copyFrom(directory, name, name, IOContext.DEFAULT);
        }
        out.sync(commit.getFileNames());
        out.syncMetaData();
      }
      Path aside = null;
      if (Files.exists(abs)) {
        aside = parent.resolve(abs.getFileName() + ".old-" + System.nanoTime());
        Files.move(abs, aside, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
      if (aside != null) {
        deleteTree(aside);
      }
    } catch (IOException e) {
      try {
        deleteTree(tmp);
      } catch (IOException ignored) {
        e.addSuppressed(ignored);
      }
      throw new StoreException(target + ": cannot save Lucene vector index: " + e.getMessage(), e);
    } finally {
      if (commit != null) {
        try {
          snapshots.release(commit);
          writer.deleteUnusedFiles();
        } catch (IOException | RuntimeException e) {
          LOG.warn("{}: releasing the save snapshot failed", path, e);
        }
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }

  /** Closes readers, the writer (everything is already committed) and the directory. Idempotent. */
  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed && writer == null) {
        return;
      }
      closed = true;
      IOException failure = null;
      try {
        searchers.close();
      } catch (IOException e) {
        failure = e;
      }
      try {
        if (writer != null) {
          writer.close();
        }
      } catch (IOException | RuntimeException e) {
        failure = failure == null ? new IOException(e) : failure;
      }
      writer = null;
      try {
        directory.close();
      } catch (IOException e) {
        failure = failure == null ? e : failure;
      }
      if (failure != null) {
        throw new StoreException(path + ": close failed: " + failure.getMessage(), failure);
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(path + ": index is closed");
    }
  }

  @FunctionalInterface
  private interface SearcherOp<T> {
    T apply(IndexSearcher s) throws IOException;
  }

  private <T> T withSearcher(SearcherOp<T> op) {
    ensureOpen();
    IndexSearcher s;
    try {
      s = searchers.acquire();
    } catch (IOException e) {
      throw new StoreException(path + ": cannot open a reader: " + e.getMessage(), e);
    }
    try {
      return op.apply(s);
    } catch (IOException e) {
      throw new StoreException(path + ": read failed: " + e.getMessage(), e);
    } finally {
      try {
        searchers.release(s);
      } catch (IOException e) {
        LOG.warn("{}: releasing a reader failed", path, e);
      }
    }
  }

  private static void checkId(Object id) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
  }

  private static BytesRef encodeAttributes(Map<String, String> attrs) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bos);
      out.writeInt(attrs.size());
      for (Map.Entry<String, String> e : attrs.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.flush();
      return new BytesRef(bos.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e); // in-memory stream
    }
  }

  private static Map<String, String> decodeAttributes(BytesRef b) {
    if (b == null) {
      return Map.of();
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(b.bytes, b.offset, b.length));
      int n = in.readInt();
      Map<String, String> m = new HashMap<>(n * 2);
      for (int i = 0; i < n; i++) {
        m.put(in.readUTF(), in.readUTF());
      }
      return Map.copyOf(m);
    } catch (IOException e) {
      throw new StoreException("corrupt attributes in Lucene vector index", e);
    }
  }

  private static void closeQuietly(Directory d) {
    if (d != null) {
      try {
        d.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }

  /** Maps keys to Lucene terms and back. */
  record KeyCodec<K>(Class<K> type) {
    @SuppressWarnings("unchecked")
    static <K> KeyCodec<K> of(Class<K> type) {
      Objects.requireNonNull(type, "keyType");
      if (type != String.class && type != Long.class && type != Integer.class) {
        throw new IllegalArgumentException("LuceneVectorIndex supports String, Long and Integer keys, not "
            + type.getName() + "; map your keys to strings (e.g. UUID.toString())");
      }
      return new KeyCodec<>(type);
    }

    String encode(K id) {
      if (!type.isInstance(id)) {
        throw new IllegalArgumentException("key " + id + " is not a " + type.getName());
      }
      return id.toString();
    }

    K decode(String s) {
      if (type == String.class) {
        return type.cast(s);
      }
      if (type == Long.class) {
        return type.cast(Long.valueOf(s));
      }
      return type.cast(Integer.valueOf(s));
    }
  }
}
