package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.instance.Matcher;
import io.sightline.core.store.Database;
import io.sightline.core.store.IndexGeneration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's database and its two index files never disagree in what is served: kill -9 at
 * every step of an update that moves products between segments, a failed commit, a database
 * that lost commits, an index file from elsewhere, a catalog from before vectors were stored.
 */
class CatalogWriteProtocolTest {
  static final List<String> REMOVED = List.of("a15", "a16", "o15");
  private static final String APPAREL = "apparel/tops";
  private static final String OTHER = "home/mugs";

  @TempDir
  Path tmp;
  private Path base;

  static ProductCatalog open(Path dir) {
    return ProductCatalog.builder().directory(dir).matcher(Matcher.GLOBAL).open();
  }

  /** The same catalog with both segments on Lucene indexes in {@code dir/vectors/<segment>}. */
  static ProductCatalog openOnLucene(Path dir) {
    return ProductCatalog.builder().directory(dir).matcher(Matcher.GLOBAL).vectorIndex(lucene(dir)).open();
  }

  static java.util.function.Function<Intent, io.sightline.core.index.VectorIndexFactory> lucene(Path dir) {
    return s -> io.sightline.index.lucene.LuceneVectorIndex.factory(dir.resolve("vectors").resolve(s.label()));
  }

  /** 20 apparel products a00..a19 and 20 others o00..o19, vectors of version 1. */
  static List<CatalogEntry> initial() {
    List<CatalogEntry> out = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      out.add(entry(String.format("a%02d", i), APPAREL));
      out.add(entry(String.format("o%02d", i), OTHER));
    }
    return out;
  }

  /** Moves a00..a04 to the other segment and o00..o04 to apparel, re-embeds a10..a12, adds n00..n04 (version 2). */
  static List<CatalogEntry> update() {
    List<CatalogEntry> out = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      out.add(entry(String.format("a%02d", i), OTHER));
      out.add(entry(String.format("o%02d", i), "apparel/dresses"));
      out.add(entry(String.format("n%02d", i), APPAREL));
    }
    for (int i = 10; i < 13; i++) {
      out.add(entry(String.format("a%02d", i), APPAREL));
    }
    return out;
  }

  /** New vectors (version 2) for a10..a12 in the same segment: the index keeps its size and ids. */
  static List<CatalogEntry> reembed() {
    return List.of(entry("a10", APPAREL), entry("a11", APPAREL), entry("a12", APPAREL));
  }

  private static CatalogEntry entry(String id, String category) {
    return new CatalogEntry(id, Path.of(id + ".png"), category, "title " + id, "", 0, Map.of());
  }

  static List<float[]> vectors(List<CatalogEntry> entries, int version, ProductCatalog cat) {
    int dim = cat.embedder(Intent.APPAREL).dimension();
    return entries.stream().map(e -> vector(e.id(), version, dim)).toList();
  }

  private static float[] vector(String id, int version, int dim) {
    Random r = new Random(Objects.hash(id, version));
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /** What a catalog must serve: id to (segment, vector version). */
  record Expected(Map<String, Intent> segment, Map<String, Integer> version) {
    static Expected of(List<CatalogEntry> entries, int version) {
      Expected e = new Expected(new LinkedHashMap<>(), new LinkedHashMap<>());
      return e.with(entries, version);
    }

    Expected with(List<CatalogEntry> entries, int v) {
      Map<String, Intent> s = new LinkedHashMap<>(segment);
      Map<String, Integer> ver = new LinkedHashMap<>(version);
      for (CatalogEntry e : entries) {
        s.put(e.id(), e.segment());
        ver.put(e.id(), v);
      }
      return new Expected(s, ver);
    }

    Expected without(List<String> ids) {
      Map<String, Intent> s = new LinkedHashMap<>(segment);
      Map<String, Integer> ver = new LinkedHashMap<>(version);
      ids.forEach(s::remove);
      ids.forEach(ver::remove);
      return new Expected(s, ver);
    }
  }

  static final Expected BEFORE = Expected.of(initial(), 1);
  static final Expected UPDATED = BEFORE.with(update(), 2);
  static final Expected REMOVED_STATE = BEFORE.without(REMOVED);

  @BeforeEach
  void initialCatalog() {
    base = tmp.resolve("base");
    try (ProductCatalog cat = open(base)) {
      cat.indexVectors(initial(), vectors(initial(), 1, cat), ProgressListener.NONE);
    }
  }

  /** Every product is found in its own segment with its own vector, and nowhere else. */
  static void assertServes(ProductCatalog cat, Expected want) {
    int dim = cat.embedder(Intent.APPAREL).dimension();
    assertThat(cat.size()).isEqualTo(want.segment().size());
    for (Intent s : ProductCatalog.SEGMENTS) {
      long n = want.segment().values().stream().filter(s::equals).count();
      assertThat(cat.count(s)).as("%s rows", s).isEqualTo(n);
      assertThat(cat.index(s).size()).as("%s index entries", s).isEqualTo((int) n);
    }
    for (Map.Entry<String, Intent> e : want.segment().entrySet()) {
      String id = e.getKey();
      Intent s = e.getValue();
      Intent other = s == Intent.APPAREL ? Intent.OTHER_COMMODITY : Intent.APPAREL;
      float[] v = vector(id, want.version().get(id), dim);
      assertThat(cat.product(id)).as(id).isPresent();
      assertThat(cat.product(id).orElseThrow().segment()).as(id).isEqualTo(s);
      float[] unit = io.sightline.core.index.Vectors.normalized(v);
      assertThat(cat.index(s).vector(id)).as("%s vector", id)
          .hasValueSatisfying(x -> assertThat(x).containsExactly(unit, org.assertj.core.data.Offset.offset(1e-6f)));
      assertThat(cat.index(other).contains(id)).as("%s stale in %s", id, other).isFalse();
      assertThat(cat.search(s, v, 1).get(0).id()).as("%s found", id).isEqualTo(id);
    }
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private int crash(Path dir, String step, String op) throws Exception {
    return crash(dir, step, op, "hnsw");
  }

  /** Runs {@link CatalogCrashMain} on {@code dir}, killed at {@code step}; index "hnsw" or "lucene". */
  static int crash(Path dir, String step, String op, String index) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        CatalogCrashMain.class.getName(), dir.toString(), step, op, index)
        .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor();
  }

  @Test
  void aKillAtEveryStepOfAnUpdateLeavesTheCommittedStateAndNoStaleEntries() throws Exception {
    List<String> steps = List.of("instances staged", "committing", "committed", "indexed", "saved apparel",
        "generation apparel", "saved other-commodity", "generation other-commodity");
    for (String step : steps) {
      Path dir = tmp.resolve("update-" + step.replace(' ', '-'));
      copy(base, dir);
      assertThat(crash(dir, step, "update")).as("killed at '%s'", step).isEqualTo(137);
      boolean committed = !step.equals("instances staged") && !step.equals("committing");
      try (ProductCatalog cat = open(dir)) {
        assertServes(cat, committed ? UPDATED : BEFORE);
        // it keeps working: the next write and a reopen agree
        cat.remove(List.of("o19"));
      }
      try (ProductCatalog cat = open(dir)) {
        assertServes(cat, (committed ? UPDATED : BEFORE).without(List.of("o19")));
      }
    }
  }

  @Test
  void aKillAfterTheCommitOfNewVectorsServesTheNewVectors() throws Exception {
    // the index file keeps its size and ids: only its write generation tells that it is behind
    for (String step : List.of("committed", "indexed", "saved apparel")) {
      Path dir = tmp.resolve("reembed-" + step.replace(' ', '-'));
      copy(base, dir);
      assertThat(crash(dir, step, "reembed")).as("killed at '%s'", step).isEqualTo(137);
      try (ProductCatalog cat = open(dir)) {
        assertServes(cat, BEFORE.with(reembed(), 2));
      }
    }
  }

  @Test
  void aKillAtEveryStepOfARemovalLeavesTheCommittedState() throws Exception {
    for (String step : List.of("committed", "indexed", "saved apparel", "generation apparel", "saved other-commodity")) {
      Path dir = tmp.resolve("remove-" + step.replace(' ', '-'));
      copy(base, dir);
      assertThat(crash(dir, step, "remove")).as("killed at '%s'", step).isEqualTo(137);
      try (ProductCatalog cat = open(dir)) {
        assertServes(cat, REMOVED_STATE);
      }
    }
  }

  @Test
  void aFailedCommitChangesNeitherWhatIsServedNorTheFiles() throws Exception {
    try (ProductCatalog cat = open(base)) {
      CatalogWriter.step = name -> {
        if (name.equals("committing")) {
          throw new StoreException("disk full (simulated)");
        }
      };
      try {
        assertThatThrownBy(() -> cat.indexVectors(update(), vectors(update(), 2, cat), ProgressListener.NONE))
            .isInstanceOf(StoreException.class).hasMessageContaining("disk full");
      } finally {
        CatalogWriter.step = name -> { };
      }
      assertServes(cat, BEFORE);
      cat.indexVectors(update(), vectors(update(), 2, cat), ProgressListener.NONE);
      assertServes(cat, UPDATED);
    }
    try (ProductCatalog cat = open(base)) {
      assertServes(cat, UPDATED);
    }
  }

  @Test
  void aDatabaseThatLostCommitsIsRefusedNotServed() throws Exception {
    Path old = tmp.resolve("catalog-before.mv.db");
    Files.copy(base.resolve("catalog.mv.db"), old);
    try (ProductCatalog cat = open(base)) {
      cat.indexVectors(update(), vectors(update(), 2, cat), ProgressListener.NONE);
    }
    Files.copy(old, base.resolve("catalog.mv.db"), StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> open(base)).isInstanceOf(StoreException.class)
        .hasMessageContaining("lost commits").hasMessageContaining("apparel.hnsw");
    // accepting the restored copy as the message says: delete the index files and their generations
    for (Intent s : ProductCatalog.SEGMENTS) {
      Path f = CatalogIndexes.file(base, s);
      Files.delete(f);
      Files.delete(IndexGeneration.sidecar(f));
    }
    try (ProductCatalog cat = open(base)) {
      assertServes(cat, BEFORE);
    }
  }

  @Test
  void corruptMissingOrForeignIndexFilesAreRebuiltFromTheDatabase() throws Exception {
    Path apparel = CatalogIndexes.file(base, Intent.APPAREL);
    Path other = CatalogIndexes.file(base, Intent.OTHER_COMMODITY);
    byte[] bytes = Files.readAllBytes(other);
    Files.write(other, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    try (ProductCatalog cat = open(base)) {
      assertServes(cat, BEFORE);
    }
    Files.delete(apparel);
    try (ProductCatalog cat = open(base)) {
      assertServes(cat, BEFORE);
    }
    // the apparel file (and its generation) copied over the other segment's: same size, other ids
    Files.copy(apparel, other, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(IndexGeneration.sidecar(apparel), IndexGeneration.sidecar(other), StandardCopyOption.REPLACE_EXISTING);
    try (ProductCatalog cat = open(base)) {
      assertServes(cat, BEFORE);
    }
  }

  @Test
  void aCatalogFromBeforeStoredVectorsKeepsItsFilesAndGainsItsVectors() throws Exception {
    try (Database db = Database.openFile(base, "catalog")) {
      db.transaction(c -> c.createStatement().executeUpdate("UPDATE commerce_products SET vector = NULL"));
      db.transaction(c -> c.createStatement().executeUpdate("DELETE FROM commerce_meta WHERE k = 'generation'"));
    }
    for (Intent s : ProductCatalog.SEGMENTS) {
      Files.delete(IndexGeneration.sidecar(CatalogIndexes.file(base, s)));
    }
    try (ProductCatalog cat = open(base)) {
      assertServes(cat, BEFORE);
    }
    // the vectors are now in the database: a lost file is rebuilt
    Files.delete(CatalogIndexes.file(base, Intent.APPAREL));
    try (ProductCatalog cat = open(base)) {
      assertServes(cat, BEFORE);
    }
  }

  @Test
  void withoutStoredVectorsALostFileIsRefusedWithWhatToDo() throws Exception {
    try (Database db = Database.openFile(base, "catalog")) {
      db.transaction(c -> c.createStatement().executeUpdate("UPDATE commerce_products SET vector = NULL"));
    }
    Files.delete(CatalogIndexes.file(base, Intent.APPAREL));
    assertThatThrownBy(() -> open(base)).isInstanceOf(StoreException.class)
        .hasMessageContaining("apparel.hnsw is missing").hasMessageContaining("re-run indexing");
  }
}
