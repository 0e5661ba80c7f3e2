package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.ImageOps;
import io.sightline.core.instance.Matcher;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query and catalog processed the same way: a catalog that embeds each image's main object. */
class CatalogCropTest {
  /** A product small in the corner of a wide white frame. */
  static BufferedImage small(long seed) {
    BufferedImage canvas = Fixtures.canvas(480, 360, Color.WHITE);
    Graphics2D g = canvas.createGraphics();
    g.drawImage(Fixtures.product(seed), 20, 20, null);
    g.dispose();
    return canvas;
  }

  static double cosine(float[] a, float[] b) {
    double d = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return d / Math.sqrt(na * nb);
  }

  @Test
  void aCroppingCatalogEmbedsTheMainObjectAndItsSearcherCropsQueriesAlike(@TempDir Path dir) throws Exception {
    StringBuilder csv = new StringBuilder("id,image,category,title,link\n");
    for (int s = 0; s < 4; s++) {
      Fixtures.write(small(900 + s), dir.resolve("img/p" + s + ".png"));
      csv.append("p").append(s).append(",img/p").append(s).append(".png,cup,,\n");
    }
    Path file = Files.writeString(dir.resolve("catalog.csv"), csv);
    GlobalDescriptorEmbedder e = new GlobalDescriptorEmbedder();
    BufferedImage p1 = ImageOps.toRgb(small(901));
    try (ProductCatalog crop = ProductCatalog.builder().directory(dir.resolve("crop")).matcher(Matcher.GLOBAL)
        .cropToMainObject(true).open();
         ProductCatalog whole = ProductCatalog.builder().directory(dir.resolve("whole")).matcher(Matcher.GLOBAL).open()) {
      crop.index(file, ProgressListener.NONE, CancellationToken.NONE);
      whole.index(file, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(crop.cropsToMainObject()).isTrue();
      assertThat(whole.cropsToMainObject()).isFalse();
      float[] stored = crop.index(Intent.OTHER_COMMODITY).vector("p1").orElseThrow();
      float[] wholeStored = whole.index(Intent.OTHER_COMMODITY).vector("p1").orElseThrow();
      float[] ofCrop = e.embed(MainObject.cropCatalogImage(new ForegroundRegionProposer(), p1));
      assertThat(cosine(stored, ofCrop)).isGreaterThan(0.9999);
      assertThat(cosine(wholeStored, ofCrop)).isLessThan(0.999);

      // the searcher follows the catalog: main-object queries on the cropping catalog, whole on the other
      ProductSearchResult rc = ProductSearcher.builder().catalog(crop).fixedIntent(Intent.OTHER_COMMODITY).build()
          .search(p1, "p1");
      assertThat(rc.regionSource()).endsWith("(main object)");
      assertThat(rc.regions().get(0).results().get(0).id()).isEqualTo("p1");
      assertThat(rc.regions().get(0).results().get(0).distance()).isLessThan(1e-3f);
      ProductSearchResult rw = ProductSearcher.builder().catalog(whole).fixedIntent(Intent.OTHER_COMMODITY).build()
          .search(p1, "p1");
      assertThat(rw.regionSource()).isEqualTo("whole-image");
    }
    assertThatThrownBy(() -> ProductCatalog.builder().directory(dir.resolve("crop")).cropToMainObject(false).open())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("main-object crops");
    assertThatThrownBy(() -> ProductCatalog.builder().directory(dir.resolve("whole")).cropToMainObject(true).open())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("whole images");
    try (ProductCatalog again = ProductCatalog.builder().directory(dir.resolve("crop")).open()) {
      assertThat(again.cropsToMainObject()).isTrue(); // stored, not told
    }
  }
}
