package io.sightline.commerce;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.core.index.Vectors;
import io.sightline.core.store.Database;
import io.sightline.core.store.IndexGeneration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's write protocol between its database and its two HNSW files. The database is the
 * truth: every product row holds its vector, and every write (index, remove) increments a write
 * generation in the same transaction. Index files are saved only after that commit, each followed
 * by a sidecar with the generation it reflects ({@link IndexGeneration}). On open a segment's file
 * is used when its generation equals the database's and its content agrees with the database
 * (size, stored ids); otherwise (behind after a crash, missing, unreadable, a file copied in from
 * another store) it is rebuilt from the stored vectors. A file saved at a later generation than
 * the database's means the database lost commits (a truncated file, a restored backup): the open
 * is refused, never served. Package-private.
 */
final class CatalogIndexes {
  private static final Logger LOG = LoggerFactory.getLogger(ProductCatalog.class);
  /** Metadata key of the write generation. */
  static final String GENERATION_KEY = "generation";
  /** Stored ids compared with a loaded index file. */
  private static final int SAMPLED_IDS = 32;

  private CatalogIndexes() {}

  /** Separates a product id from the number of one of its additional images in an index key. */
  static final char IMAGE_KEY_SEPARATOR = '\u001F';

  /** @return the index key of a product's {@code n}-th additional image (n from 1) */
  static String imageKey(String productId, int n) {
    return productId + IMAGE_KEY_SEPARATOR + n;
  }

  /** @return the product an index key belongs to (the key itself for a product's main image) */
  static String productOf(String key) {
    int i = key.indexOf(IMAGE_KEY_SEPARATOR);
    return i < 0 ? key : key.substring(0, i);
  }

  static Path file(Path dir, Intent segment) {
    return dir.resolve(segment.label() + ".hnsw");
  }

  /**
   * Opens (or rebuilds) both segment indexes; see the class comment. A segment with a factory
   * gets the factory's index, brought up to the database ({@link CatalogFactoryIndexes}).
   */
  static Map<Intent, VectorIndex<String>> open(Path dir, Database db, Map<Intent, ImageEmbedder> embedders,
      Map<Intent, VectorIndexFactory> factories, int m, int efConstruction, int ef, boolean readOnly) {
    long generation = db.transaction(CatalogIndexes::generation);
    Map<Intent, VectorIndex<String>> out = new EnumMap<>(Intent.class);
    try {
      for (Intent s : ProductCatalog.SEGMENTS) {
        ImageEmbedder e = embedders.get(s);
        VectorIndexFactory f = factories.get(s);
        VectorIndex<String> idx;
        if (f == null) {
          idx = openSegment(dir, db, s, e, generation, m, efConstruction, ef, readOnly);
        } else {
          idx = CatalogFactoryIndexes.open(dir, db, s, e, f, generation, readOnly);
          if (idx == null) {
            // read-only beside a writer whose index does not hold the database's state yet
            idx = inHeap(db, s, e, m, efConstruction, ef, null, "not usable read-only");
          }
        }
        out.put(s, idx);
      }
    } catch (RuntimeException e) {
      out.values().forEach(VectorIndex::close);
      throw e;
    }
    return out;
  }

  /** A segment file's recorded generation (empty: none) and the database generation it is checked against. */
  record SavedState(OptionalLong saved, long generation) {}

  /**
   * Reads a segment file's generation sidecar once and checks it against the database. The single
   * read comes before any re-read of the database's generation: a writer commits before it saves,
   * so a generation read after the sidecar is never behind it unless the database lost commits
   * (a second sidecar read could see a save newer than the re-read and refuse a sound catalog).
   *
   * @param generation the database's generation read when the catalog opened
   * @param readOnly whether another process may be writing: then a sidecar ahead of
   *     {@code generation} makes the database's generation be read again
   * @return the sidecar's generation and the database generation to compare the file with
   * @throws StoreException when the file was saved at a later generation than the database holds
   */
  static SavedState savedState(Path dir, Path file, java.util.function.Supplier<OptionalLong> sidecar, long generation,
      boolean readOnly, java.util.function.LongSupplier databaseGeneration) {
    OptionalLong saved = sidecar.get();
    if (readOnly && saved.isPresent() && saved.getAsLong() > generation) {
      // another process committed and saved since the generation was read
      generation = databaseGeneration.getAsLong();
    }
    if (saved.isPresent() && saved.getAsLong() > generation) {
      throw new StoreException("catalog " + dir + ": the database is at write generation " + generation + " but "
          + file.getFileName() + " was saved at generation " + saved.getAsLong() + ": the database file lost commits"
          + " (truncated, or restored from an older copy). Nothing was served. If you restored it on purpose, delete "
          + file.getFileName() + ", " + SegmentLog.of(file).getFileName() + " and " + IndexGeneration.sidecar(file).getFileName()
          + " to rebuild the index from the database");
    }
    return new SavedState(saved, generation);
  }

  /** @return an in-heap index of the segment's stored vectors (never saved) */
  static HnswVectorIndex<String> inHeap(Database db, Intent s, ImageEmbedder e, int m, int efConstruction, int ef,
      Path file, String why) {
    HnswVectorIndex<String> idx = emptyIndex(e, m, efConstruction, ef);
    idx.addAll(storedItems(db, s, file, why));
    return idx;
  }

  private static HnswVectorIndex<String> emptyIndex(ImageEmbedder e, int m, int efConstruction, int ef) {
    return HnswVectorIndex.builder().dimension(e.dimension()).embedderId(e.id()).metric(Metric.COSINE).m(m)
        .efConstruction(efConstruction).ef(ef).build();
  }

  private static HnswVectorIndex<String> openSegment(Path dir, Database db, Intent s, ImageEmbedder e, long generation,
      int m, int efConstruction, int ef, boolean readOnly) {
    if (dir == null) {
      // in memory: the index holds what the database holds, and is never saved
      return inHeap(db, s, e, m, efConstruction, ef, null, "in memory");
    }
    Path file = file(dir, s);
    SavedState state = savedState(dir, file, () -> IndexGeneration.read(file), generation, readOnly,
        () -> db.transaction(CatalogIndexes::generation));
    OptionalLong saved = state.saved();
    generation = state.generation();
    HnswVectorIndex<String> loaded = null;
    String why;
    if (!Files.exists(file)) {
      why = "missing";
    } else {
      try {
        loaded = HnswVectorIndex.load(file, String.class, e.id());
        // the changes appended since the file was last saved whole
        SegmentLog.replay(SegmentLog.of(file), loaded, !readOnly);
        why = null;
      } catch (IncompatibleFormatException ex) {
        throw ex;
      } catch (StoreException ex) {
        why = "unreadable (" + ex.getMessage() + ")";
      }
    }
    if (loaded != null && loaded.dimension() != e.dimension()) {
      throw new IncompatibleFormatException(file + ": holds " + loaded.dimension()
          + "-d vectors but the " + s + " embedder gives " + e.dimension());
    }
    if (loaded != null) {
      String foreign = disagreement(db, s, loaded);
      if (foreign != null) {
        why = "not this database's (" + foreign + ")";
      } else if (saved.isEmpty() && readOnly) {
        why = "without its generation record (open the catalog for writing once to record it)";
      } else if (saved.isEmpty()) {
        // a catalog from before write generations: its file is the only copy of older vectors
        if (backfill(db, s, loaded) > 0) {
          IndexGeneration.write(file, generation);
          why = null;
        } else {
          why = "without its generation record";
        }
      } else if (saved.getAsLong() < generation) {
        why = "at write generation " + saved.getAsLong() + ", behind the database's " + generation;
      }
      if (why == null) {
        loaded.setEf(ef);
        return loaded;
      }
    }
    HnswVectorIndex<String> idx = emptyIndex(e, m, efConstruction, ef);
    List<IndexItem<String>> items = storedItems(db, s, file, why);
    if (items.isEmpty() && !Files.exists(file)) {
      return idx;
    }
    if (readOnly) {
      // a writer may be between its commit and its save: this process builds its own copy
      LOG.info("catalog {}: {} is {}; building the index in memory from the {} vectors in the database (opened"
          + " read-only)", dir, file.getFileName(), why, items.size());
      idx.addAll(items);
      return idx;
    }
    LOG.warn("catalog {}: {} is {}; rebuilding it from the {} vectors in the database", dir, file.getFileName(), why,
        items.size());
    idx.addAll(items);
    idx.save(file);
    SegmentLog.clear(SegmentLog.of(file));
    IndexGeneration.write(file, generation);
    return idx;
  }

  /**
   * Why a loaded file does not belong to this database: another size, or a stored id missing.
   *
   * @return what disagrees, or null when the file fits
   */
  static String disagreement(Database db, Intent s, VectorIndex<String> idx) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT COUNT(*) FROM commerce_products WHERE segment = ?)"
          + " + (SELECT COUNT(*) FROM commerce_images WHERE segment = ?)")) {
        ps.setString(1, s.label());
        ps.setString(2, s.label());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) != idx.size()) {
            return "it holds " + idx.size() + " vectors, the database " + rs.getInt(1) + " " + s + " product images";
          }
        }
      }
      // the first ids of the segment index (no ORDER BY: sorting made H2 read every row of the
      // segment, vectors included, about 10 s per million products)
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM commerce_products WHERE segment = ? FETCH FIRST " + SAMPLED_IDS + " ROWS ONLY")) {
        ps.setString(1, s.label());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (!idx.contains(rs.getString(1))) {
              return "stored product " + rs.getString(1) + " is not in it";
            }
          }
        }
      }
      return null;
    });
  }

  /**
   * Stores the vectors of rows written before vectors were kept in the database.
   *
   * @return how many rows were filled in
   */
  private static int backfill(Database db, Intent s, HnswVectorIndex<String> idx) {
    int n = db.transaction(c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id FROM commerce_products WHERE segment = ? AND vector IS NULL")) {
        ps.setString(1, s.label());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE commerce_products SET vector = ? WHERE id = ?")) {
        for (String id : ids) {
          ps.setBytes(1, Vectors.toBytes(idx.vector(id).orElseThrow()));
          ps.setString(2, id);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return ids.size();
    });
    if (n > 0) {
      LOG.info("catalog: stored the vectors of {} {} products in the database", n, s);
    }
    return n;
  }

  static List<IndexItem<String>> storedItems(Database db, Intent s, Path file, String why) {
    return db.transaction(c -> {
      List<IndexItem<String>> items = new ArrayList<>();
      List<String> without = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, vector, category, attributes FROM commerce_products WHERE segment = ?")) {
        ps.setString(1, s.label());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            byte[] v = rs.getBytes(2);
            if (v == null) {
              without.add(rs.getString(1));
              continue;
            }
            items.add(new IndexItem<>(rs.getString(1), Vectors.fromBytes(v),
                attributes(rs.getString(3), CatalogCsv.decode(rs.getString(4)))));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT i.image_key, i.vector, p.category, p.attributes "
          + "FROM commerce_images i JOIN commerce_products p ON p.id = i.product_id WHERE i.segment = ?")) {
        ps.setString(1, s.label());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            items.add(new IndexItem<>(rs.getString(1), Vectors.fromBytes(rs.getBytes(2)),
                attributes(rs.getString(3), CatalogCsv.decode(rs.getString(4)))));
          }
        }
      }
      if (!without.isEmpty()) {
        throw new StoreException(file + " is " + why + ", and " + without.size() + " " + s + " products (e.g. '"
            + without.get(0) + "') were indexed before their vectors were kept in the database, so it cannot be "
            + "rebuilt; restore the file or re-run indexing into a fresh folder");
      }
      return items;
    });
  }

  /** The attributes an index entry carries: the product's extra columns and its category. */
  static Map<String, String> attributes(String category, Map<String, String> extra) {
    Map<String, String> attrs = new HashMap<>(extra);
    attrs.put(ProductFilter.CATEGORY, category.trim());
    return attrs;
  }

  /** @return the database's write generation (0 before the first write) */
  static long generation(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT v FROM commerce_meta WHERE k = ?")) {
      ps.setString(1, GENERATION_KEY);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Long.parseLong(rs.getString(1)) : 0L;
      }
    }
  }

  /** Increments the write generation inside the caller's transaction. @return the new one */
  static long bump(Connection c) throws SQLException {
    long next = generation(c) + 1;
    try (PreparedStatement ps = c.prepareStatement("MERGE INTO commerce_meta (k, v) KEY (k) VALUES (?, ?)")) {
      ps.setString(1, GENERATION_KEY);
      ps.setString(2, Long.toString(next));
      ps.executeUpdate();
    }
    return next;
  }

  /** The changes one write made to the in-memory segment indexes, in order, for the segment logs. */
  static final class Delta {
    private final Map<Intent, List<SegmentLog.Op>> ops = new EnumMap<>(Intent.class);

    /** Records items added (or replaced) in a segment. */
    void add(Intent segment, List<IndexItem<String>> items) {
      List<SegmentLog.Op> list = ops.computeIfAbsent(segment, x -> new ArrayList<>());
      items.forEach(it -> list.add(SegmentLog.Op.add(it)));
    }

    /** Records a key removed from a segment. */
    void remove(Intent segment, String key) {
      ops.computeIfAbsent(segment, x -> new ArrayList<>()).add(SegmentLog.Op.remove(key));
    }

    /** @return the changes to a segment, in order */
    List<SegmentLog.Op> ops(Intent segment) {
      return ops.getOrDefault(segment, List.of());
    }
  }

  /**
   * Makes the segment files reflect a committed write, then records the generation beside every
   * segment's file; called after the commit of that generation. A segment the write changed gets
   * its changes appended to its log ({@link SegmentLog}); it is saved whole when it has no file
   * yet or when its log has grown past a quarter of the file or about 5,000 records (the log is
   * then emptied). A segment on a factory-made index has its changes committed by that index
   * already and only records the generation. Nothing for an in-memory catalog ({@code dir} null).
   */
  static void save(Path dir, Map<Intent, VectorIndex<String>> indexes, Set<Intent> onFactoryIndex, Delta delta,
      long generation, java.util.function.Consumer<String> step) {
    if (dir == null) {
      return; // an in-memory catalog has no files
    }
    for (Intent s : ProductCatalog.SEGMENTS) {
      if (onFactoryIndex.contains(s)) {
        IndexGeneration.write(CatalogFactoryIndexes.marker(dir, s), generation);
        step.accept("generation " + s.label());
        continue;
      }
      Path file = file(dir, s);
      Path log = SegmentLog.of(file);
      List<SegmentLog.Op> ops = delta.ops(s);
      if (!Files.exists(file)) {
        indexes.get(s).save(file);
        SegmentLog.clear(log);
        step.accept("saved " + s.label());
      } else if (!ops.isEmpty()) {
        SegmentLog.append(log, indexes.get(s).dimension(), ops);
        if (SegmentLog.dueForCompaction(log, file, indexes.get(s).dimension())) {
          indexes.get(s).save(file);
          SegmentLog.clear(log);
          LOG.debug("catalog {}: {} saved whole, its log emptied", dir, file.getFileName());
        }
        step.accept("saved " + s.label());
      }
      IndexGeneration.write(file, generation);
      step.accept("generation " + s.label());
    }
  }
}
