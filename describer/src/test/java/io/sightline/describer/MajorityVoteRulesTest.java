package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ModelException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The baseline: share of matched pages that mention an entity, plus 0.001 × its matching degree. */
class MajorityVoteRulesTest {
  private final MajorityVoteScorer scorer = new MajorityVoteScorer();

  private static double[] row(double share, double entityMatch) {
    double[] f = new double[FeatureSchema.GROUPED.size()];
    java.util.Arrays.fill(f, 0.37);
    f[FeatureSchema.GROUPED.indexOf("referenceShare")] = share;
    f[FeatureSchema.GROUPED.indexOf("entityMatch")] = entityMatch;
    return f;
  }

  @Test
  void scoreIsTheReferenceShareWithTheMatchingDegreeAsTieBreak() {
    double[] s = scorer.score(FeatureSchema.GROUPED, List.of(row(0.75, 0.6), row(0.5, 0.2), row(0.5, 0.4)));
    assertThat(s).containsExactly(new double[] {0.7506, 0.5002, 0.5004}, within(1e-12));
    assertThat(s[2]).as("equal shares: the better-matching entity ranks first").isGreaterThan(s[1]);
  }

  @Test
  void needsGroupedFeatures() {
    scorer.checkSchema(FeatureSchema.GROUPED);
    assertThatThrownBy(() -> scorer.checkSchema(FeatureSchema.PER_MENTION)).isInstanceOf(ModelException.class)
        .hasMessageContaining("referenceShare");
    FeatureSchema noEntityMatch = new FeatureSchema(ScoringMode.GROUPED, List.of("referenceShare"));
    assertThatThrownBy(() -> scorer.checkSchema(noEntityMatch)).isInstanceOf(ModelException.class);
    FeatureSchema noShare = new FeatureSchema(ScoringMode.GROUPED, List.of("entityMatch"));
    assertThatThrownBy(() -> scorer.checkSchema(noShare)).isInstanceOf(ModelException.class);
    assertThatThrownBy(() -> scorer.score(FeatureSchema.PER_MENTION, List.of(new double[15])))
        .isInstanceOf(ModelException.class);
    // the two features may sit in any column
    scorer.checkSchema(new FeatureSchema(ScoringMode.GROUPED, List.of("referenceShare", "entityMatch")));
    FeatureSchema swapped = new FeatureSchema(ScoringMode.GROUPED, List.of("entityMatch", "referenceShare"));
    scorer.checkSchema(swapped);
    assertThat(scorer.score(swapped, List.of(new double[] {0.5, 0.25}))).containsExactly(0.2505);
    assertThat(scorer.id()).isEqualTo("majority-vote/1");
    assertThat(scorer.defaultThreshold()).isEqualTo(0.5);
  }
}
