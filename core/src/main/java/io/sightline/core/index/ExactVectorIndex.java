package io.sightline.core.index;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.store.ChecksummedFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brute-force index: compares the query with every stored vector. Exact, so it is the ground
 * truth for recall measurements, and fast enough for a few tens of thousands of vectors.
 *
 * <p>Thread-safe: backed by a concurrent map; a search sees a consistent vector per key.
 *
 * @param <K> key type
 */
public final class ExactVectorIndex<K extends Serializable> extends AbstractVectorIndex<K> {
  static final String KIND = "exact-index";
  static final int FORMAT_VERSION = 1;

  private record Entry(float[] vector, Map<String, String> attributes) {}

  private final ConcurrentHashMap<K, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param dimension vector length
   * @param metric comparison metric
   * @param embedderId id of the embedder whose vectors go in
   */
  public ExactVectorIndex(int dimension, Metric metric, String embedderId) {
    super(dimension, metric, embedderId);
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public void add(K id, float[] vector, Map<String, String> attributes) {
    checkId(id);
    entries.put(id, new Entry(prepare(vector), attributes == null ? Map.of() : Map.copyOf(attributes)));
  }

  @Override
  public void addAll(Collection<IndexItem<K>> items, ProgressListener listener) {
    List<Map.Entry<K, Entry>> prepared = new ArrayList<>(items.size());
    for (IndexItem<K> it : items) {
      checkId(it.id());
      prepared.add(Map.entry(it.id(), new Entry(prepare(it.vector()), it.attributes())));
    }
    long done = 0;
    for (Map.Entry<K, Entry> e : prepared) {
      entries.put(e.getKey(), e.getValue());
      if (++done % 10_000 == 0) {
        listener.onProgress("index", done, prepared.size(), "");
      }
    }
    listener.onProgress("index", prepared.size(), prepared.size(), "");
  }

  @Override
  public boolean remove(K id) {
    return entries.remove(id) != null;
  }

  @Override
  public boolean contains(K id) {
    return entries.containsKey(id);
  }

  @Override
  public Optional<float[]> vector(K id) {
    Entry e = entries.get(id);
    return e == null ? Optional.empty() : Optional.of(e.vector().clone());
  }

  @Override
  public Optional<Map<String, String>> attributes(K id) {
    Entry e = entries.get(id);
    return e == null ? Optional.empty() : Optional.of(e.attributes());
  }

  @Override
  public List<SearchResult<K>> search(float[] query, int k, SearchFilter<K> filter) {
    checkK(k);
    float[] q = prepare(query);
    PriorityQueue<SearchResult<K>> heap =
        new PriorityQueue<>(Comparator.comparingDouble((SearchResult<K> r) -> r.distance()).reversed());
    for (Map.Entry<K, Entry> e : entries.entrySet()) {
      Entry en = e.getValue();
      if (!filter.test(e.getKey(), en.attributes())) {
        continue;
      }
      float d = metric.distance(q, en.vector());
      if (heap.size() < k) {
        heap.add(new SearchResult<>(e.getKey(), d, metric.similarity(d), en.attributes()));
      } else if (d < heap.peek().distance()) {
        heap.poll();
        heap.add(new SearchResult<>(e.getKey(), d, metric.similarity(d), en.attributes()));
      }
    }
    List<SearchResult<K>> out = new ArrayList<>(heap);
    out.sort(Comparator.comparingDouble(SearchResult::distance));
    return out;
  }

  @Override
  public List<K> keys() {
    return new ArrayList<>(entries.keySet());
  }

  @Override
  public void save(Path path) {
    ChecksummedFile.write(path, new ChecksummedFile.Header(KIND, FORMAT_VERSION, embedderId), out -> {
      out.writeInt(dimension);
      out.writeUTF(metric.name());
      Map<K, Entry> snapshot = Map.copyOf(entries);
      out.writeInt(snapshot.size());
      for (Map.Entry<K, Entry> e : snapshot.entrySet()) {
        byte[] key = serialize(e.getKey());
        out.writeInt(key.length);
        out.write(key);
        for (float f : e.getValue().vector()) {
          out.writeFloat(f);
        }
        Map<String, String> attrs = e.getValue().attributes();
        out.writeInt(attrs.size());
        for (Map.Entry<String, String> a : attrs.entrySet()) {
          out.writeUTF(a.getKey());
          out.writeUTF(a.getValue());
        }
      }
    });
  }

  /**
   * Loads an index saved by {@link #save}.
   *
   * @param <K> key type
   * @param path the file
   * @param keyType class of the keys (only it and JDK types may be deserialized)
   * @param expectedEmbedderId the embedder the caller will query with
   * @return the index
   * @throws IncompatibleFormatException when the file was written for another embedder
   */
  public static <K extends Serializable> ExactVectorIndex<K> load(Path path, Class<K> keyType,
      String expectedEmbedderId) {
    return ChecksummedFile.read(path, KIND, FORMAT_VERSION, (header, in) -> {
      checkEmbedder(path, header.embedderId(), expectedEmbedderId);
      int dim = in.readInt();
      Metric metric = Metric.valueOf(in.readUTF());
      ExactVectorIndex<K> index = new ExactVectorIndex<>(dim, metric, header.embedderId());
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        byte[] key = new byte[in.readInt()];
        in.readFully(key);
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
          v[j] = in.readFloat();
        }
        int na = in.readInt();
        Map<String, String> attrs = new java.util.HashMap<>();
        for (int j = 0; j < na; j++) {
          attrs.put(in.readUTF(), in.readUTF());
        }
        index.entries.put(keyType.cast(deserialize(key, keyType)), new Entry(v, Map.copyOf(attrs)));
      }
      return index;
    });
  }

  static void checkEmbedder(Path path, String actual, String expected) {
    if (expected != null && !expected.equals(actual)) {
      throw new IncompatibleFormatException(path + ": index was built with embedder '" + actual
          + "' but is being opened for embedder '" + expected + "'; re-index with the new embedder");
    }
  }

  private static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ObjectOutputStream oos = new ObjectOutputStream(bos)) {
      oos.writeObject(o);
    }
    return bos.toByteArray();
  }

  private static Object deserialize(byte[] b, Class<?> keyType) throws IOException, ClassNotFoundException {
    try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(b))) {
      ois.setObjectInputFilter(SerialFilters.forKey(keyType));
      return ois.readObject();
    } catch (java.io.InvalidClassException e) {
      throw new StoreException("refused to deserialize key: " + e.getMessage(), e);
    }
  }
}
