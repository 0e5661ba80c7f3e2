package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import static io.sightline.describer.ReferenceTables.*;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.StoreException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.Vectors;
import io.sightline.core.instance.InstanceIndex;
import io.sightline.core.store.AtomicFiles;
import io.sightline.core.store.IndexGeneration;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *       means the database lost commits; the open is refused with a {@link StoreException}.</li>
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
  private static final Logger LOG = LoggerFactory.getLogger(ReferenceStore.class);
  static final String COMPONENT = "describer.references";
  private static final String DB_NAME = "references";
  private static final String INDEX_FILE = "references.hnsw";
  private static final int BATCH = 32;
  /** The longest image location (path or URL) stored, in characters (the location column). */
  public static final int MAX_LOCATION_LENGTH = 4000;

  private static final List<String> MIGRATIONS = List.of(
      "CREATE TABLE describer_meta (k VARCHAR(100) PRIMARY KEY, v VARCHAR(4000) NOT NULL);"
          + "CREATE TABLE describer_images (image_key VARCHAR(64) PRIMARY KEY, vector VARBINARY(1000000) NOT NULL);"
          + "CREATE TABLE describer_refs (id VARCHAR(2000) PRIMARY KEY, image_key VARCHAR(64) NOT NULL,"
          + " location VARCHAR(4000) NOT NULL, origin VARCHAR(32) NOT NULL, title CHARACTER LARGE OBJECT NOT NULL,"
          + " body CHARACTER LARGE OBJECT NOT NULL, fields CHARACTER LARGE OBJECT NOT NULL,"
          + " displays BIGINT NOT NULL, views BIGINT NOT NULL, clicks BIGINT NOT NULL, added_at BIGINT NOT NULL);"
          + "CREATE INDEX describer_refs_image ON describer_refs(image_key);"
          + "CREATE TABLE describer_mentions (ref_id VARCHAR(2000) NOT NULL, entity VARCHAR(2000) NOT NULL,"
          + " surface VARCHAR(2000) NOT NULL, kind VARCHAR(32) NOT NULL, position VARCHAR(32) NOT NULL,"
          + " occurrences INT NOT NULL);"
          + "CREATE INDEX describer_mentions_ref ON describer_mentions(ref_id);"
          + "CREATE TABLE describer_df (entity VARCHAR(2000) PRIMARY KEY, refs INT NOT NULL);"
          + "INSERT INTO describer_meta VALUES ('generation', '0')",
      ReferenceInstances.MIGRATION);

  private final Path directory;
  private final Database db;
  private final boolean ownsDb;
  private final ImageEmbedder embedder;
  private final ImageLoader loader;
  private final HnswVectorIndex<String> index;
  private final Matcher matcher;
  private final ReferenceInstances instances;
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile EntityExtractor extractor;
  private volatile String extractorId;
  private volatile long generation;
  private volatile long savedGeneration;
  private volatile boolean closed;

  private ReferenceStore(Builder b) {
    this.directory = b.directory;
    this.embedder = b.embedder;
    this.loader = b.loader;
    if (b.database != null) {
      this.db = b.database;
      this.ownsDb = false;
    } else {
      if (!b.createIfMissing && !Files.isRegularFile(b.directory.resolve(DB_NAME + ".mv.db"))) {
        throw new StoreException(b.directory + ": no describer store here (no " + DB_NAME + ".mv.db)");
      }
      try {
        Files.createDirectories(b.directory);
      } catch (IOException e) {
        throw new StoreException(b.directory + ": cannot create store folder: " + e.getMessage(), e);
      }
      this.db = Database.openFile(b.directory, DB_NAME);
      this.ownsDb = true;
    }
    ReferenceInstances opened = null;
    try {
      db.ensureSchema(COMPONENT, MIGRATIONS);
      Map<String, String> meta = readMeta();
      String storedEmbedder = meta.get("embedder");
      if (storedEmbedder != null && !storedEmbedder.equals(embedder.id())) {
        throw new IncompatibleFormatException(where() + ": reference vectors were made by embedder '"
            + storedEmbedder + "', but this store was opened with '" + embedder.id() + "'");
      }
      this.matcher = ReferenceInstances.resolve(meta.get("matcher"), storedEmbedder == null, b.matcher, where());
      if (storedEmbedder == null) {
        db.transaction(c -> {
          upsertMeta(c, "embedder", embedder.id());
          upsertMeta(c, "dimension", Integer.toString(embedder.dimension()));
          upsertMeta(c, "matcher", matcher.id());
          return null;
        });
        meta.put("matcher", matcher.id());
      }
      this.generation = Long.parseLong(meta.getOrDefault("generation", "0"));
      this.extractorId = meta.get("extractor");
      this.extractor = b.extractor;
      if (b.extractor != null && extractorId != null && !extractorId.equals(b.extractor.id())) {
        if (!b.reextract) {
          throw new IncompatibleFormatException(where() + ": entities were extracted with '" + extractorId
              + "' but the store was opened with extractor '" + b.extractor.id()
              + "'; open it with the same extractor, or set reextract(true) to re-extract every page");
        }
      }
      this.index = openIndex();
      if (matcher.usesInstances()) {
        opened = ReferenceInstances.open(directory, where());
        opened.reconcile(db, loader, b.listener);
      }
      this.instances = opened;
      if (!matcher.id().equals(meta.get("matcher"))) {
        putMeta("matcher", matcher.id());
      }
      if (b.extractor != null && extractorId != null && !extractorId.equals(b.extractor.id())) {
        reextract(b.extractor, b.listener, CancellationToken.NONE);
      }
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close();
      }
      if (ownsDb) {
        db.close();
      }
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

  private String where() {
    return directory != null ? directory.toString() : db.url();
  }

  // ---------------------------------------------------------------- index

  private Path indexFile() {
    return directory == null ? null : directory.resolve(INDEX_FILE);
  }

  private Path generationFile() {
    return directory == null ? null : IndexGeneration.sidecar(indexFile());
  }

  /**
   * Checks a loaded index file against the database (a file copied in from another store, e.g.
   * a product catalog's segment, can carry a matching generation number): the same number of
   * vectors, and the first stored image keys present.
   *
   * @return what disagrees, or null when the file fits
   */
  private String disagreement(HnswVectorIndex<String> idx) {
    return db.transaction(c -> {
      try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM describer_images");
          ResultSet rs = count.executeQuery()) {
        rs.next();
        long n = rs.getLong(1);
        if (n != idx.size()) {
          return "it holds " + idx.size() + " vectors, the database " + n;
        }
      }
      try (PreparedStatement keys = c.prepareStatement(
          "SELECT image_key FROM describer_images ORDER BY image_key FETCH FIRST 32 ROWS ONLY");
          ResultSet rs = keys.executeQuery()) {
        while (rs.next()) {
          if (!idx.contains(rs.getString(1))) {
            return "stored image " + rs.getString(1) + " is not in it";
          }
        }
      }
      return null;
    });
  }

  private HnswVectorIndex<String> openIndex() {
    Path file = indexFile();
    java.util.OptionalLong savedGen = file == null ? java.util.OptionalLong.empty() : IndexGeneration.read(file);
    if (file != null && Files.isRegularFile(file) && savedGen.isPresent()) {
      StoreException behind = null;
      try {
        long saved = savedGen.getAsLong();
        if (saved > generation) {
          // the index is saved only after the commits it reflects: a database behind it lost
          // commits (a truncated file that H2 opened at an older state, or a restored backup)
          behind = new StoreException(where() + ": the database is at write generation " + generation
              + " but its index was saved at generation " + saved + ": the database file lost commits"
              + " (truncated, or restored from an older copy). Nothing was served. If you restored it on"
              + " purpose, delete " + file.getFileName() + " and " + generationFile().getFileName()
              + " to rebuild the index from it");
        } else if (saved == generation) {
          HnswVectorIndex<String> idx = HnswVectorIndex.load(file, String.class, embedder.id());
          String foreign = disagreement(idx);
          if (foreign == null) {
            savedGeneration = saved;
            LOG.debug("{}: loaded index with {} vectors (generation {})", where(), idx.size(), saved);
            return idx;
          }
          LOG.warn("{}: index file does not belong to this database ({}); rebuilding the index", where(), foreign);
        } else {
          LOG.info("{}: index file is at generation {} but the database at {}; rebuilding the index",
              where(), saved, generation);
        }
      } catch (StoreException e) {
        if (e instanceof IncompatibleFormatException ife) {
          throw ife;
        }
        LOG.warn("{}: index file unusable ({}); rebuilding it from the database", where(), e.getMessage());
      }
      if (behind != null) {
        throw behind;
      }
    }
    HnswVectorIndex<String> idx = HnswVectorIndex.builder().dimension(embedder.dimension())
        .embedderId(embedder.id()).metric(Metric.COSINE).build();
    List<IndexItem<String>> items = db.transaction(c -> {
      List<IndexItem<String>> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT image_key, vector FROM describer_images");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(IndexItem.of(rs.getString(1), decode(rs.getBytes(2))));
        }
      }
      return out;
    });
    if (!items.isEmpty()) {
      LOG.info("{}: rebuilding the index from {} stored vectors", where(), items.size());
      idx.addAll(items);
    }
    savedGeneration = -1;
    return idx;
  }

  /**
   * Saves the vector index atomically with the generation it reflects, so the next open does not
   * rebuild it. The database itself is always durable after each commit.
   */
  public void flush() {
    if (directory == null) {
      return;
    }
    writeLock.lock();
    try {
      if (savedGeneration == generation && Files.isRegularFile(indexFile())) {
        return;
      }
      long gen = generation;
      index.save(indexFile());
      IndexGeneration.write(indexFile(), gen);
      savedGeneration = gen;
    } finally {
      writeLock.unlock();
    }
  }

  // ---------------------------------------------------------------- adding

  /** A reference made ready for writing: embedded and with its entities extracted. */
  private record Prepared(Reference reference, float[] vector, String imageKey, String location,
      Origin origin, List<PageEntity> entities, ReferenceInstances.Extracted local) {}

  private EntityExtractor extractorForWrites() {
    EntityExtractor e = extractor;
    if (e != null) {
      return e;
    }
    if (extractorId == null || extractorId.equals(OpenNlpEntityExtractor.ENGLISH_ID)) {
      e = OpenNlpEntityExtractor.english();
      extractor = e;
      return e;
    }
    throw new IllegalStateException(where() + ": this store's entities were extracted with '" + extractorId
        + "'; pass that extractor to ReferenceStore.builder().extractor(...) to add or update references");
  }

  private Prepared prepare(Reference ref, BufferedImage image, String location, Origin origin) {
    if (ref.isEmptyPage()) {
      throw new InputFormatException(null, 0, "reference " + ref.id()
          + ": empty page (no title, text or fields): nothing to describe the image with");
    }
    float[] v = embedder.embed(image);
    ReferenceInstances.Extracted local = instances == null ? null : instances.extract(image);
    return prepareVector(ref, v, contentKey(image), location, origin, local);
  }

  /** @param local the image's local features (null: no change to the instance index) */
  private Prepared prepareVector(Reference ref, float[] vector, String key, String location, Origin origin,
      ReferenceInstances.Extracted local) {
    if (ref.isEmptyPage()) {
      throw new InputFormatException(null, 0, "reference " + ref.id()
          + ": empty page (no title, text or fields): nothing to describe the image with");
    }
    checkLocation(ref.id(), location);
    Vectors.check(vector, embedder.dimension());
    if (Vectors.norm(vector) < 1e-12) {
      throw new io.sightline.core.InvalidVectorException("reference " + ref.id() + ": zero vector");
    }
    List<PageEntity> entities = PageEntities.extract(extractorForWrites(), ref);
    return new Prepared(ref, vector.clone(), key, location, origin, entities, local);
  }

  /** Refuses a location longer than its column before anything is written. */
  static void checkLocation(String id, String location) {
    if (location != null && location.length() > MAX_LOCATION_LENGTH) {
      throw new InputFormatException(null, 0, "reference " + id + ": \"image\" is " + location.length()
          + " characters, over the limit of " + MAX_LOCATION_LENGTH);
    }
  }

  private ReferenceInstances.Extracted noPixels() {
    return instances == null ? null : ReferenceInstances.Extracted.NO_PIXELS;
  }

  private Prepared prepare(ReferenceInput in) {
    checkLocation(in.reference().id(), in.image().location());
    BufferedImage img = in.image().load(loader);
    return prepare(in.reference(), img, in.image().location(), in.origin());
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
    Prepared p = prepare(input);
    return write(List.of(p)).get(0);
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
    Objects.requireNonNull(image, "image");
    return write(List.of(prepare(reference, image, location, Objects.requireNonNull(origin, "origin")))).get(0);
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
    Objects.requireNonNull(imageKey, "imageKey");
    return write(List.of(prepareVector(reference, vector, imageKey, "vector:" + imageKey,
        Origin.PRECOMPUTED, noPixels()))).get(0);
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
    if (references.size() != vectors.size() || references.size() != imageKeys.size()) {
      throw new IllegalArgumentException("references, vectors and imageKeys differ in length");
    }
    int n = references.size();
    for (int from = 0; from < n; from += BATCH * 8) {
      cancel.throwIfCancelled();
      int to = Math.min(n, from + BATCH * 8);
      List<Prepared> batch = new ArrayList<>();
      for (int i = from; i < to; i++) {
        batch.add(prepareVector(references.get(i), vectors.get(i), imageKeys.get(i),
            "vector:" + imageKeys.get(i), Origin.PRECOMPUTED, noPixels()));
      }
      write(batch);
      listener.onProgress("describer-ingest", to, n, "");
    }
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
    List<AddOutcome> out = new ArrayList<>(inputs.size());
    for (int from = 0; from < inputs.size(); from += BATCH) {
      cancel.throwIfCancelled();
      List<ReferenceInput> slice = inputs.subList(from, Math.min(inputs.size(), from + BATCH));
      List<Prepared> prepared = slice.parallelStream().map(this::prepare).toList();
      out.addAll(write(prepared));
      listener.onProgress("describer-ingest", from + slice.size(), inputs.size(), "");
    }
    return out;
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
    List<RefsJsonl.Line> lines = RefsJsonl.read(file, allowedRoot, urls);
    List<IngestReport.LineError> errors = new ArrayList<>();
    long added = 0;
    long merged = 0;
    long updated = 0;
    List<Prepared> all = new ArrayList<>();
    int done = 0;
    for (int from = 0; from < lines.size(); from += BATCH) {
      cancel.throwIfCancelled();
      List<RefsJsonl.Line> slice = lines.subList(from, Math.min(lines.size(), from + BATCH));
      List<Object> results = slice.parallelStream().map(l -> {
        if (l.error() != null) {
          return (Object) new IngestReport.LineError(l.line(), l.error());
        }
        try {
          return (Object) prepare(l.input());
        } catch (SightlineException e) {
          return (Object) new IngestReport.LineError(l.line(), e.getMessage());
        }
      }).toList();
      List<Prepared> batch = new ArrayList<>();
      for (Object o : results) {
        if (o instanceof IngestReport.LineError le) {
          errors.add(le);
        } else {
          batch.add((Prepared) o);
        }
      }
      if (policy == ErrorPolicy.SKIP) {
        for (AddOutcome a : write(batch)) {
          switch (a) {
            case ADDED -> added++;
            case MERGED -> merged++;
            case UPDATED -> updated++;
          }
        }
      } else {
        all.addAll(batch);
      }
      done += slice.size();
      listener.onProgress("describer-ingest", done, lines.size(), errors.isEmpty() ? "" : errors.size() + " malformed");
    }
    if (policy == ErrorPolicy.REJECT) {
      if (!errors.isEmpty()) {
        StringBuilder sb = new StringBuilder(errors.size() + " malformed record(s), nothing ingested:");
        for (IngestReport.LineError e : errors.subList(0, Math.min(20, errors.size()))) {
          sb.append("\n  line ").append(e.line()).append(": ").append(e.message());
        }
        throw new InputFormatException(file, errors.get(0).line(), sb.toString());
      }
      cancel.throwIfCancelled();
      for (AddOutcome a : write(all)) {
        switch (a) {
          case ADDED -> added++;
          case MERGED -> merged++;
          case UPDATED -> updated++;
        }
      }
    }
    for (IngestReport.LineError e : errors) {
      LOG.warn("{}:{}: skipped: {}", file, e.line(), e.message());
    }
    flush();
    return new IngestReport(lines.size(), added, merged, updated, errors.size(), errors);
  }

  // ---------------------------------------------------------------- writing

  private List<AddOutcome> write(List<Prepared> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    checkOpen();
    writeLock.lock();
    try {
      String exId = extractorForWrites().id();
      List<String> removedImages = new ArrayList<>();
      Map<String, float[]> newImages = new LinkedHashMap<>();
      // the instance index takes new images before the database commits them (see ReferenceInstances)
      List<String> instanceAdds = instances == null ? List.of() : instances.addNew(localFeatures(batch));
      List<AddOutcome> outcomes;
      try {
        outcomes = db.transaction(c -> {
          if (extractorId == null) {
            upsertMeta(c, "extractor", exId);
          }
          List<AddOutcome> res = new ArrayList<>(batch.size());
          for (Prepared p : batch) {
            String oldImage = imageOf(c, p.reference().id());
            if (oldImage != null) {
              deleteRef(c, p.reference().id());
            }
            boolean imageExists = newImages.containsKey(p.imageKey()) || imageExists(c, p.imageKey());
            if (!imageExists) {
              try (PreparedStatement ps = c.prepareStatement(
                  "INSERT INTO describer_images (image_key, vector) VALUES (?, ?)")) {
                ps.setString(1, p.imageKey());
                ps.setBytes(2, encode(p.vector()));
                ps.executeUpdate();
              }
              newImages.put(p.imageKey(), p.vector());
            }
            if (instances != null && p.local() != null) {
              instances.record(c, p.imageKey(), p.reference().id(), p.local(), !imageExists);
            }
            insertRef(c, p);
            if (oldImage != null && !oldImage.equals(p.imageKey()) && deleteImageIfOrphan(c, oldImage)) {
              removedImages.add(oldImage);
            }
            res.add(oldImage != null ? AddOutcome.UPDATED : imageExists ? AddOutcome.MERGED : AddOutcome.ADDED);
          }
          bumpGeneration(c);
          return res;
        });
      } catch (RuntimeException e) {
        takeBack(instanceAdds, e);
        throw e;
      }
      extractorId = exId;
      generation++;
      for (Map.Entry<String, float[]> e : newImages.entrySet()) {
        index.add(e.getKey(), e.getValue());
      }
      for (String k : removedImages) {
        if (!newImages.containsKey(k)) {
          index.remove(k);
          if (instances != null) {
            instances.remove(List.of(k));
          }
        }
      }
      return outcomes;
    } finally {
      writeLock.unlock();
    }
  }

  private static Map<String, ReferenceInstances.Extracted> localFeatures(List<Prepared> batch) {
    Map<String, ReferenceInstances.Extracted> out = new LinkedHashMap<>();
    for (Prepared p : batch) {
      if (p.local() != null) {
        out.putIfAbsent(p.imageKey(), p.local());
      }
    }
    return out;
  }

  /** Removes from the instance index the images a failed write added to it. */
  private void takeBack(List<String> instanceAdds, RuntimeException failure) {
    if (instanceAdds.isEmpty()) {
      return;
    }
    try {
      instances.remove(instanceAdds);
    } catch (RuntimeException r) {
      failure.addSuppressed(r);
    }
  }





  private void insertRef(Connection c, Prepared p) throws SQLException {
    Reference r = p.reference();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO describer_refs (id, image_key, location, origin,"
        + " title, body, fields, displays, views, clicks, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, r.id());
      ps.setString(2, p.imageKey());
      ps.setString(3, p.location() == null ? "" : p.location());
      ps.setString(4, p.origin().name());
      ps.setString(5, r.title());
      ps.setString(6, r.text());
      ps.setString(7, json(r.fields()));
      ps.setLong(8, r.displays());
      ps.setLong(9, r.views());
      ps.setLong(10, r.clicks());
      ps.setLong(11, System.currentTimeMillis());
      ps.executeUpdate();
    }
    insertMentions(c, r.id(), p.entities());
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
    checkOpen();
    writeLock.lock();
    try {
      return updateLocked(reference);
    } finally {
      writeLock.unlock();
    }
  }

  private boolean updateLocked(Reference reference) {
    Optional<StoredReference> old = get(reference.id());
    if (old.isEmpty()) {
      return false;
    }
    float[] v = db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT vector FROM describer_images WHERE image_key = ?")) {
        ps.setString(1, old.get().imageKey());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? decode(rs.getBytes(1)) : null;
        }
      }
    });
    if (v == null) {
      throw new StoreException(where() + ": reference " + reference.id() + " has no stored image vector");
    }
    write(List.of(prepareVector(reference, v, old.get().imageKey(), old.get().location(), old.get().origin(), null)));
    return true;
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
    if (displays < 0 || views < 0 || clicks < 0) {
      throw new IllegalArgumentException("displays, views and clicks must be >= 0");
    }
    checkOpen();
    writeLock.lock();
    try {
      int n = db.transaction(c -> {
        int k;
        try (PreparedStatement ps = c.prepareStatement(
            "UPDATE describer_refs SET displays = ?, views = ?, clicks = ? WHERE id = ?")) {
          ps.setLong(1, displays);
          ps.setLong(2, views);
          ps.setLong(3, clicks);
          ps.setString(4, id);
          k = ps.executeUpdate();
        }
        return k;
      });
      return n > 0;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Removes a reference; its image vector (and its entry in the instance index) goes too when no
   * other reference shares it.
   *
   * @param id reference id
   * @return false when no reference has that id
   */
  public boolean remove(String id) {
    checkOpen();
    writeLock.lock();
    try {
      String[] removed = new String[1];
      boolean found = db.transaction(c -> {
        String image = imageOf(c, id);
        if (image == null) {
          return false;
        }
        deleteRef(c, id);
        if (deleteImageIfOrphan(c, image)) {
          removed[0] = image;
        }
        bumpGeneration(c);
        return true;
      });
      if (found) {
        generation++;
        if (removed[0] != null) {
          index.remove(removed[0]);
          if (instances != null) {
            instances.remove(List.of(removed[0]));
          }
        }
      }
      return found;
    } finally {
      writeLock.unlock();
    }
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
    Objects.requireNonNull(newExtractor, "newExtractor");
    writeLock.lock();
    try {
      List<String> ids = ids();
      for (int from = 0; from < ids.size(); from += BATCH * 4) {
        cancel.throwIfCancelled();
        List<String> slice = ids.subList(from, Math.min(ids.size(), from + BATCH * 4));
        Map<String, Reference> refs = new LinkedHashMap<>();
        for (String id : slice) {
          get(id).ifPresent(s -> refs.put(id, s.reference()));
        }
        Map<String, List<PageEntity>> ents = new HashMap<>();
        refs.values().parallelStream().map(r -> Map.entry(r.id(), PageEntities.extract(newExtractor, r)))
            .toList().forEach(e -> ents.put(e.getKey(), e.getValue()));
        db.transaction(c -> {
          for (String id : refs.keySet()) {
            ReferenceTables.deleteMentions(c, id);
            insertMentions(c, id, ents.get(id));
          }
          bumpGeneration(c);
          return null;
        });
        generation++;
        listener.onProgress("describer-reextract", from + slice.size(), ids.size(), "");
      }
      db.transaction(c -> {
        upsertMeta(c, "extractor", newExtractor.id());
        return null;
      });
      extractor = newExtractor;
      extractorId = newExtractor.id();
    } finally {
      writeLock.unlock();
    }
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
    checkOpen();
    List<ReferenceInstances.Hit> hits = globalHits(nearest(query, topImages, minSimilarity));
    if (hits.isEmpty()) {
      return List.of();
    }
    return db.transaction(c -> matches(c, hits));
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
    checkOpen();
    List<ReferenceInstances.Hit> hits = hits(image, matcher == Matcher.LOCAL ? null : embedder.embed(image),
        matcher, topImages, minSimilarity);
    if (hits.isEmpty()) {
      return List.of();
    }
    return db.transaction(c -> matches(c, hits));
  }

  /** Matched images of a target under a matcher (vector: the target's, null under LOCAL). */
  private List<ReferenceInstances.Hit> hits(BufferedImage image, float[] vector, Matcher m, int topImages,
      double minSimilarity) {
    Map<String, Double> global = m == Matcher.LOCAL ? Map.of() : nearest(vector, topImages, minSimilarity);
    if (!m.usesInstances()) {
      return globalHits(global);
    }
    if (instances == null) {
      throw new IllegalStateException(where() + ": matcher '" + m.id() + "' needs an instance index, but this store"
          + " was built with matcher 'global'; reopen it with ReferenceStore.builder().matcher(Matcher."
          + m.name() + ") to build one");
    }
    return instances.hits(image, m, global, key -> vector == null ? Double.NaN
        : index.vector(key).map(v -> (double) Vectors.cosine(vector, v)).orElse(Double.NaN), topImages);
  }

  private static List<ReferenceInstances.Hit> globalHits(Map<String, Double> sims) {
    List<ReferenceInstances.Hit> out = new ArrayList<>(sims.size());
    sims.forEach((k, v) -> out.add(new ReferenceInstances.Hit(k, v, 0, 0, false)));
    return out;
  }


  private Map<String, Double> nearest(float[] query, int topImages, double minSimilarity) {
    List<SearchResult<String>> hits = index.search(query, topImages);
    Map<String, Double> sims = new LinkedHashMap<>();
    for (SearchResult<String> h : hits) {
      if (h.similarity() >= minSimilarity) {
        sims.put(h.id(), (double) h.similarity());
      }
    }
    return sims;
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
    checkOpen();
    return evidence(globalHits(nearest(query, topImages, minSimilarity)), withEntities);
  }

  /**
   * @param image the target
   * @param vector its vector (null under LOCAL)
   * @param m the matcher
   */
  Evidence evidence(BufferedImage image, float[] vector, Matcher m, int topImages, double minSimilarity,
      boolean withEntities) {
    checkOpen();
    return evidence(hits(image, vector, m, topImages, minSimilarity), withEntities);
  }

  private Evidence evidence(List<ReferenceInstances.Hit> hits, boolean withEntities) {
    if (hits.isEmpty()) {
      return new Evidence(List.of(), Map.of(), Map.of(), 0);
    }
    return db.transaction(c -> {
      List<ReferenceMatch> m = matches(c, hits);
      if (!withEntities || m.isEmpty()) {
        return new Evidence(m, Map.of(), Map.of(), countRefs(c));
      }
      Map<String, List<PageEntity>> ents = ReferenceTables.entities(c, m.stream().map(ReferenceMatch::id).toList());
      Set<String> keys = new LinkedHashSet<>();
      ents.values().forEach(l -> l.forEach(e -> keys.add(e.key())));
      return new Evidence(m, ents, ReferenceTables.documentFrequency(c, keys), countRefs(c));
    });
  }



  /**
   * @param refIds reference ids
   * @return the stored entities of each page
   */
  public Map<String, List<PageEntity>> entities(Collection<String> refIds) {
    if (refIds.isEmpty()) {
      return Map.of();
    }
    return db.transaction(c -> ReferenceTables.entities(c, refIds));
  }


  /**
   * @param keys entity keys
   * @return for each key, the number of stored references whose page mentions it (absent = 0)
   */
  public Map<String, Integer> documentFrequency(Collection<String> keys) {
    if (keys.isEmpty()) {
      return Map.of();
    }
    return db.transaction(c -> ReferenceTables.documentFrequency(c, keys));
  }


  /**
   * @param id reference id
   * @return the stored reference
   */
  public Optional<StoredReference> get(String id) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT id, image_key, title, body, fields, displays, views,"
          + " clicks, location, origin, added_at FROM describer_refs WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<StoredReference>empty();
          }
          return Optional.of(new StoredReference(readRef(rs), rs.getString(2), rs.getString(9),
              Origin.valueOf(rs.getString(10)), rs.getLong(11)));
        }
      }
    });
  }

  /** @return every reference id, sorted */
  public List<String> ids() {
    return db.transaction(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id FROM describer_refs ORDER BY id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  /** @return number of references (pages) */
  public int size() {
    return count("SELECT COUNT(*) FROM describer_refs");
  }

  /** @return number of distinct images (vectors) */
  public int imageCount() {
    return count("SELECT COUNT(*) FROM describer_images");
  }

  /** @return number of vectors in the search index (equals {@link #imageCount()}) */
  public int indexedImageCount() {
    return index.size();
  }

  private int count(String sql) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  /** @return how this store matches target images (recorded in the store) */
  public Matcher matcher() {
    return matcher;
  }

  /**
   * @return the instance index (read-only use: {@code contains}, {@code size}, matching), empty
   *     for a store built with {@link Matcher#GLOBAL}; its ids are image content keys
   *     ({@link StoredReference#imageKey()})
   */
  public Optional<InstanceIndex> instanceIndex() {
    return instances == null ? Optional.empty() : Optional.of(instances.index());
  }

  /** @return number of images in the instance index (0 without one); images with too few local
   *     features, precomputed vectors and images that could not be re-read are not in it */
  public int instanceImageCount() {
    return instances == null ? 0 : instances.index().size();
  }

  /** @return calibrated instance score at which a match counts as verified (NaN without an instance index) */
  public double instanceThreshold() {
    return instances == null ? Double.NaN : instances.threshold();
  }

  /** @return the embedder of the image vectors */
  public ImageEmbedder embedder() {
    return embedder;
  }

  /** @return the image decoder with its limits */
  public ImageLoader imageLoader() {
    return loader;
  }

  /** @return id of the extractor the stored entities came from, empty before the first add */
  public Optional<String> extractorId() {
    return Optional.ofNullable(extractorId);
  }

  /** @return the store folder, or null for a store on a caller's database */
  public Path directory() {
    return directory;
  }

  /** @return the search index (read-only use: searching, tuning {@code ef}) */
  public HnswVectorIndex<String> index() {
    return index;
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




  private Map<String, String> readMeta() {
    return db.transaction(c -> {
      Map<String, String> m = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT k, v FROM describer_meta");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          m.put(rs.getString(1), rs.getString(2));
        }
      }
      return m;
    });
  }

  private void putMeta(String k, String v) {
    db.transaction(c -> {
      upsertMeta(c, k, v);
      return null;
    });
  }


  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("ReferenceStore is closed");
    }
  }

  /** Saves the index ({@link #flush()}) and closes the database if this store opened it. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      flush();
    } finally {
      closed = true;
      try {
        if (instances != null) {
          instances.close();
        }
      } finally {
        if (ownsDb) {
          db.close();
        }
      }
    }
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

    private Builder() {}

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
     * @throws IllegalStateException when neither a directory nor a database is set
     * @throws IncompatibleFormatException when the store was made with another embedder or extractor,
     *     or by a newer version
     */
    public ReferenceStore build() {
      if (directory == null && database == null) {
        throw new IllegalStateException("ReferenceStore: directory (or database) is required");
      }
      if (directory != null && database != null) {
        throw new IllegalStateException("ReferenceStore: set either directory or database, not both");
      }
      return new ReferenceStore(this);
    }
  }
}
