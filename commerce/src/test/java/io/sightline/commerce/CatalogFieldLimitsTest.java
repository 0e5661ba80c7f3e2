package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * catalog.csv fields longer than their column (category > 512, title or link > 4096 characters)
 * are problems of their row, with line, field and limit; the other rows are still indexed and
 * the commit does not fail.
 */
class CatalogFieldLimitsTest {
  @Test
  void overlongFieldsAreRowProblemsAndTheOtherRowsAreIndexed(@TempDir Path tmp) throws Exception {
    Files.write(tmp.resolve("a.png"), TestImages.encode(TestImages.synthetic(1, 64, 64), "png"));
    Files.write(tmp.resolve("b.png"), TestImages.encode(TestImages.synthetic(2, 64, 64), "png"));
    Path csv = tmp.resolve("catalog.csv");
    Files.writeString(csv, "id,image,category,title,link\n"
        + "ok1,a.png,cup,Cup,http://shop/1\n"
        + "cat,a.png," + "c".repeat(513) + ",Long category,\n"
        + "title,b.png,cup," + "t".repeat(4097) + ",\n"
        + "link,b.png,cup,Long link,http://shop/" + "l".repeat(4090) + "\n"
        + "ok2,b.png,cup," + "t".repeat(4096) + ",http://shop/2\n", StandardCharsets.UTF_8);
    try (ProductCatalog cat = ProductCatalog.builder().directory(tmp.resolve("db")).open()) {
      IndexReport r = cat.index(csv, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.problems()).extracting(RowProblem::line).containsExactly(3L, 4L, 5L);
      assertThat(r.problems().get(0).message()).contains("category").contains("513 characters").contains("limit of 512");
      assertThat(r.problems().get(1).message()).contains("title").contains("limit of 4096");
      assertThat(r.problems().get(2).message()).contains("link").contains("limit of 4096");
      assertThat(cat.size()).isEqualTo(2);
    }
  }
}
