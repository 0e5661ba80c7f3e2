package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.instance.InstanceIndex;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.instance.NoFeaturesException;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance index of a {@link ReferenceStore} whose {@link Matcher} is LOCAL or HYBRID: one
 * entry per distinct reference image, keyed by the same content key as the HNSW index, kept in
 * step with the database.
 *
 * <h2>Where it lives</h2>
 * In a store folder: core's durable {@link InstanceIndex} in the sub-folder {@value #FOLDER}
 * (append-only, checksummed log; each write fsynced). On a caller's database: an in-memory index,
 * with each image's local features kept in the database (column {@code local_features},
 * about 90 KB per image) and re-indexed at every open.
 *
 * <h2>Consistency with the database</h2>
 * The database records, per image, what the instance index holds (column {@code local_state}:
 * {@link State}). Writes keep the instance index a superset of the database: an image is added
 * to it <em>before</em> the transaction that stores it commits, and removed <em>after</em> the
 * transaction that deletes it. A crash in between leaves only entries the database does not
 * know, which {@link #reconcile} removes on the next open. Images the index should hold but does
 * not (the folder was deleted or damaged, or the store was built with {@link Matcher#GLOBAL} and
 * is now opened with another matcher) are re-extracted from their stored image files, checked
 * against their content key; images that cannot be re-read (uploads, network images, moved or
 * changed files) are recorded as {@link State#UNAVAILABLE}, logged at WARN with their reference
 * ids, and keep matching by global similarity until they are added again.
 *
 * <p>Thread-safe (the index is; writes are serialised by the store).
 */
final class ReferenceInstances implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReferenceInstances.class);
  /** Sub-folder of a store folder holding the instance index. */
  static final String FOLDER = "instances";
  /** Fewest local features an image needs to be indexed or matched by instance. */
  static final int MIN_FEATURES = 8;
  /** Schema step 2 of the describer tables: what the instance index holds per image. */
  static final String MIGRATION = "ALTER TABLE describer_images ADD COLUMN local_state VARCHAR(16);"
      + "ALTER TABLE describer_images ADD COLUMN local_features BINARY LARGE OBJECT";

  /** What the instance index holds for an image (the database's column {@code local_state}). */
  enum State {
    /** Its local features are in the instance index. */
    INDEXED,
    /** Too few local features (flat, tiny picture): matched by global similarity only. */
    NO_FEATURES,
    /** Added as a precomputed vector: no pixels to extract features from. */
    NO_PIXELS,
    /** Its image could not be re-read to (re)build the instance index: re-add it. */
    UNAVAILABLE
  }

  /**
   * One matched image after fusion.
   *
   * @param imageKey content key
   * @param similarity fused similarity (see {@link ReferenceMatch#similarity()})
   * @param instanceScore calibrated instance score, 0 when not scored
   * @param inliers verified inliers, 0 when not scored
   * @param verified whether the instance index verified it
   */
  record Hit(String imageKey, double similarity, double instanceScore, int inliers, boolean verified) {}

  /**
   * The image's features and what to record for it, computed before a write.
   *
   * @param features its local features, or null when there are no pixels
   * @param state what the instance index will hold for it
   */
  record Extracted(LocalFeatureSet features, State state) {
    static final Extracted NO_PIXELS = new Extracted(null, State.NO_PIXELS);
  }

  private final InstanceIndex index;
  private final boolean inMemory;
  private final String where;

  private ReferenceInstances(InstanceIndex index, boolean inMemory, String where) {
    this.index = index;
    this.inMemory = inMemory;
    this.where = where;
  }

  /**
   * Opens the instance index of a store. A damaged index folder is moved aside (its images are
   * then restored by {@link #reconcile}); one built with another extractor or vocabulary is refused.
   *
   * @param storeDir the store folder, or null for an in-memory index (store on a caller's database)
   * @param where the store, for messages
   * @return the open index
   */
  static ReferenceInstances open(Path storeDir, String where) {
    return open(storeDir, where, false);
  }

  /**
   * As {@link #open(Path, String)}; read-only, the index folder is only read (see
   * {@link InstanceIndex.Builder#readOnly}), and damage is an error rather than moved aside.
   */
  static ReferenceInstances open(Path storeDir, String where, boolean readOnly) {
    InstanceIndex.Builder b = InstanceIndex.builder().minFeatures(MIN_FEATURES);
    if (storeDir == null) {
      return new ReferenceInstances(b.build(), true, where);
    }
    Path folder = storeDir.resolve(FOLDER);
    if (readOnly) {
      return new ReferenceInstances(b.directory(folder).readOnly(true).build(), false, where);
    }
    try {
      return new ReferenceInstances(b.directory(folder).build(), false, where);
    } catch (IncompatibleFormatException e) {
      throw new IncompatibleFormatException(where + ": the instance index in " + folder + " was built differently: "
          + e.getMessage() + " (delete that folder to rebuild it from the stored image files)", e);
    } catch (StoreException e) {
      Path aside = storeDir.resolve(FOLDER + ".damaged-" + System.currentTimeMillis());
      LOG.warn("{}: instance index unusable ({}); moved to {} and rebuilding it from the stored image files",
          where, e.getMessage(), aside.getFileName());
      try {
        Files.move(folder, aside);
      } catch (IOException io) {
        throw new StoreException(where + ": instance index unusable (" + e.getMessage()
            + ") and cannot be moved aside: " + io.getMessage(), io);
      }
      return new ReferenceInstances(InstanceIndex.builder().minFeatures(MIN_FEATURES).directory(folder).build(),
          false, where);
    }
  }

  /** @return the instance index */
  InstanceIndex index() {
    return index;
  }

  /** @return calibrated score at which a match is verified */
  double threshold() {
    return index.threshold();
  }

  /**
   * Extracts an image's local features for a write.
   *
   * @param image the image
   * @return its features and the state they give it
   */
  Extracted extract(BufferedImage image) {
    LocalFeatureSet f = index.extract(image);
    return new Extracted(f, f.count() >= MIN_FEATURES ? State.INDEXED : State.NO_FEATURES);
  }

  /**
   * Matches a target image.
   *
   * @param image the target
   * @param k most candidates
   * @return candidates, best first (verified or not)
   * @throws NoFeaturesException when the target has too few local features
   */
  List<InstanceMatch> match(BufferedImage image, int k) {
    return index.matchFeatures(index.extract(image), k);
  }

  /**
   * Adds the images whose features are indexable and which the index does not hold yet, in one
   * durable batch. Called before the transaction that stores them.
   *
   * @param features image key to extracted features
   * @return the keys added (to take back if the transaction fails)
   */
  List<String> addNew(Map<String, Extracted> features) {
    Map<String, LocalFeatureSet> add = new LinkedHashMap<>();
    for (Map.Entry<String, Extracted> e : features.entrySet()) {
      if (e.getValue().state() == State.INDEXED && !add.containsKey(e.getKey()) && !index.contains(e.getKey())) {
        add.put(e.getKey(), e.getValue().features());
      }
    }
    if (!add.isEmpty()) {
      index.addAllFeatures(add);
    }
    return new ArrayList<>(add.keySet());
  }

  /**
   * Removes images (after the transaction that deleted them committed, or to take back
   * {@link #addNew} when it failed).
   *
   * @param keys image keys
   */
  void remove(Collection<String> keys) {
    for (String k : keys) {
      index.remove(k);
    }
  }

  /**
   * Records, inside a write transaction, what the instance index holds for an image.
   *
   * @param c the transaction
   * @param key image key
   * @param refId the reference being written (for messages)
   * @param e its extracted features
   * @param newImage whether the transaction inserted the image row (an existing image only
   *     changes when its features are now indexed)
   */
  void record(Connection c, String key, String refId, Extracted e, boolean newImage) throws SQLException {
    if (newImage) {
      if (e.state() == State.NO_FEATURES) {
        LOG.warn("{}: the image of reference {} has {} local features, fewer than the {} instance matching needs"
            + " (flat or tiny picture): it is matched by global similarity only", where, refId,
            e.features().count(), MIN_FEATURES);
      }
      setState(c, key, e.state(), e.features());
    } else if (e.state() == State.INDEXED) {
      try (PreparedStatement ps = c.prepareStatement("SELECT local_state FROM describer_images WHERE image_key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && State.INDEXED.name().equals(rs.getString(1))) {
            return;
          }
        }
      }
      setState(c, key, State.INDEXED, e.features());
    }
  }

  void setState(Connection c, String key, State state, LocalFeatureSet f) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE describer_images SET local_state = ?, local_features = ? WHERE image_key = ?")) {
      ps.setString(1, state.name());
      ps.setBytes(2, inMemory && state == State.INDEXED && f != null ? LocalFeatureCodec.encode(f) : null);
      ps.setString(3, key);
      ps.executeUpdate();
    }
  }

  /**
   * The matcher a store opens with: the recorded one, or the asked one where the policy of
   * {@link ReferenceStore.Builder#matcher} allows.
   *
   * @param stored the recorded matcher id, or null
   * @param fresh whether the store is new
   * @param asked the matcher asked for, or null
   * @param where the store, for messages
   * @return the matcher
   */
  static Matcher resolve(String stored, boolean fresh, Matcher asked, String where) {
    Matcher recorded;
    try {
      recorded = stored != null ? Matcher.parse(stored) : fresh ? null : Matcher.GLOBAL;
    } catch (IllegalArgumentException e) {
      throw new IncompatibleFormatException(where + ": the store records " + e.getMessage()
          + " (made by a newer Sightline?)");
    }
    if (recorded == null) {
      return asked != null ? asked : Matcher.DEFAULT;
    }
    if (asked == null || asked == recorded) {
      return recorded;
    }
    if (!asked.usesInstances()) {
      throw new IncompatibleFormatException(where + ": this store was built with matcher '" + recorded.id()
          + "' and keeps an instance index; it cannot be switched to 'global' (the index would go stale)."
          + " Open it without asking for a matcher, or compare with global matching on the same store through"
          + " ImageDescriber.builder().matcher(Matcher.GLOBAL)");
    }
    LOG.info("{}: matcher changed from '{}' to '{}'{}", where, recorded.id(), asked.id(),
        recorded.usesInstances() ? "" : "; building the instance index from the stored image files");
    return asked;
  }

  /**
   * Matches a target under LOCAL or HYBRID and fuses the result with the global hits.
   *
   * @param image the target
   * @param matcher LOCAL or HYBRID
   * @param global global hits at or above the match threshold, best first (empty under LOCAL)
   * @param cosine cosine of the target with a stored image (NaN when unknown)
   * @param topImages most images
   * @return matched images
   * @throws NoFeaturesException under LOCAL, when the target has too few local features
   */
  List<Hit> hits(BufferedImage image, Matcher matcher, Map<String, Double> global, ToDoubleFunction<String> cosine,
      int topImages) {
    List<InstanceMatch> found;
    try {
      found = match(image, topImages);
    } catch (NoFeaturesException e) {
      if (matcher == Matcher.LOCAL) {
        throw new NoFeaturesException("target image: " + e.getMessage() + "; the local matcher cannot match it"
            + " (the hybrid matcher falls back to global similarity)");
      }
      LOG.debug("{}: target has too few local features; matching it by global similarity only", where);
      found = List.of();
    }
    return fuse(matcher, found, global, cosine, topImages);
  }

  /**
   * Fuses the global and the instance candidates of a target (see {@link Matcher}).
   *
   * @param matcher LOCAL or HYBRID
   * @param instances instance candidates, best first
   * @param global global hits at or above the match threshold (cosine), best first
   * @param cosine cosine of the target with a stored image (NaN when it has no vector)
   * @param topImages most images
   * @return matched images, verified ones first, then by similarity
   */
  static List<Hit> fuse(Matcher matcher, List<InstanceMatch> instances, Map<String, Double> global,
      ToDoubleFunction<String> cosine, int topImages) {
    List<Hit> verified = new ArrayList<>();
    Map<String, InstanceMatch> scored = new HashMap<>();
    for (InstanceMatch m : instances) {
      scored.putIfAbsent(m.id(), m);
      if (!m.verified()) {
        continue;
      }
      double sim = m.score();
      if (matcher == Matcher.HYBRID) {
        Double g = global.get(m.id());
        double cos = g != null ? g : cosine.applyAsDouble(m.id());
        sim = Double.isNaN(cos) ? sim : Math.max(sim, cos);
      }
      verified.add(new Hit(m.id(), sim, m.score(), m.inliers(), true));
    }
    verified.sort(Comparator.comparingDouble(Hit::similarity).reversed()
        .thenComparing(Comparator.comparingInt(Hit::inliers).reversed()));
    List<Hit> out = new ArrayList<>(verified);
    if (matcher == Matcher.HYBRID) {
      Set<String> seen = new HashSet<>();
      verified.forEach(h -> seen.add(h.imageKey()));
      for (Map.Entry<String, Double> g : global.entrySet()) {
        if (seen.add(g.getKey())) {
          InstanceMatch m = scored.get(g.getKey());
          out.add(new Hit(g.getKey(), g.getValue(), m == null ? 0 : m.score(), m == null ? 0 : m.inliers(), false));
        }
      }
    }
    return out.size() <= topImages ? out : new ArrayList<>(out.subList(0, topImages));
  }

  // ---------------------------------------------------------------- reconcile

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
    new InstanceReconciler(this, index, inMemory, where).reconcile(db, loader, listener);
  }

  @Override
  public void close() {
    index.close();
  }
}
