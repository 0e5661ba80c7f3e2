package io.sightline.commerce;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.instance.Matcher;
import io.sightline.core.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a catalog stores in its database ({@code commerce_meta}) and checks on open: the
 * embedder of each segment, the matcher, whether catalog images are cropped to their main object;
 * and the folder check made before anything is created. Package-private.
 */
final class CatalogSettings {
  private static final List<Intent> SEGMENTS = ProductCatalog.SEGMENTS;
  /** The catalog, for messages. */
  private final String where;
  private final Database db;
  /** A read-only catalog decides in memory and writes no settings. */
  private final boolean readOnly;
  private final CatalogRows rows;

  CatalogSettings(String where, Database db, CatalogRows rows, boolean readOnly) {
    this.where = where;
    this.readOnly = readOnly;
    this.db = db;
    this.rows = rows;
  }

  private int size() {
    return rows.size();
  }

  void checkEmbedders(Map<Intent, ImageEmbedder> embedders) {
    Map<String, String> meta = meta();
    Map<String, String> put = new LinkedHashMap<>();
    for (Intent s : SEGMENTS) {
      String key = "embedder." + s.label();
      String have = meta.get(key);
      String want = embedders.get(s).id();
      if (have == null) {
        put.put(key, want);
      } else if (!have.equals(want)) {
        throw new IncompatibleFormatException("catalog " + where + ": the " + s + " index was built with embedder '"
            + have + "', not '" + want + "'; search it with the same embedder or build a new catalog");
      }
    }
    if (!put.isEmpty() && !readOnly) {
      db.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("MERGE INTO commerce_meta (k, v) KEY (k) VALUES (?, ?)")) {
          for (Map.Entry<String, String> e : put.entrySet()) {
            ps.setString(1, e.getKey());
            ps.setString(2, e.getValue());
            ps.addBatch();
          }
          ps.executeBatch();
        }
        return null;
      });
    }
  }

  Map<String, String> meta() {
    return db.transaction(c -> {
      Map<String, String> m = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT k, v FROM commerce_meta");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          m.put(rs.getString(1), rs.getString(2));
        }
      }
      return m;
    });
  }

  void putMeta(String key, String value) {
    if (readOnly) {
      return;
    }
    db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("MERGE INTO commerce_meta (k, v) KEY (k) VALUES (?, ?)")) {
        ps.setString(1, key);
        ps.setString(2, value);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /**
   * The crop a catalog was built with: the stored one; for a new catalog the requested one
   * (default whole); a filled catalog from before the setting existed is "whole".
   */
  boolean resolveCrop(Boolean requested) {
    String have = meta().get(ProductCatalog.CROP_KEY);
    if (have == null) {
      boolean use = size() == 0 && Boolean.TRUE.equals(requested);
      if (size() > 0 && Boolean.TRUE.equals(requested)) {
        throw new IncompatibleFormatException("catalog " + where + " embeds whole catalog images; it cannot be opened "
            + "with cropToMainObject(true); build a new catalog for that");
      }
      putMeta(ProductCatalog.CROP_KEY, use ? "main-object" : "whole");
      return use;
    }
    boolean stored = have.equals("main-object");
    if (requested != null && requested != stored && size() > 0) {
      throw new IncompatibleFormatException("catalog " + where + " was built with " + (stored ? "main-object crops" : "whole images")
          + " of its products; open it with cropToMainObject(" + stored + ") or build a new catalog");
    }
    if (requested != null && requested != stored) {
      putMeta(ProductCatalog.CROP_KEY, requested ? "main-object" : "whole");
      return requested;
    }
    return stored;
  }

  /** Resolves the matcher (see {@link Matcher#resolve}) and stores it when it changed. */
  Matcher resolveMatcher(Matcher requested) {
    String have = meta().get(ProductCatalog.MATCHER_KEY);
    Matcher use = CatalogInstances.resolve(have, size() == 0, requested, "catalog " + where);
    if (!use.id().equals(have)) {
      putMeta(ProductCatalog.MATCHER_KEY, use.id());
    }
    return use;
  }

  /**
   * Refuses to open (and so to create) a catalog in a folder that holds another store's database,
   * such as a describer store's {@code references.mv.db}, or, when {@code mustExist}, in a folder
   * without a catalog: nothing is written there.
   */
  static void refuseForeignFolder(Path dir, boolean mustExist) {
    if (ProductCatalog.exists(dir)) {
      return;
    }
    List<String> foreign = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (java.util.stream.Stream<Path> s = Files.list(dir)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".mv.db")).sorted().forEach(foreign::add);
      } catch (java.io.IOException e) {
        throw new StoreException(dir + ": cannot list the catalog folder: " + e.getMessage(), e);
      }
    } else if (Files.exists(dir)) {
      throw new StoreException(dir + ": not a folder, so not a product catalog");
    }
    if (!foreign.isEmpty()) {
      String what = foreign.contains("references.mv.db") ? " (a describer reference store)" : "";
      throw new StoreException(dir + ": not a product catalog: it holds " + String.join(", ", foreign) + what
          + " and no " + ProductCatalog.DB_FILE + "; use another folder for the catalog");
    }
    if (mustExist) {
      throw new StoreException(dir + ": not a product catalog (no " + ProductCatalog.DB_FILE
          + "); build one with 'sightline product index'");
    }
  }
}
