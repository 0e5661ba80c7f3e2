package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.instance.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filter presets, pinning of the best match, explanations, attribute filters and pages, on a
 * catalog of vectors placed at known cosine similarities to the query {@code e0}.
 */
class ShopFiltersTest {
  @TempDir
  static Path dir;
  static ProductCatalog catalog;
  static int dim;

  /** A unit vector with cosine {@code cos} to e0, orthogonal part along e{j}. */
  static float[] at(double cos, int j) {
    float[] v = new float[dim];
    v[0] = (float) cos;
    v[j] = (float) Math.sqrt(1 - cos * cos);
    return v;
  }

  static float[] query() {
    float[] q = new float[dim];
    q[0] = 1;
    return q;
  }

  @BeforeAll
  static void build() {
    dim = new GlobalDescriptorEmbedder().dimension();
    List<CatalogEntry> entries = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    int j = 1;
    // the best match lies in a rare category: 1 toy among 20 beverages and 9 cups
    entries.add(entry("toy-best", "toy", 5));
    vectors.add(at(0.99, j++));
    for (int i = 0; i < 20; i++) {
      entries.add(entry("bev" + i, "beverage", i % 2 == 0 ? 8 : 25));
      vectors.add(at(0.95 - i * 0.002, j++));
    }
    for (int i = 0; i < 9; i++) {
      entries.add(entry("cup" + i, "cup", 12));
      vectors.add(at(0.90 - i * 0.002, j++));
    }
    // far products: cosine 0.2 and 0.25
    entries.add(entry("far1", "beverage", 3));
    vectors.add(at(0.2, j++));
    entries.add(entry("far2", "beverage", 3));
    vectors.add(at(0.25, j++));
    catalog = ProductCatalog.builder().directory(dir.resolve("db")).matcher(Matcher.GLOBAL).open();
    IndexReport r = catalog.indexVectors(entries, vectors, ProgressListener.NONE);
    assertThat(r.problems()).isEmpty();
  }

  static CatalogEntry entry(String id, String category, int price) {
    Map<String, String> attrs = new HashMap<>();
    attrs.put("price", Integer.toString(price));
    attrs.put("brand", id.startsWith("bev") ? "fizz" : "acme");
    return new CatalogEntry(id, Path.of("/nowhere/" + id + ".png"), category, id, "", 0, attrs);
  }

  @AfterAll
  static void close() {
    catalog.close();
  }

  static ProductSearcher searcher(FilterPreset preset) {
    return ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.OTHER_COMMODITY).filters(preset)
        .candidates(40).top(10).build();
  }

  @Test
  void seedFiltersDropTheBestMatchOfARareCategoryCalibratedPinsItFirst() {
    RegionResult seed = searcher(FilterPreset.SEED).searchVector(Intent.OTHER_COMMODITY, query());
    assertThat(seed.results()).extracting(ProductMatch::id).doesNotContain("toy-best");
    assertThat(seed.filters().removedByEntropy()).extracting(RemovedMatch::id).contains("toy-best");

    RegionResult cal = searcher(FilterPreset.CALIBRATED).searchVector(Intent.OTHER_COMMODITY, query());
    assertThat(cal.results().get(0).id()).isEqualTo("toy-best");
    assertThat(cal.filters().pinned()).containsExactly("toy-best");
    assertThat(cal.filters().removedByEntropy()).extracting(RemovedMatch::id).doesNotContain("toy-best");
    // the ordering still groups the rest: beverages (the dominant category) right after the pinned match
    assertThat(cal.results().get(1).category()).isEqualTo("beverage");

    RegionResult none = searcher(FilterPreset.NONE).searchVector(Intent.OTHER_COMMODITY, query());
    assertThat(none.results().get(0).id()).isEqualTo("toy-best");
    assertThat(none.filters().rankThreshold()).isNull();
    assertThat(none.filters().removedByDistance()).isEmpty();
  }

  @Test
  void calibratedDistanceBoundRemovesTheFarTailAndSaysWhyInCosineUnits() {
    RegionResult seed = searcher(FilterPreset.SEED).searchVector(Intent.OTHER_COMMODITY, query());
    assertThat(seed.filters().removedByDistance()).isEmpty(); // seed: cosine >= 0 keeps everything
    assertThat(seed.filters().removedByRank()).isEmpty(); // 1.08 = cosine >= 0.08 keeps 0.2 and 0.25

    RegionResult cal = searcher(FilterPreset.CALIBRATED).searchVector(Intent.OTHER_COMMODITY, query());
    assertThat(cal.filters().removedByDistance()).extracting(RemovedMatch::id).containsExactlyInAnyOrder("far1", "far2");
    assertThat(cal.filters().removedByDistance().get(0).reason()).contains("cosine distance").contains("cosine similarity");
    assertThat(cal.filters().similarSetSize()).isEqualTo(30);

    ProductSearcher strict = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.OTHER_COMMODITY)
        .filters(FilterPreset.NONE).rankThreshold(1.93).candidates(40).top(40).build();
    RegionResult r = strict.searchVector(Intent.OTHER_COMMODITY, query());
    RemovedMatch cup = r.filters().removedByRank().stream().filter(m -> m.id().equals("cup0")).findFirst().orElseThrow();
    assertThat(cup.reason()).startsWith("cosine similarity 0.900 < 0.930");
  }

  @Test
  void attributeFilterAppliesInsideTheSearchAndPagesAreDisjoint() {
    ProductSearcher s = searcher(FilterPreset.NONE);
    ProductQuery cheap = ProductQuery.filtered(ProductFilter.atMost("price", 10));
    RegionResult r = s.searchVector(Intent.OTHER_COMMODITY, query(), cheap.page(0, 40));
    // toy-best (5), even beverages (8), far1, far2 (3): 13 products
    assertThat(r.results()).hasSize(13);
    assertThat(r.results()).allSatisfy(m -> assertThat(catalog.product(m.id()).orElseThrow().attributes().get("price"))
        .satisfies(p -> assertThat(Integer.parseInt(p)).isLessThanOrEqualTo(10)));
    RegionResult fizz = s.searchVector(Intent.OTHER_COMMODITY, query(),
        ProductQuery.filtered(ProductFilter.equalTo("brand", "fizz").and(ProductFilter.atLeast("price", 20))));
    assertThat(fizz.results()).extracting(ProductMatch::id).allMatch(id -> id.startsWith("bev")).hasSize(10);

    RegionResult all = s.searchVector(Intent.OTHER_COMMODITY, query(), new ProductQuery(null, 0, 12));
    RegionResult p1 = s.searchVector(Intent.OTHER_COMMODITY, query(), new ProductQuery(null, 0, 6));
    RegionResult p2 = s.searchVector(Intent.OTHER_COMMODITY, query(), new ProductQuery(null, 6, 6));
    List<String> joined = new ArrayList<>(p1.results().stream().map(ProductMatch::id).toList());
    joined.addAll(p2.results().stream().map(ProductMatch::id).toList());
    assertThat(joined).containsExactlyElementsOf(all.results().stream().map(ProductMatch::id).toList());
    assertThat(p2.filters().offset()).isEqualTo(6);
    assertThat(p2.filters().total()).isEqualTo(32);
    assertThat(s.searchVector(Intent.OTHER_COMMODITY, query(), new ProductQuery(null, 100, 5)).results()).isEmpty();
  }

  @Test
  void badQueriesAndFiltersAreTypedErrors() {
    assertThatThrownBy(() -> ProductFilter.parse("price<=cheap")).isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> ProductFilter.parse("price")).isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("KEY=VALUE");
    assertThatThrownBy(() -> new ProductQuery(null, -1, 5)).isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("offset");
    assertThat(ProductFilter.parse(" in_stock = true ").test(Map.of("in_stock", "true"))).isTrue();
    assertThat(ProductFilter.parse("price>9.5").test(Map.of("price", "10"))).isTrue();
    assertThat(ProductFilter.parse("price>9.5").test(Map.of("price", "n/a"))).isFalse();
    assertThat(ProductFilter.category("apparel").test(Map.of("category", "apparel/shoes"))).isTrue();
    assertThat(ProductFilter.category("apparel").test(Map.of("category", "apparels"))).isFalse();
    assertThatThrownBy(() -> FilterPreset.parse("strict")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none, seed or calibrated");
  }
}
