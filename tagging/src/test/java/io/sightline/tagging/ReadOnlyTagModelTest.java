package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model folder opened for suggestions only (issue 20): same answers, nothing written. */
class ReadOnlyTagModelTest {
  private static final int D = 6;

  private static TagRecommender.Builder builder(Path dir) {
    return TagRecommender.builder().vectors("test-embedder/1", D).directory(dir)
        .clustering(ClusteringOptions.defaults().withClusters(3).withInit(CentreInit.KMEANS_PLUS_PLUS));
  }

  @Test
  void suggestsLikeTheWriterAndRefusesChanges(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("model");
    float[] q = Blobs.near(1, D, new Random(9), 0.05);
    List<String> written;
    int stock;
    try (TagRecommender w = builder(dir).build()) {
      w.addStock(Blobs.stock(20, D, 1));
      w.train();
      written = w.suggestVector(q).tagNames();
      stock = w.stockSize();
    }
    long modelBytes = Files.size(dir.resolve(TagRecommender.MODEL_FILE));
    long modified = Files.getLastModifiedTime(dir.resolve(TagRecommender.MODEL_FILE)).toMillis();
    try (TagRecommender r = builder(dir).readOnly(true).build()) {
      assertThat(r.suggestVector(q).tagNames()).isEqualTo(written).containsExactly("forest", "tree", "green");
      assertThatThrownBy(() -> r.addStock(Blobs.stock(2, D, 7))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("read-only");
      assertThatThrownBy(r::train).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> r.annotateVector("x", q, "post")).isInstanceOf(IllegalStateException.class);
      assertThat(r.stockSize()).isEqualTo(stock);
    }
    assertThat(Files.size(dir.resolve(TagRecommender.MODEL_FILE))).isEqualTo(modelBytes);
    assertThat(Files.getLastModifiedTime(dir.resolve(TagRecommender.MODEL_FILE)).toMillis()).isEqualTo(modified);
  }

  @Test
  void aFolderWithoutAStockIsRefusedAndNotCreated(@TempDir Path tmp) {
    Path dir = tmp.resolve("none");
    assertThatThrownBy(() -> builder(dir).readOnly(true).build()).isInstanceOf(StoreException.class)
        .hasMessageContaining("no tag stock here");
    assertThat(dir).doesNotExist();
  }
}
