package io.sightline.describer;

import static io.sightline.describer.ReferenceTables.*;

import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.Vectors;
import io.sightline.core.instance.Matcher;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The query job of a {@link ReferenceStore}: nearest references of a target (global HNSW
 * similarity, verified by the instance index under LOCAL and HYBRID), the evidence a description
 * needs read in one snapshot, stored entities of pages, document frequencies of entities, and
 * lookups of stored references and counts. Reads take no lock; they run concurrently with writes
 * (the index is concurrent and H2 gives each read a consistent snapshot).
 */
final class ReferenceQueries {
  private final ReferenceStorage storage;
  private final Database db;
  private final ImageEmbedder embedder;
  private final VectorIndex<String> index;
  private final ReferenceInstances instances;

  ReferenceQueries(ReferenceStorage storage) {
    this.storage = storage;
    this.db = storage.db;
    this.embedder = storage.embedder;
    this.index = storage.index;
    this.instances = storage.instances;
  }

  private void checkOpen() {
    storage.checkOpen();
  }

  private String where() {
    return storage.where();
  }

  /** @see ReferenceStore#match(float[], int, double) */
  List<ReferenceMatch> match(float[] query, int topImages, double minSimilarity) {
    checkOpen();
    List<ReferenceInstances.Hit> hits = globalHits(nearest(query, topImages, minSimilarity));
    if (hits.isEmpty()) {
      return List.of();
    }
    return db.transaction(c -> matches(c, hits));
  }

  /** @see ReferenceStore#match(BufferedImage, Matcher, int, double) */
  List<ReferenceMatch> match(BufferedImage image, Matcher matcher, int topImages, double minSimilarity) {
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


  ReferenceStore.Evidence evidence(float[] query, int topImages, double minSimilarity, boolean withEntities) {
    checkOpen();
    return evidence(globalHits(nearest(query, topImages, minSimilarity)), withEntities);
  }

  /**
   * @param image the target
   * @param vector its vector (null under LOCAL)
   * @param m the matcher
   */
  ReferenceStore.Evidence evidence(BufferedImage image, float[] vector, Matcher m, int topImages, double minSimilarity,
      boolean withEntities) {
    checkOpen();
    return evidence(hits(image, vector, m, topImages, minSimilarity), withEntities);
  }

  private ReferenceStore.Evidence evidence(List<ReferenceInstances.Hit> hits, boolean withEntities) {
    if (hits.isEmpty()) {
      return new ReferenceStore.Evidence(List.of(), Map.of(), Map.of(), 0);
    }
    return db.transaction(c -> {
      List<ReferenceMatch> m = matches(c, hits);
      if (!withEntities || m.isEmpty()) {
        return new ReferenceStore.Evidence(m, Map.of(), Map.of(), countRefs(c));
      }
      Map<String, List<PageEntity>> ents = ReferenceTables.entities(c, m.stream().map(ReferenceMatch::id).toList());
      Set<String> keys = new LinkedHashSet<>();
      ents.values().forEach(l -> l.forEach(e -> keys.add(e.key())));
      return new ReferenceStore.Evidence(m, ents, ReferenceTables.documentFrequency(c, keys), countRefs(c));
    });
  }



  /** @see ReferenceStore#entities(Collection) */
  Map<String, List<PageEntity>> entities(Collection<String> refIds) {
    if (refIds.isEmpty()) {
      return Map.of();
    }
    return db.transaction(c -> ReferenceTables.entities(c, refIds));
  }


  /** @see ReferenceStore#documentFrequency(Collection) */
  Map<String, Integer> documentFrequency(Collection<String> keys) {
    if (keys.isEmpty()) {
      return Map.of();
    }
    return db.transaction(c -> ReferenceTables.documentFrequency(c, keys));
  }


  /** @see ReferenceStore#get(String) */
  Optional<StoredReference> get(String id) {
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
  List<String> ids() {
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
  int size() {
    return count("SELECT COUNT(*) FROM describer_refs");
  }

  /** @return number of distinct images (vectors) */
  int imageCount() {
    return count("SELECT COUNT(*) FROM describer_images");
  }

  /** @return number of vectors in the search index (equals {@link #imageCount()}) */
  int indexedImageCount() {
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
}
