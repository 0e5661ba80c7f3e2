package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusterTags;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.InsufficientStockException;
import io.sightline.tagging.StockImage;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagModel;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TagScore;
import io.sightline.tagging.TagSelection;
import io.sightline.tagging.TagSuggestion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkTagClustererTest {
  private static final String EMBEDDER = "synthetic/1";
  private static final int DIM = 8;
  private static final String[][] TAGS = {{"cat", "animal"}, {"car", "vehicle"}, {"tree", "plant"}};
  private static SparkSession spark;
  private static final List<StockImage> STOCK = new ArrayList<>();
  private static Dataset<Row> table;

  @BeforeAll
  static void start() {
    spark = LocalSpark.shared();
    // PIT runs each test method on its own, so this runs more than once per JVM: start afresh
    STOCK.clear();
    Random rnd = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 20; i++) {
        float[] v = new float[DIM];
        for (int j = 0; j < DIM; j++) {
          v[j] = (float) (rnd.nextGaussian() * 0.05);
        }
        v[c] += 1f; // three well separated directions
        List<String> tags = new ArrayList<>(List.of(TAGS[c]));
        if (i % 4 == 0) {
          tags.add("photo");
        }
        if (i % 5 == 1) {
          tags.remove(1); // only the main tag
        }
        String id = "c" + c + "-" + i;
        String post = i < 6 ? "post" + c + "-" + (i / 2) : null; // pairs of images share a post
        STOCK.add(new StockImage(id, v, Set.copyOf(tags), post));
        Float[] boxed = new Float[DIM];
        for (int j = 0; j < DIM; j++) {
          boxed[j] = v[j];
        }
        rows.add(RowFactory.create(id, boxed, tags.toArray(new String[0]), post));
      }
    }
    rows.add(RowFactory.create("no-vector", null, new String[] {"cat"}, null));
    rows.add(RowFactory.create("no-tag", new Float[] {1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, new String[] {" "}, null));
    StructType schema = new StructType()
        .add("id", DataTypes.StringType)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType))
        .add("tags", DataTypes.createArrayType(DataTypes.StringType))
        .add("post", DataTypes.StringType);
    table = spark.createDataFrame(rows, schema).repartition(2);
  }

  private static ClusteringOptions options() {
    return ClusteringOptions.defaults().withClusters(3).withInit(CentreInit.KMEANS_PLUS_PLUS).withSeed(5);
  }

  @Test
  void modelIsReadByTagRecommenderAndSuggestsTheClusterTags(@TempDir Path dir) {
    SparkTagClusterer.Result r = new SparkTagClusterer(EMBEDDER, DIM, options())
        .train(table, dir.resolve(TagRecommender.MODEL_FILE));
    assertThat(r.skipped()).isEqualTo(2);
    assertThat(r.report().stockImages()).isEqualTo(60);

    TagModel model = TagModel.load(dir.resolve(TagRecommender.MODEL_FILE), EMBEDDER);
    assertThat(model.clusterCount()).isEqualTo(3);
    assertThat(model.dimension()).isEqualTo(DIM);
    assertThat(model.report().stockImages()).isEqualTo(60);
    // per blob: 20 images in 14 posts (6 paired images = 3 posts, 14 alone)
    for (ClusterTags ct : model.clusters()) {
      assertThat(ct.images()).isEqualTo(20);
      assertThat(ct.posts()).isEqualTo(17);
    }
    assertThat(model.overall().posts()).isEqualTo(51);

    try (TagRecommender rec = TagRecommender.builder().vectors(EMBEDDER, DIM).directory(dir).build()) {
      for (int c = 0; c < 3; c++) {
        float[] q = new float[DIM];
        q[c] = 1f;
        q[(c + 1) % DIM] = 0.1f;
        TagSuggestion s = rec.suggestVector(q, Strategy.NEAREST_CLUSTER, TagSelection.top(2));
        assertThat(s.tags().stream().map(TagScore::tag).toList()).as("blob " + c)
            .containsExactly(TAGS[c][0], TAGS[c][1]);
        assertThat(s.tags().get(0).frequency()).isEqualTo(1.0);
      }
    }
  }

  @Test
  void withoutAPostColumnEveryImageIsItsOwnPostAndTheReportDescribesTheRun() {
    long before = System.nanoTime();
    SparkTagClusterer.Result r = new SparkTagClusterer(EMBEDDER, DIM, options().withMaxIterations(50))
        .cluster(table.drop("post"));
    long elapsedMillis = (System.nanoTime() - before) / 1_000_000;
    assertThat(r.skipped()).isEqualTo(2);
    assertThat(r.clusters()).hasSize(3);
    for (ClusterTags ct : r.clusters()) {
      assertThat(ct.images()).isEqualTo(20);
      assertThat(ct.posts()).isEqualTo(20);
      assertThat(ct.counts()).containsEntry("photo", 5);
    }
    assertThat(r.clusters()).extracting(ClusterTags::cluster).containsExactly(0, 1, 2);
    assertThat(r.overall().images()).isEqualTo(60);
    assertThat(r.overall().posts()).isEqualTo(60);
    assertThat(r.overall().counts()).containsEntry("photo", 15).containsEntry("cat", 20).containsEntry("animal", 16);
    assertThat(r.centres()).hasDimensions(3, DIM);
    assertThat(r.report().requestedClusters()).isEqualTo(3);
    assertThat(r.report().clusters()).isEqualTo(3);
    assertThat(r.report().stockImages()).isEqualTo(60);
    assertThat(r.report().iterations()).isBetween(1, 49);
    assertThat(r.report().converged()).isTrue();
    assertThat(r.report().seed()).isEqualTo(5L);
    assertThat(r.report().millis()).isBetween(0L, elapsedMillis);
  }

  @Test
  void tooLittleUsableStockIsInsufficientStock() {
    StructType schema = new StructType()
        .add("id", DataTypes.StringType)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType))
        .add("tags", DataTypes.createArrayType(DataTypes.StringType));
    List<Row> three = List.of(
        RowFactory.create("a", new Float[] {1f, 0f}, new String[] {"x"}),
        RowFactory.create("b", new Float[] {0f, 1f}, new String[] {"y"}),
        RowFactory.create("c", new Float[] {-1f, 0f}, new String[] {"z"}),
        RowFactory.create("d", new Float[] {0f, Float.NaN}, new String[] {"z"}));
    Dataset<Row> small = spark.createDataFrame(three, schema).coalesce(1);
    ClusteringOptions o = options();
    SparkTagClusterer.Result exact = new SparkTagClusterer(EMBEDDER, 2, o.withClusters(3)).cluster(small);
    assertThat(exact.report().stockImages()).isEqualTo(3);
    assertThat(exact.skipped()).isEqualTo(1);
    assertThatThrownBy(() -> new SparkTagClusterer(EMBEDDER, 2, o.withClusters(4)).cluster(small))
        .isInstanceOf(InsufficientStockException.class).hasMessage("cannot make 4 clusters from 3 stock images");
    Dataset<Row> unusable = spark.createDataFrame(List.of(
        RowFactory.create("a", null, new String[] {"x"}),
        RowFactory.create("b", new Float[] {0f, 1f}, new String[] {" "})), schema);
    assertThatThrownBy(() -> new SparkTagClusterer(EMBEDDER, 2, o).cluster(unusable))
        .isInstanceOf(InsufficientStockException.class).hasMessage("the stock has no usable row (vector + tag)");
  }

  @Test
  void clustersAndCountsEqualTheTaggingModulesOwnTraining(@TempDir Path dir) {
    SparkTagClusterer.Result spark = new SparkTagClusterer(EMBEDDER, DIM, options()).cluster(table);
    try (TagRecommender rec = TagRecommender.builder().vectors(EMBEDDER, DIM).clustering(options()).build()) {
      rec.addStock(STOCK);
      rec.train();
      TagModel local = rec.model().orElseThrow();
      Comparator<ClusterTags> byCounts = Comparator.comparing(ct -> ct.counts().toString());
      List<ClusterTags> a = spark.clusters().stream().sorted(byCounts).toList();
      List<ClusterTags> b = local.clusters().stream().sorted(byCounts).toList();
      assertThat(a).hasSameSizeAs(b);
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.get(i).counts()).isEqualTo(b.get(i).counts());
        assertThat(a.get(i).images()).isEqualTo(b.get(i).images());
        assertThat(a.get(i).posts()).isEqualTo(b.get(i).posts());
      }
      assertThat(spark.overall().counts()).isEqualTo(local.overall().counts());
      assertThat(spark.overall().posts()).isEqualTo(local.overall().posts());
      // same data, same clusters: the same deviation D
      assertThat(spark.report().finalDeviation()).isCloseTo(local.report().finalDeviation(), within(1e-3));
    }
  }
}
