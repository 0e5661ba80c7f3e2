package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder that is not a catalog is refused, and no catalog is created in it. */
class CatalogForeignFolderTest {
  @Test
  void aDescriberStoreFolderIsRefusedAndLeftAlone(@TempDir Path tmp) throws Exception {
    Path store = Files.createDirectories(tmp.resolve("store"));
    Files.write(store.resolve("references.mv.db"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> ProductCatalog.builder().directory(store).open())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(store.toString()).hasMessageContaining("references.mv.db")
        .hasMessageContaining("not a product catalog");
    assertThat(ProductCatalog.exists(store)).isFalse();
    try (var files = Files.list(store)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("references.mv.db");
    }
  }

  @Test
  void mustExistRefusesAFolderWithoutACatalogAndOpensARealOne(@TempDir Path tmp) throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> ProductCatalog.builder().directory(empty).mustExist(true).open())
        .isInstanceOf(StoreException.class).hasMessageContaining("not a product catalog");
    try (var files = Files.list(empty)) {
      assertThat(files).isEmpty();
    }
    assertThatThrownBy(() -> ProductCatalog.builder().directory(tmp.resolve("missing")).mustExist(true).open())
        .isInstanceOf(StoreException.class);
    assertThat(tmp.resolve("missing")).doesNotExist();
    Path real = tmp.resolve("catalog");
    ProductCatalog.builder().directory(real).open().close();
    assertThat(ProductCatalog.exists(real)).isTrue();
    try (ProductCatalog cat = ProductCatalog.builder().directory(real).mustExist(true).open()) {
      assertThat(cat.size()).isZero();
    }
  }
}
