package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mini-batch K-means rules, worked by hand on 1-D stocks small enough that a batch is the whole
 * stock (a sample as large as the stock is the stock, in order): per-centre learning rate
 * 1/count, warm starts continuing each centre's count from its cluster size, relocation of
 * centres no vector reached, and the patience rule on the smoothed per-image deviation (with a
 * batch of the whole stock the smoothing weight min(1, 2b/(n+1)) is 1).
 */
class MiniBatchRulesTest {

  private static double[][] line(double... xs) {
    double[][] out = new double[xs.length][];
    for (int i = 0; i < xs.length; i++) {
      out[i] = new double[] {xs[i]};
    }
    return out;
  }

  private static ClusteringOptions wholeBatch(int n) {
    return ClusteringOptions.defaults().withClusters(2).withMiniBatch(n).withMaxIterations(1);
  }

  /**
   * Warm start 0 | 12 on 0, 1, 2 | 10, 11, 12: each centre stands for its 3 vectors, so after one
   * batch it is (3·c + Σx) / 6: 0.5 and 11.5 (a fresh centre would become the plain mean, 1 and 11).
   */
  @Test
  void warmStartContinuesEachCentresCountFromItsClusterSize() {
    double[][] data = line(0, 1, 2, 10, 11, 12);
    List<String> messages = new ArrayList<>();
    StockClusterer.Run run = StockClusterer.cluster(data, wholeBatch(6), line(0, 12),
        (task, done, total, msg) -> messages.add(task + " " + done + "/" + total + " " + msg), CancellationToken.NONE);
    assertThat(run.centres()[0][0]).isCloseTo(0.5, within(1e-12));
    assertThat(run.centres()[1][0]).isCloseTo(11.5, within(1e-12));
    assertThat(run.labels()).containsExactly(0, 0, 0, 1, 1, 1);
    // D of the batch against the warm centres: 0 + 1 + 4 + 4 + 1 + 0
    assertThat(run.deviations()).hasSize(1);
    assertThat(run.deviations()[0]).isCloseTo(10, within(1e-12));
    // against the final centres 0.5 and 11.5: 0.25 + 0.25 + 2.25 + 2.25 + 0.25 + 0.25
    assertThat(run.finalDeviation()).isCloseTo(5.5, within(1e-12));
    assertThat(run.iterations()).isEqualTo(1);
    assertThat(run.converged()).isFalse();
    assertThat(run.relocated()).isZero();
    assertThat(messages).containsExactly("mini-batch-kmeans 1/1 D=10.0000 (batch of 6)",
        "mini-batch-kmeans 1/1 D=5.50000 (all 6 images)");
  }

  @Test
  void aFreshCentreBecomesTheRunningMeanOfWhatItAbsorbs() {
    double[][] data = line(0, 1, 2, 10, 11, 12);
    StockClusterer.Run run = StockClustererMiniBatch.miniBatch(data, line(0, 12), new long[2], wholeBatch(6),
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.centres()[0][0]).isCloseTo(1, within(1e-12));
    assertThat(run.centres()[1][0]).isCloseTo(11, within(1e-12));
  }

  @Test
  void aCentreNoVectorReachedMovesOntoABatchVectorAndIsCounted() {
    double[][] data = line(0, 1, 2);
    StockClusterer.Run run = StockClustererMiniBatch.miniBatch(data, line(1, 100), new long[2], wholeBatch(3),
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.relocated()).isEqualTo(1);
    assertThat(run.centres()[0][0]).isCloseTo(1, within(1e-12));
    assertThat(run.centres()[1][0]).isIn(0.0, 1.0, 2.0);
  }

  /**
   * Stock -1, 1 from centre 0.1 with tolerance 0.05: batch 1 has D = 1.21 + 0.81 = 2.02 (per image
   * 1.01, the best so far) and leaves the centre at the mean 0; every later batch has per-image D 1,
   * not 5 % below 1.01, so the run stops after {@code patience} such batches.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void stopsAfterPatienceBatchesWithoutEnoughImprovement(int patience) {
    ClusteringOptions o = ClusteringOptions.defaults().withClusters(1).withMiniBatch(2).withMaxIterations(50)
        .withTolerance(0.05).withPatience(patience);
    StockClusterer.Run run = StockClustererMiniBatch.miniBatch(line(-1, 1), line(0.1), new long[1], o,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.iterations()).isEqualTo(1 + patience);
    assertThat(run.converged()).isTrue();
    assertThat(run.deviations()[0]).isCloseTo(2.02, within(1e-12));
    for (int i = 1; i < run.deviations().length; i++) {
      assertThat(run.deviations()[i]).isCloseTo(2, within(1e-9));
    }
  }

  /**
   * Stock 3, 3 from centre 5 with tolerance 0: batch 1 (D 8) puts the centre on 3, batch 2 (D 0)
   * improves, then D stays 0, which is not strictly below the best, so the run stops after
   * 2 + patience batches.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void withZeroToleranceAnEqualDeviationIsNoImprovement(int patience) {
    ClusteringOptions o = ClusteringOptions.defaults().withClusters(1).withMiniBatch(2).withMaxIterations(50)
        .withTolerance(0).withPatience(patience);
    StockClusterer.Run run = StockClustererMiniBatch.miniBatch(line(3, 3), line(5), new long[1], o,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.iterations()).isEqualTo(2 + patience);
    assertThat(run.converged()).isTrue();
    assertThat(run.deviations()[0]).isEqualTo(8);
    assertThat(run.deviations()[1]).isZero();
    assertThat(run.centres()[0][0]).isEqualTo(3);
  }

  @Test
  void stopsAtTheBatchLimitWithoutConverging() {
    ClusteringOptions o = ClusteringOptions.defaults().withClusters(1).withMiniBatch(2).withMaxIterations(1)
        .withTolerance(0.05);
    StockClusterer.Run run = StockClustererMiniBatch.miniBatch(line(-1, 1), line(0.1), new long[1], o,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(run.iterations()).isEqualTo(1);
    assertThat(run.deviations()).hasSize(1);
    assertThat(run.converged()).isFalse();
  }

  @Test
  void aCancelledRunDrawsNoBatch() {
    CancellationToken token = new CancellationToken();
    token.cancel();
    List<String> messages = new ArrayList<>();
    int[] truth = new int[40];
    double[][] data = Blobs.data(2, 20, 4, 3, truth);
    assertThatThrownBy(() -> StockClusterer.cluster(data, ClusteringOptions.defaults().withClusters(2).withMiniBatch(8),
        null, (task, done, total, msg) -> messages.add(task), token)).isInstanceOf(CancelledException.class);
    assertThat(messages).isEmpty();
  }
}
