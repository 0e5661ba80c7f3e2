package io.sightline.describer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Row-level SQL of the describer tables, shared by {@link ReferenceStore}'s writes and reads: pages
 * and their mentions, document frequencies, image rows, vectors and metadata. Every method runs
 * inside a transaction the caller owns. Stateless.
 */
final class ReferenceTables {
  static final ObjectMapper JSON = new ObjectMapper();

  private ReferenceTables() {}

  static void bumpGeneration(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE describer_meta SET v = CAST(CAST(v AS BIGINT) + 1 AS VARCHAR) WHERE k = 'generation'")) {
      ps.executeUpdate();
    }
  }

  static String imageOf(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT image_key FROM describer_refs WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static boolean imageExists(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM describer_images WHERE image_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  static boolean deleteImageIfOrphan(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM describer_refs WHERE image_key = ? LIMIT 1")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return false;
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM describer_images WHERE image_key = ?")) {
      ps.setString(1, key);
      return ps.executeUpdate() > 0;
    }
  }

  static void insertMentions(Connection c, String refId, List<PageEntity> entities) throws SQLException {
    if (entities.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO describer_mentions (ref_id, entity, surface, kind,"
        + " position, occurrences) VALUES (?,?,?,?,?,?)")) {
      for (PageEntity e : entities) {
        ps.setString(1, refId);
        ps.setString(2, clip(e.key()));
        ps.setString(3, clip(e.surface()));
        ps.setString(4, e.kind().name());
        ps.setString(5, e.position().name());
        ps.setInt(6, e.occurrences());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    Set<String> keys = new LinkedHashSet<>();
    for (PageEntity e : entities) {
      keys.add(clip(e.key()));
    }
    adjustDf(c, keys, +1);
  }

  static String clip(String s) {
    return s.length() <= 2000 ? s : s.substring(0, 2000);
  }

  static void adjustDf(Connection c, Collection<String> keys, int delta) throws SQLException {
    try (PreparedStatement up = c.prepareStatement("UPDATE describer_df SET refs = refs + ? WHERE entity = ?");
        PreparedStatement ins = c.prepareStatement("INSERT INTO describer_df (entity, refs) VALUES (?, ?)")) {
      for (String k : keys) {
        up.setInt(1, delta);
        up.setString(2, k);
        if (up.executeUpdate() == 0 && delta > 0) {
          ins.setString(1, k);
          ins.setInt(2, delta);
          ins.executeUpdate();
        }
      }
    }
    if (delta < 0) {
      try (PreparedStatement del = c.prepareStatement("DELETE FROM describer_df WHERE refs <= 0")) {
        del.executeUpdate();
      }
    }
  }

  /** Deletes a reference's stored entity mentions and lowers the document frequencies they counted in. */
  static void deleteMentions(Connection c, String id) throws SQLException {
    Set<String> keys = new LinkedHashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT entity FROM describer_mentions WHERE ref_id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
    }
    adjustDf(c, keys, -1);
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM describer_mentions WHERE ref_id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  static void deleteRef(Connection c, String id) throws SQLException {
    deleteMentions(c, id);
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM describer_refs WHERE id = ?")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  static List<ReferenceMatch> matches(Connection c, List<ReferenceInstances.Hit> hits) throws SQLException {
    Map<String, List<Reference>> pages = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, image_key, title, body, fields, displays, views,"
        + " clicks FROM describer_refs WHERE image_key = ANY(?) ORDER BY id")) {
      ps.setArray(1, c.createArrayOf("VARCHAR", hits.stream().map(ReferenceInstances.Hit::imageKey).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          pages.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(readRef(rs));
        }
      }
    }
    List<ReferenceMatch> out = new ArrayList<>();
    int rank = 0;
    for (ReferenceInstances.Hit h : hits) {
      List<Reference> refs = pages.getOrDefault(h.imageKey(), List.of());
      if (refs.isEmpty()) {
        continue; // an image the instance index holds ahead of a commit
      }
      rank++;
      for (Reference r : refs) {
        out.add(new ReferenceMatch(r, h.imageKey(), h.similarity(), rank, h.instanceScore(), h.inliers(), h.verified()));
      }
    }
    return out;
  }

  static int countRefs(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM describer_refs");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static Reference readRef(ResultSet rs) throws SQLException {
    Map<String, String> fields;
    try {
      fields = JSON.readValue(rs.getString(5), new TypeReference<LinkedHashMap<String, String>>() { });
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt fields of reference " + rs.getString(1), e);
    }
    return new Reference(rs.getString(1), rs.getString(3), rs.getString(4), fields,
        rs.getLong(6), rs.getLong(7), rs.getLong(8));
  }

  static Map<String, List<PageEntity>> entities(Connection c, Collection<String> refIds) throws SQLException {
    Map<String, List<PageEntity>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT ref_id, entity, surface, kind, position, occurrences"
        + " FROM describer_mentions WHERE ref_id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("VARCHAR", refIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new PageEntity(rs.getString(2),
              rs.getString(3), EntityKind.valueOf(rs.getString(4)), TextPosition.valueOf(rs.getString(5)),
              rs.getInt(6)));
        }
      }
    }
    return out;
  }

  static Map<String, Integer> documentFrequency(Connection c, Collection<String> keys) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT entity, refs FROM describer_df WHERE entity = ANY(?)")) {
      Array arr = c.createArrayOf("VARCHAR", keys.toArray());
      ps.setArray(1, arr);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return out;
  }

  static String json(Map<String, String> m) {
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static void upsertMeta(Connection c, String k, String v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("MERGE INTO describer_meta (k, v) KEY (k) VALUES (?, ?)")) {
      ps.setString(1, k);
      ps.setString(2, v);
      ps.executeUpdate();
    }
  }
}
