package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusterTags;
import io.sightline.tagging.ClusteringMethod;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.TrainingReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The row preparation and model assembly of {@link SparkTagClusterer} without a Spark job: vector
 * checks and normalisation, tag cleaning, and the conversion of K-means aggregates into the
 * result (empty clusters dropped and renumbered, report fields).
 */
class TagClusterRulesTest {

  private static Seq<Object> seq(Object... values) {
    return JavaConverters.asScalaBuffer(new ArrayList<>(Arrays.asList(values)));
  }

  private static Seq<String> tags(String... values) {
    return JavaConverters.asScalaBuffer(new ArrayList<>(Arrays.asList(values)));
  }

  @Test
  void constructorChecksItsArguments() {
    ClusteringOptions kmeans = ClusteringOptions.defaults();
    assertThatThrownBy(() -> new SparkTagClusterer("e/1", 0, kmeans)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be positive: 0");
    assertThat(new SparkTagClusterer("e/1", 1, kmeans)).isNotNull();
    assertThatThrownBy(() -> new SparkTagClusterer(null, 4, kmeans)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new SparkTagClusterer("e/1", 4, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new SparkTagClusterer("e/1", 4, kmeans.withMethod(ClusteringMethod.MINI_BATCH_KMEANS)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SparkTagClusterer runs K-means only, not MINI_BATCH_KMEANS");
  }

  @Test
  void featuresKeepValidVectorsAndNormaliseOnRequest() {
    Vector raw = SparkTagClusterer.features(seq(3f, 4f), 2, false);
    assertThat(raw.toArray()).containsExactly(3.0, 4.0);
    Vector unit = SparkTagClusterer.features(seq(3f, 4f), 2, true);
    assertThat(unit.toArray()).containsExactly(0.6f, 0.8f);
    // numbers of any type
    assertThat(SparkTagClusterer.features(seq(1.5, 2), 2, false).toArray()).containsExactly(1.5, 2.0);
    // a zero vector has no direction to normalise, but is kept as it is otherwise
    assertThat(SparkTagClusterer.features(seq(0f, 0f), 2, true)).isNull();
    assertThat(SparkTagClusterer.features(seq(0f, 0f), 2, false).toArray()).containsExactly(0.0, 0.0);
  }

  @Test
  void featuresRejectMissingWrongLengthNullAndNonFiniteValues() {
    assertThat(SparkTagClusterer.features(null, 2, false)).isNull();
    assertThat(SparkTagClusterer.features(seq(1f), 2, false)).isNull();
    assertThat(SparkTagClusterer.features(seq(1f, 2f, 3f), 2, false)).isNull();
    assertThat(SparkTagClusterer.features(seq(1f, null), 2, false)).isNull();
    assertThat(SparkTagClusterer.features(seq(null, 1f), 2, false)).isNull();
    assertThat(SparkTagClusterer.features(seq(1f, Float.NaN), 2, false)).isNull();
    assertThat(SparkTagClusterer.features(seq(Float.POSITIVE_INFINITY, 1f), 2, false)).isNull();
    assertThat(SparkTagClusterer.features(seq(1f, Double.NEGATIVE_INFINITY), 2, false)).isNull();
  }

  @Test
  void cleanTagsTrimsDropsBlanksAndDuplicatesAndKeepsFirstSeenOrder() {
    assertThat(SparkTagClusterer.cleanTags(tags(" dog ", "cat", null, "", "  ", "dog", "cat ", "bird")))
        .containsExactly("dog", "cat", "bird");
    assertThat(SparkTagClusterer.cleanTags(tags(" ", null))).isEmpty();
    assertThat(SparkTagClusterer.cleanTags(null)).isEmpty();
  }

  private static SparkTagClusterer.Result threeClustersMiddleEmpty(int iterations) {
    ClusteringOptions options = ClusteringOptions.defaults().withInit(CentreInit.KMEANS_PLUS_PLUS)
        .withMaxIterations(20).withSeed(99);
    double[][] centres = {{0.1, 0.2}, {9, 9}, {0.3, 0.4}};
    int[] images = {5, 0, 2};
    int[] posts = {4, 0, 2};
    List<Map<String, Integer>> counts = List.of(Map.of("cat", 4, "pet", 1), Map.of(), Map.of("car", 2));
    return SparkTagClusterer.result(2, options, 3, 7, centres, images, posts, counts, 6,
        Map.of("cat", 4, "pet", 1, "car", 2), 1.25, iterations, 321L, 4L);
  }

  @Test
  void resultDropsEmptyClustersRenumbersAndNarrowsTheCentres() {
    SparkTagClusterer.Result r = threeClustersMiddleEmpty(7);
    assertThat(r.centres()).hasDimensions(2, 2);
    assertThat(r.centres()[0]).containsExactly(0.1f, 0.2f);
    assertThat(r.centres()[1]).containsExactly(0.3f, 0.4f);
    assertThat(r.clusters()).containsExactly(
        new ClusterTags(0, 5, 4, Map.of("cat", 4, "pet", 1)),
        new ClusterTags(1, 2, 2, Map.of("car", 2)));
    assertThat(r.overall()).isEqualTo(new ClusterTags(-1, 7, 6, Map.of("cat", 4, "pet", 1, "car", 2)));
    assertThat(r.skipped()).isEqualTo(4L);
  }

  @Test
  void resultReportsTheRunAsTheTaggingModuleDoes() {
    TrainingReport report = threeClustersMiddleEmpty(7).report();
    assertThat(report).isEqualTo(new TrainingReport(ClusteringMethod.KMEANS, CentreInit.KMEANS_PLUS_PLUS, false,
        3, 2, 7, 7, true, List.of(1.25), 1.25, 321L, 99L));
    // converged only when K-means stopped before the iteration limit
    assertThat(threeClustersMiddleEmpty(19).report().converged()).isTrue();
    assertThat(threeClustersMiddleEmpty(20).report().converged()).isFalse();
  }

  @Test
  void aClusterWithOneImageIsKept() {
    ClusteringOptions options = ClusteringOptions.defaults();
    SparkTagClusterer.Result r = SparkTagClusterer.result(1, options, 2, 2, new double[][] {{1}, {2}},
        new int[] {1, 1}, new int[] {1, 1}, List.of(Map.of("a", 1), Map.of("b", 1)), 2, Map.of("a", 1, "b", 1),
        0.0, 1, 0L, 0L);
    assertThat(r.clusters()).extracting(ClusterTags::cluster).containsExactly(0, 1);
    assertThat(r.report().init()).isEqualTo(CentreInit.RANDOM);
    assertThat(r.report().clusters()).isEqualTo(2);
  }
}
