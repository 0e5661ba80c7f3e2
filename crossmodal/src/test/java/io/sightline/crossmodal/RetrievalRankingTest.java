package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How the evaluation ranks candidates from their first-stage similarities and matching logits. */
class RetrievalRankingTest {
  @Test
  void fullScanRanksByLogitAndEqualLogitsKeepTheSetsOrder() {
    float[] cos = {0.1f, 0.9f, 0.5f, 0.3f};
    assertThat(RetrievalEvaluation.ranked(cos, new float[] {2, 1, 3, 0}, RetrievalSettings.matching(0)))
        .containsExactly(2, 0, 1, 3);
    // like retrieve(), which sorts the collection's images stably by logit
    assertThat(RetrievalEvaluation.ranked(cos, new float[] {1, 1, 1, 1}, RetrievalSettings.matching(0)))
        .containsExactly(0, 1, 2, 3);
  }

  @Test
  void twoStageReRanksTheFirstStageCandidatesAndAppendsTheRestBySimilarity() {
    float[] cos = {0.1f, 0.9f, 0.5f, 0.3f};
    float[] logit = {5, 1, 2, 9};
    assertThat(RetrievalEvaluation.ranked(cos, logit, RetrievalSettings.matching(2))).containsExactly(2, 1, 3, 0);
    assertThat(RetrievalEvaluation.ranked(cos, logit, RetrievalSettings.matching(10))).containsExactly(3, 0, 2, 1);
  }

  @Test
  void embeddingRanksByCosineAloneWhateverTheLogits() {
    float[] cos = {0.1f, 0.9f, 0.5f, 0.3f};
    float[] logit = {5, 1, 2, 9};
    assertThat(RetrievalEvaluation.ranked(cos, logit, RetrievalSettings.embedding())).containsExactly(1, 2, 3, 0);
    float[] notScored = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
    assertThat(RetrievalEvaluation.ranked(cos, notScored, RetrievalSettings.embedding())).containsExactly(1, 2, 3, 0);
  }

  @Test
  void fusedRanksByTheWeightedSumOfTheStandardisedScores() {
    // the logits order 3, 2, 1, 0; image 0's cosine is far ahead of the others': z-sums (1.0) 0.36,
    // -0.73, -0.12, 0.49; (2.0) 2.05, -1.01, -0.68, -0.36; (0.1) -1.17, -0.48, 0.39, 1.26
    float[] cos = {0.9f, 0.2f, 0.1f, 0.0f};
    float[] logit = {0, 1, 2, 3};
    assertThat(RetrievalEvaluation.ranked(cos, logit, RetrievalSettings.fused(0, 1.0))).containsExactly(3, 0, 2, 1);
    assertThat(RetrievalEvaluation.ranked(cos, logit, RetrievalSettings.fused(0, 2.0))).containsExactly(0, 3, 2, 1);
    assertThat(RetrievalEvaluation.ranked(cos, logit, RetrievalSettings.fused(0, 0.1))).containsExactly(3, 2, 1, 0);
    // with a first stage, only its candidates are fused; the rest follow by cosine
    assertThat(RetrievalEvaluation.ranked(cos, logit, RetrievalSettings.fused(2, 0.1))).containsExactly(1, 0, 2, 3);
  }

  @Test
  void zScoresAreMinusTheMeanOverThePopulationStandardDeviation() {
    // mean 2, standard deviation sqrt(2/3): the fusion's weights mean nothing without exact z-scores
    double[] z = ModelRetrieval.zScores(new double[] {1, 2, 3});
    double sd = Math.sqrt(2.0 / 3.0);
    assertThat(z[0]).isCloseTo(-1 / sd, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(z[1]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(z[2]).isCloseTo(1 / sd, org.assertj.core.data.Offset.offset(1e-12));
    double[] shifted = ModelRetrieval.zScores(new double[] {101, 102, 103, 110});
    assertThat(shifted[0] + shifted[1] + shifted[2] + shifted[3]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(java.util.Arrays.stream(shifted).map(v -> v * v).sum()).isCloseTo(4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(ModelRetrieval.zScores(new double[] {5, 5, 5})).containsExactly(0, 0, 0);
  }

  @Test
  void settingsThatDoNotFitTheirRankingAreRefused() {
    assertThatThrownBy(() -> new RetrievalSettings(RetrievalSettings.Ranking.EMBEDDING, 5, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no first stage");
    assertThatThrownBy(() -> RetrievalSettings.fused(0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetrievalSettings.fused(0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetrievalSettings.fused(0, Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetrievalSettings(RetrievalSettings.Ranking.MATCHING, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FUSED ranking only");
    assertThatThrownBy(() -> RetrievalSettings.matching(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetrievalSettings(null, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(RetrievalSettings.defaults()).isEqualTo(RetrievalSettings.fused(50, 2.0));
  }
}
