package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.DimensionMismatchException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.index.Vectors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvAndBulkTest {
  @Test
  void csvHandlesQuotesEscapesMultiLineFieldsAndBom(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("c.csv"), "\uFEFFid,image,category,title,link\n"
        + "a,\"x, y.png\",cup,\"He said \"\"hi\"\"\",l\n"
        + "\n"
        + "b,b.png,toy,\"two\nlines\",\n"
        + "c,c.png,toy,last,\n");
    List<Csv.Row> rows = Csv.read(f, List.of("id", "image", "category", "title", "link"));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).fields()).containsExactly("a", "x, y.png", "cup", "He said \"hi\"", "l");
    assertThat(rows.get(1).line()).isEqualTo(4);
    assertThat(rows.get(1).fields().get(3)).isEqualTo("two\nlines");
    assertThat(rows.get(2).line()).isEqualTo(6);
    Path open = Files.writeString(dir.resolve("o.csv"), "image,intent\n\"never closed,apparel\n");
    assertThatThrownBy(() -> Csv.read(open, List.of("image", "intent"))).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("o.csv:2").hasMessageContaining("unterminated");
    Path empty = Files.writeString(dir.resolve("e.csv"), "");
    assertThatThrownBy(() -> Csv.read(empty, List.of("image", "intent"))).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void bulkVectorsAreIndexedInParallelAndSearchable(@TempDir Path dir) {
    Random r = new Random(3);
    int n = 3000;
    List<CatalogEntry> entries = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[io.sightline.core.embed.GlobalDescriptorEmbedder.DIMENSION];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
      vectors.add(Vectors.normalized(v));
      entries.add(new CatalogEntry("v" + i, dir.resolve("none.png"), i % 2 == 0 ? "cup" : "apparel/hat", "t" + i, ""));
    }
    entries.add(new CatalogEntry("v5", dir.resolve("none.png"), "cup", "dup", ""));
    vectors.add(vectors.get(0));
    try (ProductCatalog cat = ProductCatalog.builder().directory(dir.resolve("db")).indexThreads(2).hnsw(8, 40, 50).open()) {
      IndexReport rep = cat.indexVectors(entries, vectors, ProgressListener.NONE);
      assertThat(rep.indexed()).isEqualTo(n);
      assertThat(rep.problems()).singleElement().satisfies(p -> assertThat(p.message()).contains("duplicate"));
      assertThat(cat.count(Intent.OTHER_COMMODITY)).isEqualTo(n / 2);
      assertThat(cat.search(Intent.APPAREL, vectors.get(7), 1).get(0).id()).isEqualTo("v7");
      assertThat(cat.search(Intent.OTHER_COMMODITY, vectors.get(8), 1).get(0).id()).isEqualTo("v8");
      assertThatThrownBy(() -> cat.indexVectors(List.of(new CatalogEntry("w", dir, "cup", "", "")),
          List.of(new float[3]), ProgressListener.NONE)).isInstanceOf(DimensionMismatchException.class);
      assertThat(cat.size()).isEqualTo(n);
    }
  }
}
