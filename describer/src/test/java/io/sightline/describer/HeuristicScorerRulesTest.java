package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ModelException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The documented training-free formula of {@link HeuristicEntityScorer}, term by term. Features the
 * formula does not use are filled with a decoy value, so reading a wrong column changes the score.
 */
class HeuristicScorerRulesTest {
  private static final double DECOY = 0.37;
  private final HeuristicEntityScorer scorer = new HeuristicEntityScorer();

  private static double[] row(FeatureSchema schema, Map<String, Double> values) {
    double[] f = new double[schema.size()];
    Arrays.fill(f, DECOY);
    values.forEach((k, v) -> f[schema.indexOf(k)] = v);
    return f;
  }

  private double grouped(double sim, double pwMax, double share, double title, double df, double nameLike) {
    return scorer.score(FeatureSchema.GROUPED, List.of(row(FeatureSchema.GROUPED, Map.of("sourceMatchMax", sim,
        "positionWeightMax", pwMax, "referenceShare", share, "titleShare", title, "databaseFrequency", df,
        "nameLike", nameLike))))[0];
  }

  private double perMention(double sim, double pw, double inTitle, double df, double nameLike) {
    return scorer.score(FeatureSchema.PER_MENTION, List.of(row(FeatureSchema.PER_MENTION, Map.of("sourceMatch", sim,
        "positionWeight", pw, "inTitle", inTitle, "databaseFrequency", df, "nameLike", nameLike))))[0];
  }

  @Test
  void groupedScoreIsTheDocumentedProduct() {
    // 0.8² · (0.4·1.0 + 0.3·0.5 + 0.3·0.5) · (1 − √0.04) · (0.5 + 0.5·0.75)
    assertThat(grouped(0.8, 1.0, 0.5, 0.5, 0.04, 0.75)).isCloseTo(0.64 * 0.7 * 0.8 * 0.875, within(1e-12));
    // each prominence term on its own
    assertThat(grouped(1, 1, 0, 0, 0, 1)).isCloseTo(0.4, within(1e-12));
    assertThat(grouped(1, 0, 1, 0, 0, 1)).isCloseTo(0.3, within(1e-12));
    assertThat(grouped(1, 0, 0, 1, 0, 1)).isCloseTo(0.3, within(1e-12));
    // similarity counts squared; a common noun phrase (nameLike 0) keeps half
    assertThat(grouped(0.5, 1, 1, 1, 0, 1)).isCloseTo(0.25, within(1e-12));
    assertThat(grouped(1, 1, 1, 1, 0, 0)).isCloseTo(0.5, within(1e-12));
    assertThat(grouped(1, 1, 1, 1, 0.25, 1)).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void perMentionScoreIsTheDocumentedProduct() {
    // 0.9² · (0.6·0.6 + 0.4·1) · (1 − √0.25) · (0.5 + 0.5·1)
    assertThat(perMention(0.9, 0.6, 1, 0.25, 1)).isCloseTo(0.81 * 0.76 * 0.5, within(1e-12));
    assertThat(perMention(1, 1, 0, 0, 1)).isCloseTo(0.6, within(1e-12));
    assertThat(perMention(1, 0, 1, 0, 1)).isCloseTo(0.4, within(1e-12));
    assertThat(perMention(0.5, 1, 1, 0, 0.5)).isCloseTo(0.25 * 0.75, within(1e-12));
  }

  @Test
  void aWordOnEveryPageScoresZeroAndScoresStayInTheUnitInterval() {
    assertThat(grouped(1, 1, 1, 1, 1, 1)).isZero();
    // a frequency above 1 (inconsistent counts) is capped, never negative
    assertThat(grouped(1, 1, 1, 1, 4, 1)).isZero();
    assertThat(perMention(1, 1, 1, 4, 1)).isZero();
    // a similarity above 1 cannot push the score above 1
    assertThat(grouped(2, 1, 1, 1, 0, 1)).isEqualTo(1.0);
    assertThat(perMention(2, 1, 1, 0, 1)).isEqualTo(1.0);
  }

  @Test
  void rewardsSpecificProminentEntitiesOfCloseMatches() {
    assertThat(grouped(0.9, 1, 1, 1, 0.01, 1)).isGreaterThan(grouped(0.9, 1, 1, 1, 0.5, 1)); // rarer
    assertThat(grouped(0.9, 1, 1, 1, 0.1, 1)).isGreaterThan(grouped(0.8, 1, 1, 1, 0.1, 1)); // closer match
    assertThat(perMention(0.9, 1, 1, 0.1, 1)).isGreaterThan(perMention(0.9, 0.3, 0, 0.1, 1)); // title over body
  }

  @Test
  void scoresEveryRowInOrder() {
    FeatureSchema g = FeatureSchema.GROUPED;
    double[] out = scorer.score(g, List.of(
        row(g, Map.of("sourceMatchMax", 1.0, "positionWeightMax", 1.0, "referenceShare", 1.0, "titleShare", 1.0,
            "databaseFrequency", 0.0, "nameLike", 1.0)),
        row(g, Map.of("sourceMatchMax", 0.5, "positionWeightMax", 1.0, "referenceShare", 1.0, "titleShare", 1.0,
            "databaseFrequency", 0.0, "nameLike", 1.0))));
    assertThat(out).containsExactly(new double[] {1.0, 0.25}, within(1e-12));
    assertThat(scorer.score(g, List.of())).isEmpty();
  }

  @Test
  void knowsOnlyTheBuiltInSchemas() {
    scorer.checkSchema(FeatureSchema.GROUPED);
    scorer.checkSchema(FeatureSchema.PER_MENTION);
    FeatureSchema other = new FeatureSchema(ScoringMode.GROUPED, List.of("sourceMatchMax", "databaseFrequency"));
    assertThatThrownBy(() -> scorer.checkSchema(other)).isInstanceOf(ModelException.class)
        .hasMessageContaining("built-in");
    assertThatThrownBy(() -> scorer.score(other, List.of(new double[2]))).isInstanceOf(ModelException.class);
    assertThat(scorer.id()).isEqualTo("heuristic/1");
    assertThat(scorer.defaultThreshold()).isEqualTo(0.25).isEqualTo(HeuristicEntityScorer.DEFAULT_THRESHOLD);
  }
}
