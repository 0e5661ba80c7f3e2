package io.sightline.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Edge cases of the evaluation metrics that reports rely on. */
class MetricsRulesTest {
  static final List<String> RANKED = List.of("x", "a", "y", "b");
  static final Set<String> REL = Set.of("a", "b");

  @Test
  void cutOffsCountOnlyTheFirstKAndNeverPastTheList() {
    assertThat(Metrics.recallAtK(RANKED, REL, 1)).isZero();
    assertThat(Metrics.recallAtK(RANKED, REL, 2)).isEqualTo(0.5);
    assertThat(Metrics.recallAtK(RANKED, REL, 4)).isEqualTo(1.0);
    assertThat(Metrics.recallAtK(RANKED, REL, 100)).isEqualTo(1.0);
    assertThat(Metrics.recallAtK(RANKED, Set.of(), 3)).isEqualTo(1.0);
    assertThat(Metrics.precisionAtK(RANKED, REL, 1)).isZero();
    assertThat(Metrics.precisionAtK(RANKED, REL, 4)).isEqualTo(0.5);
    // a short list is still divided by k
    assertThat(Metrics.precisionAtK(RANKED, REL, 8)).isEqualTo(0.25);
    assertThatThrownBy(() -> Metrics.precisionAtK(RANKED, REL, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Metrics.hitAtK(RANKED, REL, 1)).isZero();
    assertThat(Metrics.hitAtK(RANKED, REL, 2)).isEqualTo(1.0);
    assertThat(Metrics.hitAtK(List.of(), REL, 5)).isZero();
  }

  @Test
  void averagePrecisionRewardsEarlyHitsAndCountsMissedOnes() {
    assertThat(Metrics.averagePrecision(RANKED, REL)).isCloseTo((1 / 2.0 + 2 / 4.0) / 2, within(1e-12));
    assertThat(Metrics.averagePrecision(List.of("a", "b"), REL)).isEqualTo(1.0);
    // a relevant item never ranked counts as a miss
    assertThat(Metrics.averagePrecision(List.of("a"), REL)).isEqualTo(0.5);
    assertThat(Metrics.averagePrecision(RANKED, Set.of())).isZero();
    assertThat(Metrics.meanAveragePrecision(List.of(), List.of())).isZero();
    assertThat(Metrics.meanAveragePrecision(List.of(List.of("a"), List.of("z")), List.of(Set.of("a"), Set.of("a"))))
        .isEqualTo(0.5);
    assertThatThrownBy(() -> Metrics.meanAveragePrecision(List.of(RANKED), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entropyIgnoresEmptyCategoriesAndEmptyTotals() {
    assertThat(Metrics.entropy(List.of(2, 0, 2))).isCloseTo(Math.log(2), within(1e-12));
    assertThat(Metrics.entropy(List.of(1, 1, 2))).isCloseTo(-(0.25 * Math.log(0.25) * 2 + 0.5 * Math.log(0.5)),
        within(1e-12));
    assertThat(Metrics.entropy(List.of())).isZero();
    assertThat(Metrics.entropy(List.of(0, 0))).isZero();
  }

  @Test
  void selfInformationOfShares() {
    assertThat(Metrics.selfInformation(1.0)).isZero();
    assertThat(Metrics.selfInformation(0.5)).isCloseTo(Math.log(2), within(1e-12));
    assertThatThrownBy(() -> Metrics.selfInformation(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Metrics.selfInformation(1.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Metrics.selfInformation(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("a", 3);
    counts.put("b", 1);
    Map<String, Double> si = Metrics.selfInformation(counts);
    assertThat(si.keySet()).containsExactly("a", "b");
    assertThat(si.get("a")).isCloseTo(-Math.log(0.75), within(1e-12));
    assertThat(si.get("b")).isCloseTo(Math.log(4), within(1e-12));
  }

  @Test
  void quantilesPickTheNearestRankAndStayInRange() {
    double[] s = {10, 20, 30, 40, 50};
    assertThat(Metrics.quantile(s, 0)).isEqualTo(10);
    assertThat(Metrics.quantile(s, 0.2)).isEqualTo(10);
    assertThat(Metrics.quantile(s, 0.21)).isEqualTo(20);
    assertThat(Metrics.quantile(s, 0.5)).isEqualTo(30);
    assertThat(Metrics.quantile(s, 0.95)).isEqualTo(50);
    assertThat(Metrics.quantile(s, 1)).isEqualTo(50);
    assertThat(Metrics.quantile(s, 1.5)).isEqualTo(50);
    assertThat(Metrics.quantile(new double[0], 0.5)).isNaN();
    assertThat(Metrics.iou(new Box(0, 0, 2, 2), new Box(1, 0, 2, 2))).isCloseTo(2 / 6.0, within(1e-9));
  }
}
