package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.ModelException;
import io.sightline.core.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The seed [0036] sequence scorer: learning, persistence, bad input, threads, native memory. */
class LstmEntityScorerTest {
  private static final FeatureSchema S = FeatureSchema.PER_MENTION;
  static List<TrainingExample> train;
  static List<TrainingExample> test;
  static LstmEntityScorer lstm;

  @TempDir
  static Path tmp;

  /**
   * Per-mention rows of {@code queries} queries with 2-7 entities each. The rule depends on the
   * whole sequence: an entity is correct when at least 3 matched pages mention it and its
   * best-ranked mention is in a title. A single row cannot tell how many pages mention the entity,
   * so a scorer of rows alone (best mention wins) cannot learn it; 3 % label noise.
   */
  static List<TrainingExample> sequences(int queries, long seed) {
    Random rnd = new Random(seed);
    List<TrainingExample> out = new ArrayList<>();
    for (int q = 0; q < queries; q++) {
      int entities = 2 + rnd.nextInt(6);
      for (int e = 0; e < entities; e++) {
        int mentions = 1 + rnd.nextInt(6);
        boolean titled = rnd.nextBoolean();
        boolean correct = mentions >= 3 && titled;
        if (rnd.nextDouble() < 0.03) {
          correct = !correct;
        }
        for (int k = 0; k < mentions; k++) {
          double[] f = new double[S.size()];
          for (int j = 0; j < f.length; j++) {
            f[j] = rnd.nextDouble();
          }
          f[S.indexOf("matchedReferences")] = 10;
          f[S.indexOf("inTitle")] = k == 0 ? (titled ? 1 : 0) : rnd.nextInt(2);
          f[S.indexOf("rank")] = 1 + k + rnd.nextInt(2);
          out.add(new TrainingExample("q" + seed + "-" + q, new EntityCandidate("e" + e, "E" + e, S, f,
              List.of("r" + k)), correct));
        }
      }
    }
    return out;
  }

  /** Groups examples into (query, entity) sequences with their labels, in order. */
  static List<List<double[]>> group(List<TrainingExample> ex, List<Boolean> labels) {
    java.util.Map<String, List<double[]>> seqs = new java.util.LinkedHashMap<>();
    java.util.Map<String, Boolean> lab = new java.util.LinkedHashMap<>();
    for (TrainingExample e : ex) {
      String k = e.query() + "/" + e.candidate().key();
      seqs.computeIfAbsent(k, x -> new ArrayList<>()).add(e.candidate().features());
      lab.put(k, e.correct());
    }
    labels.addAll(lab.values());
    return new ArrayList<>(seqs.values());
  }

  static double sequenceAccuracy(SequenceEntityScorer s, List<TrainingExample> ex) {
    List<Boolean> labels = new ArrayList<>();
    double[] scores = s.scoreSequences(S, group(ex, labels));
    int ok = 0;
    for (int i = 0; i < scores.length; i++) {
      ok += (scores[i] > s.defaultThreshold()) == labels.get(i) ? 1 : 0;
    }
    return ok / (double) scores.length;
  }

  /** A row scorer's accuracy under the per-mention rule: an entity's best row represents it. */
  static double bestRowAccuracy(EntityScorer s, List<TrainingExample> ex) {
    List<Boolean> labels = new ArrayList<>();
    List<List<double[]>> seqs = group(ex, labels);
    int ok = 0;
    for (int i = 0; i < seqs.size(); i++) {
      double best = java.util.Arrays.stream(s.score(S, seqs.get(i))).max().orElseThrow();
      ok += (best > s.defaultThreshold()) == labels.get(i) ? 1 : 0;
    }
    return ok / (double) seqs.size();
  }

  @BeforeAll
  static void trainOnce() {
    train = sequences(400, 1);
    test = sequences(200, 2);
    lstm = LstmEntityScorer.train(train, LstmEntityScorer.Params.defaults(), ProgressListener.NONE,
        CancellationToken.NONE);
  }

  @AfterAll
  static void close() {
    lstm.close();
  }

  @Test
  void learnsARuleOverTheWholeSequenceThatRowScorersCannotSee() {
    double acc = sequenceAccuracy(lstm, test);
    try (GbdtEntityScorer gbdt = GbdtEntityScorer.train(S, train, GbdtEntityScorer.Params.defaults(),
        ProgressListener.NONE, CancellationToken.NONE)) {
      double rows = bestRowAccuracy(gbdt, test);
      org.slf4j.LoggerFactory.getLogger(LstmEntityScorerTest.class).info(
          "sequence rule, held-out entities: LSTM accuracy {}, GBDT on rows (best mention) {}; {}", acc, rows,
          lstm.trainingSummary());
      assertThat(acc).isGreaterThan(0.90);
      assertThat(acc).isGreaterThan(rows + 0.1);
    }
    LstmEntityScorer.TrainingSummary sum = lstm.trainingSummary();
    assertThat(sum.validationSequences()).isPositive();
    assertThat(sum.positiveWeight()).isGreaterThan(1.0); // about a third of the sequences are correct
    assertThat(lstm.defaultThreshold()).isEqualTo(sum.threshold()).isBetween(0.05, 0.95);
    assertThat(sum.bestEpoch()).isBetween(1, sum.epochs());
    assertThat(sum.trainLoss().get(sum.trainLoss().size() - 1)).isLessThan(sum.trainLoss().get(0));
  }

  @Test
  void savesAndLoadsToTheSameScoresAndRefusesBadFiles() throws Exception {
    Path f = tmp.resolve("lstm.scorer");
    lstm.save(f);
    List<Boolean> labels = new ArrayList<>();
    List<List<double[]>> seqs = group(test, labels);
    try (LstmEntityScorer back = LstmEntityScorer.load(f)) {
      assertThat(back.scoreSequences(S, seqs)).containsExactly(lstm.scoreSequences(S, seqs));
      assertThat(back.id()).isEqualTo(lstm.id());
      assertThat(back.defaultThreshold()).isEqualTo(lstm.defaultThreshold());
    }
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x55;
    Path bad = tmp.resolve("flipped.scorer");
    Files.write(bad, b);
    assertThatThrownBy(() -> LstmEntityScorer.load(bad)).isInstanceOf(ModelException.class);
    Path gbdtFile = tmp.resolve("gbdt.scorer");
    try (GbdtEntityScorer g = GbdtEntityScorer.train(S, train, GbdtEntityScorer.Params.defaults(),
        ProgressListener.NONE, CancellationToken.NONE)) {
      g.save(gbdtFile);
    }
    assertThatThrownBy(() -> LstmEntityScorer.load(gbdtFile)).isInstanceOf(ModelException.class);
    // the generic loader dispatches on the file's kind
    EntityScorer any = EntityScorers.load(f);
    assertThat(any).isInstanceOf(LstmEntityScorer.class);
    ((LstmEntityScorer) any).close();
    EntityScorer g = EntityScorers.load(gbdtFile);
    assertThat(g).isInstanceOf(GbdtEntityScorer.class);
    ((GbdtEntityScorer) g).close();
    Path other = tmp.resolve("other.bin");
    io.sightline.core.store.ChecksummedFile.write(other, new io.sightline.core.store.ChecksummedFile.Header(
        "hnsw-index", 1, ""), out -> out.writeInt(1));
    assertThatThrownBy(() -> EntityScorers.load(other)).isInstanceOf(ModelException.class)
        .hasMessageContaining("hnsw-index");
    assertThatThrownBy(() -> EntityScorers.load(bad)).isInstanceOf(ModelException.class);
    assertThatThrownBy(() -> LstmEntityScorer.load(tmp.resolve("missing"))).isInstanceOf(ModelException.class)
        .hasMessageContaining("not found");
  }

  @Test
  void sameSeedSameModel() {
    List<TrainingExample> small = sequences(60, 3);
    LstmEntityScorer.Params p = new LstmEntityScorer.Params(8, 5, 16, 0.01f, 8, 0.2, 10, 11, 0, Double.NaN);
    List<Boolean> labels = new ArrayList<>();
    List<List<double[]>> seqs = group(test, labels);
    try (LstmEntityScorer a = LstmEntityScorer.train(small, p, ProgressListener.NONE, CancellationToken.NONE);
        LstmEntityScorer b = LstmEntityScorer.train(small, p, ProgressListener.NONE, CancellationToken.NONE)) {
      assertThat(a.scoreSequences(S, seqs)).containsExactly(b.scoreSequences(S, seqs));
    }
  }

  @Test
  void refusesWrongSchemasRowsAndTrainingData() {
    assertThatThrownBy(() -> lstm.checkSchema(FeatureSchema.GROUPED)).isInstanceOf(ModelException.class);
    assertThatThrownBy(() -> lstm.score(FeatureSchema.GROUPED, List.of(new double[21])))
        .isInstanceOf(ModelException.class);
    assertThatThrownBy(() -> lstm.scoreSequences(S, List.of(List.of(new double[3]))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("15 features");
    assertThatThrownBy(() -> lstm.scoreSequences(S, List.of(List.of())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(lstm.scoreSequences(S, List.of())).isEmpty();
    // NaN and infinite features score (clamped), they do not poison the batch
    double[] nan = new double[S.size()];
    java.util.Arrays.fill(nan, Double.NaN);
    double[] inf = new double[S.size()];
    java.util.Arrays.fill(inf, Double.POSITIVE_INFINITY);
    for (double v : lstm.scoreSequences(S, List.of(List.of(nan), List.of(inf)))) {
      assertThat(v).isBetween(0.0, 1.0);
    }
    List<TrainingExample> allWrong = sequences(20, 4).stream()
        .map(e -> new TrainingExample(e.query(), e.candidate(), false)).toList();
    assertThatThrownBy(() -> LstmEntityScorer.train(allWrong, LstmEntityScorer.Params.defaults(),
        ProgressListener.NONE, CancellationToken.NONE)).isInstanceOf(ModelException.class)
        .hasMessageContaining("both kinds");
    List<TrainingExample> grouped = List.of(new TrainingExample("q", new EntityCandidate("e", "e",
        FeatureSchema.GROUPED, new double[FeatureSchema.GROUPED.size()], List.of()), true));
    assertThatThrownBy(() -> LstmEntityScorer.train(grouped, LstmEntityScorer.Params.defaults(),
        ProgressListener.NONE, CancellationToken.NONE)).isInstanceOf(ModelException.class);
    CancellationToken cancelled = new CancellationToken();
    cancelled.cancel();
    assertThatThrownBy(() -> LstmEntityScorer.train(train, LstmEntityScorer.Params.defaults(),
        ProgressListener.NONE, cancelled)).isInstanceOf(CancelledException.class);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void concurrentCallersGetTheSingleThreadedScoresAndNothingLeaks() throws Exception {
    List<Boolean> labels = new ArrayList<>();
    List<List<double[]>> seqs = group(test, labels);
    double[] expected = lstm.scoreSequences(S, seqs);
    int arrays = lstm.managedArrays();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        fs.add(pool.submit(() -> {
          boolean same = true;
          for (int r = 0; r < 20; r++) {
            same &= java.util.Arrays.equals(lstm.scoreSequences(S, seqs), expected);
          }
          return same;
        }));
      }
      for (Future<Boolean> f : fs) {
        assertThat(f.get(1, TimeUnit.MINUTES)).isTrue();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(lstm.managedArrays()).as("arrays owned by the model after 80 calls").isEqualTo(arrays);
  }
}
