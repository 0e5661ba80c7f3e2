package io.sightline.commerce;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.SightlineException;
import io.sightline.core.StoreException;
import io.sightline.core.instance.InstanceIndex;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.instance.Matcher;
import io.sightline.core.instance.NoFeaturesException;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance-matching side of a {@link ProductCatalog} with a {@link Matcher#LOCAL} or
 * {@link Matcher#HYBRID} matcher: one core {@link InstanceIndex} per segment, in the catalog
 * folder as {@code instances-apparel/} and {@code instances-other-commodity/} (each an
 * append-only, checksummed log that records its extractor and vocabulary).
 *
 * <p><b>Consistency with the database.</b> The database is the source of truth: a product row
 * records in {@code local_features} how many keypoints were stored for it in its segment's
 * instance index (NULL when none: too few features, or vectors given without images), and in
 * {@code local_extent} where those keypoints lie in the catalog image (to map the whole product
 * into a query photo through a verified transform, see {@link #project}). Writes are
 * ordered so that a crash can only leave <em>extra</em> entries: features are appended before the
 * database commit, stale entries (a product removed, moved to the other segment, or re-indexed
 * with a featureless image) are removed after it. On open every entry without a matching row is
 * pruned (logged), and a row whose features are absent from the index (a deleted or replaced
 * folder) fails with a {@link StoreException} naming the products, as a missing HNSW file does.
 *
 * <p>Thread-safe: the indexes are; the catalog serialises writers.
 */
final class CatalogInstances implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogInstances.class);
  /** Fewest keypoints for a catalog image or a query to be matched by instance. */
  static final int MIN_FEATURES = 8;
  /** Images appended to an instance index per durable batch when storing a run. */
  private static final int CHUNK = 64;

  private final Map<Intent, InstanceIndex> indexes;

  private CatalogInstances(Map<Intent, InstanceIndex> indexes) {
    this.indexes = indexes;
  }

  /** @return the folder of a segment's instance index */
  static Path folder(Path catalogDir, Intent segment) {
    return catalogDir.resolve("instances-" + segment.label());
  }

  /**
   * Opens (creating when absent) the instance index of each segment and reconciles it with the
   * database.
   *
   * @param catalogDir the catalog folder, or null for a new in-memory catalog
   * @param readOnly open the indexes read-only and do not reconcile them
   * @param expected per segment, the ids the database lists as instance-indexed
   * @return the open indexes
   * @throws StoreException when an index lacks products the database lists, or is corrupt
   * @throws io.sightline.core.IncompatibleFormatException when an index was built with another
   *     extractor or vocabulary
   */
  static CatalogInstances open(Path catalogDir, Function<Intent, Set<String>> expected, boolean readOnly) {
    Map<Intent, InstanceIndex> out = new EnumMap<>(Intent.class);
    try {
      for (Intent s : ProductCatalog.SEGMENTS) {
        if (catalogDir == null) {
          // in memory: a new catalog, nothing to reconcile
          out.put(s, InstanceIndex.builder().minFeatures(MIN_FEATURES).build());
          continue;
        }
        if (readOnly) {
          // only read: entries a writer has staged but not committed are dropped at match time
          // (no committed row), and products committed after this open match by vector only
          out.put(s, InstanceIndex.builder().directory(folder(catalogDir, s)).minFeatures(MIN_FEATURES)
              .readOnly(true).build());
          continue;
        }
        Path dir = folder(catalogDir, s);
        Set<String> want = expected.apply(s);
        if (!want.isEmpty() && !Files.exists(dir.resolve(InstanceIndex.LOG_FILE))) {
          throw new StoreException(dir + ": instance index missing although the database lists " + want.size()
              + " " + s + " products with local features; re-run indexing into a fresh folder");
        }
        InstanceIndex idx = InstanceIndex.builder().directory(dir).minFeatures(MIN_FEATURES).build();
        out.put(s, idx);
        reconcile(dir, s, idx, want);
      }
    } catch (RuntimeException e) {
      out.values().forEach(InstanceIndex::close);
      throw e;
    }
    return new CatalogInstances(out);
  }

  private static void reconcile(Path dir, Intent segment, InstanceIndex idx, Set<String> want) {
    Set<String> live = new HashSet<>(idx.ids());
    Set<String> missing = new TreeSet<>();
    for (String id : want) {
      if (!live.contains(id)) {
        missing.add(id);
      }
    }
    if (!missing.isEmpty()) {
      throw new StoreException(dir + ": instance index lacks " + missing.size() + " of the " + want.size() + " "
          + segment + " products the database lists with local features (e.g. " + first(missing, 5)
          + "); the folder was deleted, replaced or damaged: re-run indexing into a fresh folder");
    }
    List<String> extra = new ArrayList<>();
    for (String id : live) {
      if (!want.contains(id)) {
        extra.add(id);
      }
    }
    if (!extra.isEmpty()) {
      LOG.warn("{}: removing {} instance entries without a matching product row (left by an interrupted "
          + "indexing run or removal), e.g. {}", dir, extra.size(), first(new TreeSet<>(extra), 5));
      for (String id : extra) {
        idx.remove(id);
      }
    }
  }

  private static String first(Set<String> ids, int n) {
    return String.join(", ", ids.stream().limit(n).toList()) + (ids.size() > n ? ", ..." : "");
  }

  /**
   * Extracts local features of a catalog image or a query with the indexes' extractor.
   *
   * @param image the image
   * @return its features (possibly fewer than {@link #MIN_FEATURES})
   */
  LocalFeatureSet extract(BufferedImage image) {
    return indexes.get(Intent.OTHER_COMMODITY).extract(image);
  }

  /**
   * @param segment a segment
   * @param query query features
   * @param k most candidates
   * @return candidates, best first (verified or not)
   * @throws NoFeaturesException when the query has too few features
   */
  List<InstanceMatch> match(Intent segment, LocalFeatureSet query, int k) {
    return indexes.get(segment).matchFeatures(query, k);
  }

  /** @return the instance index of a segment */
  InstanceIndex index(Intent segment) {
    return indexes.get(segment);
  }

  /**
   * Appends the staged features of a run, segment by segment, in durable batches.
   *
   * @param staged features of the run
   */
  void add(Staging staged) {
    for (Intent s : ProductCatalog.SEGMENTS) {
      staged.forEachChunk(s, CHUNK, chunk -> indexes.get(s).addAllFeatures(chunk));
    }
  }

  /**
   * Removes an id from every segment's index except where it is meant to stay.
   *
   * @param id product id
   * @param keepIn the segment whose entry stays (null: none)
   * @return whether anything was removed
   */
  boolean removeExcept(String id, Intent keepIn) {
    boolean removed = false;
    for (Intent s : ProductCatalog.SEGMENTS) {
      if (s != keepIn && indexes.get(s).contains(id)) {
        removed |= indexes.get(s).remove(id);
      }
    }
    return removed;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (InstanceIndex idx : indexes.values()) {
      try {
        idx.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * What a product's row records about its instance entry.
   *
   * @param keypoints local features stored
   * @param extent box of the keypoints in the catalog image, {@code "x0 y0 x1 y1"} in the
   *     extractor's working pixels (where the product is in its own picture)
   */
  record Entry(int keypoints, String extent) {
    static Entry of(LocalFeatureSet f) {
      float x0 = Float.MAX_VALUE;
      float y0 = Float.MAX_VALUE;
      float x1 = -Float.MAX_VALUE;
      float y1 = -Float.MAX_VALUE;
      for (int i = 0; i < f.count(); i++) {
        float r = f.sizes()[i] / 2;
        x0 = Math.min(x0, f.xs()[i] - r);
        y0 = Math.min(y0, f.ys()[i] - r);
        x1 = Math.max(x1, f.xs()[i] + r);
        y1 = Math.max(y1, f.ys()[i] + r);
      }
      x0 = Math.max(0, x0);
      y0 = Math.max(0, y0);
      x1 = Math.min(f.width(), x1);
      y1 = Math.min(f.height(), y1);
      return new Entry(f.count(), String.format(java.util.Locale.ROOT, "%.1f %.1f %.1f %.1f", x0, y0, x1, y1));
    }
  }

  /** A candidate with the extent of its product in the catalog image (null when unknown). */
  record Located(InstanceMatch match, String extent) {}

  /**
   * Maps the product's extent in its catalog image into the query through the inverse of the
   * verified affine transform.
   *
   * @param extent {@link Entry#extent()} of the stored image
   * @param t the match's transform {@code [a, b, tx, c, d, ty]} (query to stored working pixels)
   * @return the box {@code [x0, y0, x1, y1]} in the query's working pixels, or null when either
   *     is missing or the transform is singular
   */
  static double[] project(String extent, double[] t) {
    if (extent == null || t == null || t.length != 6) {
      return null;
    }
    String[] p = extent.trim().split(" ");
    if (p.length != 4) {
      return null;
    }
    double[] e = new double[4];
    for (int i = 0; i < 4; i++) {
      e[i] = Double.parseDouble(p[i]);
    }
    double det = t[0] * t[4] - t[1] * t[3];
    if (!(Math.abs(det) > 1e-9)) {
      return null;
    }
    double x0 = Double.MAX_VALUE;
    double y0 = Double.MAX_VALUE;
    double x1 = -Double.MAX_VALUE;
    double y1 = -Double.MAX_VALUE;
    for (double[] c : new double[][] {{e[0], e[1]}, {e[2], e[1]}, {e[0], e[3]}, {e[2], e[3]}}) {
      double u = c[0] - t[2];
      double v = c[1] - t[5];
      double x = (t[4] * u - t[1] * v) / det;
      double y = (-t[3] * u + t[0] * v) / det;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
    return Double.isFinite(x0 + y0 + x1 + y1) ? new double[] {x0, y0, x1, y1} : null;
  }

  /** What to do with a chunk of staged features. */
  @FunctionalInterface
  interface ChunkSink {
    void accept(Map<String, LocalFeatureSet> chunk);
  }

  /**
   * The local features of one indexing run, spooled to a temporary file per segment in the
   * catalog folder (about 0.5 KB per keypoint, up to 300 KB per image) so that a large run does
   * not hold them in memory until it commits. Deleted on {@link #close()}. Not thread-safe.
   */
  static final class Staging implements AutoCloseable {
    private final Path dir;
    private final Map<Intent, Path> files = new EnumMap<>(Intent.class);
    private final Map<Intent, DataOutputStream> outs = new EnumMap<>(Intent.class);
    private final Map<Intent, Integer> counts = new EnumMap<>(Intent.class);
    private final Map<String, Entry> entries = new HashMap<>();

    Staging(Path catalogDir) {
      this.dir = catalogDir;
    }

    /**
     * @param id product id
     * @return what its row records, or null when it was not staged (too few features)
     */
    Entry entry(String id) {
      return entries.get(id);
    }

    /** @return images staged for a segment */
    int count(Intent segment) {
      return counts.getOrDefault(segment, 0);
    }

    /**
     * @param segment the product's segment
     * @param id product id
     * @param f its features
     */
    void put(Intent segment, String id, LocalFeatureSet f) {
      try {
        DataOutputStream out = outs.get(segment);
        if (out == null) {
          // in the catalog folder, or the system's temporary folder for an in-memory catalog
          Path file = dir == null ? Files.createTempFile("sightline-instances-" + segment.label() + "-", ".staging")
              : Files.createTempFile(dir, ".instances-" + segment.label() + "-", ".staging");
          files.put(segment, file);
          out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
          outs.put(segment, out);
        }
        int n = f.count();
        out.writeUTF(id);
        out.writeInt(f.width());
        out.writeInt(f.height());
        out.writeInt(n);
        ByteBuffer buf = ByteBuffer.allocate(4 * (4 * n + f.descriptors().length)).order(ByteOrder.BIG_ENDIAN);
        buf.asFloatBuffer().put(f.xs()).put(f.ys()).put(f.sizes()).put(f.angles()).put(f.descriptors());
        out.write(buf.array());
        counts.merge(segment, 1, Integer::sum);
        entries.put(id, Entry.of(f));
      } catch (IOException e) {
        throw new StoreException(dir + ": cannot stage local features: " + e.getMessage(), e);
      }
    }

    void forEachChunk(Intent segment, int chunk, ChunkSink sink) {
      Path file = files.get(segment);
      if (file == null) {
        return;
      }
      try {
        outs.get(segment).flush();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
          Map<String, LocalFeatureSet> batch = new LinkedHashMap<>();
          for (int i = 0; i < count(segment); i++) {
            String id = in.readUTF();
            int w = in.readInt();
            int h = in.readInt();
            int n = in.readInt();
            byte[] bytes = new byte[4 * n * (4 + LocalFeatureSet.DIMENSION)];
            in.readFully(bytes);
            java.nio.FloatBuffer fb = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).asFloatBuffer();
            float[] xs = new float[n];
            float[] ys = new float[n];
            float[] sizes = new float[n];
            float[] angles = new float[n];
            float[] desc = new float[n * LocalFeatureSet.DIMENSION];
            fb.get(xs).get(ys).get(sizes).get(angles).get(desc);
            batch.put(id, new LocalFeatureSet(w, h, xs, ys, sizes, angles, desc));
            if (batch.size() == chunk) {
              sink.accept(batch);
              batch = new LinkedHashMap<>();
            }
          }
          if (!batch.isEmpty()) {
            sink.accept(batch);
          }
        }
      } catch (EOFException e) {
        throw new StoreException(file + ": staged local features are truncated", e);
      } catch (IOException e) {
        throw new StoreException(file + ": cannot read staged local features: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      for (Map.Entry<Intent, DataOutputStream> e : outs.entrySet()) {
        try {
          e.getValue().close();
        } catch (IOException ignored) {
          // the file is deleted next
        }
      }
      for (Path f : files.values()) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          LOG.warn("cannot delete staging file {}: {}", f, e.getMessage());
        }
      }
    }
  }

  /**
   * Extracts a catalog image's features for staging, or explains why it stays global-only.
   *
   * @param image the decoded catalog image
   * @param id product id (for the log)
   * @return the features, or null when the image has too few (logged as a warning)
   */
  LocalFeatureSet extractForCatalog(BufferedImage image, String id) {
    LocalFeatureSet f;
    try {
      f = extract(image);
    } catch (SightlineException e) {
      LOG.warn("product {}: no local features ({}); it is found only by its global vector", id, e.getMessage());
      return null;
    }
    if (f.count() < MIN_FEATURES) {
      LOG.warn("product {}: {} local features, fewer than the {} instance matching needs (flat, tiny or empty "
          + "picture?); it is found only by its global vector", id, f.count(), MIN_FEATURES);
      return null;
    }
    return f;
  }

  /**
   * The matcher a store opens with.
   *
   * @param stored the label stored in the store, null when none
   * @param empty whether the store holds nothing yet
   * @param requested the matcher the caller asked for, null when none
   * @param what names the store in messages
   * @return {@code requested} (or {@link Matcher#DEFAULT}) for a new or empty store; else the stored one
   *     ({@link Matcher#GLOBAL} for a store filled before matchers existed)
   * @throws IncompatibleFormatException when a filled store was built with another matcher than
   *     the requested one
   */
  static Matcher resolve(String stored, boolean empty, Matcher requested, String what) {
    if (empty) {
      return requested != null ? requested : stored != null ? Matcher.parse(stored) : Matcher.DEFAULT;
    }
    Matcher have = stored == null ? Matcher.GLOBAL : Matcher.parse(stored);
    if (requested != null && requested != have) {
      throw new IncompatibleFormatException(what + " was built with the '" + have + "' matcher, not '" + requested
          + "'; search it with '" + have + "' (the default) or build a new one");
    }
    return have;
  }
}
