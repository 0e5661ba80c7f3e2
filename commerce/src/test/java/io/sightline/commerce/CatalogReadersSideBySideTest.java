package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.image.ImageLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Searches side by side with an indexing run in another process (issue 20). */
class CatalogReadersSideBySideTest {

  @Test
  void searchesRunBesideAnIndexingProcessAndSeeCommittedProducts(@TempDir Path dir) throws Exception {
    Path mug = Fixtures.write(Fixtures.product(1), dir.resolve("img/mug.png"));
    Path cola = Fixtures.write(Fixtures.product(2), dir.resolve("img/cola.png"));
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      cat.index(List.of(new CatalogEntry("p1", mug, "cup", "Mug", ""), new CatalogEntry("p2", cola, "beverage",
          "Cola", "")), ProgressListener.NONE, CancellationToken.NONE);
    }
    int extra = 20;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process writer = new ProcessBuilder(java, "-Xmx512m", "-Djava.awt.headless=true", "-cp",
        System.getProperty("java.class.path"), CatalogSideBySideMain.class.getName(), "index", dir.toString(),
        Integer.toString(extra)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("ready");
      int last = 0;
      int opens = 0;
      while (writer.isAlive() && opens < 40) {
        try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).readOnly(true).open()) {
          opens++;
          int size = cat.size();
          assertThat(size).isBetween(Math.max(2, last), 2 + extra);
          last = size;
          float[] v = cat.embedder(Intent.OTHER_COMMODITY).embed(ImageLoader.defaults().load(cola));
          assertThat(cat.search(Intent.OTHER_COMMODITY, v, 1).get(0).id()).isEqualTo("p2");
          ProductSearchResult r = ProductSearcher.builder().catalog(cat).fixedIntent(Intent.OTHER_COMMODITY).build()
              .search(mug);
          assertThat(r.regions().get(0).results().get(0).id()).isEqualTo("p1");
          assertThatThrownBy(() -> cat.remove("p1")).isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("read-only");
        }
      }
      assertThat(opens).as("searched while the other process indexed").isGreaterThanOrEqualTo(2);
      assertThat(out.readLine()).isEqualTo("done");
      assertThat(writer.waitFor()).isZero();
    } finally {
      writer.destroyForcibly();
    }
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).readOnly(true).open()) {
      assertThat(cat.size()).isEqualTo(2 + extra);
      float[] v = cat.embedder(Intent.OTHER_COMMODITY).embed(ImageLoader.defaults().load(dir.resolve("img/extra-7.png")));
      assertThat(cat.search(Intent.OTHER_COMMODITY, v, 1).get(0).id()).isEqualTo("extra-7");
    }
  }

  @Test
  void aReadOnlyOpenNeverCreatesACatalog(@TempDir Path dir) {
    assertThatThrownBy(() -> ProductCatalog.builder().directory(dir.resolve("none")).readOnly(true).open())
        .isInstanceOf(StoreException.class);
    assertThat(dir.resolve("none")).doesNotExist();
  }
}
