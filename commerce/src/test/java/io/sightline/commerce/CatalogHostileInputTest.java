package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** catalog.csv and intent.csv with paths that leave their folder, and with bad encodings. */
class CatalogHostileInputTest {
  @Test
  void catalogRowsLeavingTheFolderAreReportedNotIndexed(@TempDir Path tmp) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("catalog"));
    Path outside = tmp.resolve("outside.png");
    Files.write(outside, TestImages.encode(TestImages.synthetic(1, 64, 64), "png"));
    Files.write(dir.resolve("ok.png"), TestImages.encode(TestImages.synthetic(2, 64, 64), "png"));
    Files.createSymbolicLink(dir.resolve("link.png"), outside);
    Path csv = dir.resolve("catalog.csv");
    Files.writeString(csv, "id,image,category,title,link\n"
        + "a,ok.png,cup,Cup,\n"
        + "b,../outside.png,cup,Escape,\n"
        + "c," + outside + ",cup,Absolute,\n"
        + "d,link.png,cup,Symlink,\n", StandardCharsets.UTF_8);
    try (ProductCatalog cat = ProductCatalog.builder().directory(tmp.resolve("db")).open()) {
      IndexReport r = cat.index(csv, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.problems()).extracting(RowProblem::line).containsExactly(3L, 4L, 5L);
      assertThat(r.problems().get(0).message()).contains("escapes");
      assertThat(r.problems().get(1).message()).contains("absolute");
      assertThat(r.problems().get(2).message()).contains("symbolic link");
      assertThat(cat.size()).isEqualTo(1);
    }
  }

  @Test
  void latin1CatalogAndAbsoluteIntentPathsAreRefused(@TempDir Path tmp) throws Exception {
    Path csv = tmp.resolve("catalog.csv");
    Files.write(csv, "id,image,category,title,link\na,x.png,cup,Caf\u00e9,\n".getBytes(StandardCharsets.ISO_8859_1));
    try (ProductCatalog cat = ProductCatalog.builder().directory(tmp.resolve("db")).open()) {
      assertThatThrownBy(() -> cat.index(csv, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("line 2").hasMessageContaining("UTF-8");
      assertThat(cat.size()).isZero();
    }
    Path img = tmp.resolve("img.png");
    Files.write(img, TestImages.encode(TestImages.synthetic(3, 32, 32), "png"));
    Path sub = Files.createDirectories(tmp.resolve("sub"));
    Path intent = sub.resolve("intent.csv");
    Files.writeString(intent, "image,intent\n" + img + ",apparel\n");
    assertThatThrownBy(() -> IntentSample.readCsv(intent)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("absolute");
    assertThat(IntentSample.readCsv(intent, tmp)).hasSize(1);
  }
}
