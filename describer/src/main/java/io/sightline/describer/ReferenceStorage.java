package io.sightline.describer;

import static io.sightline.describer.ReferenceTables.*;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.core.instance.Matcher;
import io.sightline.core.store.Database;
import io.sightline.core.store.IndexGeneration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open and persistence job of a {@link ReferenceStore}, and the state its other jobs share:
 * opening the database (schema, recorded embedder, matcher and extractor), loading the saved HNSW
 * index when its write generation ({@link IndexGeneration}) matches the database's and it belongs
 * to this database, or rebuilding it from the stored vectors, refusing a database that lost
 * commits, saving the index ({@link #flush()}) and closing.
 *
 * <p>The write lock, the write generation and the extractor state live here so that
 * {@link ReferenceIngest}, {@link ReferenceWriter} and {@link ReferenceQueries} use the same
 * objects; writes are serialised by {@link #writeLock}.
 */
final class ReferenceStorage {
  /** Logs under the store's name, as before the store was split into its jobs. */
  private static final Logger LOG = LoggerFactory.getLogger(ReferenceStore.class);
  private static final String DB_NAME = "references";
  private static final String INDEX_FILE = "references.hnsw";

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

  final Path directory;
  final Database db;
  final boolean ownsDb;
  final ImageEmbedder embedder;
  final ImageLoader loader;
  final VectorIndex<String> index;
  /** Opens the vector index when the store keeps it elsewhere than a saved HNSW file; null: HNSW. */
  private final VectorIndexFactory indexFactory;
  /** The index came from {@link #indexFactory} and commits each write itself: nothing to save. */
  private boolean committedIndex;
  final Matcher matcher;
  final ReferenceInstances instances;
  final ReentrantLock writeLock = new ReentrantLock();
  /** Opened for reading beside other processes: nothing is written (see ReferenceStore.Builder#readOnly). */
  final boolean readOnly;
  volatile EntityExtractor extractor;
  volatile String extractorId;
  volatile long generation;
  volatile long savedGeneration;
  volatile boolean closed;

  /**
   * Opens the store up to (not including) re-extraction with another extractor, which the caller
   * runs next when {@link #needsReextraction} says so; on failure everything opened is closed.
   * The parameters are those of {@link ReferenceStore.Builder}.
   */
  ReferenceStorage(Path directory, Database database, boolean ownsDatabase, ImageEmbedder embedder, ImageLoader loader,
      boolean createIfMissing, Matcher requestedMatcher, EntityExtractor requestedExtractor, boolean reextract,
      ProgressListener listener, boolean readOnly, VectorIndexFactory indexFactory) {
    this.directory = directory;
    this.readOnly = readOnly;
    this.indexFactory = indexFactory;
    this.embedder = embedder;
    this.loader = loader;
    if (database != null) {
      this.db = database;
      this.ownsDb = ownsDatabase;
    } else {
      if ((readOnly || !createIfMissing) && !Files.isRegularFile(directory.resolve(DB_NAME + ".mv.db"))) {
        throw new StoreException(directory + ": no describer store here (no " + DB_NAME + ".mv.db)");
      }
      try {
        Files.createDirectories(directory);
      } catch (IOException e) {
        throw new StoreException(directory + ": cannot create store folder: " + e.getMessage(), e);
      }
      this.db = Database.openFile(directory, DB_NAME, readOnly ? Database.Access.READ : Database.Access.WRITE);
      this.ownsDb = true;
    }
    ReferenceInstances opened = null;
    VectorIndex<String> openedIndex = null;
    try {
      db.ensureSchema(ReferenceStore.COMPONENT, MIGRATIONS);
      Map<String, String> meta = readMeta();
      String storedEmbedder = meta.get("embedder");
      if (storedEmbedder != null && !storedEmbedder.equals(embedder.id())) {
        throw new IncompatibleFormatException(where() + ": reference vectors were made by embedder '"
            + storedEmbedder + "', but this store was opened with '" + embedder.id() + "'");
      }
      this.matcher = ReferenceInstances.resolve(meta.get("matcher"), storedEmbedder == null, requestedMatcher,
          where());
      if (storedEmbedder == null && readOnly) {
        throw new StoreException(where() + ": the store is empty and was opened read-only; add references first");
      }
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
      this.extractor = requestedExtractor;
      if (requestedExtractor != null && extractorId != null && !extractorId.equals(requestedExtractor.id())) {
        if (!reextract || readOnly) {
          throw new IncompatibleFormatException(where() + ": entities were extracted with '" + extractorId
              + "' but the store was opened with extractor '" + requestedExtractor.id()
              + "'; open it with the same extractor, or set reextract(true) to re-extract every page");
        }
      }
      this.index = openIndex();
      openedIndex = index;
      if (matcher.usesInstances()) {
        Matcher recorded = ReferenceInstances.resolve(meta.get("matcher"), false, null, where());
        if (readOnly && !recorded.usesInstances()) {
          throw new IncompatibleFormatException(where() + ": the store was built with matcher '" + recorded.id()
              + "' and has no instance index; it was opened read-only, so one cannot be built: open it for writing"
              + " once with matcher " + matcher.id());
        }
        opened = ReferenceInstances.open(directory, where(), readOnly);
        if (!readOnly) {
          // read-only, images another process has staged but not committed may be in the index: a
          // match on one finds no reference in the database and is dropped with it
          opened.reconcile(db, loader, listener);
        }
      }
      this.instances = opened;
      if (!readOnly && !matcher.id().equals(meta.get("matcher"))) {
        putMeta("matcher", matcher.id());
      }
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close();
      }
      if (openedIndex != null) {
        openedIndex.close();
      }
      if (ownsDb) {
        db.close();
      }
      throw e;
    }
  }

  /**
   * @param requestedExtractor the extractor the store was opened with (may be null)
   * @return whether the stored entities came from another extractor and must be re-extracted
   *     while opening (the constructor refused the open unless re-extraction was asked for)
   */
  boolean needsReextraction(EntityExtractor requestedExtractor) {
    return requestedExtractor != null && extractorId != null && !extractorId.equals(requestedExtractor.id());
  }

  /** Closes what the constructor opened, after a failure later in opening the store. */
  void closeAfterFailedOpen() {
    if (instances != null) {
      instances.close();
    }
    index.close();
    if (ownsDb) {
      db.close();
    }
  }

  String where() {
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
  private String disagreement(VectorIndex<String> idx) {
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

  private VectorIndex<String> openIndex() {
    if (indexFactory != null) {
      VectorIndex<String> committed = openFromFactory();
      if (committed != null) {
        committedIndex = true;
        return committed;
      }
    }
    Path file = indexFile();
    java.util.OptionalLong savedGen = file == null ? java.util.OptionalLong.empty() : IndexGeneration.read(file);
    if (file != null && Files.isRegularFile(file) && savedGen.isPresent()) {
      StoreException behind = null;
      try {
        long saved = savedGen.getAsLong();
        if (saved > generation && readOnly) {
          // another process committed and saved since this one read the generation
          generation = Long.parseLong(readMeta().getOrDefault("generation", "0"));
        }
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
        } else if (readOnly) {
          // a writer in another process has committed since it last saved: bring a copy up to date
          // in memory (image keys are content hashes, so a key's vector never changes)
          HnswVectorIndex<String> idx = HnswVectorIndex.load(file, String.class, embedder.id());
          catchUp(idx);
          savedGeneration = -1;
          return idx;
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
          out.add(IndexItem.of(rs.getString(1), io.sightline.core.index.Vectors.fromBytes(rs.getBytes(2))));
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
   * The index of {@link #indexFactory}: opened for writing and brought up to the database (image
   * keys are content hashes, so a key's vector never changes and comparing keys is enough), or
   * read-only and used only when it holds exactly the stored images.
   *
   * @return the index, or null when a read-only store must build its own
   */
  private VectorIndex<String> openFromFactory() {
    VectorIndex<String> idx = readOnly
        ? indexFactory.openReadOnly(embedder.dimension(), Metric.COSINE, embedder.id()).orElse(null)
        : indexFactory.open(embedder.dimension(), Metric.COSINE, embedder.id());
    if (idx == null) {
      return null;
    }
    try {
      VectorIndexFactory.requireMatching(idx, embedder.dimension(), Metric.COSINE, embedder.id(), where());
      if (!readOnly) {
        catchUp(idx);
        return idx;
      }
      java.util.Set<String> stored = storedKeys();
      if (stored.size() == idx.size() && stored.equals(new java.util.HashSet<>(idx.keys()))) {
        LOG.debug("{}: vector index {} opened read-only ({} images)", where(), idx, stored.size());
        return idx;
      }
      LOG.warn("{}: vector index {} does not hold the stored images ({} vs {}; the writing store repairs it when"
          + " it opens); this read-only store builds its own", where(), idx, idx.size(), stored.size());
    } catch (RuntimeException e) {
      idx.close();
      throw e;
    }
    idx.close();
    return null;
  }

  private java.util.Set<String> storedKeys() {
    java.util.Set<String> stored = new java.util.HashSet<>();
    db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT image_key FROM describer_images");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stored.add(rs.getString(1));
        }
      }
      return null;
    });
    return stored;
  }

  /**
   * Brings an index that is behind the database up to it (in memory for a loaded file, as commits
   * for an index from {@link #indexFactory}): adds the stored images it lacks and removes the ones
   * the database no longer holds.
   */
  private void catchUp(VectorIndex<String> idx) {
    java.util.Set<String> have = new java.util.HashSet<>(idx.keys());
    List<IndexItem<String>> missing = new ArrayList<>();
    java.util.Set<String> stored = storedKeys();
    List<String> add = stored.stream().filter(k -> !have.contains(k)).sorted().toList();
    for (int from = 0; from < add.size(); from += 500) {
      List<String> slice = add.subList(from, Math.min(add.size(), from + 500));
      db.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT image_key, vector FROM describer_images WHERE image_key = ANY(?)")) {
          ps.setArray(1, c.createArrayOf("VARCHAR", slice.toArray()));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              missing.add(IndexItem.of(rs.getString(1), io.sightline.core.index.Vectors.fromBytes(rs.getBytes(2))));
            }
          }
        }
        return null;
      });
    }
    int removed = 0;
    for (String k : have) {
      if (!stored.contains(k) && idx.remove(k)) {
        removed++;
      }
    }
    if (!missing.isEmpty()) {
      idx.addAll(missing);
    }
    LOG.debug("{}: index {} brought up to the database: {} images added, {} removed", where(), idx,
        missing.size(), removed);
  }

  /**
   * Saves the vector index atomically with the generation it reflects, so the next open does not
   * rebuild it. The database itself is always durable after each commit.
   */
  void flush() {
    if (directory == null || readOnly || committedIndex) {
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


  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("ReferenceStore is closed");
    }
  }

  /** Refuses a write to a closed store, or to one opened read-only. */
  void checkWritable() {
    checkOpen();
    if (readOnly) {
      throw new IllegalStateException(where() + ": the store was opened read-only (for queries beside other"
          + " processes); open it for writing to change it");
    }
  }

  /** Saves the index ({@link #flush()}) and closes the database if this store opened it. */
  void close() {
    if (closed) {
      return;
    }
    try {
      flush();
    } finally {
      closed = true;
      try {
        index.close();
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
}
