package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.image.ImageLoader;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.instance.Matcher;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instance index of a store (fast parts): what it indexes, what the database records per image
 * ({@code local_state}, and the features only for an in-memory index), and how its folder opens.
 */
class ReferenceInstancesRulesTest {
  @TempDir
  Path tmp;

  private static LocalFeatureSet features(int n, long seed) {
    Random r = new Random(seed);
    float[] xs = new float[n];
    float[] ys = new float[n];
    float[] sizes = new float[n];
    float[] angles = new float[n];
    float[] d = new float[n * LocalFeatureSet.DIMENSION];
    for (int i = 0; i < n; i++) {
      xs[i] = r.nextFloat() * 100;
      ys[i] = r.nextFloat() * 100;
      sizes[i] = 2 + r.nextFloat() * 5;
      angles[i] = r.nextFloat() * 6;
    }
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextFloat() * 0.2f;
    }
    return new LocalFeatureSet(100, 100, xs, ys, sizes, angles, d);
  }

  private static ReferenceInstances.Extracted indexed(int n, long seed) {
    return new ReferenceInstances.Extracted(features(n, seed), ReferenceInstances.State.INDEXED);
  }

  @Test
  void onlyNewIndexableImagesAreAddedAndTheirKeysReturned() {
    try (ReferenceInstances ri = ReferenceInstances.open(null, "s")) {
      Map<String, ReferenceInstances.Extracted> batch = new LinkedHashMap<>();
      batch.put("a", indexed(12, 1));
      batch.put("b", new ReferenceInstances.Extracted(features(3, 2), ReferenceInstances.State.NO_FEATURES));
      batch.put("c", ReferenceInstances.Extracted.NO_PIXELS);
      assertThat(ri.addNew(batch)).containsExactly("a");
      assertThat(ri.index().contains("a")).isTrue();
      assertThat(ri.index().contains("b")).isFalse();
      Map<String, ReferenceInstances.Extracted> again = new LinkedHashMap<>();
      again.put("a", indexed(12, 3));
      again.put("d", indexed(9, 4));
      assertThat(ri.addNew(again)).as("an image already held is not added twice").containsExactly("d");
      assertThat(ri.index().size()).isEqualTo(2);
      assertThat(ri.addNew(Map.of("c", ReferenceInstances.Extracted.NO_PIXELS))).isEmpty();
      ri.remove(List.of("a", "d"));
      assertThat(ri.index().size()).isZero();
    }
  }

  @Test
  void aPhotoIsIndexedAndMatchedAFlatPictureHasTooFewFeatures() {
    BufferedImage photo = ImageLoader.defaults().load(Fixtures.PHOTOS.resolve("astronaut.png"));
    BufferedImage flat = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
    try (ReferenceInstances ri = ReferenceInstances.open(null, "s")) {
      ReferenceInstances.Extracted e = ri.extract(photo);
      assertThat(e.state()).isEqualTo(ReferenceInstances.State.INDEXED);
      assertThat(e.features().count()).isGreaterThanOrEqualTo(ReferenceInstances.MIN_FEATURES);
      ReferenceInstances.Extracted none = ri.extract(flat);
      assertThat(none.state()).isEqualTo(ReferenceInstances.State.NO_FEATURES);
      assertThat(none.features().count()).isLessThan(ReferenceInstances.MIN_FEATURES);
      Map<String, ReferenceInstances.Extracted> all = new LinkedHashMap<>();
      all.put("astro", e);
      for (int i = 0; i < 4; i++) {
        all.put("other" + i, indexed(40, 10 + i)); // other images, so that the photo's visual words are rare
      }
      ri.addNew(all);
      List<InstanceMatch> found = ri.match(photo, 3);
      assertThat(found).isNotEmpty();
      assertThat(found.get(0).id()).isEqualTo("astro");
      assertThat(found.get(0).verified()).isTrue();
      assertThat(ri.threshold()).isEqualTo(ri.index().threshold()).isStrictlyBetween(0.0, 1.0);
      // hybrid: a verified image's similarity is max(score, cosine)
      List<ReferenceInstances.Hit> hits = ri.hits(photo, Matcher.HYBRID, Map.of(), id -> 2.0, 3);
      assertThat(hits).extracting(ReferenceInstances.Hit::imageKey).containsExactly("astro");
      assertThat(hits.get(0).similarity()).isEqualTo(2.0);
      // a flat target: hybrid falls back to the global hits
      assertThat(ri.hits(flat, Matcher.HYBRID, Map.of("g", 0.9), id -> Double.NaN, 3))
          .extracting(ReferenceInstances.Hit::imageKey).containsExactly("g");
    }
  }

  private static Connection db() throws Exception {
    Connection c = DriverManager.getConnection("jdbc:h2:mem:ri-" + UUID.randomUUID());
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE describer_images (image_key VARCHAR(64) PRIMARY KEY, local_state VARCHAR(16),"
          + " local_features BINARY LARGE OBJECT)");
    }
    return c;
  }

  private static void insert(Connection c, String key, String state, byte[] features) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO describer_images VALUES (?, ?, ?)")) {
      ps.setString(1, key);
      ps.setString(2, state);
      ps.setBytes(3, features);
      ps.executeUpdate();
    }
  }

  private static String row(Connection c, String key) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT local_state, local_features FROM describer_images WHERE image_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        byte[] b = rs.getBytes(2);
        return rs.getString(1) + " " + (b == null ? "-" : b.length);
      }
    }
  }

  @Test
  void theDatabaseRecordsWhatTheIndexHoldsAndKeepsFeaturesOnlyForAnInMemoryIndex() throws Exception {
    LocalFeatureSet f = features(10, 5);
    int size = LocalFeatureCodec.encode(f).length;
    try (Connection c = db(); ReferenceInstances mem = ReferenceInstances.open(null, "s")) {
      for (String k : List.of("new-indexed", "new-flat", "new-vector", "old-unavailable", "old-indexed", "old-nopix")) {
        insert(c, k, null, null);
      }
      mem.record(c, "new-indexed", "r1", new ReferenceInstances.Extracted(f, ReferenceInstances.State.INDEXED), true);
      mem.record(c, "new-flat", "r2", new ReferenceInstances.Extracted(features(3, 6),
          ReferenceInstances.State.NO_FEATURES), true);
      mem.record(c, "new-vector", "r3", ReferenceInstances.Extracted.NO_PIXELS, true);
      assertThat(row(c, "new-indexed")).isEqualTo("INDEXED " + size);
      assertThat(row(c, "new-flat")).isEqualTo("NO_FEATURES -");
      assertThat(row(c, "new-vector")).isEqualTo("NO_PIXELS -");
      // an existing image changes only when its features are now indexed
      mem.setState(c, "old-unavailable", ReferenceInstances.State.UNAVAILABLE, null);
      mem.setState(c, "old-indexed", ReferenceInstances.State.INDEXED, features(20, 7));
      mem.setState(c, "old-nopix", ReferenceInstances.State.NO_PIXELS, null);
      String before = row(c, "old-indexed");
      mem.record(c, "old-unavailable", "r4", new ReferenceInstances.Extracted(f, ReferenceInstances.State.INDEXED),
          false);
      mem.record(c, "old-indexed", "r5", new ReferenceInstances.Extracted(f, ReferenceInstances.State.INDEXED), false);
      mem.record(c, "old-nopix", "r6", new ReferenceInstances.Extracted(features(3, 8),
          ReferenceInstances.State.NO_FEATURES), false);
      assertThat(row(c, "old-unavailable")).isEqualTo("INDEXED " + size);
      assertThat(row(c, "old-indexed")).isEqualTo(before).isNotEqualTo("INDEXED " + size);
      assertThat(row(c, "old-nopix")).isEqualTo("NO_PIXELS -");
    }
    try (Connection c = db(); ReferenceInstances disk = ReferenceInstances.open(tmp.resolve("store"), "s")) {
      insert(c, "k", null, null);
      disk.record(c, "k", "r", new ReferenceInstances.Extracted(f, ReferenceInstances.State.INDEXED), true);
      assertThat(row(c, "k")).as("a folder index keeps its own features").isEqualTo("INDEXED -");
    }
  }

  @Test
  void aFolderIndexReopensReadOnlyAndADamagedOneIsMovedAside() throws Exception {
    Path store = tmp.resolve("store");
    try (ReferenceInstances ri = ReferenceInstances.open(store, "s")) {
      ri.addNew(Map.of("a", indexed(12, 1)));
      assertThat(ri.index().readOnly()).isFalse();
    }
    assertThat(store.resolve(ReferenceInstances.FOLDER)).isDirectory();
    try (ReferenceInstances ro = ReferenceInstances.open(store, "s", true)) {
      assertThat(ro.index().readOnly()).isTrue();
      assertThat(ro.index().contains("a")).isTrue();
    }
    try (ReferenceInstances again = ReferenceInstances.open(store, "s", false)) {
      assertThat(again.index().readOnly()).isFalse();
      assertThat(again.index().contains("a")).as("durable").isTrue();
    }
    // a file where the folder should be: unusable, moved aside, a fresh index is made
    Path broken = tmp.resolve("broken");
    Files.createDirectories(broken);
    Files.writeString(broken.resolve(ReferenceInstances.FOLDER), "not a folder");
    try (ReferenceInstances fresh = ReferenceInstances.open(broken, "s")) {
      assertThat(fresh.index().size()).isZero();
      assertThat(broken.resolve(ReferenceInstances.FOLDER)).isDirectory();
      try (Stream<Path> files = Files.list(broken)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .anyMatch(n -> n.startsWith(ReferenceInstances.FOLDER + ".damaged-"));
      }
    }
  }
}
