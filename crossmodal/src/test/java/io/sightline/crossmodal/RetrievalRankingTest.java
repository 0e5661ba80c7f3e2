package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the evaluation ranks candidates from their first-stage similarities and matching logits. */
class RetrievalRankingTest {
  @Test
  void fullScanRanksByLogitAndEqualLogitsKeepTheSetsOrder() {
    float[] cos = {0.1f, 0.9f, 0.5f, 0.3f};
    assertThat(RetrievalEvaluation.ranked(cos, new float[] {2, 1, 3, 0}, 0)).containsExactly(2, 0, 1, 3);
    // like retrieve(), which sorts the collection's images stably by logit
    assertThat(RetrievalEvaluation.ranked(cos, new float[] {1, 1, 1, 1}, 0)).containsExactly(0, 1, 2, 3);
  }

  @Test
  void twoStageReRanksTheFirstStageCandidatesAndAppendsTheRestBySimilarity() {
    float[] cos = {0.1f, 0.9f, 0.5f, 0.3f};
    float[] logit = {5, 1, 2, 9};
    assertThat(RetrievalEvaluation.ranked(cos, logit, 2)).containsExactly(2, 1, 3, 0);
    assertThat(RetrievalEvaluation.ranked(cos, logit, 10)).containsExactly(3, 0, 2, 1);
  }
}
