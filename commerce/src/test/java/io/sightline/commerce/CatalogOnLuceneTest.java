package io.sightline.commerce;

import static io.sightline.commerce.CatalogWriteProtocolTest.BEFORE;
import static io.sightline.commerce.CatalogWriteProtocolTest.REMOVED;
import static io.sightline.commerce.CatalogWriteProtocolTest.REMOVED_STATE;
import static io.sightline.commerce.CatalogWriteProtocolTest.UPDATED;
import static io.sightline.commerce.CatalogWriteProtocolTest.assertServes;
import static io.sightline.commerce.CatalogWriteProtocolTest.copy;
import static io.sightline.commerce.CatalogWriteProtocolTest.crash;
import static io.sightline.commerce.CatalogWriteProtocolTest.initial;
import static io.sightline.commerce.CatalogWriteProtocolTest.open;
import static io.sightline.commerce.CatalogWriteProtocolTest.openOnLucene;
import static io.sightline.commerce.CatalogWriteProtocolTest.update;
import static io.sightline.commerce.CatalogWriteProtocolTest.vectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.instance.Matcher;
import io.sightline.core.store.IndexGeneration;
import io.sightline.index.lucene.LuceneVectorIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog with its segments on on-disk Lucene indexes ({@link ProductCatalog.Builder#vectorIndex}):
 * the same kill -9 cases as {@link CatalogWriteProtocolTest}, an index that was changed or left
 * behind brought up to the database, a database that lost commits refused, and read-only
 * catalogs that follow the writer.
 */
class CatalogOnLuceneTest {
  @TempDir
  Path tmp;
  private Path base;

  @BeforeEach
  void initialCatalog() {
    base = tmp.resolve("base");
    try (ProductCatalog cat = openOnLucene(base)) {
      cat.indexVectors(initial(), vectors(initial(), 1, cat), ProgressListener.NONE);
    }
  }

  private static Path luceneDir(Path catalog, Intent s) {
    return catalog.resolve("vectors").resolve(s.label());
  }

  private static Set<String> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      // the segment files (a commit's own segments_N file may be rewritten on close)
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("_")).collect(Collectors.toSet());
    }
  }

  @Test
  void writesCommitToTheIndexesAndAReopenUsesThemWithoutRewriting() throws Exception {
    for (Intent s : ProductCatalog.SEGMENTS) {
      assertThat(CatalogIndexes.file(base, s)).as("no HNSW file for %s", s).doesNotExist();
      assertThat(IndexGeneration.read(CatalogFactoryIndexes.marker(base, s))).hasValue(1L);
    }
    Set<String> before = files(luceneDir(base, Intent.APPAREL));
    try (ProductCatalog cat = openOnLucene(base)) {
      assertThat(cat.index(Intent.APPAREL)).isInstanceOf(LuceneVectorIndex.class);
      assertServes(cat, BEFORE);
    }
    assertThat(files(luceneDir(base, Intent.APPAREL))).as("nothing written on an open that found the index current")
        .isEqualTo(before);
    try (ProductCatalog cat = openOnLucene(base)) {
      cat.indexVectors(update(), vectors(update(), 2, cat), ProgressListener.NONE);
      assertServes(cat, UPDATED);
    }
    try (ProductCatalog cat = openOnLucene(base)) {
      assertServes(cat, UPDATED);
      assertThat(cat.remove(REMOVED)).containsExactlyElementsOf(REMOVED);
    }
    try (ProductCatalog cat = openOnLucene(base)) {
      assertServes(cat, UPDATED.without(REMOVED));
    }
  }

  @Test
  void aKillAtEveryStepOfAnUpdateOrARemovalLeavesTheCommittedState() throws Exception {
    List<String> steps = List.of("committing", "committed", "indexed", "generation apparel",
        "generation other-commodity");
    for (String step : steps) {
      Path dir = tmp.resolve("update-" + step.replace(' ', '-'));
      copy(base, dir);
      assertThat(crash(dir, step, "update", "lucene")).as("killed at '%s'", step).isEqualTo(137);
      boolean committed = !step.equals("committing");
      try (ProductCatalog cat = openOnLucene(dir)) {
        assertServes(cat, committed ? UPDATED : BEFORE);
        cat.remove(List.of("o19"));
      }
      try (ProductCatalog cat = openOnLucene(dir)) {
        assertServes(cat, (committed ? UPDATED : BEFORE).without(List.of("o19")));
      }
    }
    for (String step : List.of("committed", "indexed", "generation apparel")) {
      Path dir = tmp.resolve("remove-" + step.replace(' ', '-'));
      copy(base, dir);
      assertThat(crash(dir, step, "remove", "lucene")).as("killed at '%s'", step).isEqualTo(137);
      try (ProductCatalog cat = openOnLucene(dir)) {
        assertServes(cat, REMOVED_STATE);
      }
    }
  }

  @Test
  void anIndexChangedOrLeftBehindIsBroughtUpToTheDatabase() throws Exception {
    // behind the catalog's back: a product lost, a foreign one added, one vector and one category changed
    Path apparel = luceneDir(base, Intent.APPAREL);
    int dim;
    String embedder;
    try (ProductCatalog cat = openOnLucene(base)) {
      dim = cat.embedder(Intent.APPAREL).dimension();
      embedder = cat.embedder(Intent.APPAREL).id();
    }
    try (LuceneVectorIndex<String> idx = LuceneVectorIndex.open(apparel, dim, Metric.COSINE, embedder)) {
      float[] a01 = idx.vector("a01").orElseThrow();
      Map<String, String> a02 = idx.attributes("a02").orElseThrow();
      idx.remove("a00");
      idx.add("stranger", a01, Map.of());
      idx.add("a01", idx.vector("a03").orElseThrow(), idx.attributes("a01").orElseThrow());
      idx.add("a02", idx.vector("a02").orElseThrow(), Map.of(ProductFilter.CATEGORY, "apparel/elsewhere"));
      assertThat(a02).containsEntry(ProductFilter.CATEGORY, "apparel/tops");
    }
    // the size is unchanged (one removed, one added): set the generation record back, as a crash
    // between the database's commit and the index's would leave it
    IndexGeneration.write(CatalogFactoryIndexes.marker(base, Intent.APPAREL), 0);
    try (ProductCatalog cat = openOnLucene(base)) {
      assertServes(cat, BEFORE);
      assertThat(cat.index(Intent.APPAREL).contains("stranger")).isFalse();
      assertThat(cat.index(Intent.APPAREL).attributes("a02").orElseThrow())
          .containsEntry(ProductFilter.CATEGORY, "apparel/tops");
    }
    assertThat(IndexGeneration.read(CatalogFactoryIndexes.marker(base, Intent.APPAREL))).hasValue(1L);
    // a lost index directory is rebuilt from the database as well
    try (Stream<Path> files = Files.walk(apparel)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    try (ProductCatalog cat = openOnLucene(base)) {
      assertServes(cat, BEFORE);
    }
  }

  @Test
  void switchingBetweenTheDefaultFilesAndLuceneKeepsServingTheDatabase() throws Exception {
    Path dir = tmp.resolve("switch");
    try (ProductCatalog cat = open(dir)) {
      cat.indexVectors(initial(), vectors(initial(), 1, cat), ProgressListener.NONE);
    }
    try (ProductCatalog cat = openOnLucene(dir)) {
      assertServes(cat, BEFORE);
      cat.indexVectors(update(), vectors(update(), 2, cat), ProgressListener.NONE);
    }
    try (ProductCatalog cat = open(dir)) {
      // the HNSW files are behind the writes made on Lucene: rebuilt from the database
      assertThat(cat.index(Intent.APPAREL)).isInstanceOf(HnswVectorIndex.class);
      assertServes(cat, UPDATED);
      cat.remove(REMOVED);
    }
    try (ProductCatalog cat = openOnLucene(dir)) {
      assertServes(cat, UPDATED.without(REMOVED));
    }
  }

  @Test
  void aDatabaseThatLostCommitsIsRefusedNotServed() throws Exception {
    Path old = tmp.resolve("catalog-before.mv.db");
    Files.copy(base.resolve("catalog.mv.db"), old);
    try (ProductCatalog cat = openOnLucene(base)) {
      cat.indexVectors(update(), vectors(update(), 2, cat), ProgressListener.NONE);
    }
    Files.copy(old, base.resolve("catalog.mv.db"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> openOnLucene(base)).isInstanceOf(StoreException.class)
        .hasMessageContaining("lost commits").hasMessageContaining("apparel.vectors.gen");
    for (Intent s : ProductCatalog.SEGMENTS) {
      Files.delete(IndexGeneration.sidecar(CatalogFactoryIndexes.marker(base, s)));
    }
    try (ProductCatalog cat = openOnLucene(base)) {
      assertServes(cat, BEFORE);
    }
  }

  @Test
  void anIndexForAnotherShapeIsRefusedAndAnInMemoryCatalogTakesNone() {
    assertThatThrownBy(() -> ProductCatalog.builder().directory(base).matcher(Matcher.GLOBAL)
        .vectorIndex(s -> (dim, metric, id) -> LuceneVectorIndex.open(tmp.resolve("other-" + s.label()), dim + 1,
            metric, id))
        .open()).isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("holds");
    assertThatThrownBy(() -> ProductCatalog.builder().inMemory().vectorIndex(CatalogWriteProtocolTest.lucene(base))
        .open()).isInstanceOf(IllegalStateException.class).hasMessageContaining("in a folder");
    // the refused open released everything: the catalog opens again
    try (ProductCatalog cat = openOnLucene(base)) {
      assertServes(cat, BEFORE);
    }
  }

  @Test
  void aReadOnlyCatalogFollowsTheWriterOnItsIndexOrBuildsItsOwnWhenTheIndexIsBehind() throws Exception {
    ProductCatalog.Builder reader = ProductCatalog.builder().directory(base).readOnly(true)
        .vectorIndex(CatalogWriteProtocolTest.lucene(base));
    try (ProductCatalog writer = openOnLucene(base); ProductCatalog ro = reader.open()) {
      VectorIndex<String> idx = ro.index(Intent.APPAREL);
      assertThat(idx).isInstanceOf(LuceneVectorIndex.class);
      assertThat(((LuceneVectorIndex<String>) idx).isReadOnly()).isTrue();
      assertServes(ro, BEFORE);
      writer.indexVectors(update(), vectors(update(), 2, writer), ProgressListener.NONE);
      long until = System.nanoTime() + 10_000_000_000L;
      // each segment's reader refreshes on its own (within about a second): wait for the last
      // commit of both (apparel's additions, then the other segment's)
      while (!(ro.index(Intent.APPAREL).contains("n00") && ro.index(Intent.OTHER_COMMODITY).contains("a00"))
          && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertServes(ro, UPDATED);
    }
    IndexGeneration.write(CatalogFactoryIndexes.marker(base, Intent.APPAREL), 1);
    try (ProductCatalog ro = reader.open()) {
      assertThat(ro.index(Intent.APPAREL)).as("behind: its own copy").isInstanceOf(HnswVectorIndex.class);
      assertThat(ro.index(Intent.OTHER_COMMODITY)).isInstanceOf(LuceneVectorIndex.class);
      assertServes(ro, UPDATED);
    }
  }
}
