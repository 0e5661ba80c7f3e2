package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.Matcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several images per product: each is searched, the product is listed once, and they follow it. */
class AdditionalImagesTest {
  @TempDir
  Path dir;
  private Path db;
  private float[] side;

  @BeforeEach
  void images() throws Exception {
    for (int i = 1; i <= 6; i++) {
      Fixtures.write(Fixtures.product(i), dir.resolve("img/p" + i + ".png"));
    }
    Fixtures.write(Fixtures.product(100), dir.resolve("img/p1-side.png"));
    Fixtures.write(Fixtures.product(101), dir.resolve("img/p1-back.png"));
    db = dir.resolve("db");
  }

  private Path csv(String name, String p1Row, String p1Category) throws Exception {
    StringBuilder sb = new StringBuilder("id,image,category,title,link,additional_images,price\n");
    sb.append("p1,img/p1.png,").append(p1Category).append(",Product 1,,").append(p1Row).append(",10\n");
    for (int i = 2; i <= 6; i++) {
      sb.append("p").append(i).append(",img/p").append(i).append(".png,cup,Product ").append(i).append(",,,20\n");
    }
    Path f = dir.resolve(name);
    Files.writeString(f, sb.toString());
    return f;
  }

  private static ProductCatalog open(Path db) {
    return ProductCatalog.builder().directory(db).matcher(Matcher.GLOBAL).open();
  }

  private float[] embed(ProductCatalog cat, Intent s, String image) {
    return cat.embedder(s).embed(io.sightline.core.image.ImageLoader.defaults().load(dir.resolve(image)));
  }

  @Test
  void aPhotoOfAnotherViewFindsTheProductOnceAndTheViewsFollowItsUpdates() throws Exception {
    try (ProductCatalog cat = open(db)) {
      IndexReport r = cat.index(csv("a.csv", "img/p1-side.png | img/p1-back.png", "cup"), ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(r.problems()).isEmpty();
      assertThat(cat.size()).isEqualTo(6);
      assertThat(cat.index(Intent.OTHER_COMMODITY).size()).isEqualTo(8);
      assertThat(cat.product("p1").orElseThrow().attributes()).containsEntry("price", "10")
          .doesNotContainKey("additional_images");
      side = embed(cat, Intent.OTHER_COMMODITY, "img/p1-side.png");
      List<SearchResult<String>> hits = cat.search(Intent.OTHER_COMMODITY, side, 6);
      assertThat(hits.get(0).id()).isEqualTo("p1");
      assertThat(hits.get(0).distance()).isLessThan(1e-4f);
      assertThat(hits).extracting(SearchResult::id).doesNotHaveDuplicates().hasSize(6);
      // filters see the product's attributes on every image
      assertThat(cat.search(Intent.OTHER_COMMODITY, side, 3, ProductFilter.parse("price<=10")))
          .extracting(SearchResult::id).containsExactly("p1");
    }
    // reopened, and rebuilt from the database when the file is gone: the views are still there
    Files.delete(db.resolve("other-commodity.hnsw"));
    try (ProductCatalog cat = open(db)) {
      assertThat(cat.index(Intent.OTHER_COMMODITY).size()).isEqualTo(8);
      assertThat(cat.search(Intent.OTHER_COMMODITY, side, 1).get(0).distance()).isLessThan(1e-4f);
      // one view left: the other leaves the index
      cat.index(csv("b.csv", "img/p1-back.png", "cup"), ProgressListener.NONE, CancellationToken.NONE);
      assertThat(cat.index(Intent.OTHER_COMMODITY).size()).isEqualTo(7);
      assertThat(cat.search(Intent.OTHER_COMMODITY, side, 1).get(0).distance()).isGreaterThan(1e-3f);
      // the product moves to apparel with its view
      cat.index(csv("c.csv", "img/p1-back.png", "apparel/shirt"), ProgressListener.NONE, CancellationToken.NONE);
      assertThat(cat.index(Intent.OTHER_COMMODITY).size()).isEqualTo(5);
      assertThat(cat.index(Intent.APPAREL).size()).isEqualTo(2);
      float[] back = embed(cat, Intent.APPAREL, "img/p1-back.png");
      assertThat(cat.search(Intent.APPAREL, back, 2)).extracting(SearchResult::id).containsExactly("p1");
      cat.remove("p1");
      assertThat(cat.index(Intent.APPAREL).size()).isZero();
    }
    try (ProductCatalog cat = open(db)) {
      assertThat(cat.index(Intent.APPAREL).size()).isZero();
      assertThat(cat.index(Intent.OTHER_COMMODITY).size()).isEqualTo(5);
    }
  }

  @Test
  void syncNoticesAChangedView() throws Exception {
    Path csv = csv("a.csv", "img/p1-side.png", "cup");
    try (ProductCatalog cat = open(db)) {
      cat.index(csv, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE).unchanged()).isEqualTo(6);
      Fixtures.write(Fixtures.product(200), dir.resolve("img/p1-side.png"));
      SyncReport r = cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.updated()).containsExactly("p1");
      float[] changed = embed(cat, Intent.OTHER_COMMODITY, "img/p1-side.png");
      assertThat(cat.search(Intent.OTHER_COMMODITY, changed, 1).get(0).distance()).isLessThan(1e-4f);
    }
  }

  @Test
  void aMissingOrEscapingViewIsReportedByLineAndTheRowIsLeftOut() throws Exception {
    try (ProductCatalog cat = open(db)) {
      IndexReport r = cat.index(csv("a.csv", "img/absent.png", "cup"), ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.problems()).singleElement().satisfies(p -> {
        assertThat(p.id()).isEqualTo("p1");
        assertThat(p.message()).contains("additional image not found");
      });
      r = cat.index(csv("b.csv", "../outside.png", "cup"), ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("additional image"));
      assertThat(cat.product("p1")).isEmpty();
    }
  }

  @Test
  void instanceMatchingVerifiesANewShotAgainstAnyViewAndTheViewsFollowTheProduct() throws Exception {
    Path house = InstanceMatchingTest.HOUSE;
    Path lion = InstanceMatchingTest.LION;
    try (ProductCatalog cat = ProductCatalog.builder().directory(db).matcher(Matcher.LOCAL).open()) {
      cat.index(List.of(new CatalogEntry("home", house, "buildings", "Home", "", 0, java.util.Map.of(), List.of(lion)),
          new CatalogEntry("tram", NewShots.CLIPART.resolve("transportation/tram.png"), "transportation", "Tram", "")),
          ProgressListener.NONE, CancellationToken.NONE);
      ProductSearcher s = InstanceMatchingTest.searcher(cat, Intent.OTHER_COMMODITY);
      NewShots.Shot shot = NewShots.shot(lion, 0.6, 20);
      ProductMatch top = s.search(shot.image(), "lion shot").regions().get(0).results().get(0);
      assertThat(top.id()).isEqualTo("home");
      assertThat(top.verified()).isTrue();
      assertThat(NewShots.locates(top, shot.box())).as("%s vs %s", top.queryRegion(), shot.box()).isTrue();
    }
    try (ProductCatalog cat = ProductCatalog.builder().directory(db).matcher(Matcher.LOCAL).open()) {
      // reopened: the view's features are still there (the database lists them, so nothing is pruned)
      ProductSearcher s = InstanceMatchingTest.searcher(cat, Intent.OTHER_COMMODITY);
      NewShots.Shot shot = NewShots.shot(lion, 0.6, 20);
      assertThat(s.search(shot.image(), "lion shot").regions().get(0).results().get(0).id()).isEqualTo("home");
      // without the view, nothing verifies the lion
      cat.index(List.of(new CatalogEntry("home", house, "buildings", "Home", "")), ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(s.search(shot.image(), "lion shot").verifiedCount()).isZero();
    }
    // reopening reconciles the instance index with the database: nothing stale, nothing missing
    try (ProductCatalog cat = ProductCatalog.builder().directory(db).matcher(Matcher.LOCAL).open()) {
      assertThat(cat.instances().index(Intent.OTHER_COMMODITY).ids()).containsExactlyInAnyOrder("home", "tram");
    }
  }
}
