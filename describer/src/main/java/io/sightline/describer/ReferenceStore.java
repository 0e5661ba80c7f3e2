package io.sightline.describer;

import io.sightline.core.instance.Matcher;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.instance.InstanceIndex;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The reference image information database (seed [0018], [0023]): reference images with their
 * description information (page title, text around the image, structured fields, source
 * statistics) in an embedded H2 database, the image vectors in an HNSW index, and the entities of
 * every page extracted once at ingest time (seed [0026]) so queries do not re-parse pages.
 *
 * <h2>Layout of a store folder</h2>
 * <ul>
 *   <li>{@code references.mv.db}: H2 database, the source of truth: pages, image vectors,
 *       extracted entities, entity document frequencies, and a write generation counter;</li>
 *   <li>{@code references.hnsw} + {@code references.hnsw.gen}: the saved HNSW index (checksummed,
 *       atomically replaced by {@link #flush()} and {@link #close()}) and the generation it
 *       reflects. When the generation differs from the database's (a crash after a commit, or a
 *       missing file) the index is rebuilt from the vectors in the database on open, so a crash
 *       never loses a committed record. An index saved at a later generation than the database's
 *       means the database lost commits; the open is refused with a {@link StoreException}.
 *       With {@link Builder#vectorIndex} the vectors are searched in the factory's index instead
 *       (e.g. a Lucene directory), which commits every write and is brought up to the database on
 *       open; no {@code references.hnsw} is written.</li>
 *   <li>{@code instances/}: the instance index of a store whose {@link Matcher} is LOCAL or
 *       HYBRID (one entry per distinct image, same content key as the HNSW index; see
 *       {@link #instanceIndex()}), kept in step with the database: an image enters it before the
 *       database commits it and leaves it after the database deleted it, and on open entries the
 *       database lacks are dropped and images it lacks are re-extracted from their stored image
 *       files. The matcher is recorded in the database ({@link Builder#matcher}).</li>
 * </ul>
 *
 * <h2>Updates at any time (claim 2)</h2>
 * References can be added (from a file, bytes or a URL: {@link ImageSource}), updated, have their
 * statistics changed and be removed while queries run; no rebuild is needed. Images with the same
 * content hash (SHA-256 of the decoded pixels) share one vector: a second page showing the same
 * picture is merged onto it ({@link AddOutcome#MERGED}).
 *
 * <p>Thread-safe: writes are serialised by a lock; reads run concurrently with them (the index
 * is concurrent and H2 gives each read a consistent snapshot). Close it when done.
 */
public final class ReferenceStore implements AutoCloseable {
  // The public face of the store; the work is done by package-private classes, one per job:
  // ReferenceStorage (opening, the saved index and its write generation, flushing, closing, and
  // the state and write lock the jobs share), ReferenceIngest (preparing references, importing
  // files), ReferenceWriter (transactional writes, updates, removals, re-extraction) and
  // ReferenceQueries (matching, entities, document frequencies, lookups).
  static final String COMPONENT = "describer.references";
  /** The longest image location (path or URL) stored, in characters (the location column). */
  public static final int MAX_LOCATION_LENGTH = 4000;

  private final ReferenceStorage storage;
  private final ReferenceQueries queries;
  private final ReferenceWriter writer;
  private final ReferenceIngest ingest;

  private ReferenceStore(Builder b) {
    Database db = b.inMemory ? Database.temporary() : b.database;
    this.storage = new ReferenceStorage(b.directory, db, b.inMemory, b.embedder, b.loader, b.createIfMissing,
        b.matcher, b.extractor, b.reextract, b.listener, b.readOnly, b.indexFactory);
    this.queries = new ReferenceQueries(storage);
    this.writer = new ReferenceWriter(storage, queries);
    this.ingest = new ReferenceIngest(storage, queries, writer);
    try {
      if (storage.needsReextraction(b.extractor)) {
        reextract(b.extractor, b.listener, CancellationToken.NONE);
      }
    } catch (RuntimeException e) {
      storage.closeAfterFailedOpen();
      throw e;
    }
  }

  /** @return a builder; a folder (or a database) is required */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Opens (or creates) a store in a folder with the default embedder and the English OpenNLP
   * extractor.
   *
   * @param directory the store folder
   * @return the open store
   */
  public static ReferenceStore open(Path directory) {
    return builder().directory(directory).build();
  }

  /**
   * Creates an empty store that lives in memory until {@link #close()}, with the default embedder,
   * the English OpenNLP extractor and the default matcher: nothing is written to disk. For unit
   * tests, demos and stores rebuilt at every start; {@code builder().inMemory()} takes the other
   * options.
   *
   * @return the open, empty store
   */
  public static ReferenceStore inMemory() {
    return builder().inMemory().build();
  }

  /**
   * Saves the vector index atomically with the generation it reflects, so the next open does not
   * rebuild it. The database itself is always durable after each commit.
   */
  public void flush() {
    storage.flush();
  }

  /** Refuses a location longer than its column before anything is written. */
  static void checkLocation(String id, String location) {
    if (location != null && location.length() > MAX_LOCATION_LENGTH) {
      throw new InputFormatException(null, 0, "reference " + id + ": \"image\" is " + location.length()
          + " characters, over the limit of " + MAX_LOCATION_LENGTH);
    }
  }

  /**
   * Adds (or replaces, when the id exists) one reference.
   *
   * @param reference the page
   * @param image the image
   * @return what happened
   * @throws io.sightline.core.ImageDecodeException when the image is missing or unreadable
   * @throws InputFormatException when the page is empty
   */
  public AddOutcome add(Reference reference, ImageSource image) {
    return add(ReferenceInput.of(reference, image));
  }

  /**
   * Adds (or replaces) one reference.
   *
   * @param input page, image and origin
   * @return what happened
   */
  public AddOutcome add(ReferenceInput input) {
    return ingest.add(input);
  }

  /**
   * Adds (or replaces) one reference from an already decoded image.
   *
   * @param reference the page
   * @param image the image
   * @param location where the image came from (for the record)
   * @param origin its origin
   * @return what happened
   */
  public AddOutcome add(Reference reference, BufferedImage image, String location, Origin origin) {
    return ingest.add(reference, image, location, origin);
  }

  /**
   * Adds (or replaces) a reference whose image vector was computed elsewhere with this store's
   * embedder (e.g. a batch pipeline, or synthetic data for load tests).
   *
   * @param reference the page
   * @param vector the image vector (length {@link ImageEmbedder#dimension()})
   * @param imageKey a content key for the image; references with equal keys share the vector
   * @return what happened
   */
  public AddOutcome addVector(Reference reference, float[] vector, String imageKey) {
    return ingest.addVector(reference, vector, imageKey);
  }

  /**
   * Adds many precomputed vectors in batches (one transaction per batch).
   *
   * @param references the pages
   * @param vectors one vector per page
   * @param imageKeys one content key per page
   * @param listener progress
   * @param cancel checked between batches; committed batches stay
   */
  public void addVectors(List<Reference> references, List<float[]> vectors, List<String> imageKeys,
      ProgressListener listener, CancellationToken cancel) {
    ingest.addVectors(references, vectors, imageKeys, listener, cancel);
  }

  /**
   * Adds many references: images are decoded, embedded and their pages parsed in parallel, then
   * written one transaction per batch of 32. A record that fails (missing image, empty page)
   * stops the work with its exception; the batches committed before it stay.
   *
   * @param inputs the references
   * @param listener progress
   * @param cancel checked between batches
   * @return the outcome of each input, in order
   */
  public List<AddOutcome> addAll(List<ReferenceInput> inputs, ProgressListener listener, CancellationToken cancel) {
    return ingest.addAll(inputs, listener, cancel);
  }

  /**
   * Imports a {@code refs.jsonl} file (see {@link RefsJsonl} for the format).
   *
   * @param file the file; relative image paths resolve against its folder and must stay inside it
   *     (absolute paths, {@code ..} escapes and symbolic links leading out are malformed records)
   * @param policy skip malformed records (reporting them) or reject the whole file
   * @param listener progress
   * @param cancel checked between batches (SKIP) or before writing (REJECT)
   * @return what was done
   * @throws InputFormatException under {@link ErrorPolicy#REJECT}, naming every malformed line;
   *     nothing is ingested then
   */
  public IngestReport importJsonl(Path file, ErrorPolicy policy, ProgressListener listener,
      CancellationToken cancel) {
    return importJsonl(file, null, policy, listener, cancel);
  }

  /**
   * Imports a {@code refs.jsonl} file whose image paths may lie anywhere under
   * {@code allowedRoot} (by default they must stay inside the file's folder).
   *
   * @param file the file; relative image paths resolve against its folder
   * @param allowedRoot the folder image paths must stay inside (absolute paths are accepted inside
   *     it), or null for the file's own folder
   * @param policy skip malformed records (reporting them) or reject the whole file
   * @param listener progress
   * @param cancel checked between batches (SKIP) or before writing (REJECT)
   * @return what was done
   * @throws InputFormatException under {@link ErrorPolicy#REJECT}, naming every malformed line;
   *     nothing is ingested then
   */
  public IngestReport importJsonl(Path file, Path allowedRoot, ErrorPolicy policy, ProgressListener listener,
      CancellationToken cancel) {
    return importJsonl(file, allowedRoot, UrlPolicy.NONE, policy, listener, cancel);
  }

  /**
   * Imports a {@code refs.jsonl} file whose images may also be http(s) URLs on the hosts
   * {@code urls} allows (the other methods refuse every URL line as malformed).
   *
   * @param file the file; relative image paths resolve against its folder
   * @param allowedRoot the folder image paths must stay inside, or null for the file's own folder
   * @param urls which image URLs may be fetched, with the time budget of each download; a
   *     download that fails or runs out of time fails its own line only
   * @param policy skip malformed records (reporting them) or reject the whole file
   * @param listener progress
   * @param cancel checked between batches (SKIP) or before writing (REJECT)
   * @return what was done
   * @throws InputFormatException under {@link ErrorPolicy#REJECT}, naming every malformed line;
   *     nothing is ingested then
   */
  public IngestReport importJsonl(Path file, Path allowedRoot, UrlPolicy urls, ErrorPolicy policy,
      ProgressListener listener, CancellationToken cancel) {
    return ingest.importJsonl(file, allowedRoot, urls, policy, listener, cancel);
  }

  /**
   * Replaces the page (title, text, fields, statistics) of a stored reference, keeping its image,
   * and re-extracts its entities.
   *
   * @param reference the new page (its id names the reference)
   * @return false when no reference has that id (nothing is added)
   * @throws InputFormatException when the page is empty
   */
  public boolean update(Reference reference) {
    return ingest.update(reference);
  }

  /**
   * Changes the source statistics of a reference (its page and entities stay).
   *
   * @param id reference id
   * @param displays new display count
   * @param views new view count
   * @param clicks new click count
   * @return false when no reference has that id
   */
  public boolean updateStatistics(String id, long displays, long views, long clicks) {
    return writer.updateStatistics(id, displays, views, clicks);
  }

  /**
   * Removes a reference; its image vector (and its entry in the instance index) goes too when no
   * other reference shares it.
   *
   * @param id reference id
   * @return false when no reference has that id
   */
  public boolean remove(String id) {
    return writer.remove(id);
  }

  /**
   * Re-extracts the entities of every page with another extractor (e.g. after adding a
   * dictionary), one transaction per batch; the extractor becomes this store's extractor.
   *
   * @param newExtractor the extractor
   * @param listener progress
   * @param cancel checked between batches
   */
  public void reextract(EntityExtractor newExtractor, ProgressListener listener, CancellationToken cancel) {
    writer.reextract(newExtractor, listener, cancel);
  }

  // ---------------------------------------------------------------- reading

  /**
   * Finds the references whose image matches a target vector: the {@code topImages} nearest
   * images with similarity at or above {@code minSimilarity}, with every page that shows them.
   *
   * @param query the target image's vector
   * @param topImages how many images at most
   * @param minSimilarity the match threshold
   * @return matching references, most similar first
   */
  public List<ReferenceMatch> match(float[] query, int topImages, double minSimilarity) {
    return queries.match(query, topImages, minSimilarity);
  }

  /**
   * Finds the references whose image matches a target image with a matcher (see {@link Matcher}).
   *
   * @param image the target image
   * @param matcher how to match; LOCAL and HYBRID need a store built with one of them
   * @param topImages how many images at most
   * @param minSimilarity minimum cosine of a match found by the global index
   * @return matching references, instance-verified ones first, then most similar first
   * @throws IllegalStateException when LOCAL or HYBRID is asked of a store without an instance index
   * @throws io.sightline.core.instance.NoFeaturesException under LOCAL, when the target has too few local features
   */
  public List<ReferenceMatch> match(BufferedImage image, Matcher matcher, int topImages, double minSimilarity) {
    return queries.match(image, matcher, topImages, minSimilarity);
  }

  /**
   * Everything a description needs, read in one transaction (one consistent snapshot).
   *
   * @param matches matched references
   * @param entities stored entities per matched page (empty when not asked for)
   * @param documentFrequency pages of the store mentioning each of those entities
   * @param storeSize number of pages in the store
   */
  record Evidence(List<ReferenceMatch> matches, Map<String, List<PageEntity>> entities,
      Map<String, Integer> documentFrequency, int storeSize) {}

  Evidence evidence(float[] query, int topImages, double minSimilarity, boolean withEntities) {
    return queries.evidence(query, topImages, minSimilarity, withEntities);
  }

  /**
   * @param image the target
   * @param vector its vector (null under LOCAL)
   * @param m the matcher
   */
  Evidence evidence(BufferedImage image, float[] vector, Matcher m, int topImages, double minSimilarity,
      boolean withEntities) {
    return queries.evidence(image, vector, m, topImages, minSimilarity, withEntities);
  }

  /**
   * @param refIds reference ids
   * @return the stored entities of each page
   */
  public Map<String, List<PageEntity>> entities(Collection<String> refIds) {
    return queries.entities(refIds);
  }

  /**
   * @param keys entity keys
   * @return for each key, the number of stored references whose page mentions it (absent = 0)
   */
  public Map<String, Integer> documentFrequency(Collection<String> keys) {
    return queries.documentFrequency(keys);
  }

  /**
   * @param id reference id
   * @return the stored reference
   */
  public Optional<StoredReference> get(String id) {
    return queries.get(id);
  }

  /** @return every reference id, sorted */
  public List<String> ids() {
    return queries.ids();
  }

  /** @return number of references (pages) */
  public int size() {
    return queries.size();
  }

  /** @return number of distinct images (vectors) */
  public int imageCount() {
    return queries.imageCount();
  }

  /** @return number of vectors in the search index (equals {@link #imageCount()}) */
  public int indexedImageCount() {
    return queries.indexedImageCount();
  }

  /** @return how this store matches target images (recorded in the store) */
  public Matcher matcher() {
    return storage.matcher;
  }

  /**
   * @return the instance index (read-only use: {@code contains}, {@code size}, matching), empty
   *     for a store built with {@link Matcher#GLOBAL}; its ids are image content keys
   *     ({@link StoredReference#imageKey()})
   */
  public Optional<InstanceIndex> instanceIndex() {
    return storage.instances == null ? Optional.empty() : Optional.of(storage.instances.index());
  }

  /** @return number of images in the instance index (0 without one); images with too few local
   *     features, precomputed vectors and images that could not be re-read are not in it */
  public int instanceImageCount() {
    return storage.instances == null ? 0 : storage.instances.index().size();
  }

  /** @return calibrated instance score at which a match counts as verified (NaN without an instance index) */
  public double instanceThreshold() {
    return storage.instances == null ? Double.NaN : storage.instances.threshold();
  }

  /** @return the embedder of the image vectors */
  public ImageEmbedder embedder() {
    return storage.embedder;
  }

  /** @return the image decoder with its limits */
  public ImageLoader imageLoader() {
    return storage.loader;
  }

  /** @return id of the extractor the stored entities came from, empty before the first add */
  public Optional<String> extractorId() {
    return Optional.ofNullable(storage.extractorId);
  }

  /** @return the store folder, or null for a store on a caller's database */
  public Path directory() {
    return storage.directory;
  }

  /**
   * @return the search index, for reading (searching, look-ups): an {@link HnswVectorIndex} by
   *     default, or the index of {@link Builder#vectorIndex}
   */
  public io.sightline.core.index.VectorIndex<String> index() {
    return storage.index;
  }

  /**
   * Content key of an image: SHA-256 of its size and RGB pixels, so the same picture re-encoded
   * in another file format gets the same key.
   *
   * @param image the image
   * @return 64 hex digits
   */
  public static String contentKey(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer head = ByteBuffer.allocate(8).putInt(w).putInt(h);
      md.update(head.array());
      int[] row = new int[w];
      ByteBuffer buf = ByteBuffer.allocate(w * 4);
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, row, 0, w);
        buf.clear();
        for (int p : row) {
          buf.putInt(p & 0xFFFFFF);
        }
        md.update(buf.array());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Saves the index ({@link #flush()}) and closes the database if this store opened it. */
  @Override
  public void close() {
    storage.close();
  }

  /** Builder for {@link ReferenceStore}. */
  public static final class Builder {
    private Path directory;
    private Database database;
    private ImageEmbedder embedder = new GlobalDescriptorEmbedder();
    private EntityExtractor extractor;
    private ImageLoader loader = ImageLoader.defaults();
    private boolean reextract;
    private boolean createIfMissing = true;
    private ProgressListener listener = ProgressListener.NONE;
    private Matcher matcher;
    private boolean inMemory;
    private boolean readOnly;
    private io.sightline.core.index.VectorIndexFactory indexFactory;

    private Builder() {}

    /**
     * Opens the store in a folder for queries only, side by side with other processes: several
     * processes may query one store at once, and beside one process that adds to it (an ingest);
     * each query sees the references committed when it runs, its index the state when the store
     * was opened (reopen to see later additions). Nothing is written: a missing or empty store,
     * one that needs an upgrade, re-extraction or a new instance index is refused, and
     * {@code add}, {@code remove}, {@code update} and the imports fail with an
     * {@link IllegalStateException}. A store opened for writing (the default) waits up to 30 s for
     * other processes to close it, so one process writes at a time.
     *
     * @param readOnly whether to open for queries only (default false)
     * @return this
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Keeps the store in memory until {@link ReferenceStore#close()} (a private in-memory database
     * and index; nothing is written to disk) instead of a folder.
     *
     * @return this
     */
    public Builder inMemory() {
      this.inMemory = true;
      return this;
    }

    /**
     * How target images are matched ({@link Matcher}). Recorded in the store:
     * <ul>
     *   <li>a new store takes the given one, or {@link Matcher#DEFAULT} when none is given;</li>
     *   <li>an existing store opened without one uses the recorded one (stores made before
     *       matchers existed: {@link Matcher#GLOBAL});</li>
     *   <li>LOCAL and HYBRID can be switched freely (they keep the same data);</li>
     *   <li>asking LOCAL or HYBRID of a GLOBAL store builds its instance index while opening, from
     *       the stored image files (each checked against its content key); references whose image
     *       cannot be re-read (uploads, network images, moved or changed files) are listed at WARN
     *       and match by global similarity only until they are added again;</li>
     *   <li>asking GLOBAL of a LOCAL or HYBRID store is refused with an
     *       {@link IncompatibleFormatException} (its instance index would go stale); to compare with
     *       global matching use {@link ImageDescriber.Builder#matcher} on the same store.</li>
     * </ul>
     *
     * @param matcher the matcher, or null for the recorded one (new store: {@link Matcher#DEFAULT})
     * @return this
     */
    public Builder matcher(Matcher matcher) {
      this.matcher = matcher;
      return this;
    }

    /**
     * @param directory store folder (created if needed); required unless {@link #database} is set
     * @return this
     */
    public Builder directory(Path directory) {
      this.directory = directory;
      return this;
    }

    /**
     * Keeps the store in a caller's database (any JDBC URL) instead of a folder. The index is then
     * rebuilt from the database at every open. The caller closes the database.
     *
     * @param database an open database
     * @return this
     */
    public Builder database(Database database) {
      this.database = database;
      return this;
    }

    /**
     * @param embedder image embedder (default {@link GlobalDescriptorEmbedder}); must be the one the
     *     store was created with
     * @return this
     */
    public Builder embedder(ImageEmbedder embedder) {
      this.embedder = Objects.requireNonNull(embedder, "embedder");
      return this;
    }

    /**
     * @param extractor entity extractor for pages added from now on (default: the English
     *     OpenNLP pipeline, or whatever the store was built with when that is the English pipeline)
     * @return this
     */
    public Builder extractor(EntityExtractor extractor) {
      this.extractor = extractor;
      return this;
    }

    /**
     * @param createIfMissing create a new store when the folder holds none (default true); false
     *     makes {@link #build()} fail with a {@link StoreException} instead
     * @return this
     */
    public Builder createIfMissing(boolean createIfMissing) {
      this.createIfMissing = createIfMissing;
      return this;
    }

    /**
     * @param reextract when the store was built with another extractor, re-extract every page
     *     with the given one while opening (default false: refuse to open)
     * @return this
     */
    public Builder reextract(boolean reextract) {
      this.reextract = reextract;
      return this;
    }

    /**
     * @param loader image decoder with size limits (default {@link ImageLoader#defaults()})
     * @return this
     */
    public Builder imageLoader(ImageLoader loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * Where the image vectors are searched. Default: an HNSW index in the heap, saved to
     * {@code references.hnsw} by {@link ReferenceStore#flush()} and {@link ReferenceStore#close()}
     * (and rebuilt from the database after a crash). A factory opening an on-disk index, e.g.
     * {@code LuceneVectorIndex.factory(dir.resolve("vectors"))} (module
     * {@code sightline-index-lucene}), commits every write instead, so nothing is rewritten on
     * flush and reopening only brings it up to the database (images it lacks added, images the
     * database no longer holds removed). A {@link #readOnly(boolean) read-only} store opens the
     * factory's index read-only and uses it when it holds exactly the stored images (it then
     * follows the writer's commits); otherwise it builds its own. The store closes the index.
     *
     * @param factory opens the index; null for the default
     * @return this
     */
    public Builder vectorIndex(io.sightline.core.index.VectorIndexFactory factory) {
      this.indexFactory = factory;
      return this;
    }

    /**
     * @param listener progress of long work done while opening (re-extraction, building the
     *     instance index)
     * @return this
     */
    public Builder progress(ProgressListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @return the open store
     * @throws IllegalStateException when not exactly one of a directory, a database and
     *     {@link #inMemory()} is set
     * @throws IncompatibleFormatException when the store was made with another embedder or extractor,
     *     or by a newer version
     */
    public ReferenceStore build() {
      int where = (directory != null ? 1 : 0) + (database != null ? 1 : 0) + (inMemory ? 1 : 0);
      if (where == 0) {
        throw new IllegalStateException("ReferenceStore: a directory, a database or inMemory() is required");
      }
      if (where > 1) {
        throw new IllegalStateException("ReferenceStore: set one of directory, database and inMemory(), not several");
      }
      if (readOnly && directory == null) {
        throw new IllegalStateException("ReferenceStore: readOnly applies to a store in a folder");
      }
      return new ReferenceStore(this);
    }
  }
}
