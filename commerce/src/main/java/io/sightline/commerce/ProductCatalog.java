package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product image database of the seed: product metadata (id, image, category, title, link)
 * in the embedded database (H2 file mode), and one HNSW vector index per product segment, each
 * with its own embedder (seed claim 2: an apparel recognition model and an other-commodity
 * recognition model). Products whose category is {@code apparel} or {@code apparel/...} go to
 * the apparel index, all others to the other-commodity index.
 *
 * <p>Layout of the catalog folder: {@code catalog.mv.db} (H2), {@code apparel.hnsw} and
 * {@code other-commodity.hnsw} (checksummed, atomically replaced index files that record their
 * embedder id), with a {@link Matcher#LOCAL local} or {@link Matcher#HYBRID hybrid} matcher
 * {@code instances-apparel/} and {@code instances-other-commodity/} (core
 * {@link io.sightline.core.instance.InstanceIndex} logs that record their feature extractor and
 * vocabulary), and optionally {@code intent.model} (see {@link #saveIntentModel}). With
 * {@link Builder#vectorIndex} a segment's vectors live in the index that factory opens (e.g. a
 * Lucene directory) instead of its {@code .hnsw} file, with its write generation in
 * {@code <segment>.vectors.gen}. Opening a
 * catalog with an embedder or a matcher other than the one it was built with is refused with an
 * {@link IncompatibleFormatException}.
 *
 * <p><b>Matcher.</b> Chosen with {@link Builder#matcher} when the catalog is created (default
 * {@link Matcher#DEFAULT}) and stored in its database; see {@link Matcher}. With local or hybrid
 * matching every product image is also stored in its segment's instance index (RootSIFT
 * features of the same decoded, alpha-flattened image the embedder sees); an image with too few
 * local features (a flat logo, a tiny picture) is stored with its global vector only, logged as
 * a warning and listed in {@link IndexReport#withoutLocalFeatures()}.
 *
 * <p>Indexing embeds every row first and writes nothing until all rows are embedded, so a
 * cancelled or failed run leaves the catalog as it was (local features are spooled to a
 * temporary file in the folder meanwhile). The database is the source of truth: it holds every
 * product's vector and counts its writes; the HNSW files are saved after each commit with the
 * write generation they reflect, and on open a file that is behind, missing, unreadable or from
 * another store is rebuilt from the database, while a database behind its files (truncated or
 * restored from an older copy) is refused with a {@link StoreException} (see the README's
 * "Guarantees"). A search never returns a vector or an instance match whose product row is
 * absent. Opening reconciles the instance indexes with the database: entries
 * left by an interrupted run are pruned, and products whose features are missing (a deleted
 * folder) fail the open with a {@link StoreException}, as a missing HNSW file does.
 *
 * <p>Thread-safe: searches run concurrently with each other and with indexing; indexing runs are
 * serialised.
 */
public final class ProductCatalog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProductCatalog.class);
  /** Schema component name in the database. */
  static final String COMPONENT = "commerce.catalog";
  private static final List<String> MIGRATIONS = List.of(
      "CREATE TABLE commerce_products (id VARCHAR(512) PRIMARY KEY, image VARCHAR(4096) NOT NULL, "
          + "category VARCHAR(512) NOT NULL, title VARCHAR(4096) NOT NULL, link VARCHAR(4096) NOT NULL, "
          + "segment VARCHAR(32) NOT NULL);"
          + "CREATE INDEX commerce_products_segment ON commerce_products(segment);"
          + "CREATE TABLE commerce_meta (k VARCHAR(200) PRIMARY KEY, v VARCHAR(4096) NOT NULL)",
      // 2: keypoints stored in the segment's instance index (NULL: none) and their extent in the
      // catalog image (see CatalogInstances.Entry)
      "ALTER TABLE commerce_products ADD COLUMN local_features INT;"
          + "ALTER TABLE commerce_products ADD COLUMN local_extent VARCHAR(64)",
      // 3: attributes (extra catalog columns, CatalogCsv.encode) and the image file's SHA-256
      // (product sync tells a changed image by it; NULL: indexed from vectors or before)
      "ALTER TABLE commerce_products ADD COLUMN attributes VARCHAR(" + CatalogCsv.MAX_ATTRIBUTES_LENGTH + ");"
          + "ALTER TABLE commerce_products ADD COLUMN image_hash VARCHAR(64)",
      // 4: each product's vector (Vectors.toBytes; NULL: indexed before), so that the index files
      // can be rebuilt from the database, which is the truth (see CatalogIndexes)
      "ALTER TABLE commerce_products ADD COLUMN vector VARBINARY(1000000)",
      // 5: further images of a product (CatalogEntry.additionalImages), each with its vector; their
      // index key is CatalogIndexes.imageKey(product id, n)
      "CREATE TABLE commerce_images (image_key VARCHAR(600) PRIMARY KEY, product_id VARCHAR(512) NOT NULL, "
          + "segment VARCHAR(32) NOT NULL, image VARCHAR(4096) NOT NULL, vector VARBINARY(1000000) NOT NULL, "
          + "local_features INT, local_extent VARCHAR(64));"
          + "CREATE INDEX commerce_images_product ON commerce_images(product_id)");
  /** Metadata key of how catalog images are embedded: {@code whole} or {@code main-object}. */
  static final String CROP_KEY = "crop";
  /** Metadata key of the matcher the catalog was built for. */
  static final String MATCHER_KEY = "matcher";
  static final String DB_FILE = "catalog.mv.db";
  /** The longest product id, in characters (the id column). */
  public static final int MAX_ID_LENGTH = 512;
  /** The longest category, in characters (the category column). */
  public static final int MAX_CATEGORY_LENGTH = 512;
  /** The longest title, link or image path, in characters (their columns). */
  public static final int MAX_TEXT_LENGTH = 4096;
  /** The two searchable segments. */
  static final List<Intent> SEGMENTS = List.of(Intent.APPAREL, Intent.OTHER_COMMODITY);

  final Path dir;
  final Database db;
  /** Reads of product rows. */
  private final CatalogRows rows;
  final Map<Intent, ImageEmbedder> embedders;
  final Map<Intent, VectorIndex<String>> indexes;
  /** Segments kept in an index from a {@link Builder#vectorIndex factory} rather than an HNSW file. */
  final Set<Intent> onFactoryIndex;
  final Set<String> knownCategories;
  final ImageLoader loader;
  final int indexThreads;
  final Matcher matcher;
  /** Instance indexes; null for a {@link Matcher#GLOBAL} catalog. */
  final CatalogInstances instances;
  /** Whether catalog images are cropped to their main object before embedding. */
  final boolean mainObjectCrop;
  /** Indexing, validation and removal; serialises writes. */
  private final CatalogWriter writer;
  /** Opened for queries beside other processes: nothing is written ({@link Builder#readOnly}). */
  final boolean readOnly;
  /** The intent model of an in-memory catalog. */
  private volatile EmbeddingIntentClassifier memoryIntentModel;

  private ProductCatalog(Builder b) {
    this.dir = b.inMemory ? null : b.dir.toAbsolutePath();
    this.embedders = new EnumMap<>(b.embedders);
    this.knownCategories = b.knownCategories == null ? null : Set.copyOf(b.knownCategories);
    this.loader = b.loader;
    this.indexThreads = b.indexThreads;
    this.readOnly = b.readOnly;
    if (dir == null) {
      this.db = Database.temporary();
    } else {
      CatalogSettings.refuseForeignFolder(dir, b.mustExist || readOnly);
      try {
        if (!readOnly) {
          Files.createDirectories(dir);
        }
      } catch (java.io.IOException e) {
        throw new StoreException(dir + ": cannot create catalog folder: " + e.getMessage(), e);
      }
      this.db = Database.openFile(dir, "catalog", readOnly ? Database.Access.READ : Database.Access.WRITE);
    }
    this.rows = new CatalogRows(db);
    CatalogSettings settings = new CatalogSettings(where(), db, rows, readOnly);
    try {
      db.ensureSchema(COMPONENT, MIGRATIONS);
      settings.checkEmbedders(embedders);
      Map<Intent, VectorIndexFactory> factories = new EnumMap<>(Intent.class);
      if (b.vectorIndexes != null) {
        for (Intent s : SEGMENTS) {
          VectorIndexFactory f = b.vectorIndexes.apply(s);
          if (f != null) {
            factories.put(s, f);
          }
        }
      }
      this.onFactoryIndex = Set.copyOf(factories.keySet());
      this.indexes = CatalogIndexes.open(dir, db, embedders, factories, b.m, b.efConstruction, b.ef, readOnly);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    try {
      this.matcher = settings.resolveMatcher(b.matcher);
      this.instances = matcher.usesInstances() ? CatalogInstances.open(dir, rows::instanceIds, readOnly) : null;
      this.mainObjectCrop = settings.resolveCrop(b.mainObjectCrop);
      this.writer = new CatalogWriter(this);
    } catch (RuntimeException e) {
      indexes.values().forEach(VectorIndex::close);
      db.close();
      throw e;
    }
  }

  /**
   * @return whether catalog images are embedded as their main object (chosen when the catalog is
   *     created, {@link Builder#cropToMainObject}); a searcher then crops other-commodity queries
   *     the same way by default
   */
  public boolean cropsToMainObject() {
    return mainObjectCrop;
  }

  /** @return a builder; the folder is required */
  public static Builder builder() {
    return new Builder();
  }

  Path indexFile(Intent segment) {
    return CatalogIndexes.file(dir, segment);
  }

  /** @return the catalog folder, or null for a catalog kept {@linkplain #inMemory() in memory} */
  public Path directory() {
    return dir;
  }

  /** Refuses a change to a catalog opened read-only. */
  void checkWritable() {
    if (readOnly) {
      throw new IllegalStateException("catalog " + where() + " was opened read-only (for searches beside other"
          + " processes); open it for writing to change it");
    }
  }

  /** @return the folder, or "(in memory)", for messages */
  String where() {
    return dir == null ? "(in memory)" : dir.toString();
  }

  /**
   * Creates an empty catalog that lives in memory until {@link #close()}, with the default
   * embedders and matcher: nothing is written to disk. For unit tests, demos and catalogs
   * rebuilt at every start; {@code builder().inMemory()} takes the other options.
   *
   * @return the open, empty catalog
   */
  public static ProductCatalog inMemory() {
    return builder().inMemory().open();
  }

  /** @return the matcher this catalog was built for (stored in its database) */
  public Matcher matcher() {
    return matcher;
  }

  /**
   * Instance matching in one segment: the catalog images that show the same product as the
   * photo, with verified evidence (see {@link Matcher#LOCAL}). Candidates whose product row is
   * absent or lies in the other segment are dropped.
   *
   * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
   * @param query the photo (or a crop of it)
   * @param k most candidates
   * @return candidates, best first; only those with {@link InstanceMatch#verified()} are evidence
   * @throws IllegalStateException on a {@link Matcher#GLOBAL} catalog (it has no instance index)
   * @throws io.sightline.core.instance.NoFeaturesException when the photo has too few local features
   */
  public List<InstanceMatch> matchInstances(Intent segment, BufferedImage query, int k) {
    return matchInstances(segment, instances().extract(query), k).stream().map(CatalogInstances.Located::match)
        .toList();
  }

  /** Instance candidates with committed rows of the segment, with their product's extent. */
  List<CatalogInstances.Located> matchInstances(Intent segment, LocalFeatureSet query, int k) {
    List<InstanceMatch> raw = instances().match(checkSegment(segment), query, k);
    if (raw.isEmpty()) {
      return List.of();
    }
    Map<String, String> extents = rows.extents(segment, raw);
    List<CatalogInstances.Located> out = new ArrayList<>();
    Set<String> products = new HashSet<>();
    for (InstanceMatch m : raw) {
      String extent = extents.get(m.id());
      String product = CatalogIndexes.productOf(m.id());
      // else: no committed row in this segment; a product matched through several images keeps its best
      if (extent != null && products.add(product)) {
        InstanceMatch asProduct = product.equals(m.id()) ? m : new InstanceMatch(product, m.score(), m.verified(),
            m.inliers(), m.correspondences(), m.shortlistScore(), m.transform(), m.scale(), m.rotation(), m.queryRegion());
        out.add(new CatalogInstances.Located(asProduct, extent.isEmpty() ? null : extent));
      }
    }
    return out;
  }

  /** @return the instance indexes; throws on a global catalog */
  CatalogInstances instances() {
    if (instances == null) {
      throw new IllegalStateException("catalog " + where() + " was built with the 'global' matcher and has no instance "
          + "index; build a new catalog with matcher local or hybrid");
    }
    return instances;
  }

  /**
   * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
   * @return the embedder (recognition model) of that segment
   */
  public ImageEmbedder embedder(Intent segment) {
    return embedders.get(checkSegment(segment));
  }

  /**
   * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
   * @return the vector index of that segment
   */
  VectorIndex<String> index(Intent segment) {
    return indexes.get(checkSegment(segment));
  }

  private static Intent checkSegment(Intent segment) {
    if (segment == null || !segment.isCommodity()) {
      throw new IllegalArgumentException("segment must be apparel or other-commodity, not " + segment);
    }
    return segment;
  }

  /** @return the number of products stored */
  public int size() {
    return rows.size();
  }

  /**
   * @param segment a segment
   * @return the number of products stored in it
   */
  public int count(Intent segment) {
    return rows.count(segment);
  }

  /** @return the configured category whitelist, empty when any well-formed category is accepted */
  public Set<String> knownCategories() {
    return knownCategories == null ? Set.of() : knownCategories;
  }

  /**
   * @param id product id
   * @return the product, if stored
   */
  public Optional<Product> product(String id) {
    return Optional.ofNullable(products(List.of(id)).get(id));
  }

  /**
   * @param ids product ids
   * @return the stored products among them, by id
   */
  public Map<String, Product> products(Collection<String> ids) {
    return rows.products(ids);
  }

  /**
   * Nearest products of one segment. A product with additional images is listed once, at the
   * distance of its closest image.
   *
   * @param segment which index
   * @param vector a vector from {@link #embedder(Intent) embedder(segment)}
   * @param k how many at most
   * @return hits, closest first (distance = cosine distance 1 - cos, in [0, 2])
   */
  public List<SearchResult<String>> search(Intent segment, float[] vector, int k) {
    return search(segment, vector, k, null);
  }

  /**
   * Nearest products of one segment that pass an attribute filter, applied inside the index
   * search (core {@link io.sightline.core.index.SearchFilter}): up to {@code k} products that
   * pass, not {@code k} neighbours of which some pass; each product once, at the distance of its
   * closest image. Products indexed before attributes were
   * stored (catalog format 2) have their category only.
   *
   * @param segment which index
   * @param vector a vector from {@link #embedder(Intent) embedder(segment)}
   * @param k how many at most
   * @param filter attribute condition, null for none
   * @return hits, closest first (distance = cosine distance 1 - cos, in [0, 2])
   */
  public List<SearchResult<String>> search(Intent segment, float[] vector, int k, ProductFilter filter) {
    VectorIndex<String> idx = index(segment);
    int want = k;
    while (true) {
      List<SearchResult<String>> hits = filter == null ? idx.search(vector, want)
          : idx.search(vector, want, filter.toSearchFilter());
      // a product with additional images can be hit several times: its closest image stands for it
      Map<String, SearchResult<String>> byProduct = new LinkedHashMap<>();
      for (SearchResult<String> h : hits) {
        String id = CatalogIndexes.productOf(h.id());
        byProduct.putIfAbsent(id, id.equals(h.id()) ? h : new SearchResult<>(id, h.distance(), h.similarity(), h.attributes()));
      }
      if (byProduct.size() >= k || hits.size() < want || want >= idx.size()) {
        return byProduct.values().stream().limit(k).toList();
      }
      want = (int) Math.min(idx.size(), 2L * want + 8);
    }
  }

  /**
   * Reads {@code catalog.csv} (header {@code id,image,category,title,link}; image paths resolve
   * against the file's folder) and indexes every valid row. Rows with a missing or undecodable
   * image, an empty id, a duplicate id, an unknown or malformed category, or a field longer than
   * its column (id or category over 512 characters, title, link or image path over 4096) are left
   * out and reported by line in {@link IndexReport#problems()}; the other rows are indexed.
   *
   * @param catalogCsv the file
   * @param listener progress ("index" per row)
   * @param token cancels between rows; nothing is stored then
   * @return what was stored and what was left out
   * @throws InputFormatException when the file is missing or its header is wrong
   */
  public IndexReport index(Path catalogCsv, ProgressListener listener, CancellationToken token) {
    return index(catalogCsv, null, listener, token);
  }

  /**
   * Like {@link #index(Path, ProgressListener, CancellationToken)}, with image paths confined to
   * {@code allowedRoot} instead of the file's own folder; a row whose path is absolute outside
   * the root, escapes it with '..' or leaves it through a symbolic link is reported, not indexed.
   *
   * @param catalogCsv the file
   * @param allowedRoot the folder image paths may point into (null: the file's folder)
   * @param listener progress ("index" per row)
   * @param token cancels between rows; nothing is stored then
   * @return what was stored and what was left out
   * @throws InputFormatException when the file is missing, not UTF-8, or its header is wrong
   */
  public IndexReport index(Path catalogCsv, Path allowedRoot, ProgressListener listener, CancellationToken token) {
    checkWritable();
    CatalogCsv.Parsed parsed = CatalogCsv.read(catalogCsv, allowedRoot);
    return writer.index(parsed.entries(), new ArrayList<>(parsed.problems()), listener, token);
  }

  /**
   * Makes the catalog hold exactly the products of {@code catalogCsv}: rows whose product is new
   * or changed (image path, image content, category, title, link or attributes) are indexed,
   * unchanged ones are left alone, and stored products the file no longer names are removed.
   * A product whose row is present but invalid is reported and kept as it was. Indexing runs
   * first and removal only after it succeeded, so a failed or cancelled sync removes nothing.
   *
   * @param catalogCsv the catalog file (same format as {@link #index(Path, ProgressListener, CancellationToken)})
   * @param allowedRoot the folder image paths may point into (null: the file's folder)
   * @param listener progress ("index" per changed row)
   * @param token cancels indexing; nothing is stored or removed then
   * @return what was added, updated, left alone and removed
   * @throws InputFormatException when the file is missing, not UTF-8, or its header is wrong
   */
  public SyncReport sync(Path catalogCsv, Path allowedRoot, ProgressListener listener, CancellationToken token) {
    checkWritable();
    return CatalogSync.sync(this, CatalogCsv.read(catalogCsv, allowedRoot), listener, token);
  }

  /**
   * Indexes products given through the API; invalid ones are reported, not thrown.
   *
   * @param entries the products
   * @param listener progress ("index" per product)
   * @param token cancels between products; nothing is stored then
   * @return what was stored and what was left out
   */
  public IndexReport index(List<CatalogEntry> entries, ProgressListener listener, CancellationToken token) {
    checkWritable();
    return writer.index(entries, new ArrayList<>(), listener, token);
  }

  /** Indexes entries, adding to {@code problems} (for {@link CatalogSync}). */
  IndexReport index(List<CatalogEntry> entries, List<RowProblem> problems, ProgressListener listener,
      CancellationToken token) {
    return writer.index(entries, problems, listener, token);
  }

  /**
   * Indexes products whose vectors were computed elsewhere with this catalog's embedders (for
   * example in a batch job); images are not read. Rows with an empty id, a duplicate id or an
   * unknown category are reported.
   *
   * @param entries the products
   * @param vectors one vector per product, from the embedder of the product's segment
   * @param listener progress
   * @return what was stored
   */
  public IndexReport indexVectors(List<CatalogEntry> entries, List<float[]> vectors, ProgressListener listener) {
    checkWritable();
    return writer.indexVectors(entries, vectors, listener);
  }

  /**
   * @param dir a folder
   * @return whether it holds a product catalog (its {@code catalog.mv.db})
   */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(DB_FILE));
  }

  /**
   * Removes a product from the database and its index.
   *
   * @param id product id
   * @return whether it was stored
   */
  public boolean remove(String id) {
    checkWritable();
    return !remove(List.of(id)).isEmpty();
  }

  /**
   * Removes products from the database and their indexes, writing each changed index file once.
   *
   * @param ids product ids
   * @return the ids that were stored (and are now removed), in the given order
   */
  public List<String> remove(Collection<String> ids) {
    checkWritable();
    return writer.remove(ids);
  }

  /**
   * Saves an intent model into the catalog folder ({@code intent.model}), so that a searcher
   * opened on this folder finds it.
   *
   * @param model the trained model
   */
  public void saveIntentModel(EmbeddingIntentClassifier model) {
    checkWritable();
    if (dir == null) {
      memoryIntentModel = Objects.requireNonNull(model, "model"); // in memory: kept until close
      return;
    }
    model.save(intentModelFile());
  }

  /**
   * @param embedder the embedder the intent model was trained with
   * @return the intent model stored in the catalog folder, if any
   */
  public Optional<EmbeddingIntentClassifier> loadIntentModel(ImageEmbedder embedder) {
    if (dir == null) {
      return Optional.ofNullable(memoryIntentModel);
    }
    Path f = intentModelFile();
    return Files.exists(f) ? Optional.of(EmbeddingIntentClassifier.load(f, embedder)) : Optional.empty();
  }

  /** Every stored product with its image hash (null when unknown), for {@link CatalogSync}. */
  Map<String, CatalogSync.Stored> stored() {
    return rows.stored();
  }

  /** @return where {@link #saveIntentModel} writes; null for an in-memory catalog (it keeps the model in memory) */
  public Path intentModelFile() {
    return dir == null ? null : dir.resolve("intent.model");
  }

  @Override
  public void close() {
    try {
      if (instances != null) {
        instances.close();
      }
    } finally {
      try {
        // a factory-made index commits every write itself; closing releases its files and lock
        indexes.values().forEach(VectorIndex::close);
      } finally {
        db.close();
      }
    }
  }

  /** Builder for {@link ProductCatalog}. */
  public static final class Builder {
    private Path dir;
    private final Map<Intent, ImageEmbedder> embedders = new EnumMap<>(Intent.class);
    private Set<String> knownCategories;
    private ImageLoader loader = ImageLoader.defaults();
    private int m = 16;
    private int efConstruction = 200;
    private int ef = 100;
    private int indexThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private Matcher matcher;
    private boolean mustExist;
    private Boolean mainObjectCrop;
    private boolean inMemory;
    private boolean readOnly;
    private java.util.function.Function<Intent, VectorIndexFactory> vectorIndexes;

    private Builder() {}

    /**
     * Where each segment's vectors are searched. Default: an HNSW index in the heap, saved to
     * {@code apparel.hnsw} and {@code other-commodity.hnsw} in the catalog folder, each write
     * appended to the file's log. A factory opening an on-disk index, e.g.
     * {@code segment -> LuceneVectorIndex.factory(folder.resolve("vectors").resolve(segment.label()))}
     * (module {@code sightline-index-lucene}), keeps a segment out of the heap: every write commits
     * to it, and opening only checks it against the database (the truth) and, after a crash or when
     * it was not kept up to date, brings it to the database entry by entry. Give each segment its
     * own index, used by this catalog only. A {@link #readOnly(boolean) read-only} catalog opens the
     * factories' indexes read-only and follows the writer's commits when they hold the database's
     * state; otherwise it builds its own copy in the heap. The catalog closes the indexes. Not for
     * an {@link #inMemory()} catalog, whose database does not outlive it.
     *
     * @param perSegment the factory of each segment ({@link Intent#APPAREL},
     *     {@link Intent#OTHER_COMMODITY}); a null factory keeps that segment on the default. Null
     *     for the default in both
     * @return this builder
     */
    public Builder vectorIndex(java.util.function.Function<Intent, VectorIndexFactory> perSegment) {
      this.vectorIndexes = perSegment;
      return this;
    }

    /**
     * Opens the catalog in a folder for searches only, side by side with other processes: several
     * processes may search one catalog at once, and beside one process that indexes into it; each
     * search reads the product rows committed when it runs, the indexes the state when the catalog
     * was opened (reopen to see later products). Nothing is written: a folder without a catalog is
     * refused, and indexing, sync, removal and {@code saveIntentModel} fail with an
     * {@link IllegalStateException}. A catalog opened for writing (the default) waits up to 30 s
     * for other processes to close it, so one process writes at a time.
     *
     * @param readOnly whether to open for searches only (default false)
     * @return this builder
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Keeps the catalog in memory until {@link ProductCatalog#close()} (a private in-memory
     * database and indexes; nothing is written to disk) instead of a folder.
     *
     * @return this builder
     */
    public Builder inMemory() {
      this.inMemory = true;
      return this;
    }

    /**
     * @param mustExist true to refuse a folder that holds no catalog yet (for searching) instead
     *     of creating an empty catalog there
     * @return this
     */
    public Builder mustExist(boolean mustExist) {
      this.mustExist = mustExist;
      return this;
    }

    /**
     * Processes catalog images as queries are: each image is cropped to its main object (the
     * training-free {@link ForegroundRegionProposer}'s dominant regions, padded by 5 %) before it
     * is embedded; local features still come from the whole image. Applies to a new catalog,
     * which stores it; opening a filled catalog with the other choice is refused. A searcher on
     * such a catalog crops other-commodity queries to their main object by default. Default: the
     * stored choice, whole images for a new catalog (the seed).
     *
     * @param on whether to embed the main object instead of the whole image
     * @return this builder
     */
    public Builder cropToMainObject(boolean on) {
      this.mainObjectCrop = on;
      return this;
    }

    /**
     * Chooses how products are found (see {@link Matcher}). Applies to a new (empty) catalog,
     * which stores it; an existing catalog uses the matcher it was built with, and opening it
     * with another one is refused. Default: the stored matcher, {@link Matcher#DEFAULT} for a new
     * catalog.
     *
     * @param matcher global, local or hybrid
     * @return this builder
     */
    public Builder matcher(Matcher matcher) {
      this.matcher = Objects.requireNonNull(matcher, "matcher");
      return this;
    }

    /**
     * @param threads threads inserting into the vector index for large batches (default: the
     *     number of processors); 1 inserts sequentially
     * @return this builder
     */
    public Builder indexThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1");
      }
      this.indexThreads = threads;
      return this;
    }

    /**
     * @param dir the catalog folder (created when absent); required
     * @return this builder
     */
    public Builder directory(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Sets the recognition model of a segment (default: {@link GlobalDescriptorEmbedder} for both).
     *
     * @param segment {@link Intent#APPAREL} or {@link Intent#OTHER_COMMODITY}
     * @param embedder its embedder
     * @return this builder
     */
    public Builder embedder(Intent segment, ImageEmbedder embedder) {
      embedders.put(checkSegment(segment), Objects.requireNonNull(embedder, "embedder"));
      return this;
    }

    /**
     * Restricts categories: a row is accepted when its category equals one of these or lies
     * below one ({@code apparel} accepts {@code apparel/shoes}); others are reported as unknown.
     *
     * @param categories the known categories
     * @return this builder
     */
    public Builder knownCategories(Collection<String> categories) {
      this.knownCategories = new LinkedHashSet<>(categories);
      return this;
    }

    /**
     * @param loader decodes product images (default {@link ImageLoader#defaults()})
     * @return this builder
     */
    public Builder imageLoader(ImageLoader loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * HNSW parameters for new indexes (defaults 16, 200, 100); {@code ef} also applies to loaded ones.
     *
     * @param m graph degree
     * @param efConstruction build-time candidate list
     * @param ef search-time candidate list
     * @return this builder
     */
    public Builder hnsw(int m, int efConstruction, int ef) {
      if (m < 2 || efConstruction < 1 || ef < 1) {
        throw new IllegalArgumentException("m >= 2, efConstruction >= 1, ef >= 1 required");
      }
      this.m = m;
      this.efConstruction = efConstruction;
      this.ef = ef;
      return this;
    }

    /**
     * Opens the catalog in the folder, creating it when empty (or a new one in memory).
     *
     * @return the catalog
     * @throws IllegalStateException when neither a folder nor {@link #inMemory()} was given, or both
     * @throws IncompatibleFormatException when the folder was built with other embedders, another
     *     {@link Builder#matcher matcher}, another local-feature extractor, or by a newer Sightline
     * @throws StoreException when an index file is corrupt, or missing although the database
     *     lists products for it; when the folder holds another store's database (such as a
     *     describer store's {@code references.mv.db}) and no catalog; or, with
     *     {@link #mustExist(boolean)}, when it holds no catalog
     */
    public ProductCatalog open() {
      if (dir == null && !inMemory) {
        throw new IllegalStateException("ProductCatalog: a directory or inMemory() is required");
      }
      if (dir != null && inMemory) {
        throw new IllegalStateException("ProductCatalog: set either a directory or inMemory(), not both");
      }
      if (readOnly && dir == null) {
        throw new IllegalStateException("ProductCatalog: readOnly applies to a catalog in a folder");
      }
      if (vectorIndexes != null && dir == null) {
        throw new IllegalStateException("ProductCatalog: vectorIndex applies to a catalog in a folder (an in-memory"
            + " catalog's database does not outlive it, so an index that does would not match it)");
      }
      for (Intent s : SEGMENTS) {
        embedders.computeIfAbsent(s, x -> new GlobalDescriptorEmbedder());
      }
      return new ProductCatalog(this);
    }
  }
}
