package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.detect.Box;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instance matching in product search: a small catalog of bundled clipart (PNG with alpha, which
 * the catalog flattens on white), queried with new shots of its products (scaled 0.6, rotated 20°,
 * pasted on a crop of a photo, JPEG) and with photos that show none of them. The intent is fixed
 * with {@link KnownIntentClassifier}: the gate is not under test here.
 */
class InstanceMatchingTest {
  @TempDir
  static Path dir;
  static ProductCatalog local;
  static ProductCatalog hybrid;
  static final Path HOUSE = NewShots.CLIPART.resolve("buildings/homes/home3.png");
  static final Path LION = NewShots.CLIPART.resolve("animals/mammals/big_cats/leone_02_architetto_fran_01.png");
  static final Path TULIPS = NewShots.CLIPART.resolve("plants/tulips_ganson.png");
  static final Path HAT = NewShots.CLIPART.resolve("people/head5.png");
  static final Path UNIFORM = NewShots.CLIPART.resolve("people/woman_police_02_gerald_g_01.png");

  static List<CatalogEntry> entries() {
    return List.of(
        new CatalogEntry("house", HOUSE, "buildings", "House", "https://shop.example/house"),
        new CatalogEntry("lion", LION, "animals", "Lion", ""),
        new CatalogEntry("stapler", NewShots.CLIPART.resolve("office/stappler.png"), "office", "Stapler", ""),
        new CatalogEntry("phone", NewShots.CLIPART.resolve("office/telephone/handphone_toh_yen_cheng_01.png"), "office",
            "Phone", ""),
        new CatalogEntry("chips", NewShots.CLIPART.resolve("food/breads_and_carbs/potato_chips.png"), "food", "Chips", ""),
        new CatalogEntry("tram", NewShots.CLIPART.resolve("transportation/tram.png"), "transportation", "Tram", ""),
        new CatalogEntry("sailing", NewShots.CLIPART.resolve("transportation/boating/sailing_kids.png"), "transportation",
            "Sailing", ""),
        new CatalogEntry("pacman", NewShots.CLIPART.resolve("recreation/games/pacman_yet_another__paul_01.png"),
            "recreation", "Pacman", ""),
        new CatalogEntry("card", NewShots.CLIPART.resolve("recreation/games/cards/ornamental/ornamental_s_q.png"),
            "recreation", "Card", ""),
        new CatalogEntry("globe", NewShots.CLIPART.resolve("geography/earth_and_north_star_dan_01.png"), "geography",
            "Globe", ""),
        new CatalogEntry("hat", HAT, "apparel/hat", "Hat", ""),
        new CatalogEntry("uniform", UNIFORM, "apparel/uniform", "Uniform", ""));
  }

  static ProductSearcher searcher(ProductCatalog catalog, Intent intent) {
    return ProductSearcher.builder().catalog(catalog)
        .intentClassifier(new KnownIntentClassifier("fixed-" + intent, 0.9f, image -> intent)).build();
  }

  @BeforeAll
  static void buildCatalogs() {
    local = ProductCatalog.builder().directory(dir.resolve("local")).matcher(Matcher.LOCAL).open();
    IndexReport r = local.index(entries(), ProgressListener.NONE, CancellationToken.NONE);
    assertThat(r.problems()).isEmpty();
    assertThat(r.matcher()).isEqualTo(Matcher.LOCAL);
    assertThat(r.withoutLocalFeatures()).isEmpty();
    hybrid = ProductCatalog.builder().directory(dir.resolve("hybrid")).open(); // the default matcher
    hybrid.index(entries(), ProgressListener.NONE, CancellationToken.NONE);
  }

  @AfterAll
  static void closeCatalogs() {
    local.close();
    hybrid.close();
  }

  @Test
  void newCatalogsTakeTheDefaultMatcherAndStoreProductsInBothIndexes() {
    assertThat(Matcher.DEFAULT).isEqualTo(Matcher.HYBRID);
    assertThat(hybrid.matcher()).isEqualTo(Matcher.DEFAULT);
    assertThat(hybrid.instances().index(Intent.OTHER_COMMODITY).size()).isEqualTo(10);
    assertThat(hybrid.instances().index(Intent.APPAREL).ids()).containsExactlyInAnyOrder("hat", "uniform");
    assertThat(hybrid.index(Intent.OTHER_COMMODITY).size()).isEqualTo(10);
    assertThat(Files.isDirectory(hybrid.directory().resolve("instances-other-commodity"))).isTrue();
  }

  @Test
  void localFindsANewShotOfTheProductFirstWithVerifiedEvidence() {
    NewShots.Shot shot = NewShots.shot(HOUSE, 0.6, 20);
    ProductSearcher s = searcher(local, Intent.OTHER_COMMODITY);
    assertThat(s.matcher()).isEqualTo(Matcher.LOCAL);
    ProductSearchResult r = s.search(shot.image(), "house shot");
    assertThat(r.matcher()).isEqualTo(Matcher.LOCAL);
    assertThat(r.note()).isNull();
    List<ProductMatch> results = r.regions().get(0).results();
    ProductMatch top = results.get(0);
    assertThat(top.id()).isEqualTo("house");
    assertThat(top.title()).isEqualTo("House");
    assertThat(top.verified()).isTrue();
    assertThat(top.inliers()).isGreaterThanOrEqualTo(15);
    assertThat(top.instanceScore()).isGreaterThan(0.9);
    assertThat(top.rankValue()).isEqualTo(2 * top.instanceScore());
    assertThat(top.distance()).isNaN(); // local matching computes no global feature
    assertThat(NewShots.locates(top, shot.box())).as("%s vs %s", top.queryRegion(), shot.box()).isTrue();
    assertThat(results).allSatisfy(m -> assertThat(m.verified()).isTrue());
    assertThat(r.verifiedCount()).isEqualTo(results.size());
    assertThat(s.stats().instanceSearches()).isEqualTo(1);
  }

  @Test
  void hybridPutsTheVerifiedProductFirstThenTheGlobalResults() {
    NewShots.Shot shot = NewShots.shot(LION, 0.6, -20);
    ProductSearcher s = searcher(hybrid, Intent.OTHER_COMMODITY);
    assertThat(s.matcher()).isEqualTo(Matcher.HYBRID);
    ProductSearchResult r = s.search(shot.image(), "lion shot");
    List<ProductMatch> results = r.regions().get(0).results();
    ProductMatch top = results.get(0);
    assertThat(top.id()).isEqualTo("lion");
    assertThat(top.verified()).isTrue();
    assertThat(top.inliers()).isGreaterThanOrEqualTo(15);
    assertThat(top.distance()).isBetween(0f, 2f); // its true global distance, from the stored vector
    assertThat(top.rankValue()).isEqualTo(Math.max(2 - top.distance(), 2 * top.instanceScore()));
    assertThat(NewShots.locates(top, shot.box())).as("%s vs %s", top.queryRegion(), shot.box()).isTrue();
    // the global look-alikes follow, unverified
    assertThat(results.size()).isGreaterThan(r.verifiedCount());
    List<Boolean> verifiedFlags = results.stream().map(ProductMatch::verified).toList();
    assertThat(verifiedFlags.indexOf(false)).isEqualTo(r.verifiedCount());
    assertThat(verifiedFlags.subList(r.verifiedCount(), verifiedFlags.size())).doesNotContain(true);
    // the same photo with the seed's global search alone finds no evidence
    ProductSearchResult g = ProductSearcher.builder().catalog(hybrid).matcher(Matcher.GLOBAL)
        .intentClassifier(new KnownIntentClassifier("fixed", 0.9f, i -> Intent.OTHER_COMMODITY)).build()
        .search(shot.image(), "lion shot");
    assertThat(g.verifiedCount()).isZero();
    assertThat(g.regions().get(0).results()).allSatisfy(m -> assertThat(m.hasInstanceEvidence()).isFalse());
  }

  @Test
  void localSaysNoCatalogProductIsInAPhotoWithoutOne() {
    BufferedImage unknownProduct = NewShots.shot(TULIPS, 0.6, 15).image();
    BufferedImage coffee = Distortions.jpeg(NewShots.background("coffee.png", 0, 0, 600, 400, 480, 320), 0.8f);
    for (BufferedImage photo : List.of(unknownProduct, coffee)) {
      ProductSearchResult r = searcher(local, Intent.OTHER_COMMODITY).search(photo, "no catalog product");
      assertThat(r.searched()).isTrue();
      assertThat(r.verifiedCount()).isZero();
      assertThat(r.regions()).allSatisfy(g -> assertThat(g.results()).isEmpty());
      assertThat(r.note()).startsWith("no product of this catalog is in the photo");
      assertThat(r.message()).contains("no product of this catalog is in the photo");
      ProductSearchResult h = searcher(hybrid, Intent.OTHER_COMMODITY).search(photo, "no catalog product");
      assertThat(h.verifiedCount()).isZero();
      assertThat(h.note()).contains("no product of this catalog was verified");
    }
  }

  @Test
  void aPhotoWithTwoGarmentsGetsEachVerifiedInItsOwnRegion() {
    BufferedImage bg = NewShots.background("chelsea.png", 0, 0, 451, 300, 720, 480);
    Box hatBox = NewShots.paste(bg, HAT, 0.6, 12, 180, 240);
    Box uniformBox = NewShots.paste(bg, UNIFORM, 0.8, -10, 540, 240);
    ProductSearchResult r = searcher(local, Intent.APPAREL).search(Distortions.jpeg(bg, 0.85f), "two garments");
    List<ProductMatch> verified = new ArrayList<>();
    for (RegionResult g : r.regions()) {
      for (ProductMatch m : g.results()) {
        verified.add(m);
        // the region that holds the match is where the match lies
        assertThat(NewShots.region(m).iou(g.box())).isGreaterThanOrEqualTo(InstanceEvidence.REGION_IOU);
      }
    }
    assertThat(verified).extracting(ProductMatch::id).containsExactlyInAnyOrder("hat", "uniform");
    ProductMatch hat = verified.stream().filter(m -> m.id().equals("hat")).findFirst().orElseThrow();
    ProductMatch uniform = verified.stream().filter(m -> m.id().equals("uniform")).findFirst().orElseThrow();
    assertThat(NewShots.locates(hat, hatBox)).as("%s vs %s", hat.queryRegion(), hatBox).isTrue();
    assertThat(NewShots.locates(uniform, uniformBox)).as("%s vs %s", uniform.queryRegion(), uniformBox).isTrue();
  }

  @Test
  void matcherIsRememberedAcrossReopenAndAnotherIsRefused(@TempDir Path tmp) {
    Path db = tmp.resolve("db");
    try (ProductCatalog c = ProductCatalog.builder().directory(db).matcher(Matcher.LOCAL).open()) {
      c.index(entries().subList(0, 2), ProgressListener.NONE, CancellationToken.NONE);
    }
    try (ProductCatalog c = ProductCatalog.builder().directory(db).open()) {
      assertThat(c.matcher()).isEqualTo(Matcher.LOCAL);
      ProductSearcher s = searcher(c, Intent.OTHER_COMMODITY);
      assertThat(s.matcher()).isEqualTo(Matcher.LOCAL);
      ProductSearchResult r = s.search(NewShots.shot(HOUSE, 0.6, 20).image(), "house shot");
      assertThat(r.matcher()).isEqualTo(Matcher.LOCAL);
      assertThat(r.regions().get(0).results()).extracting(ProductMatch::id).containsExactly("house");
    }
    assertThatThrownBy(() -> ProductCatalog.builder().directory(db).matcher(Matcher.GLOBAL).open())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("'local' matcher");
    // a global catalog has no instance index: a local searcher is refused when built
    try (ProductCatalog g = ProductCatalog.builder().directory(tmp.resolve("global")).matcher(Matcher.GLOBAL).open()) {
      g.index(entries().subList(0, 2), ProgressListener.NONE, CancellationToken.NONE);
      assertThat(Files.exists(g.directory().resolve("instances-other-commodity"))).isFalse();
      assertThatThrownBy(() -> ProductSearcher.builder().catalog(g).matcher(Matcher.LOCAL)
          .intentClassifier(new KnownIntentClassifier("fixed", 0.9f, i -> Intent.OTHER_COMMODITY)).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("global matcher");
    }
    try (ProductCatalog g = ProductCatalog.builder().directory(tmp.resolve("global")).open()) {
      assertThat(g.matcher()).isEqualTo(Matcher.GLOBAL);
    }
  }

  @Test
  void removeAndReindexKeepTheInstanceIndexInStepWithTheDatabase(@TempDir Path tmp) {
    Path db = tmp.resolve("db");
    BufferedImage shot = NewShots.shot(HOUSE, 0.6, 20).image();
    try (ProductCatalog c = ProductCatalog.builder().directory(db).matcher(Matcher.LOCAL).open()) {
      c.index(entries().subList(0, 3), ProgressListener.NONE, CancellationToken.NONE);
      assertThat(c.instances().index(Intent.OTHER_COMMODITY).contains("house")).isTrue();
      assertThat(c.remove("house")).isTrue();
      assertThat(c.instances().index(Intent.OTHER_COMMODITY).contains("house")).isFalse();
      assertThat(searcher(c, Intent.OTHER_COMMODITY).search(shot, "house shot").verifiedCount()).isZero();
      // moved to the other segment: the instance entry moves with it
      c.index(List.of(new CatalogEntry("lion", LION, "apparel/costume", "Lion costume", "")), ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(c.instances().index(Intent.OTHER_COMMODITY).contains("lion")).isFalse();
      assertThat(c.instances().index(Intent.APPAREL).contains("lion")).isTrue();
    }
    try (ProductCatalog c = ProductCatalog.builder().directory(db).open()) {
      assertThat(c.instances().index(Intent.OTHER_COMMODITY).ids()).containsExactly("stapler");
      assertThat(c.instances().index(Intent.APPAREL).ids()).containsExactly("lion");
    }
  }

  @Test
  void aFlatImageStaysGloballyIndexed(@TempDir Path tmp) throws Exception {
    Path flat = Fixtures.write(Fixtures.canvas(120, 80, new Color(200, 40, 40)), tmp.resolve("flat.png"));
    try (ProductCatalog c = ProductCatalog.builder().directory(tmp.resolve("db")).matcher(Matcher.HYBRID).open()) {
      IndexReport r = c.index(List.of(new CatalogEntry("red", flat, "paint", "Red", ""),
          entries().get(0)), ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.indexed()).isEqualTo(2);
      assertThat(r.withoutLocalFeatures()).containsExactly("red");
      assertThat(c.instances().index(Intent.OTHER_COMMODITY).contains("red")).isFalse();
      float[] v = c.embedder(Intent.OTHER_COMMODITY).embed(ImageLoader.defaults().load(flat));
      assertThat(c.search(Intent.OTHER_COMMODITY, v, 1).get(0).id()).isEqualTo("red");
      // a query without local features is answered by the global search, with a note
      ProductSearchResult q = searcher(c, Intent.OTHER_COMMODITY).search(ImageLoader.defaults().load(flat), "flat");
      assertThat(q.regions().get(0).results().get(0).id()).isEqualTo("red");
      assertThat(q.note()).contains("too few local features");
    }
  }

  @Test
  void openingReconcilesTheInstanceIndexWithTheDatabase(@TempDir Path tmp) throws Exception {
    Path db = tmp.resolve("db");
    try (ProductCatalog c = ProductCatalog.builder().directory(db).matcher(Matcher.LOCAL).open()) {
      c.index(entries().subList(0, 2), ProgressListener.NONE, CancellationToken.NONE);
      // an entry without a product row, as an indexing run cut short before its commit leaves one
      c.instances().index(Intent.OTHER_COMMODITY).add("ghost", ImageLoader.defaults().load(HOUSE));
    }
    try (ProductCatalog c = ProductCatalog.builder().directory(db).open()) {
      assertThat(c.instances().index(Intent.OTHER_COMMODITY).ids()).containsExactlyInAnyOrder("house", "lion");
    }
    Path folder = db.resolve("instances-other-commodity");
    try (Stream<Path> s = Files.walk(folder)) {
      List<Path> all = new ArrayList<>(s.toList());
      Collections.reverse(all);
      for (Path p : all) {
        Files.delete(p);
      }
    }
    assertThatThrownBy(() -> ProductCatalog.builder().directory(db).open())
        .isInstanceOf(StoreException.class).hasMessageContaining("instance index missing")
        .hasMessageContaining("instances-other-commodity");
  }
}
