package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model made from a clustering computed elsewhere is saved in the form the recommender reads. */
class TagModelOfTest {
  private static final TrainingReport REPORT = new TrainingReport(ClusteringMethod.KMEANS, CentreInit.RANDOM, false,
      2, 2, 4, 3, true, List.of(1.0), 1.0, 5, 7);

  @Test
  void aModelFromOutsideCentresIsReadByTheRecommender(@TempDir Path dir) {
    TagModel m = TagModel.of("ext:vectors", 2, ClusteringOptions.defaults(), REPORT,
        new float[][] {{1, 0}, {0, 1}},
        List.of(new ClusterTags(0, 2, 2, Map.of("sun", 2)), new ClusterTags(1, 2, 1, Map.of("sea", 1))),
        new ClusterTags(-1, 4, 3, Map.of("sun", 2, "sea", 1)));
    m.save(dir.resolve("tag-model.bin"));
    assertThat(TagModel.load(dir.resolve("tag-model.bin"), "ext:vectors").generation()).isEqualTo(1);
    try (TagRecommender r = TagRecommender.builder().vectors("ext:vectors", 2).directory(dir).build()) {
      assertThat(r.suggestVector(new float[] {0.1f, 0.9f}).tags().get(0).tag()).isEqualTo("sea");
      assertThat(r.suggestVector(new float[] {0.9f, 0.1f}).tags().get(0).tag()).isEqualTo("sun");
    }
  }

  @Test
  void centresAndStatisticsThatDisagreeAreRefused() {
    assertThatThrownBy(() -> TagModel.of("e", 2, ClusteringOptions.defaults(), REPORT, new float[][] {{1, 0, 0}},
        List.of(new ClusterTags(0, 1, 1, Map.of())), new ClusterTags(-1, 1, 1, Map.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("components");
    assertThatThrownBy(() -> TagModel.of("e", 2, ClusteringOptions.defaults(), REPORT, new float[][] {{1, 0}},
        List.of(new ClusterTags(3, 1, 1, Map.of())), new ClusterTags(-1, 1, 1, Map.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numbered");
    assertThatThrownBy(() -> TagModel.of("e", 2, ClusteringOptions.defaults(), REPORT, new float[][] {{1, 0}, {0, 1}},
        List.of(new ClusterTags(0, 1, 1, Map.of())), new ClusterTags(-1, 1, 1, Map.of())))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
