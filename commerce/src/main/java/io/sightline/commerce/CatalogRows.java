package io.sightline.commerce;

import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The reading job of a {@link ProductCatalog}: product rows and counts from its database. Package-private. */
final class CatalogRows {
  private final Database db;

  CatalogRows(Database db) {
    this.db = db;
  }

  int size() {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM commerce_products");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  int count(Intent segment) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM commerce_products WHERE segment = ?")) {
        ps.setString(1, segment.label());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    });
  }

  Map<String, Product> products(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Map.of();
    }
    List<String> list = new ArrayList<>(new LinkedHashSet<>(ids));
    Map<String, Product> out = new HashMap<>();
    for (int from = 0; from < list.size(); from += 500) {
      out.putAll(productChunk(list.subList(from, Math.min(list.size(), from + 500))));
    }
    return out;
  }

  private Map<String, Product> productChunk(List<String> list) {
    return db.transaction(c -> {
      Map<String, Product> out = new HashMap<>();
      StringBuilder sql = new StringBuilder("SELECT id, image, category, title, link, attributes FROM commerce_products "
          + "WHERE id IN (");
      for (int i = 0; i < list.size(); i++) {
        sql.append(i == 0 ? "?" : ",?");
      }
      sql.append(')');
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < list.size(); i++) {
          ps.setString(i + 1, list.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Product p = new Product(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                CatalogCsv.decode(rs.getString(6)));
            out.put(p.id(), p);
          }
        }
      }
      return out;
    });
  }

  /** Every stored product with its image hash (null when unknown), for {@link CatalogSync}. */
  Map<String, CatalogSync.Stored> stored() {
    return db.transaction(c -> {
      Map<String, CatalogSync.Stored> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, image, category, title, link, attributes, image_hash FROM commerce_products");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Product p = new Product(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              CatalogCsv.decode(rs.getString(6)));
          out.put(p.id(), new CatalogSync.Stored(p, rs.getString(7)));
        }
      }
      return out;
    });
  }

  /**
   * Index keys of a segment's images (main images by product id, additional ones by
   * {@link CatalogIndexes#imageKey}) whose features the database lists as stored in its instance
   * index.
   */
  Set<String> instanceIds(Intent segment) {
    return db.transaction(c -> {
      Set<String> ids = new HashSet<>();
      for (String sql : List.of("SELECT id FROM commerce_products WHERE segment = ? AND local_features IS NOT NULL",
          "SELECT image_key FROM commerce_images WHERE segment = ? AND local_features IS NOT NULL")) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setString(1, segment.label());
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getString(1));
            }
          }
        }
      }
      return ids;
    });
  }

  /**
   * The stored extent ("" when none) of each candidate image (a product's main image by its id,
   * an additional one by its key) with a committed row in the segment.
   */
  Map<String, String> extents(Intent segment, List<InstanceMatch> raw) {
    return db.transaction(c -> {
      Map<String, String> m = new HashMap<>();
      String marks = String.join(",", java.util.Collections.nCopies(raw.size(), "?"));
      for (String sql : List.of("SELECT id, local_extent FROM commerce_products WHERE segment = ? AND id IN (" + marks + ")",
          "SELECT image_key, local_extent FROM commerce_images WHERE segment = ? AND image_key IN (" + marks + ")")) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setString(1, segment.label());
          for (int i = 0; i < raw.size(); i++) {
            ps.setString(i + 2, raw.get(i).id());
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              m.put(rs.getString(1), rs.getString(2) == null ? "" : rs.getString(2));
            }
          }
        }
      }
      return m;
    });
  }
}
