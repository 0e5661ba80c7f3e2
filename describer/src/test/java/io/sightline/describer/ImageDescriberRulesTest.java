package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.ModelException;
import io.sightline.core.instance.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Step 206 (claims 5-6): ranking, acceptance and per-mention representation, on hand-made
 * candidates and a scorer whose score is a known feature value, so every expected order follows
 * from the documented rules alone. A small in-memory store covers the image paths.
 */
class ImageDescriberRulesTest {
  static ReferenceStore store;

  @BeforeAll
  static void open() {
    store = ReferenceStore.inMemory();
    for (String c : List.of("peru", "japan")) {
      store.add(new Reference(c + "-page", "Flag of " + Fixtures.display(c),
          "The flag of " + Fixtures.display(c) + " flies over the square.", Map.of(), 100, 30, 4),
          ImageSource.ofPath(Fixtures.FLAGS.resolve(c + ".png")));
    }
  }

  @AfterAll
  static void close() {
    store.close();
  }

  /** Scores a row by its first feature, so a test sets each candidate's score directly. */
  static final class FirstFeature implements EntityScorer {
    final double threshold;
    int calls;

    FirstFeature(double threshold) {
      this.threshold = threshold;
    }

    @Override
    public String id() {
      return "first-feature";
    }

    @Override
    public double defaultThreshold() {
      return threshold;
    }

    @Override
    public void checkSchema(FeatureSchema schema) {}

    @Override
    public double[] score(FeatureSchema schema, List<double[]> rows) {
      calls++;
      return rows.stream().mapToDouble(r -> r[0]).toArray();
    }
  }

  /** Sums the first feature over an entity's mentions; refuses row-by-row scoring. */
  static final class SumSequences implements SequenceEntityScorer {
    final List<List<double[]>> seen = new ArrayList<>();

    @Override
    public String id() {
      return "sum";
    }

    @Override
    public double defaultThreshold() {
      return 0.5;
    }

    @Override
    public void checkSchema(FeatureSchema schema) {}

    @Override
    public double[] score(FeatureSchema schema, List<double[]> rows) {
      throw new AssertionError("a sequence scorer scores sequences in per-mention mode");
    }

    @Override
    public double[] scoreSequences(FeatureSchema schema, List<List<double[]>> sequences) {
      seen.addAll(sequences);
      return sequences.stream().mapToDouble(s -> s.stream().mapToDouble(r -> r[0]).sum()).toArray();
    }
  }

  private static final ReferenceMatch MA = new ReferenceMatch(Reference.of("a", "Page A", ""), "ka", 0.9, 1,
      0.7, 31, true);
  private static final ReferenceMatch MB = new ReferenceMatch(Reference.of("b", "Page B", ""), "kb", 0.8, 2);

  private static EntityCandidate cand(FeatureSchema schema, String key, double score, double marker, String... refs) {
    double[] f = new double[schema.size()];
    f[0] = score;
    f[1] = marker;
    return new EntityCandidate(key, key.toUpperCase(), schema, f, List.of(refs));
  }

  private static ImageDescriber.Builder builder(EntityScorer scorer) {
    return ImageDescriber.builder().store(store).scorer(scorer);
  }

  private static Description run(ImageDescriber d, EntityCandidate... cs) {
    return d.describe(new CandidateSet(List.of(MA, MB), List.of(cs)), Matcher.GLOBAL, "target");
  }

  @Test
  void ranksByScoreThenByMoreWordsThenByKey() {
    ImageDescriber d = builder(new FirstFeature(0.5)).build();
    FeatureSchema g = FeatureSchema.GROUPED;
    Description r = run(d, cand(g, "peru", 0.6, 0, "a"), cand(g, "andes", 0.1, 0, "a"),
        cand(g, "flag of peru", 0.6, 0, "a"), cand(g, "lima", 0.9, 0, "b"), cand(g, "cusco", 0.6, 0, "a"),
        cand(g, "red flag", 0.6, 0, "b"));
    // 0.9 first; the 0.6 tie: three words, then two, then the one-word keys alphabetically
    assertThat(r.candidates()).extracting(ScoredEntity::key)
        .containsExactly("lima", "flag of peru", "red flag", "cusco", "peru", "andes");
    assertThat(r.entities()).extracting(ScoredEntity::key)
        .containsExactly("lima", "flag of peru", "red flag", "cusco", "peru");
    assertThat(r.best().key()).isEqualTo("lima");
    assertThat(r.best().name()).isEqualTo("LIMA");
    assertThat(r.best().referenceIds()).containsExactly("b");
    assertThat(r.status()).isEqualTo(Description.Status.DESCRIBED);
    assertThat(r.image()).isEqualTo("target");
    assertThat(r.scorerId()).isEqualTo("first-feature");
    assertThat(r.mode()).isEqualTo(ScoringMode.GROUPED);
    assertThat(r.matcher()).isEqualTo(Matcher.GLOBAL);
  }

  @Test
  void anEntityIsAcceptedOnlyStrictlyAboveTheThreshold() {
    FeatureSchema g = FeatureSchema.GROUPED;
    ImageDescriber d = builder(new FirstFeature(0.5)).build();
    Description atThreshold = run(d, cand(g, "peru", 0.5, 0, "a"), cand(g, "lima", 0.2, 0, "a"));
    assertThat(atThreshold.status()).isEqualTo(Description.Status.NO_PROPER_ENTITY);
    assertThat(atThreshold.best()).isNull();
    assertThat(atThreshold.bestEntity()).isEmpty();
    assertThat(atThreshold.entities()).isEmpty();
    assertThat(atThreshold.candidates()).extracting(ScoredEntity::accepted).containsExactly(false, false);
    assertThat(atThreshold.candidates()).extracting(ScoredEntity::key).containsExactly("peru", "lima");

    Description above = run(d, cand(g, "peru", 0.5001, 0, "a"), cand(g, "lima", 0.2, 0, "a"));
    assertThat(above.status()).isEqualTo(Description.Status.DESCRIBED);
    assertThat(above.best().key()).isEqualTo("peru");
    assertThat(above.best().accepted()).isTrue();
    assertThat(above.best().score()).isEqualTo(0.5001);
    assertThat(above.entities()).extracting(ScoredEntity::key).containsExactly("peru");
  }

  @Test
  void theScoreThresholdIsTheScorersUnlessSet() {
    FeatureSchema g = FeatureSchema.GROUPED;
    ImageDescriber byDefault = builder(new FirstFeature(0.3)).build();
    assertThat(byDefault.thresholds().scoreThreshold()).isEqualTo(0.3);
    Description r = run(byDefault, cand(g, "peru", 0.35, 0, "a"));
    assertThat(r.thresholds().scoreThreshold()).isEqualTo(0.3);
    assertThat(r.best().key()).isEqualTo("peru");

    ImageDescriber set = builder(new FirstFeature(0.3)).scoreThreshold(0.4).build();
    assertThat(set.thresholds().scoreThreshold()).isEqualTo(0.4);
    assertThat(run(set, cand(g, "peru", 0.35, 0, "a")).status()).isEqualTo(Description.Status.NO_PROPER_ENTITY);
  }

  @Test
  void withoutMatchesThereIsNoMatchingReferenceAndNothingIsScored() {
    FirstFeature scorer = new FirstFeature(0.5);
    ImageDescriber d = builder(scorer).build();
    Description r = d.describe(new CandidateSet(List.of(), List.of()), Matcher.GLOBAL, "x");
    assertThat(r.status()).isEqualTo(Description.Status.NO_MATCHING_REFERENCE);
    assertThat(r.best()).isNull();
    assertThat(r.candidates()).isEmpty();
    assertThat(r.matches()).isEmpty();
    assertThat(r.image()).isEqualTo("x");
    assertThat(r.scorerId()).isEqualTo("first-feature");
    assertThat(scorer.calls).isZero();
  }

  @Test
  void descriptionsCarryTheMatchEvidenceAndTheThresholds() {
    ImageDescriber d = builder(new FirstFeature(0.5)).matchThreshold(0.7).topImages(3).matcher(Matcher.GLOBAL)
        .build();
    Description r = run(d, cand(FeatureSchema.GROUPED, "peru", 0.9, 0, "a"));
    assertThat(r.matches()).containsExactly(new Description.Match("a", 0.9, 1, "Page A", 0.7, 31, true),
        new Description.Match("b", 0.8, 2, "Page B", 0, 0, false));
    assertThat(r.thresholds().matchThreshold()).isEqualTo(0.7);
    assertThat(r.thresholds().topImages()).isEqualTo(3);
    assertThat(r.thresholds().instanceThreshold()).as("global matching has no instance threshold").isNaN();
    assertThat(d.thresholds()).isEqualTo(r.thresholds());
    // the empty description carries the thresholds too
    assertThat(d.describe(new CandidateSet(List.of(), List.of()), Matcher.GLOBAL, "x").thresholds())
        .isEqualTo(r.thresholds());
    // matched with instances: the store's instance threshold
    assertThat(store.matcher().usesInstances()).isTrue();
    Description hybrid = d.describe(new CandidateSet(List.of(MA), List.of()), Matcher.HYBRID, "h");
    assertThat(hybrid.thresholds().instanceThreshold()).isEqualTo(store.instanceThreshold()).isBetween(0.0, 1.0);
    assertThat(hybrid.matcher()).isEqualTo(Matcher.HYBRID);
    assertThat(builder(new FirstFeature(0.5)).build().thresholds().instanceThreshold())
        .isEqualTo(store.instanceThreshold());
  }

  @Test
  void perMentionAnEntityIsRepresentedByItsBestScoringOccurrence() {
    FeatureSchema p = FeatureSchema.PER_MENTION;
    ImageDescriber d = builder(new FirstFeature(0.5)).mode(ScoringMode.PER_MENTION).build();
    assertThat(d.mode()).isEqualTo(ScoringMode.PER_MENTION);
    assertThat(d.schema()).isEqualTo(p);
    Description r = run(d, cand(p, "peru", 0.3, 1, "a"), cand(p, "lima", 0.4, 2, "a"), cand(p, "peru", 0.7, 3, "b"),
        cand(p, "lima", 0.4, 4, "b"));
    assertThat(r.candidates()).extracting(ScoredEntity::key).containsExactly("peru", "lima");
    ScoredEntity peru = r.candidates().get(0);
    assertThat(peru.score()).isEqualTo(0.7);
    assertThat(peru.referenceIds()).containsExactly("b");
    assertThat(peru.features().get(p.names().get(1))).isEqualTo(3.0);
    assertThat(peru.features()).containsOnlyKeys(p.names());
    // on a tie the earlier occurrence (the better-matching reference, candidates come in match order) stays
    ScoredEntity lima = r.candidates().get(1);
    assertThat(lima.referenceIds()).containsExactly("a");
    assertThat(lima.features().get(p.names().get(1))).isEqualTo(2.0);
    assertThat(lima.accepted()).isFalse();
    assertThat(r.best()).isSameAs(peru);
  }

  @Test
  void perMentionASequenceScorerScoresEachEntityOnceOnAllItsMentionsInOrder() {
    SumSequences seq = new SumSequences();
    FeatureSchema p = FeatureSchema.PER_MENTION;
    ImageDescriber d = builder(seq).mode(ScoringMode.PER_MENTION).build();
    Description r = run(d, cand(p, "peru", 0.25, 1, "a"), cand(p, "lima", 0.25, 2, "a"), cand(p, "peru", 0.5, 3, "b"),
        cand(p, "cusco", 0.5, 5, "b"));
    assertThat(seq.seen).hasSize(3);
    assertThat(seq.seen.get(0)).extracting(row -> row[1]).containsExactly(1.0, 3.0);
    assertThat(seq.seen.get(1)).extracting(row -> row[1]).containsExactly(2.0);
    assertThat(r.candidates()).extracting(ScoredEntity::key).containsExactly("peru", "cusco", "lima");
    assertThat(r.candidates().get(1).accepted()).as("a sequence scored exactly at the threshold").isFalse();
    ScoredEntity peru = r.candidates().get(0);
    assertThat(peru.score()).isEqualTo(0.75);
    assertThat(peru.accepted()).isTrue();
    assertThat(peru.referenceIds()).containsExactly("a", "b");
    assertThat(peru.features().get(p.names().get(1))).as("first mention's features").isEqualTo(1.0);
    assertThat(peru.name()).isEqualTo("PERU");
    ScoredEntity lima = r.candidates().get(2);
    assertThat(lima.score()).isEqualTo(0.25);
    assertThat(lima.accepted()).isFalse();
    assertThat(r.best()).isSameAs(peru);
    assertThat(r.entities()).containsExactly(peru);
    // grouped mode does not take the sequence path
    SumSequences grouped = new SumSequences();
    ImageDescriber g = builder(grouped).build();
    assertThatThrownBy(() -> run(g, cand(FeatureSchema.GROUPED, "peru", 0.25, 1, "a")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("scores sequences");
  }

  @Test
  void theBuilderRefusesMissingOrInvalidSettings() {
    assertThatThrownBy(() -> ImageDescriber.builder().store(store).scorer(null).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("scorer");
    assertThatThrownBy(() -> ImageDescriber.builder().store(store).mode(null).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("mode");
    for (double bad : new double[] {1.0001, -1.0001, Double.NaN}) {
      assertThatThrownBy(() -> ImageDescriber.builder().store(store).matchThreshold(bad).build())
          .as("%s", bad).isInstanceOf(IllegalStateException.class).hasMessageContaining("matchThreshold");
    }
    assertThat(ImageDescriber.builder().store(store).matchThreshold(1).build().thresholds().matchThreshold())
        .isEqualTo(1.0);
    assertThat(ImageDescriber.builder().store(store).matchThreshold(-1).build().thresholds().matchThreshold())
        .isEqualTo(-1.0);
    assertThatThrownBy(() -> ImageDescriber.builder().store(store).topImages(0).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("topImages");
    assertThat(ImageDescriber.builder().store(store).topImages(1).build().thresholds().topImages()).isEqualTo(1);
    for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> ImageDescriber.builder().store(store).scoreThreshold(bad).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("scoreThreshold");
    }
    // the scorer must know the mode's features
    assertThatThrownBy(() -> ImageDescriber.builder().store(store).scorer(new MajorityVoteScorer())
        .mode(ScoringMode.PER_MENTION).build()).isInstanceOf(ModelException.class);
  }

  @Test
  void defaultsAndAccessors() {
    ImageDescriber d = ImageDescriber.builder().store(store).build();
    assertThat(d.store()).isSameAs(store);
    assertThat(d.scorer()).isInstanceOf(HeuristicEntityScorer.class);
    assertThat(d.mode()).isEqualTo(ScoringMode.GROUPED);
    assertThat(d.schema()).isEqualTo(FeatureSchema.GROUPED);
    assertThat(d.matcher()).isEqualTo(store.matcher());
    assertThat(d.thresholds().matchThreshold()).isEqualTo(ImageDescriber.DEFAULT_MATCH_THRESHOLD);
    assertThat(d.thresholds().topImages()).isEqualTo(ImageDescriber.DEFAULT_TOP_IMAGES);
    assertThat(d.thresholds().scoreThreshold()).isEqualTo(HeuristicEntityScorer.DEFAULT_THRESHOLD);
    assertThat(ImageDescriber.builder().store(store).matcher(Matcher.GLOBAL).build().matcher())
        .isEqualTo(Matcher.GLOBAL);
  }

  @Test
  void aVectorCannotBeMatchedByInstanceAndAGlobalStoreHasNoInstances() {
    ImageDescriber local = ImageDescriber.builder().store(store).matcher(Matcher.LOCAL).build();
    assertThatThrownBy(() -> local.describeVector(new float[store.embedder().dimension()], "v"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("local");
    ImageDescriber hybrid = ImageDescriber.builder().store(store).matcher(Matcher.HYBRID).build();
    float[] v = store.embedder().embed(Fixtures.transformed("peru"));
    Description r = hybrid.describeVector(v, "v");
    assertThat(r.matcher()).as("a vector is matched by the global index").isEqualTo(Matcher.GLOBAL);
    assertThat(r.thresholds().instanceThreshold()).isNaN();
    assertThat(r.matches()).extracting(Description.Match::id).first().isEqualTo("peru-page");
    assertThat(r.best().key()).as("the matched pages' stored entities are scored").isEqualTo("flag of peru");
    try (ReferenceStore global = ReferenceStore.builder().inMemory().matcher(Matcher.GLOBAL).build()) {
      assertThatThrownBy(() -> ImageDescriber.builder().store(global).matcher(Matcher.HYBRID).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs an instance index");
    }
  }

  @Test
  void queryTimeExtractionReplacesTheStoredEntities() {
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("flag of Peru", "square"));
    ImageDescriber d = ImageDescriber.builder().store(store).matcher(Matcher.GLOBAL).queryTimeExtractor(dict).build();
    CandidateSet set = d.candidates(Fixtures.transformed("peru"));
    assertThat(set.matches()).extracting(ReferenceMatch::id).first().isEqualTo("peru-page");
    // only dictionary entries, from every matched page
    assertThat(set.candidates()).extracting(EntityCandidate::key).containsOnly("flag of peru", "square")
        .contains("flag of peru");
    EntityCandidate peru = set.candidates().stream().filter(c -> c.key().equals("flag of peru")).findFirst()
        .orElseThrow();
    assertThat(peru.name()).isEqualTo("flag of Peru");
    // document frequency still counts the store's pages: one of two mentions the flag of Peru
    assertThat(peru.feature("databaseFrequency")).isEqualTo(0.5);
    assertThat(peru.feature("nameLike")).isEqualTo(EntityKind.DICTIONARY.nameLike());
    // the stored entities (OpenNLP) are used without it
    CandidateSet stored = ImageDescriber.builder().store(store).matcher(Matcher.GLOBAL).build()
        .candidates(Fixtures.transformed("peru"));
    assertThat(stored.candidates()).extracting(EntityCandidate::key).contains("flag of peru", "peru", "flag");
    // nothing matches an unknown picture: no candidates, and the description says so
    CandidateSet nothing = d.candidates(Fixtures.unknownPicture());
    assertThat(nothing.matches()).isEmpty();
    assertThat(nothing.candidates()).isEmpty();
    assertThat(d.describe(Fixtures.unknownPicture(), "u").status()).isEqualTo(Description.Status.NO_MATCHING_REFERENCE);
  }

  @Test
  void describeAllReportsProgressAndStopsWhenCancelled() {
    ImageDescriber d = ImageDescriber.builder().store(store).build();
    List<Path> files = List.of(Fixtures.FLAGS.resolve("japan.png"), Fixtures.FLAGS.resolve("peru.png"));
    List<String> progress = new ArrayList<>();
    List<Description> out = d.describeAll(files, (task, done, total, msg) -> progress.add(task + " " + done + "/"
        + total), CancellationToken.NONE);
    assertThat(out).extracting(x -> x.best().key()).containsExactly("flag of japan", "flag of peru");
    assertThat(out).extracting(Description::image).containsExactly(files.get(0).toString(), files.get(1).toString());
    assertThat(progress).containsExactly("describe 1/2", "describe 2/2");
    CancellationToken cancel = new CancellationToken();
    cancel.cancel();
    List<String> none = new ArrayList<>();
    assertThatThrownBy(() -> d.describeAll(files, (t, a, b, m) -> none.add(t), cancel))
        .isInstanceOf(CancelledException.class);
    assertThat(none).isEmpty();
  }
}
