package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.SearchResult;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProductCatalogTest {

  static Path writeCatalog(Path dir) throws Exception {
    Fixtures.write(Fixtures.product(1), dir.resolve("img/mug.png"));
    Fixtures.write(Fixtures.product(2), dir.resolve("img/cola.png"));
    Fixtures.write(Fixtures.garment(0, 7), dir.resolve("img/shirt.png"));
    Files.writeString(dir.resolve("img/broken.png"), "this is not a png");
    String csv = """
        id,image,category,title,link
        p1,img/mug.png,cup,"Mug, blue",https://shop.example/p1
        p2,img/cola.png,beverage,Cola,https://shop.example/p2
        p3,img/shirt.png,apparel/shirt,Shirt,https://shop.example/p3
        p4,img/absent.png,cup,Missing image,
        p5,img/mug.png,weapons,Unknown category,
        p6,img/broken.png,cup,Not an image,
        p1,img/cola.png,cup,Duplicate id,
        p7,img/mug.png,,Empty category,
        """;
    return Files.writeString(dir.resolve("catalog.csv"), csv);
  }

  @Test
  void indexesValidRowsReportsBadOnesByLineAndPersists(@TempDir Path dir) throws Exception {
    Path csv = writeCatalog(dir);
    Path store = dir.resolve("db");
    IndexReport report;
    try (ProductCatalog cat = ProductCatalog.builder().directory(store)
        .knownCategories(List.of("cup", "beverage", "apparel")).open()) {
      report = cat.index(csv, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(report.indexed()).isEqualTo(3);
      assertThat(report.perSegment()).containsEntry(Intent.APPAREL, 1).containsEntry(Intent.OTHER_COMMODITY, 2);
      assertThat(report.problems()).extracting(RowProblem::line).containsExactly(5L, 6L, 7L, 8L, 9L);
      assertThat(report.problems().get(0).message()).contains("image not found");
      assertThat(report.problems().get(1).message()).contains("unknown category 'weapons'");
      assertThat(report.problems().get(2).message()).containsIgnoringCase("broken.png");
      assertThat(report.problems().get(3).message()).contains("duplicate id 'p1'");
      assertThat(report.problems().get(4).message()).contains("category is empty");
      assertThat(cat.product("p1")).get().extracting(Product::title).isEqualTo("Mug, blue");
    }
    try (ProductCatalog cat = ProductCatalog.builder().directory(store).open()) {
      assertThat(cat.size()).isEqualTo(3);
      assertThat(cat.count(Intent.APPAREL)).isEqualTo(1);
      BufferedImage q = io.sightline.core.image.ImageLoader.defaults().load(dir.resolve("img/cola.png"));
      float[] v = cat.embedder(Intent.OTHER_COMMODITY).embed(q);
      assertThat(cat.search(Intent.OTHER_COMMODITY, v, 1).get(0).id()).isEqualTo("p2");
      assertThat(cat.search(Intent.OTHER_COMMODITY, v, 1).get(0).attributes()).containsEntry("category", "beverage");
    }
  }

  @Test
  void refusesACatalogBuiltWithAnotherEmbedder(@TempDir Path dir) throws Exception {
    Path csv = writeCatalog(dir);
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      cat.index(csv, ProgressListener.NONE, CancellationToken.NONE);
    }
    ImageEmbedder other = new ImageEmbedder() {
      final GlobalDescriptorEmbedder e = new GlobalDescriptorEmbedder();

      @Override
      public float[] embed(BufferedImage image) {
        return e.embed(image);
      }

      @Override
      public int dimension() {
        return e.dimension();
      }

      @Override
      public String id() {
        return "onnx:someone-else/1";
      }
    };
    assertThatThrownBy(() -> ProductCatalog.builder().directory(dir.resolve("db")).embedder(Intent.APPAREL, other).open())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining(GlobalDescriptorEmbedder.ID)
        .hasMessageContaining("onnx:someone-else/1");
  }

  @Test
  void corruptOrMissingIndexFilesAreRebuiltFromTheDatabaseNotReadAsGarbage(@TempDir Path dir) throws Exception {
    Path csv = writeCatalog(dir);
    Path store = dir.resolve("db");
    List<SearchResult<String>> before;
    float[] query;
    try (ProductCatalog cat = ProductCatalog.builder().directory(store).open()) {
      cat.index(csv, ProgressListener.NONE, CancellationToken.NONE);
      query = new float[cat.embedder(Intent.OTHER_COMMODITY).dimension()];
      java.util.Arrays.fill(query, 1f);
      before = cat.search(Intent.OTHER_COMMODITY, query, 10);
    }
    Path idx = store.resolve("other-commodity.hnsw");
    byte[] bytes = Files.readAllBytes(idx);
    Files.write(idx, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    try (ProductCatalog cat = ProductCatalog.builder().directory(store).open()) {
      assertThat(cat.search(Intent.OTHER_COMMODITY, query, 10)).containsExactlyInAnyOrderElementsOf(before); // p1 and p5 tie
    }
    Files.delete(idx);
    try (ProductCatalog cat = ProductCatalog.builder().directory(store).open()) {
      assertThat(cat.size()).isEqualTo(4);
      assertThat(cat.search(Intent.OTHER_COMMODITY, query, 10)).containsExactlyInAnyOrderElementsOf(before); // p1 and p5 tie
    }
    assertThat(idx).isRegularFile();
  }

  @Test
  void cancelledIndexingStoresNothing(@TempDir Path dir) throws Exception {
    Path csv = writeCatalog(dir);
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      CancellationToken token = new CancellationToken();
      assertThatThrownBy(() -> cat.index(csv, (task, done, total, msg) -> {
        if (done == 2) {
          token.cancel();
        }
      }, token)).isInstanceOf(CancelledException.class);
      assertThat(cat.size()).isZero();
      assertThat(Files.exists(dir.resolve("db/apparel.hnsw"))).isFalse();
    }
  }

  @Test
  void reindexingReplacesAndMovesBetweenSegments(@TempDir Path dir) throws Exception {
    Path img = Fixtures.write(Fixtures.product(3), dir.resolve("a.png"));
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      cat.index(List.of(new CatalogEntry("x", img, "toy", "Toy", "")), ProgressListener.NONE, CancellationToken.NONE);
      IndexReport r = cat.index(List.of(new CatalogEntry("x", img, "apparel/hat", "Hat", "")), ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(r.replaced()).isEqualTo(1);
      assertThat(cat.size()).isEqualTo(1);
      assertThat(cat.index(Intent.OTHER_COMMODITY).contains("x")).isFalse();
      assertThat(cat.index(Intent.APPAREL).contains("x")).isTrue();
      assertThat(cat.remove("x")).isTrue();
      assertThat(cat.size()).isZero();
      assertThat(cat.index(Intent.APPAREL).size()).isZero();
    }
  }

  @Test
  void badCatalogFilesFailClearly(@TempDir Path dir) throws Exception {
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      Path wrong = Files.writeString(dir.resolve("c.csv"), "sku,picture\n1,a.png\n");
      assertThatThrownBy(() -> cat.index(wrong, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("header");
      assertThatThrownBy(() -> cat.index(dir.resolve("none.csv"), ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("file not found");
    }
    assertThatThrownBy(() -> ProductCatalog.builder().open()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("directory");
  }
}
