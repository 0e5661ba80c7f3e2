package io.sightline.index.solr;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndex;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.CursorMarkParams;
import org.apache.solr.common.util.ContentStreamBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VectorIndex} in an Apache SolrCloud collection: one Solr document per vector, the
 * graph is Solr's {@code DenseVectorField} (Lucene HNSW per shard) and searches are
 * {@code {!knn}} queries. Several service replicas can share one index, and it can live in a
 * Solr cluster you already run, with Solr's sharding, replication and failover.
 *
 * <p><b>Collection.</b> Create it with {@link #createCollection} (uploads this module's configset,
 * {@link SolrConfigSet}, with the dimension and similarity filled in), or yourself from
 * {@link SolrConfigSet#write}. {@link #open} checks the vector field type of the collection's
 * schema (dimension, similarity) and a metadata document (id {@value #META_ID}: embedder id,
 * dimension, metric, key type, format version), written by the first {@code open} of an empty
 * collection; a collection made for another embedder, dimension, metric or key type, or one that
 * is not a Sightline collection, raises {@link IncompatibleFormatException}.
 *
 * <p><b>Commits.</b> With {@link Options#defaults()} every mutating call ({@link #add},
 * {@link #update}, {@link #remove}) ends with a hard commit (flushed, new searcher open) before it
 * returns, and {@link #addAll} commits once after all its items; a returned call is durable and
 * visible to every replica's searches. With {@link Options#commitWithin(int)} Solr commits within
 * that many milliseconds instead (much higher write throughput; acknowledged writes are still in
 * Solr's update log, so they survive a node restart, but {@link #search}, {@link #size} and
 * {@link #keys} see them only after the commit). {@link #contains}, {@link #vector} and
 * {@link #attributes} use Solr's real-time get and always see acknowledged writes.
 *
 * <p><b>Scores.</b> Solr's graph chooses the candidates (each shard returns its {@code ef} best,
 * {@link Options#ef()}); the distance of each is recomputed from the stored float vector with
 * {@link Metric#distance}, and hits are ordered by it, so distances and similarities are those of
 * {@link ExactVectorIndex}.
 *
 * <p><b>Filters.</b> {@link SolrFilters} filters are sent as Solr filter queries, which the knn
 * query applies before the graph search. Any other {@link SearchFilter} runs after it: the index
 * fetches {@code max(k, ef)} candidates, filters, and widens fourfold until {@code k} pass, the
 * collection is exhausted or {@link Options#maxCandidates()} were examined.
 *
 * <p><b>Not atomic.</b> {@link #addAll} sends batches of {@value #BATCH} documents; a failure in
 * the middle leaves the earlier batches in the collection. {@link #remove} and {@link #update}
 * read before they write; two processes updating the same key race as in any store without
 * transactions. The index does not own the {@link SolrClient}: close the client yourself.
 *
 * @param <K> key type: {@link String}, {@link Long} or {@link Integer}
 */
public final class SolrVectorIndex<K extends Serializable> implements VectorIndex<K> {
  private static final Logger LOG = LoggerFactory.getLogger(SolrVectorIndex.class);

  /** Format version of the documents this class writes. */
  public static final int FORMAT_VERSION = 1;
  /** Id of the metadata document. */
  public static final String META_ID = "sightline:meta";
  static final int BATCH = 500;
  static final String F_ID = "id";
  static final String F_KIND = "sl_kind";
  static final String F_VECTOR = "sl_vector";
  static final String F_FLOATS = "sl_floats";
  static final String F_ATTR = "sl_attr";
  static final String KIND_ITEM = "item";
  static final String KIND_META = "meta";
  static final String ITEMS_QUERY = "{!term f=" + F_KIND + "}" + KIND_ITEM;

  /**
   * Search and commit tuning.
   *
   * @param ef candidates each shard's graph search returns (at least {@code k} is used), default 100
   * @param maxCandidates most candidates a search with a post-filter examines, default 10,000
   * @param commitWithinMs 0: hard commit after every mutating call (default); above 0: let Solr
   *     commit within that many milliseconds (searches see writes after that)
   */
  public record Options(int ef, int maxCandidates, int commitWithinMs) {
    /** Validates. */
    public Options {
      if (ef < 1 || maxCandidates < 1 || commitWithinMs < 0) {
        throw new IllegalArgumentException("ef and maxCandidates >= 1, commitWithinMs >= 0 required");
      }
    }

    /** @return ef 100, 10,000 candidates at most, a commit after every call */
    public static Options defaults() {
      return new Options(100, 10_000, 0);
    }

    /**
     * @param ef candidates per shard
     * @return these options with {@link #ef()} set
     */
    public Options withEf(int ef) {
      return new Options(ef, maxCandidates, commitWithinMs);
    }

    /**
     * @param ms commit within this many milliseconds instead of after every call
     * @return these options with {@link #commitWithinMs()} set
     */
    public Options commitWithin(int ms) {
      return new Options(ef, maxCandidates, ms);
    }
  }

  private final SolrClient client;
  private final String collection;
  private final KeyCodec<K> codec;
  private final int dimension;
  private final Metric metric;
  private final String embedderId;
  private final Options options;
  private final SolrMetadata meta;
  private final SolrDocuments<K> documents;

  private SolrVectorIndex(SolrClient client, String collection, KeyCodec<K> codec, int dimension, Metric metric,
      String embedderId, Options options) {
    this.client = client;
    this.collection = collection;
    this.codec = codec;
    this.dimension = dimension;
    this.metric = metric;
    this.embedderId = embedderId;
    this.options = options;
    this.meta = new SolrMetadata(collection, embedderId, dimension, metric, codec.type());
    this.documents = new SolrDocuments<>(codec, dimension, metric, meta.where());
  }

  /**
   * Creates a collection for vectors of one dimension and metric: uploads the configset
   * {@link SolrConfigSet#name} when the cluster does not have it yet, creates the collection and
   * waits until every shard answers. Then {@link #open} it.
   *
   * @param client a client of the cluster (a {@code CloudSolrClient})
   * @param collection collection name
   * @param dimension vector length
   * @param metric comparison metric
   * @param shards number of shards
   * @param replicas replicas per shard (NRT)
   * @param timeout how long to wait for the collection to become active
   * @throws StoreException when Solr refuses (e.g. the collection exists) or does not answer
   */
  public static void createCollection(SolrClient client, String collection, int dimension, Metric metric, int shards,
      int replicas, Duration timeout) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(collection, "collection");
    String config = SolrConfigSet.name(dimension, metric);
    try {
      List<String> configs = new ConfigSetAdminRequest.List().process(client).getConfigSets();
      if (configs == null || !configs.contains(config)) {
        ConfigSetAdminRequest.Upload upload = new ConfigSetAdminRequest.Upload();
        upload.setConfigSetName(config);
        upload.setUploadStream(new ContentStreamBase.ByteArrayStream(SolrConfigSet.zip(dimension, metric),
            config + ".zip", "application/octet-stream"));
        upload.process(client);
        LOG.info("uploaded Solr configset {}", config);
      }
      CollectionAdminRequest.createCollection(collection, config, shards, replicas).process(client);
    } catch (SolrServerException | IOException | SolrException e) {
      throw new StoreException("could not create Solr collection '" + collection + "' (configset " + config + "): "
          + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        client.query(collection, new SolrQuery("*:*").setRows(0));
        LOG.info("created Solr collection {} ({} shards x {} replicas, dim {}, {})", collection, shards, replicas,
            dimension, metric);
        return;
      } catch (SolrServerException | IOException | SolrException e) {
        if (System.nanoTime() > deadline) {
          throw new StoreException("Solr collection '" + collection + "' was created but did not become active within "
              + timeout + ": " + e.getMessage(), e);
        }
        sleep(200);
      }
    }
  }

  /**
   * Opens an index of {@link String} keys with default options.
   *
   * @param client a client of the cluster; not closed by the index
   * @param collection collection name
   * @param dimension vector length
   * @param metric comparison metric
   * @param embedderId id of the embedder whose vectors go in
   * @return the index
   * @throws IncompatibleFormatException when the collection was made for another embedder,
   *     dimension, metric or key type, or is not a Sightline vector collection
   * @throws StoreException when the collection does not exist or Solr does not answer
   */
  public static SolrVectorIndex<String> open(SolrClient client, String collection, int dimension, Metric metric,
      String embedderId) {
    return open(client, collection, String.class, dimension, metric, embedderId, Options.defaults());
  }

  /**
   * Opens an index over an existing collection (see {@link #createCollection}); the first open of
   * an empty collection records embedder, dimension, metric and key type in it.
   *
   * @param <K> key type
   * @param client a client of the cluster; not closed by the index
   * @param collection collection name
   * @param keyType {@code String.class}, {@code Long.class} or {@code Integer.class}
   * @param dimension vector length
   * @param metric comparison metric
   * @param embedderId id of the embedder whose vectors go in
   * @param options search and commit tuning
   * @return the index
   * @throws IllegalArgumentException on an unsupported key type or a dimension below 1
   * @throws IncompatibleFormatException when the collection was made for another embedder,
   *     dimension, metric or key type, or is not a Sightline vector collection
   * @throws StoreException when the collection does not exist or Solr does not answer
   */
  public static <K extends Serializable> SolrVectorIndex<K> open(SolrClient client, String collection,
      Class<K> keyType, int dimension, Metric metric, String embedderId, Options options) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(embedderId, "embedderId");
    Objects.requireNonNull(options, "options");
    KeyCodec<K> codec = KeyCodec.of(keyType);
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive: " + dimension);
    }
    SolrVectorIndex<K> index = new SolrVectorIndex<>(client, collection, codec, dimension, metric, embedderId, options);
    index.checkCollection();
    LOG.debug("opened Solr vector index {} ({} vectors, dim {}, {}, embedder {})", collection, index.size(),
        dimension, metric, embedderId);
    return index;
  }

  private void checkCollection() {
    List<String> collections = solr("list collections", () -> CollectionAdminRequest.listCollections(client));
    if (!collections.contains(collection)) {
      throw new StoreException("Solr collection '" + collection + "' does not exist; create it with "
          + "SolrVectorIndex.createCollection (or from SolrConfigSet.write)");
    }
    Map<String, Object> type;
    try {
      type = new SchemaRequest.FieldType(SolrConfigSet.VECTOR_FIELD_TYPE).process(client, collection).getFieldType()
          .getAttributes();
    } catch (SolrException e) {
      if (e.code() == 404) {
        throw meta.noVectorFieldType(e);
      }
      throw new StoreException(where() + ": could not read the schema: " + e.getMessage(), e);
    } catch (SolrServerException | IOException e) {
      throw new StoreException(where() + ": could not read the schema: " + e.getMessage(), e);
    }
    meta.checkSchema(type);
    for (int attempt = 0; ; attempt++) {
      SolrDocument stored = solr("read metadata", () -> client.getById(collection, META_ID));
      if (stored != null) {
        meta.check(stored);
        return;
      }
      long items = count();
      if (items > 0) {
        throw meta.unmarked(items);
      }
      SolrInputDocument doc = meta.document();
      try {
        new UpdateRequest().add(doc).process(client, collection);
        commit();
        LOG.info("recorded Sightline metadata in Solr collection {} (embedder {}, dim {}, {})", collection,
            embedderId, dimension, metric);
        return;
      } catch (SolrException e) {
        if (!SolrMetadata.retryWrite(e.code(), attempt)) {
          throw new StoreException(where() + ": could not write the metadata document: " + e.getMessage(), e);
        }
      } catch (SolrServerException | IOException e) {
        throw new StoreException(where() + ": could not write the metadata document: " + e.getMessage(), e);
      }
    }
  }

  private String where() {
    return meta.where();
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

  /** @return the collection name */
  public String collection() {
    return collection;
  }

  /** @return the options */
  public Options options() {
    return options;
  }

  /** @return the number of vectors visible to searches (committed) */
  @Override
  public int size() {
    return (int) count();
  }

  private long count() {
    SolrQuery q = SolrRequests.count();
    return solr("count", () -> client.query(collection, q)).getResults().getNumFound();
  }

  private void commit() {
    if (SolrRequests.hardCommit(options)) {
      solr("commit", () -> client.commit(collection, true, true));
    }
  }

  @Override
  public void add(K id, float[] vector, Map<String, String> attributes) {
    SolrInputDocument doc = documents.item(id, documents.prepare(vector), attributes);
    solr("add", () -> SolrRequests.update(options).add(doc).process(client, collection));
    commit();
  }

  @Override
  public void addAll(Collection<IndexItem<K>> items, ProgressListener listener) {
    List<SolrInputDocument> docs = new ArrayList<>(items.size());
    for (IndexItem<K> it : items) {
      docs.add(documents.item(it.id(), documents.prepare(it.vector()), it.attributes()));
    }
    for (int from = 0; from < docs.size(); from += BATCH) {
      List<SolrInputDocument> batch = docs.subList(from, Math.min(docs.size(), from + BATCH));
      solr("add batch", () -> SolrRequests.update(options).add(batch).process(client, collection));
      listener.onProgress("index", from + batch.size(), docs.size(), "");
    }
    commit();
    listener.onProgress("index", docs.size(), docs.size(), "");
  }

  @Override
  public boolean remove(K id) {
    String docId = codec.encode(id);
    if (solr("get", () -> client.getById(collection, docId)) == null) {
      return false;
    }
    solr("delete", () -> SolrRequests.update(options).deleteById(docId).process(client, collection));
    commit();
    return true;
  }

  @Override
  public boolean contains(K id) {
    String docId = codec.encode(id);
    return solr("get", () -> client.getById(collection, docId)) != null;
  }

  @Override
  public Optional<float[]> vector(K id) {
    String docId = codec.encode(id);
    SolrDocument d = solr("get", () -> client.getById(collection, docId));
    return d == null ? Optional.empty() : Optional.of(documents.floats(d));
  }

  @Override
  public Optional<Map<String, String>> attributes(K id) {
    String docId = codec.encode(id);
    SolrDocument d = solr("get", () -> client.getById(collection, docId));
    return d == null ? Optional.empty() : Optional.of(documents.attributes(d));
  }

  @Override
  public List<SearchResult<K>> search(float[] query, int k, SearchFilter<K> filter) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1: " + k);
    }
    Objects.requireNonNull(filter, "filter");
    float[] q = documents.prepare(query);
    List<String> fqs = SolrRequests.filterQueries(filter);
    String vectorText = SolrRequests.vectorText(q);
    int fetch = SolrRequests.firstFetch(k, options);
    while (true) {
      SolrQuery sq = SolrRequests.knn(vectorText, fetch, fqs);
      QueryResponse rsp = solr("search", () -> client.query(collection, sq, SolrRequest.METHOD.POST));
      SolrDocumentList docs = rsp.getResults();
      List<SearchResult<K>> hits = documents.hits(docs, q, filter);
      if (SolrRequests.enough(hits.size(), k, docs.size(), fetch, options)) {
        return SolrRequests.top(hits, k);
      }
      fetch = SolrRequests.widen(fetch, options);
    }
  }

  @Override
  public List<K> keys() {
    List<K> out = new ArrayList<>();
    String cursor = CursorMarkParams.CURSOR_MARK_START;
    while (true) {
      SolrQuery q = SolrRequests.page(cursor, F_ID);
      QueryResponse rsp = solr("list keys", () -> client.query(collection, q));
      for (SolrDocument d : rsp.getResults()) {
        out.add(documents.key(d));
      }
      String next = rsp.getNextCursorMark();
      if (SolrRequests.lastPage(cursor, next)) {
        return out;
      }
      cursor = next;
    }
  }

  /**
   * Writes a snapshot of the committed vectors as an {@link ExactVectorIndex} file (core's
   * checksummed format, same embedder id), e.g. to seed an in-process index or as a portable
   * export; load it with {@link ExactVectorIndex#load} or {@link #restore} it into a collection.
   * For backups of the collection itself use Solr's BACKUP command.
   *
   * @param path target file
   * @throws StoreException on Solr or I/O failure
   */
  @Override
  public void save(Path path) {
    ExactVectorIndex<K> snapshot = new ExactVectorIndex<>(dimension, metric, embedderId);
    String cursor = CursorMarkParams.CURSOR_MARK_START;
    while (true) {
      SolrQuery q = SolrRequests.page(cursor, F_ID, F_FLOATS, F_ATTR);
      QueryResponse rsp = solr("export", () -> client.query(collection, q));
      for (SolrDocument d : rsp.getResults()) {
        snapshot.add(documents.key(d), documents.floats(d), documents.attributes(d));
      }
      String next = rsp.getNextCursorMark();
      if (SolrRequests.lastPage(cursor, next)) {
        break;
      }
      cursor = next;
    }
    snapshot.save(path);
  }

  /**
   * Adds every vector of another index (e.g. one {@link ExactVectorIndex#load loaded} from a
   * {@link #save} file) to this one.
   *
   * @param source the vectors
   * @throws IncompatibleFormatException when {@code source} is for another embedder, dimension or metric
   */
  public void restore(VectorIndex<K> source) {
    meta.checkRestore(source);
    List<IndexItem<K>> items = new ArrayList<>();
    for (K key : source.keys()) {
      Optional<float[]> v = source.vector(key);
      v.ifPresent(f -> items.add(new IndexItem<>(key, f, source.attributes(key).orElse(Map.of()))));
    }
    addAll(items);
  }

  @Override
  public String toString() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("collection", collection);
    m.put("dimension", dimension);
    m.put("metric", metric);
    m.put("embedder", embedderId);
    return "SolrVectorIndex" + m;
  }

  @FunctionalInterface
  private interface SolrCall<T> {
    T call() throws SolrServerException, IOException;
  }

  private <T> T solr(String what, SolrCall<T> call) {
    try {
      return call.call();
    } catch (SolrServerException | IOException | SolrException e) {
      throw new StoreException(where() + ": " + what + " failed: " + e.getMessage(), e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.sightline.core.CancelledException("interrupted while waiting for Solr", e);
    }
  }
}
