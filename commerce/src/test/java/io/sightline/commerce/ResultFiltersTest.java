package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultFiltersTest {

  private static List<ProductMatch> seedExample() {
    List<ProductMatch> r = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      r.add(ProductMatch.of("bev" + i, "beverage", 0.1f + i * 0.01f));
    }
    for (int i = 0; i < 8; i++) {
      r.add(ProductMatch.of("cup" + i, "cup", 0.15f + i * 0.01f));
    }
    for (int i = 0; i < 2; i++) {
      r.add(ProductMatch.of("toy" + i, "toy", 0.05f + i * 0.01f)); // even very close toys go
    }
    return r;
  }

  @Test
  void rankValueIsTwoMinusDistance() {
    assertThat(ResultFilters.rankValue(0.0)).isEqualTo(2.0);
    assertThat(ResultFilters.rankValue(0.92)).isEqualTo(1.08, within(1e-12));
    assertThat(ProductMatch.of("a", "c", 0.5f).rankValue()).isEqualTo(1.5, within(1e-6));
  }

  @Test
  void rankFilterDropsResultsBelowTheThreshold() {
    List<ProductMatch> in = List.of(ProductMatch.of("a", "x", 0.2f), ProductMatch.of("b", "x", 0.95f),
        ProductMatch.of("c", "x", 0.91f));
    ResultFilters.Filtered f = ResultFilters.rankFilter(in, ResultFilters.SEED_RANK_THRESHOLD);
    assertThat(f.kept()).extracting(ProductMatch::id).containsExactly("a", "c");
    assertThat(f.removed()).extracting(RemovedMatch::id).containsExactly("b");
    assertThat(f.removed().get(0).reason()).contains("1.050 < 1.080");
  }

  @Test
  void seedEntropyExampleDropsToyAndKeeps28() {
    List<ProductMatch> in = seedExample();
    Map<String, Double> h = ResultFilters.categoryEntropy(in);
    assertThat(h.get("beverage")).isEqualTo(-Math.log(20 / 30.0), within(1e-12));
    assertThat(h.get("cup")).isEqualTo(-Math.log(8 / 30.0), within(1e-12));
    assertThat(h.get("toy")).isEqualTo(-Math.log(2 / 30.0), within(1e-12));
    assertThat(h.get("toy")).isGreaterThan(h.get("cup")).isGreaterThan(h.get("beverage"));

    ResultFilters.Filtered f = ResultFilters.entropyFilter(in, ResultFilters.DEFAULT_ENTROPY_THRESHOLD);
    assertThat(f.kept()).hasSize(28);
    assertThat(f.kept()).extracting(ProductMatch::category).doesNotContain("toy");
    assertThat(f.removed()).hasSize(2).allSatisfy(r -> assertThat(r.category()).isEqualTo("toy"));
    // a threshold above toy's entropy keeps everything; one below cup's drops cup too
    assertThat(ResultFilters.entropyFilter(in, 3.0).kept()).hasSize(30);
    assertThat(ResultFilters.entropyFilter(in, 1.0).kept()).hasSize(20);
  }

  @Test
  void entropyFilterLeavesASingleCategoryAlone() {
    List<ProductMatch> in = List.of(ProductMatch.of("a", "x", 0.1f), ProductMatch.of("b", "x", 0.2f));
    ResultFilters.Filtered f = ResultFilters.entropyFilter(in, 0.0);
    assertThat(f.kept()).hasSize(2);
    assertThat(f.categoryEntropy()).isEmpty();
  }

  @Test
  void entropyFilterNeverEmptiesTheAnswer() {
    // an exact match (distance 0.01) among 29 neighbours spread over 15 categories of 2: every
    // share is 2/30, every entropy 2.708 > ln 10, so the seed rule would drop all 30
    List<ProductMatch> in = new ArrayList<>();
    in.add(ProductMatch.of("exact", "c0", 0.01f));
    for (int i = 1; i < 30; i++) {
      in.add(ProductMatch.of("n" + i, "c" + (i / 2), 0.6f + i * 0.001f));
    }
    ResultFilters.Filtered f = ResultFilters.entropyFilter(in, ResultFilters.DEFAULT_ENTROPY_THRESHOLD);
    assertThat(f.categoryEntropy().values()).allSatisfy(e -> assertThat(e).isGreaterThan(Math.log(10)));
    assertThat(f.kept()).hasSize(30);
    assertThat(f.removed()).isEmpty();
    // with one dominant category the rule applies as usual
    assertThat(ResultFilters.entropyFilter(seedExample(), ResultFilters.DEFAULT_ENTROPY_THRESHOLD).kept()).hasSize(28);
  }

  @Test
  void categoryScoreIsSumOfReciprocalPositions() {
    assertThat(ResultFilters.categoryScore(List.of(1, 2, 4))).isEqualTo(1.75, within(1e-12));
    assertThat(ResultFilters.categoryScore(List.of(3, 5))).isEqualTo(1 / 3.0 + 0.2, within(1e-12));
  }

  @Test
  void orderingGroupsByCategoryScoreThenRankValue() {
    // by rank value: c1(A) c2(B) c3(B) c4(B) c5(A); A = 1 + 1/5 = 1.2, B = 1/2 + 1/3 + 1/4 = 1.083
    List<ProductMatch> in = List.of(ProductMatch.of("c5", "A", 0.5f), ProductMatch.of("c3", "B", 0.3f),
        ProductMatch.of("c1", "A", 0.1f), ProductMatch.of("c4", "B", 0.4f), ProductMatch.of("c2", "B", 0.2f));
    ResultFilters.Ordered o = ResultFilters.orderByCategory(in);
    assertThat(o.ordered()).extracting(ProductMatch::id).containsExactly("c1", "c5", "c2", "c3", "c4");
    assertThat(o.categoryScores().get("A")).isEqualTo(1.2, within(1e-12));
    assertThat(o.categoryScores().get("B")).isEqualTo(0.5 + 1 / 3.0 + 0.25, within(1e-12));
    assertThat(o.ordered().get(1).rankPosition()).isEqualTo(5);

    // with a sixth B result, B wins: 1.083 + 1/6 = 1.25 > 1.2
    List<ProductMatch> more = new ArrayList<>(in);
    more.add(ProductMatch.of("c6", "B", 0.6f));
    assertThat(ResultFilters.orderByCategory(more).ordered()).extracting(ProductMatch::id)
        .containsExactly("c2", "c3", "c4", "c6", "c1", "c5");
  }

  @Test
  void singleCategoryIsOrderedByRankValueAlone() {
    List<ProductMatch> in = List.of(ProductMatch.of("b", "x", 0.3f), ProductMatch.of("a", "x", 0.1f));
    ResultFilters.Ordered o = ResultFilters.orderByCategory(in);
    assertThat(o.ordered()).extracting(ProductMatch::id).containsExactly("a", "b");
    assertThat(o.categoryScores()).isEmpty();
    assertThat(o.ordered().get(0).categoryScore()).isNaN();
  }

  static ProductMatch verified(String id, String category, double rank) {
    return new ProductMatch(id, category, "", "", "", Float.NaN, rank, 0, Double.NaN, true, rank / 2, 20, null);
  }

  @Test
  void pinnedResultsSurviveTheEntropyFilterAndComeFirst() {
    List<ProductMatch> in = seedExample();
    ResultFilters.Filtered f = ResultFilters.entropyFilter(in, ResultFilters.DEFAULT_ENTROPY_THRESHOLD, java.util.Set.of("toy0"));
    assertThat(f.kept()).hasSize(29).extracting(ProductMatch::id).contains("toy0").doesNotContain("toy1");
    assertThat(f.removed()).extracting(RemovedMatch::id).containsExactly("toy1");
    List<ProductMatch> ordered = ResultFilters.orderByCategory(f.kept()).ordered();
    assertThat(ordered.get(0).category()).isEqualTo("beverage"); // ordering alone demotes the toy
    List<ProductMatch> pinned = ResultFilters.bestFirst(ordered, java.util.Set.of("toy0"));
    assertThat(pinned.get(0).id()).isEqualTo("toy0");
    assertThat(pinned.subList(1, pinned.size())).containsExactlyElementsOf(
        ordered.stream().filter(m -> !m.id().equals("toy0")).toList());
  }

  @Test
  void bestFirstOrdersVerifiedMatchesByRankValueVerifiedFirstKeepsTheirOrder() {
    List<ProductMatch> ordered = List.of(verified("v-cup", "cup", 1.2), verified("v-toy", "toy", 1.9),
        ProductMatch.of("bev", "beverage", 0.01f));
    assertThat(ResultFilters.verifiedFirst(ordered)).extracting(ProductMatch::id).containsExactly("v-cup", "v-toy", "bev");
    assertThat(ResultFilters.bestFirst(ordered, java.util.Set.of("bev"))).extracting(ProductMatch::id)
        .containsExactly("v-toy", "v-cup", "bev");
  }

  @Test
  void rankAndDistanceReasonsUseTheUnitOfTheScore() {
    ProductMatch far = ProductMatch.of("far", "cup", 0.95f); // cosine 0.05
    assertThat(ResultFilters.rankFilter(List.of(far), 1.08).removed().get(0).reason())
        .isEqualTo("cosine similarity 0.050 < 0.080 (rank value 1.050 < 1.080)");
    ProductMatch local = new ProductMatch("loc", "cup", "", "", "", Float.NaN, 0.6, 0, Double.NaN, false, 0.3, 3, null);
    assertThat(ResultFilters.rankFilter(List.of(local), 1.08).removed().get(0).reason())
        .startsWith("instance score 0.300 < 0.540");
    ProductMatch farButVerified = new ProductMatch("v", "cup", "", "", "", 0.9f, 1.8, 0, Double.NaN, true, 0.9, 30, null);
    ResultFilters.Filtered d = ResultFilters.distanceFilter(List.of(far, farButVerified, local), 0.7,
        java.util.Set.of());
    assertThat(d.kept()).extracting(ProductMatch::id).containsExactly("v", "loc");
    assertThat(d.removed().get(0).reason()).isEqualTo("cosine distance 0.950 > 0.700 (cosine similarity 0.050 < 0.300)");
  }
}
