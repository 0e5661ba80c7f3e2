package io.sightline.commerce;

import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import io.sightline.core.store.Database;
import io.sightline.core.store.IndexGeneration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog's write protocol for a segment kept in an index from a {@link VectorIndexFactory}
 * (an on-disk Lucene index, say) instead of an HNSW file. The database stays the truth, as in
 * {@link CatalogIndexes}: every write commits there first, then the index commits the same
 * changes itself, then the write generation is recorded in a sidecar of the segment's marker
 * ({@code apparel.vectors.gen} in the catalog folder). On open, an index at the database's
 * generation that holds as many entries as the database, including sampled stored ids, is used
 * as it is; one behind it (a crash between the two commits, an index opened without the
 * catalog, a new factory) is brought up to the database entry by entry: entries the database
 * does not hold are removed, missing ones and ones whose vector or attributes differ are written
 * again. A marker ahead of the database means the database lost commits: refused, as for files.
 * A read-only catalog uses the factory's read-only index only when it is at the database's
 * generation and holds its entries; otherwise it builds its own in the heap. Package-private.
 */
final class CatalogFactoryIndexes {
  private static final Logger LOG = LoggerFactory.getLogger(ProductCatalog.class);

  private CatalogFactoryIndexes() {}

  /** @return the path whose generation sidecar records the state of a segment's factory-made index */
  static Path marker(Path dir, Intent segment) {
    return dir.resolve(segment.label() + ".vectors");
  }

  /**
   * Opens a segment's index from its factory and brings it up to the database.
   *
   * @return the index; null when a read-only catalog must build its own
   */
  static VectorIndex<String> open(Path dir, Database db, Intent s, ImageEmbedder e, VectorIndexFactory f,
      long generation, boolean readOnly) {
    Path marker = marker(dir, s);
    OptionalLong saved = IndexGeneration.read(marker);
    if (readOnly && saved.isPresent() && saved.getAsLong() > generation) {
      // another process committed and recorded since the generation was read
      generation = db.transaction(CatalogIndexes::generation);
    }
    if (saved.isPresent() && saved.getAsLong() > generation) {
      throw new StoreException("catalog " + dir + ": the database is at write generation " + generation + " but the "
          + s + " vector index was brought to generation " + saved.getAsLong() + ": the database file lost commits"
          + " (truncated, or restored from an older copy). Nothing was served. If you restored it on purpose, delete "
          + IndexGeneration.sidecar(marker).getFileName() + " to bring the vector index back to the database");
    }
    String where = "catalog " + dir + " (" + s + ")";
    if (readOnly) {
      Optional<VectorIndex<String>> ro = f.openReadOnly(e.dimension(), Metric.COSINE, e.id());
      if (ro.isEmpty()) {
        return null;
      }
      VectorIndex<String> idx = ro.get();
      try {
        VectorIndexFactory.requireMatching(idx, e.dimension(), Metric.COSINE, e.id(), where);
        String why = behind(saved, generation);
        if (why == null) {
          why = CatalogIndexes.disagreement(db, s, idx);
        }
        if (why == null) {
          return idx;
        }
        LOG.info("{}: vector index {} is {}; building the index in memory (opened read-only; the writing catalog"
            + " brings it up to date when it opens)", where, idx, why);
      } catch (RuntimeException ex) {
        idx.close();
        throw ex;
      }
      idx.close();
      return null;
    }
    VectorIndex<String> idx = f.open(e.dimension(), Metric.COSINE, e.id());
    try {
      VectorIndexFactory.requireMatching(idx, e.dimension(), Metric.COSINE, e.id(), where);
      String why = behind(saved, generation);
      if (why == null) {
        why = CatalogIndexes.disagreement(db, s, idx);
      }
      if (why != null) {
        reconcile(db, s, idx, marker, where, why);
        IndexGeneration.write(marker, generation);
      }
      return idx;
    } catch (RuntimeException ex) {
      idx.close();
      throw ex;
    }
  }

  /** @return why the recorded generation does not stand for the database's, or null when it does */
  private static String behind(OptionalLong saved, long generation) {
    if (saved.isEmpty()) {
      return generation == 0 ? null : "without a generation record";
    }
    return saved.getAsLong() < generation
        ? "at write generation " + saved.getAsLong() + ", behind the database's " + generation : null;
  }

  /** Brings the index to exactly the segment's stored entries, writing only what differs. */
  private static void reconcile(Database db, Intent s, VectorIndex<String> idx, Path marker, String where,
      String why) {
    List<IndexItem<String>> stored = CatalogIndexes.storedItems(db, s, marker, why);
    Set<String> keys = new HashSet<>();
    List<IndexItem<String>> write = new ArrayList<>();
    for (IndexItem<String> it : stored) {
      keys.add(it.id());
      if (!idx.holds(it)) {
        write.add(it);
      }
    }
    int removed = 0;
    for (String k : idx.keys()) {
      if (!keys.contains(k) && idx.remove(k)) {
        removed++;
      }
    }
    if (!write.isEmpty()) {
      idx.addAll(write);
    }
    LOG.warn("{}: vector index {} was {}; brought up to the database ({} entries written, {} removed, {} kept)",
        where, idx, why, write.size(), removed, stored.size() - write.size());
  }
}
