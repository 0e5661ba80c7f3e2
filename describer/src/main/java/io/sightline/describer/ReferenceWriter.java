package io.sightline.describer;

import static io.sightline.describer.ReferenceTables.*;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write job of a {@link ReferenceStore}: adding, replacing and removing references in one
 * transaction per batch (pages, mentions and document frequencies, shared image vectors), changing
 * statistics, re-extracting every page's entities, and keeping the write generation, the HNSW
 * index and the instance index in step with what the database committed. Every write holds the
 * store's {@link ReferenceStorage#writeLock}.
 */
final class ReferenceWriter {
  /** References written per transaction (the store's batch size). */
  static final int BATCH = 32;

  /** A reference made ready for writing: embedded and with its entities extracted. */
  record Prepared(Reference reference, float[] vector, String imageKey, String location,
      Origin origin, List<PageEntity> entities, ReferenceInstances.Extracted local) {}

  private final ReferenceStorage storage;
  private final ReferenceQueries queries;
  private final Database db;
  private final VectorIndex<String> index;
  private final ReferenceInstances instances;
  private final ReentrantLock writeLock;

  ReferenceWriter(ReferenceStorage storage, ReferenceQueries queries) {
    this.storage = storage;
    this.queries = queries;
    this.db = storage.db;
    this.index = storage.index;
    this.instances = storage.instances;
    this.writeLock = storage.writeLock;
  }

  private String where() {
    return storage.where();
  }

  private void checkOpen() {
    storage.checkWritable();
  }

  EntityExtractor extractorForWrites() {
    EntityExtractor e = storage.extractor;
    if (e != null) {
      return e;
    }
    if (storage.extractorId == null || storage.extractorId.equals(OpenNlpEntityExtractor.ENGLISH_ID)) {
      e = OpenNlpEntityExtractor.english();
      storage.extractor = e;
      return e;
    }
    throw new IllegalStateException(where() + ": this store's entities were extracted with '" + storage.extractorId
        + "'; pass that extractor to ReferenceStore.builder().extractor(...) to add or update references");
  }

  List<AddOutcome> write(List<Prepared> batch) {
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
          if (storage.extractorId == null) {
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
                ps.setBytes(2, io.sightline.core.index.Vectors.toBytes(p.vector()));
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
      storage.extractorId = exId;
      storage.generation++;
      if (!newImages.isEmpty()) {
        List<io.sightline.core.index.IndexItem<String>> items = new ArrayList<>(newImages.size());
        newImages.forEach((k, v) -> items.add(io.sightline.core.index.IndexItem.of(k, v)));
        index.addAll(items); // one commit for an index that commits each write
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





  /** @see ReferenceStore#updateStatistics(String, long, long, long) */
  boolean updateStatistics(String id, long displays, long views, long clicks) {
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

  /** @see ReferenceStore#remove(String) */
  boolean remove(String id) {
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
        storage.generation++;
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

  /** @see ReferenceStore#reextract(EntityExtractor, ProgressListener, CancellationToken) */
  void reextract(EntityExtractor newExtractor, ProgressListener listener, CancellationToken cancel) {
    Objects.requireNonNull(newExtractor, "newExtractor");
    storage.checkWritable();
    writeLock.lock();
    try {
      List<String> ids = queries.ids();
      for (int from = 0; from < ids.size(); from += BATCH * 4) {
        cancel.throwIfCancelled();
        List<String> slice = ids.subList(from, Math.min(ids.size(), from + BATCH * 4));
        Map<String, Reference> refs = new LinkedHashMap<>();
        for (String id : slice) {
          queries.get(id).ifPresent(s -> refs.put(id, s.reference()));
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
        storage.generation++;
        listener.onProgress("describer-reextract", from + slice.size(), ids.size(), "");
      }
      db.transaction(c -> {
        upsertMeta(c, "extractor", newExtractor.id());
        return null;
      });
      storage.extractor = newExtractor;
      storage.extractorId = newExtractor.id();
    } finally {
      writeLock.unlock();
    }
  }
}
