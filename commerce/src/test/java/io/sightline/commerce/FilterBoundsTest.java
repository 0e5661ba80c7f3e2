package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The filters' bounds are inclusive or exclusive exactly as documented: a result at the rank
 * threshold or at the distance bound is kept, a category whose entropy equals the threshold is
 * kept (only entropies above it are dropped); and presets parse by name in any case.
 */
class FilterBoundsTest {
  static ProductMatch m(String id, String category, float distance) {
    return new ProductMatch(id, category, "", "", "", distance, ResultFilters.rankValue(distance), 0, Double.NaN,
        false, Double.NaN, 0, null);
  }

  static List<String> ids(List<ProductMatch> ms) {
    return ms.stream().map(ProductMatch::id).toList();
  }

  @Test
  void aResultExactlyAtTheRankThresholdIsKept() {
    // distance 0.5 (exact in binary): rank value 1.5
    List<ProductMatch> in = List.of(m("at", "cup", 0.5f), m("below", "cup", 0.625f));
    ResultFilters.Filtered f = ResultFilters.rankFilter(in, 1.5, Set.of());
    assertThat(ids(f.kept())).containsExactly("at");
    assertThat(f.removed()).extracting(RemovedMatch::id).containsExactly("below");
  }

  @Test
  void aResultExactlyAtTheDistanceBoundIsKept() {
    List<ProductMatch> in = List.of(m("at", "cup", 0.5f), m("beyond", "cup", 0.5625f));
    ResultFilters.Filtered f = ResultFilters.distanceFilter(in, 0.5, Set.of());
    assertThat(ids(f.kept())).containsExactly("at");
    assertThat(f.removed()).extracting(RemovedMatch::id).containsExactly("beyond");
  }

  @Test
  void aCategoryWhoseEntropyEqualsTheThresholdIsKeptAndOneAboveIsDropped() {
    List<ProductMatch> in = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      in.add(m("c" + i, "cup", 0.1f));
    }
    in.add(m("t", "toy", 0.2f));
    // toy holds 1 of 10: H = ln 10; with exactly that threshold it stays
    double h = ResultFilters.entropyFilter(in, 100).categoryEntropy().get("toy");
    assertThat(h).isCloseTo(Math.log(10), org.assertj.core.api.Assertions.within(1e-12));
    assertThat(ids(ResultFilters.entropyFilter(in, h).kept())).contains("t").hasSize(10);
    assertThat(ids(ResultFilters.entropyFilter(in, Math.nextDown(h)).kept())).doesNotContain("t").hasSize(9);
  }

  @Test
  void withTwoCategoriesTheRareOneIsDropped() {
    List<ProductMatch> in = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      in.add(m("c" + i, "cup", 0.1f));
    }
    in.add(m("t", "toy", 0.2f));
    ResultFilters.Filtered f = ResultFilters.entropyFilter(in, ResultFilters.DEFAULT_ENTROPY_THRESHOLD);
    assertThat(f.removed()).extracting(RemovedMatch::id).containsExactly("t");
    // one category: nothing to compare, nothing removed
    assertThat(ResultFilters.entropyFilter(in.subList(0, 10), 0).kept()).hasSize(10);
  }

  @Test
  void withOneCategoryTheOrderingIsByRankValueWithOneBasedPositions() {
    ResultFilters.Ordered o = ResultFilters.orderByCategory(List.of(m("b", "cup", 0.3f), m("a", "cup", 0.1f)));
    assertThat(ids(o.ordered())).containsExactly("a", "b");
    assertThat(o.ordered()).extracting(ProductMatch::rankPosition).containsExactly(1, 2);
    assertThat(o.categoryScores()).isEmpty();
  }

  @Test
  void presetsParseByNameInAnyCaseAndNameTheAcceptedValuesOtherwise() {
    assertThat(FilterPreset.parse(" Seed ")).isEqualTo(FilterPreset.SEED);
    assertThat(FilterPreset.parse("NONE")).isEqualTo(FilterPreset.NONE);
    assertThat(FilterPreset.parse("calibrated")).isEqualTo(FilterPreset.CALIBRATED);
    assertThatThrownBy(() -> FilterPreset.parse(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected none, seed or calibrated");
    assertThatThrownBy(() -> FilterPreset.parse("strict")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'strict'");
  }
}
