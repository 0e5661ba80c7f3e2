package io.sightline.commerce;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.StoreException;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.instance.LocalFeatureSet;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing job of a {@link ProductCatalog}: validation of rows, embedding and local features,
 * the ordered write of a run (instance features, the database commit with the vectors and a new
 * write generation, the in-memory indexes, the HNSW files with their generation, stale instance
 * entries; see {@link CatalogIndexes}) and removal. Writes are serialised on this object. Package-private.
 */
final class CatalogWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ProductCatalog.class);
  private static final Pattern CATEGORY = Pattern.compile("[\\p{L}\\p{N} _.&'+-]+(/[\\p{L}\\p{N} _.&'+-]+)*");
  private static final List<Intent> SEGMENTS = ProductCatalog.SEGMENTS;

  private final ProductCatalog cat;
  private final ForegroundRegionProposer proposer = new ForegroundRegionProposer();
  /**
   * Told the name of each step of a write as it completes ("instances staged", "committing"
   * inside the transaction, "committed", "indexed", "saved apparel", "generation apparel", ...);
   * crash tests stop the process there.
   */
  static volatile java.util.function.Consumer<String> step = name -> { };

  CatalogWriter(ProductCatalog catalog) {
    this.cat = catalog;
  }

  IndexReport index(List<CatalogEntry> entries, List<RowProblem> problems, ProgressListener listener,
      CancellationToken token) {
    List<CatalogEntry> valid = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    Map<String, String> hashes = new HashMap<>();
    Map<String, List<float[]>> extra = new HashMap<>();
    Set<String> seen = new HashSet<>();
    long done = 0;
    try (CatalogInstances.Staging staged = new CatalogInstances.Staging(cat.dir)) {
      for (CatalogEntry e : entries) {
        token.throwIfCancelled();
        String problem = validate(e, seen);
        if (problem == null) {
          try {
            BufferedImage img = cat.loader.load(e.image());
            float[] v = embed(e.segment(), img);
            if (cat.instances != null) {
              // the same decoded, alpha-flattened image the global embedder saw
              LocalFeatureSet f = cat.instances.extractForCatalog(img, e.id());
              if (f != null) {
                staged.put(e.segment(), e.id(), f);
              }
            }
            List<float[]> more = new ArrayList<>();
            for (int n = 0; n < e.additionalImages().size(); n++) {
              BufferedImage im = cat.loader.load(e.additionalImages().get(n));
              more.add(embed(e.segment(), im));
              if (cat.instances != null) {
                String key = CatalogIndexes.imageKey(e.id(), n + 1);
                LocalFeatureSet lf = cat.instances.extractForCatalog(im, key);
                if (lf != null) {
                  staged.put(e.segment(), key, lf);
                }
              }
            }
            vectors.add(v);
            valid.add(e);
            hashes.put(e.id(), CatalogSync.imageHash(e));
            if (!more.isEmpty()) {
              extra.put(e.id(), more);
            }
          } catch (SightlineException ex) {
            problem = ex.getMessage();
          }
        }
        if (problem != null) {
          problems.add(new RowProblem(e.line(), e.id(), problem));
          LOG.warn("catalog line {} ({}): {}", e.line(), e.id(), problem);
        } else {
          seen.add(e.id());
        }
        listener.onProgress("index", ++done, entries.size(), "");
      }
      token.throwIfCancelled();
      return store(valid, vectors, extra, problems, staged, hashes);
    }
  }

  IndexReport indexVectors(List<CatalogEntry> entries, List<float[]> vectors, ProgressListener listener) {
    if (entries.size() != vectors.size()) {
      throw new IllegalArgumentException(entries.size() + " entries but " + vectors.size() + " vectors");
    }
    List<CatalogEntry> valid = new ArrayList<>();
    List<float[]> vs = new ArrayList<>();
    List<RowProblem> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      CatalogEntry e = entries.get(i);
      String problem = validateFields(e, seen);
      if (problem == null && !e.additionalImages().isEmpty()) {
        problem = "additional images need their image files read: index this row with index(), not indexVectors()";
      }
      if (problem != null) {
        problems.add(new RowProblem(e.line(), e.id(), problem));
      } else {
        seen.add(e.id());
        valid.add(e);
        vs.add(vectors.get(i));
      }
    }
    listener.onProgress("index", entries.size(), entries.size(), "vectors given");
    if (cat.instances != null && !valid.isEmpty()) {
      LOG.warn("catalog {}: {} products indexed from vectors have no local features (images not read); the '{}' "
          + "cat.matcher finds them only by their global vectors", cat.where(), valid.size(), cat.matcher);
    }
    try (CatalogInstances.Staging none = new CatalogInstances.Staging(cat.dir)) {
      return store(valid, vs, Map.of(), problems, none, Map.of());
    }
  }

  /** A catalog image's vector: the segment's embedder, on its main object when the catalog crops. */
  private float[] embed(Intent segment, BufferedImage img) {
    return cat.embedders.get(segment).embed(cat.mainObjectCrop ? MainObject.cropCatalogImage(proposer, img) : img);
  }

  private String validate(CatalogEntry e, Set<String> seen) {
    String p = validateFields(e, seen);
    if (p != null) {
      return p;
    }
    if (!Files.isRegularFile(e.image())) {
      return "image not found: " + e.image();
    }
    for (java.nio.file.Path more : e.additionalImages()) {
      if (!Files.isRegularFile(more)) {
        return "additional image not found: " + more;
      }
      if (more.toAbsolutePath().toString().length() > ProductCatalog.MAX_TEXT_LENGTH) {
        return tooLong("additional image path", more.toAbsolutePath().toString(), ProductCatalog.MAX_TEXT_LENGTH);
      }
    }
    if (e.additionalImages().size() > CatalogEntry.MAX_ADDITIONAL_IMAGES) {
      return e.additionalImages().size() + " additional images, over the limit of " + CatalogEntry.MAX_ADDITIONAL_IMAGES;
    }
    return null;
  }

  private String validateFields(CatalogEntry e, Set<String> seen) {
    if (e.id().isBlank()) {
      return "id is empty";
    }
    if (e.id().indexOf(CatalogIndexes.IMAGE_KEY_SEPARATOR) >= 0) {
      return "id contains the control character U+001F";
    }
    if (e.id().length() > ProductCatalog.MAX_ID_LENGTH) {
      return tooLong("id", e.id(), ProductCatalog.MAX_ID_LENGTH);
    }
    String attrProblem = CatalogCsv.validateAttributes(e);
    if (attrProblem != null) {
      return attrProblem;
    }
    // the column sizes of commerce_products: a longer field would fail the whole commit
    if (e.category().trim().length() > ProductCatalog.MAX_CATEGORY_LENGTH) {
      return tooLong("category", e.category().trim(), ProductCatalog.MAX_CATEGORY_LENGTH);
    }
    if (e.title().length() > ProductCatalog.MAX_TEXT_LENGTH) {
      return tooLong("title", e.title(), ProductCatalog.MAX_TEXT_LENGTH);
    }
    if (e.link().length() > ProductCatalog.MAX_TEXT_LENGTH) {
      return tooLong("link", e.link(), ProductCatalog.MAX_TEXT_LENGTH);
    }
    if (e.image().toAbsolutePath().toString().length() > ProductCatalog.MAX_TEXT_LENGTH) {
      return tooLong("image path", e.image().toAbsolutePath().toString(), ProductCatalog.MAX_TEXT_LENGTH);
    }
    if (seen.contains(e.id())) {
      return "duplicate id '" + e.id() + "' (first occurrence kept)";
    }
    String c = e.category().trim();
    if (c.isEmpty()) {
      return "category is empty";
    }
    if (!CATEGORY.matcher(c).matches()) {
      return "malformed category '" + c + "' (expected words separated by '/')";
    }
    if (cat.knownCategories != null && !isKnown(c)) {
      return "unknown category '" + c + "' (known: " + String.join(", ", new java.util.TreeSet<>(cat.knownCategories)) + ")";
    }
    return null;
  }

  private static String tooLong(String field, String value, int limit) {
    return field + " is " + value.length() + " characters, over the limit of " + limit;
  }

  private boolean isKnown(String category) {
    String c = category.toLowerCase(Locale.ROOT);
    for (String k : cat.knownCategories) {
      String kk = k.toLowerCase(Locale.ROOT);
      if (c.equals(kk) || c.startsWith(kk + "/")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes a run: instance features (before the commit), the database commit, the in-memory
   * indexes, the HNSW files, then stale instance entries are removed (after it); see
   * {@link CatalogInstances} and {@link CatalogIndexes} for why.
   */
  private synchronized IndexReport store(List<CatalogEntry> valid, List<float[]> vectors,
      Map<String, List<float[]>> extra, List<RowProblem> problems, CatalogInstances.Staging staged,
      Map<String, String> hashes) {
    Map<String, Product> existing = cat.products(valid.stream().map(CatalogEntry::id).toList());
    Map<Intent, List<IndexItem<String>>> items = new EnumMap<>(Intent.class);
    Map<Intent, Integer> perSegment = new EnumMap<>(Intent.class);
    for (Intent s : SEGMENTS) {
      items.put(s, new ArrayList<>());
      perSegment.put(s, 0);
    }
    for (int i = 0; i < valid.size(); i++) {
      CatalogEntry e = valid.get(i);
      Intent s = e.segment();
      Map<String, String> attrs = CatalogIndexes.attributes(e.category(), e.attributes());
      items.get(s).add(new IndexItem<>(e.id(), vectors.get(i), attrs));
      List<float[]> more = extra.getOrDefault(e.id(), List.of());
      for (int n = 0; n < more.size(); n++) {
        items.get(s).add(new IndexItem<>(CatalogIndexes.imageKey(e.id(), n + 1), more.get(n), attrs));
      }
      perSegment.merge(s, 1, Integer::sum);
    }
    // validate every vector before touching anything stored
    for (Intent s : SEGMENTS) {
      for (IndexItem<String> it : items.get(s)) {
        io.sightline.core.index.Vectors.check(it.vector(), cat.indexes.get(s).dimension());
      }
    }
    if (cat.instances != null) {
      cat.instances.add(staged);
    }
    step.accept("instances staged");
    // 1. the database commit is the truth: rows with their vectors and the next write generation
    long generation = cat.db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("MERGE INTO commerce_products (id, image, category, title, link, segment, "
          + "local_features, local_extent, attributes, image_hash, vector) KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        int n = 0;
        for (int i = 0; i < valid.size(); i++) {
          CatalogEntry e = valid.get(i);
          ps.setString(1, e.id());
          ps.setString(2, e.image().toAbsolutePath().toString());
          ps.setString(3, e.category().trim());
          ps.setString(4, e.title());
          ps.setString(5, e.link());
          ps.setString(6, e.segment().label());
          CatalogInstances.Entry lf = staged.entry(e.id());
          if (lf == null) {
            ps.setNull(7, java.sql.Types.INTEGER);
            ps.setNull(8, java.sql.Types.VARCHAR);
          } else {
            ps.setInt(7, lf.keypoints());
            ps.setString(8, lf.extent());
          }
          ps.setString(9, CatalogCsv.encode(e.attributes()));
          ps.setString(10, hashes.get(e.id()));
          ps.setBytes(11, io.sightline.core.index.Vectors.toBytes(vectors.get(i)));
          ps.addBatch();
          if (++n % 1000 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      writeAdditionalImages(c, valid, extra, staged);
      step.accept("committing");
      return CatalogIndexes.bump(c);
    });
    step.accept("committed");
    // 2. the in-memory indexes: searches see the new state from here on
    CatalogIndexes.Delta delta = new CatalogIndexes.Delta();
    for (CatalogEntry e : valid) {
      if (existing.containsKey(e.id())) {
        // the product's previous images, in either segment, give way to this run's
        removeAdditionalImages(e.id(), delta);
        Intent other = e.segment() == Intent.APPAREL ? Intent.OTHER_COMMODITY : Intent.APPAREL;
        if (existing.get(e.id()).segment() == other) {
          cat.indexes.get(other).remove(e.id());
          delta.remove(other, e.id());
        }
      }
    }
    for (Intent s : SEGMENTS) {
      if (!items.get(s).isEmpty()) {
        addParallel(cat.indexes.get(s), items.get(s));
        delta.add(s, items.get(s));
      }
    }
    step.accept("indexed");
    // 3. the index files (changes appended to their logs), each followed by the generation it
    // reflects; a crash before this ends leaves a file behind the database, which the next open
    // rebuilds from the stored vectors
    CatalogIndexes.save(cat.dir, cat.indexes, cat.onFactoryIndex, delta, generation, step);
    List<String> withoutLocal = new ArrayList<>();
    if (cat.instances != null) {
      for (CatalogEntry e : valid) {
        boolean has = staged.entry(e.id()) != null;
        cat.instances.removeExcept(e.id(), has ? e.segment() : null);
        for (int n = 1; n <= CatalogEntry.MAX_ADDITIONAL_IMAGES; n++) {
          String key = CatalogIndexes.imageKey(e.id(), n);
          cat.instances.removeExcept(key, staged.entry(key) != null ? e.segment() : null);
        }
        if (!has) {
          withoutLocal.add(e.id());
        }
      }
    }
    int replaced = existing.size();
    int total = cat.size();
    LOG.info("catalog {}: {} products stored ({} replaced, {} without local features), {} rows left out; {} in all",
        cat.where(), valid.size(), replaced, withoutLocal.size(), problems.size(), total);
    return new IndexReport(valid.size(), replaced, perSegment, problems, total, cat.matcher, withoutLocal);
  }

  /** Replaces the stored additional images of the products of a run (inside its transaction). */
  private static void writeAdditionalImages(java.sql.Connection c, List<CatalogEntry> valid,
      Map<String, List<float[]>> extra, CatalogInstances.Staging staged) throws java.sql.SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM commerce_images WHERE product_id = ?");
        PreparedStatement ins = c.prepareStatement("INSERT INTO commerce_images (image_key, product_id, segment, image, "
            + "vector, local_features, local_extent) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (CatalogEntry e : valid) {
        del.setString(1, e.id());
        del.addBatch();
        List<float[]> more = extra.getOrDefault(e.id(), List.of());
        for (int n = 0; n < more.size(); n++) {
          ins.setString(1, CatalogIndexes.imageKey(e.id(), n + 1));
          ins.setString(2, e.id());
          ins.setString(3, e.segment().label());
          ins.setString(4, e.additionalImages().get(n).toAbsolutePath().toString());
          ins.setBytes(5, io.sightline.core.index.Vectors.toBytes(more.get(n)));
          CatalogInstances.Entry lf = staged.entry(CatalogIndexes.imageKey(e.id(), n + 1));
          if (lf == null) {
            ins.setNull(6, java.sql.Types.INTEGER);
            ins.setNull(7, java.sql.Types.VARCHAR);
          } else {
            ins.setInt(6, lf.keypoints());
            ins.setString(7, lf.extent());
          }
          ins.addBatch();
        }
      }
      del.executeBatch();
      ins.executeBatch();
    }
  }

  /** Removes a product's additional images from both in-memory indexes, recording each in {@code delta}. */
  private void removeAdditionalImages(String id, CatalogIndexes.Delta delta) {
    for (Intent s : SEGMENTS) {
      VectorIndex<String> idx = cat.indexes.get(s);
      for (int n = 1; n <= CatalogEntry.MAX_ADDITIONAL_IMAGES; n++) {
        String key = CatalogIndexes.imageKey(id, n);
        if (idx.remove(key)) {
          delta.remove(s, key);
        }
      }
    }
  }

  /**
   * Inserts into an HNSW graph from {@code indexThreads} threads (hnswlib supports concurrent
   * inserts); another index (one from a factory) takes the batch at once, as one commit.
   */
  private void addParallel(VectorIndex<String> idx, List<IndexItem<String>> items) {
    if (items.isEmpty()) {
      return;
    }
    if (!(idx instanceof HnswVectorIndex) || cat.indexThreads < 2 || items.size() < 2_000) {
      idx.addAll(items);
      return;
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(cat.indexThreads, r -> {
      Thread t = new Thread(r, "commerce-index");
      t.setDaemon(true);
      return t;
    });
    try {
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < cat.indexThreads; t++) {
        futures.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < items.size()) {
            IndexItem<String> it = items.get(i);
            idx.add(it.id(), it.vector(), it.attributes());
          }
        }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.sightline.core.CancelledException("indexing interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException re ? re : new StoreException("indexing failed: " + c, c);
    } finally {
      pool.shutdownNow();
    }
  }

  synchronized List<String> remove(Collection<String> ids) {
    Map<String, Product> found = cat.products(ids);
    List<String> removed = new ArrayList<>();
    for (String id : new LinkedHashSet<>(ids)) {
      if (found.containsKey(id)) {
        removed.add(id);
      }
    }
    if (removed.isEmpty()) {
      return removed;
    }
    long generation = cat.db.transaction(c -> {
      for (String table : List.of("DELETE FROM commerce_products WHERE id = ?",
          "DELETE FROM commerce_images WHERE product_id = ?")) {
        try (PreparedStatement ps = c.prepareStatement(table)) {
          for (String id : removed) {
            ps.setString(1, id);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      return CatalogIndexes.bump(c);
    });
    step.accept("committed");
    CatalogIndexes.Delta delta = new CatalogIndexes.Delta();
    for (String id : removed) {
      Intent s = found.get(id).segment();
      cat.indexes.get(s).remove(id);
      delta.remove(s, id);
      removeAdditionalImages(id, delta);
      if (cat.instances != null) {
        cat.instances.removeExcept(id, null);
        for (int n = 1; n <= CatalogEntry.MAX_ADDITIONAL_IMAGES; n++) {
          cat.instances.removeExcept(CatalogIndexes.imageKey(id, n), null);
        }
      }
    }
    step.accept("indexed");
    CatalogIndexes.save(cat.dir, cat.indexes, cat.onFactoryIndex, delta, generation, step);
    LOG.info("catalog {}: {} products removed", cat.where(), removed.size());
    return removed;
  }
}
