package io.sightline.core.index;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import com.github.jelmerk.hnswlib.core.hnsw.SizeLimitExceededException;
import io.sightline.core.CancelledException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.store.ChecksummedFile;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Approximate nearest-neighbour index on hnswlib's HNSW graph — the default {@link VectorIndex}.
 *
 * <p>Grows automatically; supports remove and update (replace); filtered search widens its
 * candidate list until {@code k} results pass the filter or the index is exhausted.
 *
 * <p>Thread-safe: any number of threads may search while others add or remove (hnswlib locks
 * per node); growing the graph's capacity briefly blocks everyone. {@link #save} blocks adds and
 * removes until the file is written (at 1M vectors, seconds) but not searches.
 *
 * <p>Files are written with {@link ChecksummedFile} (format version, embedder id, CRC32C,
 * atomic replace). Loading restricts Java deserialization to JDK, hnswlib and the key class, so a
 * hostile file cannot instantiate arbitrary classes.
 *
 * @param <K> key type
 */
public final class HnswVectorIndex<K extends Serializable> extends AbstractVectorIndex<K> {
  static final String KIND = "hnsw-index";
  static final int FORMAT_VERSION = 1;
  private static final AtomicLong VERSIONS = new AtomicLong(System.nanoTime());

  /**
   * A stored vector with its attributes, as hnswlib keeps it.
   *
   * @param <K> key type
   */
  static final class Entry<K> implements Item<K, float[]> {
    private static final long serialVersionUID = 1L;
    private final K id;
    private final float[] vector;
    private final Map<String, String> attributes;
    private final long version;

    Entry(K id, float[] vector, Map<String, String> attributes, long version) {
      this.id = id;
      this.vector = vector;
      this.attributes = attributes;
      this.version = version;
    }

    @Override
    public K id() {
      return id;
    }

    @Override
    public float[] vector() {
      return vector;
    }

    @Override
    public int dimensions() {
      return vector.length;
    }

    @Override
    public long version() {
      return version;
    }

    Map<String, String> attributes() {
      return attributes == null ? Map.of() : attributes;
    }
  }

  /** Searches and single mutations share it; a resize of the graph's arrays takes it exclusively. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /**
   * Mutations share it; {@link #save} takes it exclusively, so a save sees no change half made
   * while searches (which do not take it) go on during the file write.
   */
  private final ReentrantReadWriteLock mutations = new ReentrantReadWriteLock();
  private volatile boolean writingFile;
  private final int m;
  private final int efConstruction;
  private volatile int ef;
  private HnswIndex<K, float[], Entry<K>, Float> hnsw;

  private HnswVectorIndex(Builder b) {
    super(b.dimension, b.metric, b.embedderId);
    this.m = b.m;
    this.efConstruction = b.efConstruction;
    this.ef = b.ef;
    this.hnsw = HnswIndex.<float[], Float>newBuilder(dimension, distanceFunction(metric), b.initialCapacity)
        .withM(m).withEfConstruction(efConstruction).withEf(ef).withRemoveEnabled().build();
  }

  private HnswVectorIndex(HnswIndex<K, float[], Entry<K>, Float> hnsw, Metric metric, String embedderId) {
    super(hnsw.getDimensions(), metric, embedderId);
    this.hnsw = hnsw;
    this.m = hnsw.getM();
    this.efConstruction = hnsw.getEfConstruction();
    this.ef = hnsw.getEf();
  }

  /** @return a builder; dimension and embedder id are required */
  public static Builder builder() {
    return new Builder();
  }

  private static DistanceFunction<float[], Float> distanceFunction(Metric metric) {
    return switch (metric) {
      // cosine vectors are normalised on the way in, so 1 - dot is the cosine distance
      case COSINE, INNER_PRODUCT -> DistanceFunctions.FLOAT_INNER_PRODUCT;
      case L2 -> DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE;
    };
  }

  /** @return the search-time candidate list size */
  public int ef() {
    return ef;
  }

  /**
   * Sets the search-time candidate list size: larger is more accurate and slower.
   *
   * @param ef at least 1
   */
  public void setEf(int ef) {
    if (ef < 1) {
      throw new IllegalArgumentException("ef must be positive");
    }
    this.ef = ef;
    hnsw.setEf(ef);
  }

  /** @return the graph degree parameter M */
  public int m() {
    return m;
  }

  @Override
  public int size() {
    return hnsw.size();
  }

  @Override
  public void add(K id, float[] vector, Map<String, String> attributes) {
    checkId(id);
    insert(new Entry<>(id, prepare(vector), attributes == null ? Map.of() : Map.copyOf(attributes),
        VERSIONS.incrementAndGet()));
  }

  private void insert(Entry<K> e) {
    mutations.readLock().lock();
    try {
      insertLocked(e);
    } finally {
      mutations.readLock().unlock();
    }
  }

  private void insertLocked(Entry<K> e) {
    while (true) {
      int capacity;
      lock.readLock().lock();
      capacity = hnsw.getMaxItemCount();
      try {
        if (hnsw.contains(e.id())) {
          hnsw.remove(e.id(), e.version());
        }
        hnsw.add(e);
        return;
      } catch (SizeLimitExceededException full) {
        // fall through to grow (removed nodes keep their slots, so size() may be below capacity)
      } catch (RuntimeException ex) {
        if (!(ex.getCause() instanceof InterruptedException)) {
          throw ex;
        }
        // hnswlib wraps an interrupt in a RuntimeException and clears the flag: report a cancellation
        Thread.currentThread().interrupt();
        throw new CancelledException("indexing interrupted", ex);
      } finally {
        lock.readLock().unlock();
      }
      grow(capacity);
    }
  }

  private void grow(int seenCapacity) {
    lock.writeLock().lock();
    try {
      // another thread may have grown it already
      if (hnsw.getMaxItemCount() == seenCapacity) {
        hnsw.resize(Math.max(16, seenCapacity * 2));
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void addAll(Collection<IndexItem<K>> items, ProgressListener listener) {
    List<Entry<K>> prepared = new ArrayList<>(items.size());
    for (IndexItem<K> it : items) {
      checkId(it.id());
      prepared.add(new Entry<>(it.id(), prepare(it.vector()), it.attributes(), VERSIONS.incrementAndGet()));
    }
    lock.writeLock().lock();
    try {
      int needed = hnsw.size() + prepared.size() + 1;
      if (needed > hnsw.getMaxItemCount()) {
        hnsw.resize(Math.max(needed, hnsw.getMaxItemCount() * 2));
      }
    } finally {
      lock.writeLock().unlock();
    }
    int total = prepared.size();
    int interval = Math.max(1, Math.min(10_000, total / 100));
    if (Thread.currentThread().isInterrupted()) {
      throw new CancelledException("indexing interrupted after 0 of " + total);
    }
    for (int i = 0; i < total; i++) {
      insert(prepared.get(i));
      if ((i + 1) % interval == 0 || i + 1 == total) {
        listener.onProgress("index", i + 1, total, "");
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new CancelledException("indexing interrupted after " + (i + 1) + " of " + total);
      }
    }
  }

  @Override
  public boolean remove(K id) {
    mutations.readLock().lock();
    lock.readLock().lock();
    try {
      return hnsw.remove(id, VERSIONS.incrementAndGet());
    } finally {
      lock.readLock().unlock();
      mutations.readLock().unlock();
    }
  }

  @Override
  public boolean contains(K id) {
    return hnsw.contains(id);
  }

  @Override
  public Optional<float[]> vector(K id) {
    return hnsw.get(id).map(e -> e.vector().clone());
  }

  @Override
  public Optional<Map<String, String>> attributes(K id) {
    return hnsw.get(id).map(Entry::attributes);
  }

  @Override
  public List<SearchResult<K>> search(float[] query, int k, SearchFilter<K> filter) {
    checkK(k);
    Objects.requireNonNull(filter, "filter");
    float[] q = prepare(query);
    lock.readLock().lock();
    try {
      int size = hnsw.size();
      if (size == 0) {
        return List.of();
      }
      int want = Math.min(k, size);
      int fetch = Math.max(want, Math.min(size, ef));
      while (true) {
        List<com.github.jelmerk.hnswlib.core.SearchResult<Entry<K>, Float>> raw = hnsw.findNearest(q, fetch);
        List<SearchResult<K>> out = new ArrayList<>(want);
        for (var r : raw) {
          Entry<K> e = r.item();
          if (filter.test(e.id(), e.attributes())) {
            float d = r.distance();
            out.add(new SearchResult<>(e.id(), d, metric.similarity(d), e.attributes()));
            if (out.size() == want) {
              return out;
            }
          }
        }
        if (fetch >= size || raw.size() < fetch) {
          return out;
        }
        fetch = (int) Math.min(size, fetch * 4L);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<K> keys() {
    List<K> out = new ArrayList<>(hnsw.size());
    for (Entry<K> e : hnsw.items()) {
      out.add(e.id());
    }
    return out;
  }

  /** @return exact (brute-force) view over the same vectors, for recall checks */
  public List<SearchResult<K>> searchExact(float[] query, int k) {
    checkK(k);
    float[] q = prepare(query);
    lock.readLock().lock();
    try {
      List<SearchResult<K>> out = new ArrayList<>();
      for (var r : hnsw.asExactIndex().findNearest(q, k)) {
        float d = r.distance();
        out.add(new SearchResult<>(r.item().id(), d, metric.similarity(d), r.item().attributes()));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void save(Path path) {
    // no mutation runs while the graph is serialised (it would tear the file); searches go on:
    // they only read the graph, and hnswlib's serialisation takes no lock of its own
    mutations.writeLock().lock();
    lock.readLock().lock();
    writingFile = true;
    try {
      ChecksummedFile.write(path, new ChecksummedFile.Header(KIND, FORMAT_VERSION, embedderId), out -> {
        out.writeUTF(metric.name());
        out.writeInt(dimension);
        out.flush();
        hnsw.save(new FilterOutputStream(out) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush(); // hnswlib closes its stream; the container still has a checksum to write
          }
        });
      });
    } finally {
      writingFile = false;
      lock.readLock().unlock();
      mutations.writeLock().unlock();
    }
  }

  /** @return whether a {@link #save} holds its locks and is writing the file now (for tests) */
  boolean saving() {
    return writingFile;
  }

  /**
   * Loads an index saved by {@link #save}.
   *
   * @param <K> key type
   * @param path the file
   * @param keyType class of the keys; only it, JDK and hnswlib classes may be deserialized
   * @param expectedEmbedderId embedder the caller will query with (null skips the check)
   * @return the index
   * @throws io.sightline.core.IncompatibleFormatException when written for another embedder or a
   *     newer format
   * @throws StoreException when the file is corrupt, truncated or holds unexpected classes
   */
  @SuppressWarnings("unchecked")
  public static <K extends Serializable> HnswVectorIndex<K> load(Path path, Class<K> keyType,
      String expectedEmbedderId) {
    return ChecksummedFile.read(path, KIND, FORMAT_VERSION, (header, in) -> {
      ExactVectorIndex.checkEmbedder(path, header.embedderId(), expectedEmbedderId);
      Metric metric = Metric.valueOf(in.readUTF());
      int dim = in.readInt();
      ObjectInputStream ois = new ObjectInputStream(in);
      ois.setObjectInputFilter(SerialFilters.forKey(keyType));
      Object o;
      try {
        o = ois.readObject();
      } catch (InvalidClassException e) {
        throw new StoreException(path + ": refused to deserialize an unexpected class: "
            + e.getMessage(), e);
      }
      HnswIndex<K, float[], Entry<K>, Float> hnsw = (HnswIndex<K, float[], Entry<K>, Float>) o;
      if (hnsw.getDimensions() != dim) {
        throw new StoreException(path + ": header says dimension " + dim + " but graph has "
            + hnsw.getDimensions());
      }
      return new HnswVectorIndex<>(hnsw, metric, header.embedderId());
    });
  }

  /** Builder for {@link HnswVectorIndex}. */
  public static final class Builder {
    private int dimension;
    private Metric metric = Metric.COSINE;
    private String embedderId;
    private int m = 16;
    private int efConstruction = 200;
    private int ef = 100;
    private int initialCapacity = 1024;

    private Builder() {}

    /**
     * @param dimension vector length (required)
     * @return this
     */
    public Builder dimension(int dimension) {
      this.dimension = dimension;
      return this;
    }

    /**
     * @param metric comparison metric (default cosine)
     * @return this
     */
    public Builder metric(Metric metric) {
      this.metric = Objects.requireNonNull(metric);
      return this;
    }

    /**
     * @param embedderId id of the embedder whose vectors go in (required)
     * @return this
     */
    public Builder embedderId(String embedderId) {
      this.embedderId = embedderId;
      return this;
    }

    /**
     * @param m graph degree (default 16)
     * @return this
     */
    public Builder m(int m) {
      this.m = m;
      return this;
    }

    /**
     * @param efConstruction build-time candidate list (default 200)
     * @return this
     */
    public Builder efConstruction(int efConstruction) {
      this.efConstruction = efConstruction;
      return this;
    }

    /**
     * @param ef search-time candidate list (default 100)
     * @return this
     */
    public Builder ef(int ef) {
      this.ef = ef;
      return this;
    }

    /**
     * @param initialCapacity starting capacity; the index grows as needed (default 1024)
     * @return this
     */
    public Builder initialCapacity(int initialCapacity) {
      this.initialCapacity = initialCapacity;
      return this;
    }

    /**
     * @param <K> key type
     * @return the index
     * @throws IllegalStateException naming a missing or invalid setting
     */
    public <K extends Serializable> HnswVectorIndex<K> build() {
      if (dimension < 1) {
        throw new IllegalStateException("HnswVectorIndex: dimension is required (positive)");
      }
      if (embedderId == null || embedderId.isBlank()) {
        throw new IllegalStateException("HnswVectorIndex: embedderId is required");
      }
      if (m < 2 || efConstruction < 1 || ef < 1 || initialCapacity < 1) {
        throw new IllegalStateException("HnswVectorIndex: m >= 2, ef, efConstruction and "
            + "initialCapacity >= 1 are required");
      }
      return new HnswVectorIndex<>(this);
    }
  }
}
