package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ModelException;
import io.sightline.core.ProgressListener;
import io.sightline.core.reliability.NativeSoak;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GbdtEntityScorerTest {
  @TempDir
  Path tmp;

  /** Synthetic grouped rows whose label depends on two features, with 5% label noise. */
  private static List<TrainingExample> synthetic(int n, long seed) {
    Random rnd = new Random(seed);
    FeatureSchema s = FeatureSchema.GROUPED;
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] f = new double[s.size()];
      for (int j = 0; j < f.length; j++) {
        f[j] = rnd.nextDouble();
      }
      boolean correct = f[s.indexOf("sourceMatchMax")] > 0.6 && f[s.indexOf("titleShare")] > 0.4;
      if (rnd.nextDouble() < 0.05) {
        correct = !correct;
      }
      out.add(new TrainingExample("q" + i, new EntityCandidate("e" + i, "e" + i, s, f, List.of()), correct));
    }
    return out;
  }

  private static double accuracy(EntityScorer scorer, List<TrainingExample> test) {
    double[] scores = scorer.score(FeatureSchema.GROUPED, test.stream().map(e -> e.candidate().features()).toList());
    int ok = 0;
    for (int i = 0; i < scores.length; i++) {
      ok += (scores[i] > 0.5) == test.get(i).correct() ? 1 : 0;
    }
    return ok / (double) scores.length;
  }

  @Test
  void learnsAFeatureRuleAndSurvivesSaveAndLoad() {
    List<TrainingExample> train = synthetic(600, 1);
    List<TrainingExample> test = synthetic(300, 2);
    long[] progress = {0};
    GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.GROUPED, train, GbdtEntityScorer.Params.defaults(),
        (t, d, tot, m) -> progress[0] = d, CancellationToken.NONE);
    assertThat(progress[0]).isEqualTo(200);
    double acc = accuracy(gbdt, test);
    assertThat(acc).isGreaterThan(0.88); // 5% label noise caps it near 0.95
    // the two informative features carry most of the gain
    var imp = gbdt.featureImportance();
    double top2 = imp.get("sourceMatchMax") + imp.get("titleShare");
    assertThat(top2 / imp.values().stream().mapToDouble(Double::doubleValue).sum()).isGreaterThan(0.6);

    Path file = tmp.resolve("scorer.gbdt");
    gbdt.save(file);
    GbdtEntityScorer back = GbdtEntityScorer.load(file);
    List<double[]> rows = test.stream().map(e -> e.candidate().features()).toList();
    assertThat(back.score(FeatureSchema.GROUPED, rows)).containsExactly(gbdt.score(FeatureSchema.GROUPED, rows));
    assertThat(back.id()).isEqualTo(gbdt.id());
    assertThat(back.defaultThreshold()).isEqualTo(0.5);
    // deterministic training
    GbdtEntityScorer again = GbdtEntityScorer.train(FeatureSchema.GROUPED, train, GbdtEntityScorer.Params.defaults(),
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(again.score(FeatureSchema.GROUPED, rows)).containsExactly(gbdt.score(FeatureSchema.GROUPED, rows));
  }

  @Test
  void refusesOtherFeaturesBadFilesAndUnusableTrainingData() throws Exception {
    GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.GROUPED, synthetic(200, 3),
        new GbdtEntityScorer.Params(20, 0.1, 7, 5, 7, 0.5), ProgressListener.NONE, CancellationToken.NONE);
    try (ReferenceStore store = ReferenceStore.open(tmp.resolve("db"))) {
      assertThatThrownBy(() -> ImageDescriber.builder().store(store).scorer(gbdt).mode(ScoringMode.PER_MENTION).build())
          .isInstanceOf(ModelException.class).hasMessageContaining("trained on GROUPED features")
          .hasMessageContaining("PER_MENTION");
    }
    Path file = tmp.resolve("s.gbdt");
    gbdt.save(file);
    byte[] b = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(b, b.length / 2));
    assertThatThrownBy(() -> GbdtEntityScorer.load(file)).isInstanceOf(ModelException.class)
        .hasMessageContaining("s.gbdt");
    Path other = tmp.resolve("other.bin");
    NameFinderEntityExtractor.train(List.of("see <START:x> Big Ben <END> now ."),
        new NameFinderEntityExtractor.Options(5, 0, "en"), CancellationToken.NONE).save(other);
    assertThatThrownBy(() -> GbdtEntityScorer.load(other)).isInstanceOf(ModelException.class)
        .hasMessageContaining("describer-name-finder");
    assertThatThrownBy(() -> GbdtEntityScorer.load(tmp.resolve("none.gbdt"))).isInstanceOf(ModelException.class)
        .hasMessageContaining("not found");

    List<TrainingExample> allWrong = synthetic(50, 4).stream()
        .map(e -> new TrainingExample(e.query(), e.candidate(), false)).toList();
    assertThatThrownBy(() -> GbdtEntityScorer.train(FeatureSchema.GROUPED, allWrong, GbdtEntityScorer.Params.defaults(),
        ProgressListener.NONE, CancellationToken.NONE)).isInstanceOf(ModelException.class)
        .hasMessageContaining("both correct and incorrect");
    assertThatThrownBy(() -> GbdtEntityScorer.train(FeatureSchema.PER_MENTION, synthetic(50, 5),
        GbdtEntityScorer.Params.defaults(), ProgressListener.NONE, CancellationToken.NONE))
        .isInstanceOf(ModelException.class).hasMessageContaining("expected PER_MENTION");
    CancellationToken cancel = new CancellationToken();
    cancel.cancel();
    assertThatThrownBy(() -> GbdtEntityScorer.train(FeatureSchema.GROUPED, synthetic(100, 6),
        GbdtEntityScorer.Params.defaults(), ProgressListener.NONE, cancel)).isInstanceOf(CancelledException.class);
  }

  @Test
  void trainsFromLabelsJsonlAndAnswersOnNewCopies() throws Exception {
    try (ReferenceStore store = ReferenceStore.open(tmp.resolve("db"))) {
      store.addAll(Fixtures.flagInputs(), ProgressListener.NONE, CancellationToken.NONE);
      // training queries: two differently transformed copies of each flag, and an unknown picture
      StringBuilder labels = new StringBuilder();
      for (String c : Fixtures.COUNTRIES) {
        Fixtures.writePng(Fixtures.transformed(c), tmp.resolve("q/" + c + "-1.png"));
        BufferedImage flipped = Fixtures.transformed(c);
        Fixtures.writePng(io.sightline.core.image.ImageOps.resize(flipped, flipped.getWidth() / 2,
            flipped.getHeight() / 2), tmp.resolve("q/" + c + "-2.png"));
        for (int k = 1; k <= 2; k++) {
          labels.append("{\"query\":\"q/").append(c).append('-').append(k)
              .append(".png\",\"entity\":\"flag of ").append(Fixtures.display(c)).append("\",\"correct\":true}\n");
        }
      }
      Fixtures.writePng(Fixtures.unknownPicture(), tmp.resolve("q/unknown.png"));
      labels.append("{\"query\":\"q/unknown.png\",\"entity\":null,\"correct\":false}\n");
      Path file = tmp.resolve("labels.jsonl");
      Files.writeString(file, labels, StandardCharsets.UTF_8);

      ImageDescriber base = ImageDescriber.builder().store(store).build();
      List<ScorerTraining.LabelledQuery> queries = ScorerTraining.readLabels(file);
      assertThat(queries).hasSize(13);
      ScorerTraining.TrainingSet set = ScorerTraining.build(base, queries, true, ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(set.positives()).isEqualTo(12);
      assertThat(set.labelsNotFound()).isZero();
      assertThat(set.queriesWithoutMatch()).isEqualTo(1);
      GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.GROUPED, set.examples(),
          new GbdtEntityScorer.Params(100, 0.1, 7, 2, 7, 0.5), ProgressListener.NONE, CancellationToken.NONE);
      ImageDescriber trained = ImageDescriber.builder().store(store).scorer(gbdt).build();
      for (String c : Fixtures.COUNTRIES) {
        // an unseen transform: the original file itself
        Description d = trained.describe(Fixtures.FLAGS.resolve(c + ".png"));
        assertThat(d.best()).as(c + ": " + d.candidates()).isNotNull();
        assertThat(d.best().key()).isEqualTo("flag of " + c);
      }
    }
  }

  @Test
  void malformedLabelsAreReportedWithLineNumbers() throws Exception {
    Fixtures.writePng(Fixtures.unknownPicture(), tmp.resolve("u.png"));
    Path file = tmp.resolve("labels.jsonl");
    Files.writeString(file, "{\"query\":\"u.png\",\"entity\":\"x\",\"correct\":true}\n"
        + "{\"query\":\"u.png\",\"entity\":\"x\",\"correct\":\"yes\"}\n"
        + "not json\n"
        + "{\"query\":\"gone.png\",\"entity\":\"x\",\"correct\":false}\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ScorerTraining.readLabels(file)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("labels.jsonl:2").hasMessageContaining("line 3").hasMessageContaining("line 4")
        .hasMessageContaining("gone.png");
  }

  /**
   * LightGBM handles (boosters, prediction buffers) are freed: the resident set beyond the heap
   * stays flat over rounds of 750 scorings and 8 load/close cycles ({@code NativeSoak}).
   */
  @Test
  void scoringAndReloadingDoNotLeakNativeMemory() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(NativeSoak.supported(), "needs Linux /proc");
    GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.GROUPED, synthetic(300, 11),
        GbdtEntityScorer.Params.defaults(), (t, d, tot, m) -> { }, CancellationToken.NONE);
    List<double[]> rows = synthetic(50, 12).stream().map(e -> e.candidate().features()).toList();
    Path file = tmp.resolve("soak.gbdt");
    gbdt.save(file);
    for (int i = 0; i < 200; i++) {
      gbdt.score(FeatureSchema.GROUPED, rows);
    }
    int rounds = NativeSoak.rounds(4);
    NativeSoak.Result r = NativeSoak.run(rounds, () -> {
      int ops = 0;
      for (int i = 0; i < 750; i++) {
        assertThat(gbdt.score(FeatureSchema.GROUPED, rows)).hasSize(rows.size());
        ops++;
      }
      for (int i = 0; i < 8; i++) {
        try (GbdtEntityScorer back = GbdtEntityScorer.load(file)) {
          back.score(FeatureSchema.GROUPED, rows);
        }
        ops++;
      }
      return ops;
    });
    gbdt.close();
    org.slf4j.LoggerFactory.getLogger(GbdtEntityScorerTest.class).info(
        "LightGBM soak (scoring 50 rows, booster load/close): {} (bounds 150 and 40 MB)", r.summary());
    assertThat(r.totalMb()).isLessThan(150);
    assertThat(r.slopeMb()).as("growth beyond the heap over rounds 2-%d", rounds).isLessThan(40);
  }
}
