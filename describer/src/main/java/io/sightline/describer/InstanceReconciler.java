package io.sightline.describer;

import io.sightline.core.image.ImageLoader;
import io.sightline.core.instance.InstanceIndex;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.ProgressListener;
import io.sightline.core.store.Database;
import io.sightline.describer.ReferenceInstances.Extracted;
import io.sightline.describer.ReferenceInstances.State;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile job of {@link ReferenceInstances}, run when a store opens: brings the instance
 * index in line with the database (see "Consistency with the database" there), removing entries
 * the database lacks and re-indexing images it should hold from the features kept in the
 * database or from their stored image files, checked against their content key.
 */
final class InstanceReconciler {
  /** Logs under the instance index's name, as before it was split into its jobs. */
  private static final Logger LOG = LoggerFactory.getLogger(ReferenceInstances.class);
  private static final int BATCH = 32;
  private static final int MIN_FEATURES = ReferenceInstances.MIN_FEATURES;

  private final ReferenceInstances instances;
  private final InstanceIndex index;
  private final boolean inMemory;
  private final String where;

  InstanceReconciler(ReferenceInstances instances, InstanceIndex index, boolean inMemory, String where) {
    this.instances = instances;
    this.index = index;
    this.inMemory = inMemory;
    this.where = where;
  }

  /**
   * Brings the instance index in line with the database on open: removes images the database
   * does not hold (a crash between the two writes) and (re)indexes images it should hold but
   * does not, from the features kept in the database (in-memory index) or from their stored
   * image files.
   *
   * @param db the store's database
   * @param loader decoder for re-reading image files
   * @param listener progress (task "describer-instances")
   */
  void reconcile(Database db, ImageLoader loader, ProgressListener listener) {
    Map<String, String> states = db.transaction(c -> {
      Map<String, String> m = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT image_key, local_state FROM describer_images");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          m.put(rs.getString(1), rs.getString(2));
        }
      }
      return m;
    });
    List<String> extras = index.ids().stream().filter(k -> !states.containsKey(k)).toList();
    if (!extras.isEmpty()) {
      LOG.info("{}: instance index holds {} image(s) the database does not (a write cut short); removing them",
          where, extras.size());
      instances.remove(extras);
    }
    List<String> lost = new ArrayList<>();
    List<String> fresh = new ArrayList<>();
    states.forEach((k, s) -> {
      if (index.contains(k)) {
        return;
      }
      if (s == null) {
        fresh.add(k);
      } else if (s.equals(State.INDEXED.name())) {
        lost.add(k);
      }
    });
    if (lost.isEmpty() && fresh.isEmpty()) {
      return;
    }
    if (!fresh.isEmpty()) {
      LOG.info("{}: building the instance index of {} image(s) from their stored image files", where, fresh.size());
    }
    if (inMemory) {
      LOG.debug("{}: indexing the local features of {} image(s) kept in the database", where, lost.size());
    } else if (!lost.isEmpty()) {
      LOG.warn("{}: the instance index lacks {} image(s) the database records as indexed (its folder was deleted"
          + " or damaged?); re-extracting them from their stored image files", where, lost.size());
    }
    List<String> todo = new ArrayList<>(lost);
    todo.addAll(fresh);
    todo.sort(null);
    List<String> unavailable = new ArrayList<>();
    int flat = 0;
    for (int from = 0; from < todo.size(); from += BATCH) {
      List<String> slice = todo.subList(from, Math.min(todo.size(), from + BATCH));
      Map<String, byte[]> kept = inMemory ? storedFeatures(db, slice) : Map.of();
      Map<String, List<String[]>> refs = db.transaction(c -> refsOf(c, slice));
      Map<String, Extracted> done = new LinkedHashMap<>();
      slice.parallelStream().map(k -> Map.entry(k, restore(k, kept.get(k), refs.getOrDefault(k, List.of()), loader)))
          .toList().forEach(e -> done.put(e.getKey(), e.getValue()));
      instances.addNew(done);
      db.transaction(c -> {
        for (Map.Entry<String, Extracted> e : done.entrySet()) {
          boolean same = e.getValue().state().name().equals(states.get(e.getKey()))
              && (!inMemory || kept.containsKey(e.getKey()));
          if (!same) {
            instances.setState(c, e.getKey(), e.getValue().state(), e.getValue().features());
          }
        }
        return null;
      });
      for (Map.Entry<String, Extracted> e : done.entrySet()) {
        if (e.getValue().state() == State.UNAVAILABLE) {
          refs.getOrDefault(e.getKey(), List.of()).forEach(r -> unavailable.add(r[0]));
        } else if (e.getValue().state() == State.NO_FEATURES) {
          flat++;
        }
      }
      listener.onProgress("describer-instances", from + slice.size(), todo.size(), "");
    }
    if (flat > 0) {
      LOG.warn("{}: {} reference image(s) have too few local features for instance matching (flat or tiny"
          + " pictures); they are matched by global similarity only", where, flat);
    }
    if (!unavailable.isEmpty()) {
      unavailable.sort(null);
      LOG.warn("{}: {} reference(s) have images that cannot be re-read for the instance index (uploads, network"
          + " images, moved or changed files); they are matched by global similarity only until added again: {}{}",
          where, unavailable.size(), String.join(", ", unavailable.subList(0, Math.min(20, unavailable.size()))),
          unavailable.size() > 20 ? ", ..." : "");
    }
  }

  private static Map<String, byte[]> storedFeatures(Database db, List<String> keys) {
    return db.transaction(c -> {
      Map<String, byte[]> out = new HashMap<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT image_key, local_features FROM describer_images"
              + " WHERE image_key = ANY(?) AND local_features IS NOT NULL")) {
        ps.setArray(1, c.createArrayOf("VARCHAR", keys.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getBytes(2));
          }
        }
      }
      return out;
    });
  }

  /** image key -> [reference id, location, origin] of every page showing it. */
  private static Map<String, List<String[]>> refsOf(Connection c, List<String> keys) throws SQLException {
    Map<String, List<String[]>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT image_key, id, location, origin FROM describer_refs WHERE image_key = ANY(?) ORDER BY id")) {
      ps.setArray(1, c.createArrayOf("VARCHAR", keys.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(new String[] {rs.getString(2), rs.getString(3), rs.getString(4)});
        }
      }
    }
    return out;
  }

  /** Features of an image from the database's copy, else from a stored file whose pixels still hash to its key. */
  private Extracted restore(String key, byte[] kept, List<String[]> refs, ImageLoader loader) {
    if (kept != null) {
      try {
        LocalFeatureSet f = LocalFeatureCodec.decode(kept);
        return new Extracted(f, f.count() >= MIN_FEATURES ? State.INDEXED : State.NO_FEATURES);
      } catch (IOException | IllegalArgumentException e) {
        LOG.warn("{}: stored local features of image {} are unreadable ({}); trying its image file", where,
            shortKey(key), e.getMessage());
      }
    }
    boolean pixels = false;
    for (String[] r : refs) {
      if (Origin.PRECOMPUTED.name().equals(r[2])) {
        continue;
      }
      pixels = true;
      String location = r[1];
      if (location == null || location.isEmpty() || location.contains("://")) {
        continue;
      }
      try {
        Path p = Path.of(location);
        if (!Files.isRegularFile(p)) {
          continue;
        }
        BufferedImage img = loader.load(p);
        if (!ReferenceStore.contentKey(img).equals(key)) {
          LOG.debug("{}: {} no longer holds the pixels of image {}", where, p, shortKey(key));
          continue;
        }
        return instances.extract(img);
      } catch (InvalidPathException | io.sightline.core.SightlineException e) {
        LOG.debug("{}: cannot re-read {}: {}", where, location, e.getMessage());
      }
    }
    return pixels ? new Extracted(null, State.UNAVAILABLE) : Extracted.NO_PIXELS;
  }

  private static String shortKey(String key) {
    return key.length() > 12 ? key.substring(0, 12) : key;
  }

}
