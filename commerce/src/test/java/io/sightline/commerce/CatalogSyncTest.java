package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.instance.Matcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attributes from catalog.csv, batch remove, and sync (add new, update changed, remove missing). */
class CatalogSyncTest {
  static final String HEADER = "id,image,category,title,link,price,brand,in_stock\n";

  static Path images(Path dir) throws Exception {
    for (int s = 0; s < 5; s++) {
      Fixtures.write(Fixtures.product(800 + s), dir.resolve("img/p" + s + ".png"));
    }
    return dir;
  }

  @Test
  void syncAddsUpdatesLeavesAloneAndRemoves(@TempDir Path dir) throws Exception {
    images(dir);
    Path csv = dir.resolve("catalog.csv");
    Files.writeString(csv, HEADER + "p0,img/p0.png,cup,Cup,,12.5,acme,true\n" + "p1,img/p1.png,cup,Mug,,8,acme,false\n"
        + "p2,img/p2.png,toy,Ball,,3,,true\n" + "p3,img/p3.png,toy,Kite,,20,flyco,true\n");
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).matcher(Matcher.HYBRID).open()) {
      SyncReport first = cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(first.added()).containsExactly("p0", "p1", "p2", "p3");
      assertThat(first.updated()).isEmpty();
      assertThat(first.removed()).isEmpty();
      assertThat(cat.product("p0").orElseThrow().attributes()).containsEntry("price", "12.5").containsEntry("brand", "acme")
          .containsEntry("in_stock", "true");
      assertThat(cat.product("p2").orElseThrow().attributes()).doesNotContainKey("brand"); // empty cell: absent

      SyncReport same = cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(same.unchanged()).isEqualTo(4);
      assertThat(same.added()).isEmpty();
      assertThat(same.updated()).isEmpty();

      // p1: new price; p2: same row, other image content; p3: gone; p4: new; p0 unchanged
      Files.copy(dir.resolve("img/p4.png"), dir.resolve("img/p2.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(csv, HEADER + "p0,img/p0.png,cup,Cup,,12.5,acme,true\n" + "p1,img/p1.png,cup,Mug,,7,acme,false\n"
          + "p2,img/p2.png,toy,Ball,,3,,true\n" + "p4,img/p4.png,toy,Top,,30,flyco,true\n");
      SyncReport next = cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(next.added()).containsExactly("p4");
      assertThat(next.updated()).containsExactlyInAnyOrder("p1", "p2");
      assertThat(next.unchanged()).isEqualTo(1);
      assertThat(next.removed()).containsExactly("p3");
      assertThat(next.catalogSize()).isEqualTo(4);
      assertThat(cat.product("p3")).isEmpty();
      assertThat(cat.product("p1").orElseThrow().attributes()).containsEntry("price", "7");
      // the index follows: p3 is no longer found, p2 is found by its new image
      float[] p4 = cat.embedder(Intent.OTHER_COMMODITY).embed(Fixtures.product(804));
      assertThat(cat.search(Intent.OTHER_COMMODITY, p4, 10)).extracting(h -> h.id()).doesNotContain("p3");
      assertThat(cat.search(Intent.OTHER_COMMODITY, p4, 2)).extracting(h -> h.id()).containsExactlyInAnyOrder("p2", "p4");
      assertThat(cat.search(Intent.OTHER_COMMODITY, p4, 10, ProductFilter.atMost("price", 5)))
          .extracting(h -> h.id()).containsExactly("p2");
    }
    // attributes survive a reopen, in the database and in the index
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).open()) {
      float[] q = cat.embedder(Intent.OTHER_COMMODITY).embed(Fixtures.product(800));
      assertThat(cat.search(Intent.OTHER_COMMODITY, q, 10, ProductFilter.equalTo("brand", "flyco")))
          .extracting(h -> h.id()).containsExactly("p4");
      assertThat(cat.product("p4").orElseThrow().attributes()).containsEntry("price", "30");
    }
  }

  @Test
  void aBrokenRowKeepsItsProductAndABadHeaderIsRefused(@TempDir Path dir) throws Exception {
    images(dir);
    Path csv = dir.resolve("catalog.csv");
    Files.writeString(csv, HEADER + "p0,img/p0.png,cup,,,1,,\n" + "p1,img/p1.png,cup,,,2,,\n");
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).matcher(Matcher.GLOBAL).open()) {
      cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE);
      Files.writeString(csv, HEADER + "p0,img/missing.png,cup,,,1,,\n");
      SyncReport r = cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.id()).isEqualTo("p0"));
      assertThat(r.removed()).containsExactly("p1");
      assertThat(cat.product("p0")).isPresent(); // its row is broken, not gone: kept as it was

      assertThat(cat.remove(List.of("p0", "nope"))).containsExactly("p0");
      assertThat(cat.size()).isZero();

      Files.writeString(csv, "id,image,category,title,link,price,price\n");
      assertThatThrownBy(() -> cat.sync(csv, null, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("'price' appears twice");
      Files.writeString(csv, "id,image,category,title,link,price tag\n");
      assertThatThrownBy(() -> cat.index(csv, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("'price tag'");
    }
  }
}
