package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.image.ImageLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A catalog kept in memory: for unit tests and first tries, with nothing written to disk (issue 17). */
class InMemoryCatalogTest {

  @Test
  void indexesSearchesAndRemovesWithoutAFolder(@TempDir Path dir) throws Exception {
    Path mug = Fixtures.write(Fixtures.product(1), dir.resolve("img/mug.png"));
    Path cola = Fixtures.write(Fixtures.product(2), dir.resolve("img/cola.png"));
    Path shirt = Fixtures.write(Fixtures.garment(0, 7), dir.resolve("img/shirt.png"));
    try (Stream<Path> before = Files.walk(dir)) {
      long files = before.count();
      try (ProductCatalog cat = ProductCatalog.inMemory()) {
        assertThat(cat.directory()).isNull();
        assertThat(cat.matcher().usesInstances()).as("the default matcher keeps local features").isTrue();
        IndexReport r = cat.index(List.of(new CatalogEntry("p1", mug, "cup", "Mug", ""),
            new CatalogEntry("p2", cola, "beverage", "Cola", ""),
            new CatalogEntry("p3", shirt, "apparel/shirt", "Shirt", "")), ProgressListener.NONE, CancellationToken.NONE);
        assertThat(r.indexed()).isEqualTo(3);
        assertThat(cat.count(Intent.APPAREL)).isEqualTo(1);
        float[] v = cat.embedder(Intent.OTHER_COMMODITY).embed(ImageLoader.defaults().load(cola));
        assertThat(cat.search(Intent.OTHER_COMMODITY, v, 1).get(0).id()).isEqualTo("p2");
        // the whole searcher, instance matching included, works on it
        ProductSearchResult found = ProductSearcher.builder().catalog(cat).fixedIntent(Intent.OTHER_COMMODITY).build()
            .search(mug);
        assertThat(found.regions().get(0).results().get(0).id()).isEqualTo("p1");
        assertThat(cat.remove("p2")).isTrue();
        assertThat(cat.search(Intent.OTHER_COMMODITY, v, 5)).extracting(x -> x.id()).doesNotContain("p2");
      }
      try (Stream<Path> after = Files.walk(dir)) {
        assertThat(after.count()).as("nothing written beside the images").isEqualTo(files);
      }
    }
    try (ProductCatalog again = ProductCatalog.inMemory()) {
      assertThat(again.size()).as("each in-memory catalog starts empty").isZero();
    }
  }

  @Test
  void aFolderAndInMemoryAreExclusive(@TempDir Path dir) {
    assertThatThrownBy(() -> ProductCatalog.builder().inMemory().directory(dir).open())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> ProductCatalog.builder().open())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("inMemory()");
  }
}
