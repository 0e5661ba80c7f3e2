package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The learning-rate factor at the edges of its settings and the two decay shapes. */
class LearningRateScheduleTest {
  @Test
  void withoutWarmUpTrainingStartsAtTheFullRate() {
    for (LearningRateSchedule s : LearningRateSchedule.values()) {
      assertThat(s.factor(0, 0)).as(s.name()).isEqualTo(1.0);
    }
  }

  @Test
  void aWarmUpOverTheWholeRunNeverGivesAnInvalidRate() {
    for (LearningRateSchedule s : LearningRateSchedule.values()) {
      for (double p : new double[] {0, 0.5, 0.999, 1}) {
        assertThat(s.factor(p, 1.0)).as("%s at %s", s, p).isBetween(0.01, 1.0);
      }
    }
  }

  @Test
  void cosineDecayStaysHigherThanLinearInTheFirstHalf() {
    // a quarter into the decay: cosine 0.5 * (1 + cos(pi/4)), linear 0.75
    assertThat(LearningRateSchedule.WARMUP_COSINE.factor(0.25, 0)).isCloseTo(0.8536, Offset.offset(1e-4));
    assertThat(LearningRateSchedule.WARMUP_LINEAR.factor(0.25, 0)).isCloseTo(0.75, Offset.offset(1e-9));
    assertThat(LearningRateSchedule.WARMUP_LINEAR.factor(0.75, 0)).isCloseTo(0.25, Offset.offset(1e-9));
  }

  @Test
  void aPartialWarmUpRisesLinearlyThenTheDecayRunsOverTheRestOfTraining() {
    // warm-up over the first 10 %: half the rate at 5 %, the full rate at 10 %; the decay then
    // spans the remaining 90 %, so a quarter of it is reached at 10 % + 22.5 % = 32.5 %
    for (LearningRateSchedule s : new LearningRateSchedule[] {LearningRateSchedule.WARMUP_COSINE,
        LearningRateSchedule.WARMUP_LINEAR}) {
      assertThat(s.factor(0.05, 0.1)).as(s.name()).isCloseTo(0.5, Offset.offset(1e-9));
      assertThat(s.factor(0.1, 0.1)).as(s.name()).isCloseTo(1.0, Offset.offset(1e-9));
      assertThat(s.factor(0.55, 0.1)).as(s.name()).isCloseTo(0.5, Offset.offset(1e-9));
      assertThat(s.factor(1.0, 0.1)).as(s.name()).isEqualTo(0.01);
    }
    assertThat(LearningRateSchedule.WARMUP_COSINE.factor(0.325, 0.1)).isCloseTo(0.8536, Offset.offset(1e-4));
    assertThat(LearningRateSchedule.WARMUP_LINEAR.factor(0.325, 0.1)).isCloseTo(0.75, Offset.offset(1e-9));
    assertThat(LearningRateSchedule.CONSTANT.factor(0.05, 0.1)).isEqualTo(1.0);
  }
}
