package io.sightline.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void rankingMetrics() {
    List<String> ranked = List.of("a", "x", "b", "y");
    Set<String> rel = Set.of("a", "b", "c");
    assertThat(Metrics.recallAtK(ranked, rel, 3)).isCloseTo(2 / 3.0, within(1e-9));
    assertThat(Metrics.precisionAtK(ranked, rel, 2)).isCloseTo(0.5, within(1e-9));
    assertThat(Metrics.hitAtK(ranked, rel, 1)).isEqualTo(1.0);
    assertThat(Metrics.averagePrecision(ranked, rel)).isCloseTo((1 + 2 / 3.0) / 3, within(1e-9));
    assertThat(Metrics.meanAveragePrecision(List.of(ranked, List.of("c")), List.of(rel, Set.of("c"))))
        .isCloseTo(((1 + 2 / 3.0) / 3 + 1) / 2, within(1e-9));
  }

  @Test
  void entropyAndSelfInformationMatchTheCommerceSeedExample() {
    // 30 results: beverage 20, cup 8, toy 2
    Map<String, Double> si = Metrics.selfInformation(Map.of("beverage", 20, "cup", 8, "toy", 2));
    assertThat(si.get("toy")).isCloseTo(Math.log(15), within(1e-9));
    assertThat(si.get("beverage")).isLessThan(si.get("cup"));
    assertThat(Metrics.entropy(List.of(1, 1))).isCloseTo(Math.log(2), within(1e-9));
    assertThat(Metrics.entropy(List.of(5))).isZero();
  }

  @Test
  void boxGeometry() {
    Box a = new Box(0, 0, 10, 10);
    Box b = new Box(5, 5, 10, 10);
    assertThat(a.iou(b)).isCloseTo(25 / 175.0, within(1e-9));
    assertThat(a.intersects(b)).isTrue();
    assertThat(a.union(b)).isEqualTo(new Box(0, 0, 15, 15));
    assertThat(a.scaleAboutCenter(2)).isEqualTo(new Box(-5, -5, 20, 20));
    assertThat(new Box(-5, -5, 20, 20).clamp(12, 12)).isEqualTo(new Box(0, 0, 12, 12));
    assertThat(a.intersects(new Box(10, 0, 5, 5))).isFalse();
    assertThat(Metrics.quantile(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2);
  }
}
