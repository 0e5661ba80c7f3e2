package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ImageDecodeException;
import io.sightline.core.ModelException;
import io.sightline.core.ProgressListener;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDescriberTest {
  @TempDir
  static Path tmp;
  static ReferenceStore store;

  @BeforeAll
  static void setUp() {
    store = ReferenceStore.open(tmp.resolve("db"));
    store.addAll(Fixtures.flagInputs(), ProgressListener.NONE, CancellationToken.NONE);
  }

  @AfterAll
  static void tearDown() {
    store.close();
  }

  @Test
  void namesTheFlagOfATransformedCopyWithItsEvidence() {
    ImageDescriber d = ImageDescriber.builder().store(store).build();
    for (String c : Fixtures.COUNTRIES) {
      Description r = d.describe(Fixtures.transformed(c), c);
      assertThat(r.status()).as(c).isEqualTo(Description.Status.DESCRIBED);
      assertThat(r.best().key()).as(c + " -> " + r.candidates()).isEqualTo("flag of " + c);
      assertThat(r.best().name()).isEqualTo("flag of " + Fixtures.display(c));
      // evidence: matches with similarities, features, thresholds
      assertThat(r.matches()).extracting(Description.Match::id).contains(c + "-a", c + "-b");
      assertThat(r.matches().get(0).similarity()).isGreaterThanOrEqualTo(d.thresholds().matchThreshold());
      assertThat(r.best().features()).containsKeys(FeatureSchema.GROUPED.names().toArray(String[]::new));
      // both pages of the flag, and possibly another flag's page that names it as a distractor
      assertThat(r.best().features().get("references")).isGreaterThanOrEqualTo(2.0);
      assertThat(r.best().referenceIds()).contains(c + "-a", c + "-b");
      assertThat(r.thresholds().scoreThreshold()).isEqualTo(HeuristicEntityScorer.DEFAULT_THRESHOLD);
      assertThat(r.entities()).allMatch(e -> e.score() > r.thresholds().scoreThreshold());
      assertThat(r.candidates()).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
    }
  }

  @Test
  void perMentionModeScoresEntitiesOneByOne() {
    ImageDescriber d = ImageDescriber.builder().store(store).mode(ScoringMode.PER_MENTION).build();
    Description r = d.describe(Fixtures.transformed("japan"), "japan");
    assertThat(r.mode()).isEqualTo(ScoringMode.PER_MENTION);
    assertThat(r.best().key()).isEqualTo("flag of japan");
    assertThat(r.best().referenceIds()).hasSize(1);
    assertThat(r.best().features()).containsKeys("sourceMatch", "positionWeight", "inTitle");
    // each entity appears once, represented by its best occurrence
    assertThat(r.candidates()).extracting(ScoredEntity::key).doesNotHaveDuplicates();
  }

  @Test
  void perMentionModeWithTheLstmScoresEachEntityOnceOnAllItsMentions() {
    ImageDescriber base = ImageDescriber.builder().store(store).mode(ScoringMode.PER_MENTION).build();
    List<TrainingExample> examples = new java.util.ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (String c : Fixtures.COUNTRIES) {
        float[] v = store.embedder().embed(Fixtures.transformed(c));
        ScorerTraining.label(base, c + round, v, java.util.Map.of("flag of " + c, true), true, examples);
      }
    }
    LstmEntityScorer.Params p = new LstmEntityScorer.Params(16, 40, 8, 0.01f, 8, 0.0, 10, 3, 0, 0.5);
    try (LstmEntityScorer lstm = LstmEntityScorer.train(examples, p, ProgressListener.NONE, CancellationToken.NONE)) {
      ImageDescriber d = ImageDescriber.builder().store(store).mode(ScoringMode.PER_MENTION).scorer(lstm).build();
      float[] v = store.embedder().embed(Fixtures.transformed("japan"));
      Description r = d.describeVector(v, "japan");
      assertThat(r.scorerId()).startsWith("lstm");
      assertThat(r.candidates()).extracting(ScoredEntity::key).doesNotHaveDuplicates();
      // the entity's score is the LSTM's score of the sequence of all its mentions, in match order
      CandidateSet set = d.candidates(v);
      ScoredEntity japan = r.candidates().stream().filter(e -> e.key().equals("flag of japan")).findFirst()
          .orElseThrow();
      List<EntityCandidate> mentions = set.candidates().stream().filter(c -> c.key().equals("flag of japan")).toList();
      assertThat(mentions).hasSizeGreaterThanOrEqualTo(2);
      assertThat(japan.referenceIds()).containsExactlyElementsOf(
          mentions.stream().flatMap(c -> c.referenceIds().stream()).toList());
      assertThat(japan.score()).isEqualTo(lstm.scoreSequences(FeatureSchema.PER_MENTION,
          List.of(mentions.stream().map(EntityCandidate::features).toList()))[0]);
      assertThat(japan.features()).isEqualTo(mentions.get(0).featureMap());
      // trained on these flags, it names the right one
      assertThat(r.best()).isNotNull();
      assertThat(r.best().key()).isEqualTo("flag of japan");
    }
  }

  @Test
  void abstainsWhenNothingMatchesOrNoEntityIsGoodEnough() {
    ImageDescriber d = ImageDescriber.builder().store(store).build();
    Description none = d.describe(Fixtures.unknownPicture(), "unknown");
    assertThat(none.status()).isEqualTo(Description.Status.NO_MATCHING_REFERENCE);
    assertThat(none.bestEntity()).isEmpty();
    assertThat(none.matches()).isEmpty();

    ImageDescriber strict = ImageDescriber.builder().store(store).scoreThreshold(0.999).build();
    Description r = strict.describe(Fixtures.transformed("peru"), "peru");
    assertThat(r.status()).isEqualTo(Description.Status.NO_PROPER_ENTITY);
    assertThat(r.best()).isNull();
    assertThat(r.entities()).isEmpty();
    assertThat(r.candidates()).isNotEmpty();
    assertThat(r.matches()).isNotEmpty();
  }

  @Test
  void queryTimeExtractionGivesTheSameAnswerAsStoredEntities() {
    ImageDescriber stored = ImageDescriber.builder().store(store).build();
    ImageDescriber live = ImageDescriber.builder().store(store)
        .queryTimeExtractor(OpenNlpEntityExtractor.english()).build();
    Description a = stored.describe(Fixtures.transformed("france"), "f");
    Description b = live.describe(Fixtures.transformed("france"), "f");
    assertThat(b.best().key()).isEqualTo(a.best().key());
    assertThat(b.best().score()).isEqualTo(a.best().score());
  }

  @Test
  void majorityVoteIsFooledByAGenericWord() {
    ImageDescriber d = ImageDescriber.builder().store(store).scorer(new MajorityVoteScorer()).build();
    Description r = d.describe(Fixtures.transformed("peru"), "peru");
    // "flag" is on every matched page, so the baseline's best is not the specific entity
    assertThat(r.best()).isNotNull();
    assertThat(r.best().key()).as(r.candidates().toString()).isNotEqualTo("flag of peru");
    assertThat(r.candidates().get(0).features().get("referenceShare")).isEqualTo(1.0);
    assertThatThrownBy(() -> ImageDescriber.builder().store(store).scorer(new MajorityVoteScorer())
        .mode(ScoringMode.PER_MENTION).build()).isInstanceOf(ModelException.class);
  }

  @Test
  void builderAndBadInputMessages() {
    assertThatThrownBy(() -> ImageDescriber.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("store");
    assertThatThrownBy(() -> ImageDescriber.builder().store(store).topImages(0).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("topImages");
    ImageDescriber d = ImageDescriber.builder().store(store).build();
    assertThatThrownBy(() -> d.describe(tmp.resolve("missing.jpg")))
        .isInstanceOf(ImageDecodeException.class).hasMessageContaining("missing.jpg");
    assertThatThrownBy(() -> d.describeVector(new float[3], "x"))
        .isInstanceOf(io.sightline.core.DimensionMismatchException.class);
    assertThat(d.describeAll(List.of(Fixtures.FLAGS.resolve("italy.png")), ProgressListener.NONE,
        CancellationToken.NONE).get(0).best().key()).isEqualTo("flag of italy");
  }

  @Test
  void describesFromManyThreadsWhileTheStoreIsUpdated() throws Exception {
    ImageDescriber d = ImageDescriber.builder().store(store).build();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String c = Fixtures.COUNTRIES[i % Fixtures.COUNTRIES.length];
        java.awt.image.BufferedImage q = Fixtures.transformed(c);
        answers.add(pool.submit(() -> d.describe(q, c).best().key()));
      }
      // concurrent writes: a supplementary page and a statistics update. The page names the same
      // entity as the stored Peru pages, so a query answered before or after the write has one right
      // answer (a page titled "Peru flag photo" made "peru flag photo" win for queries that ran after it)
      store.add(new Reference("extra-peru", "Flag of Peru", "The flag of Peru.", java.util.Map.of(), 1, 1, 1),
          ImageSource.ofPath(Fixtures.FLAGS.resolve("peru.png")));
      store.updateStatistics("japan-a", 5000, 900, 100);
      for (int i = 0; i < answers.size(); i++) {
        assertThat(answers.get(i).get()).isEqualTo("flag of " + Fixtures.COUNTRIES[i % Fixtures.COUNTRIES.length]);
      }
      // after the write, the new page is among the evidence and the answer is unchanged
      Description after = d.describe(Fixtures.transformed("peru"), "peru");
      assertThat(after.best().key()).isEqualTo("flag of peru");
      assertThat(after.matches()).extracting(Description.Match::id).contains("extra-peru");
    } finally {
      pool.shutdownNow();
      store.remove("extra-peru");
    }
  }

  @Test
  void describesFromChinesePagesWithADictionary(@TempDir Path dir) {
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.withAliases(java.util.Map.of(
        "flag of Peru", List.of("秘鲁国旗"), "flag of Japan", List.of("日本国旗"), "Lima", List.of("利马")));
    try (ReferenceStore zh = ReferenceStore.builder().directory(dir.resolve("zh")).extractor(dict).build()) {
      zh.add(new Reference("pe", "秘鲁国旗图片", "这是秘鲁国旗。首都是利马。", java.util.Map.of(), 10, 5, 1),
          ImageSource.ofPath(Fixtures.FLAGS.resolve("peru.png")));
      zh.add(new Reference("jp", "日本国旗", "白底红日的日本国旗，不是秘鲁国旗。", java.util.Map.of(), 10, 5, 1),
          ImageSource.ofPath(Fixtures.FLAGS.resolve("japan.png")));
      // more pages, so that "flag of Peru" is not on every page of the store (document frequency)
      for (String c : List.of("brazil", "france", "germany", "italy")) {
        zh.add(new Reference("zh-" + c, "国旗图片", "一面国旗。", java.util.Map.of(), 1, 1, 1),
            ImageSource.ofPath(Fixtures.FLAGS.resolve(c + ".png")));
      }
      ImageDescriber d = ImageDescriber.builder().store(zh).build();
      Description r = d.describe(Fixtures.transformed("peru"), "peru");
      assertThat(r.best().name()).isEqualTo("flag of Peru");
      assertThat(d.describe(Fixtures.transformed("japan"), "japan").best().name()).isEqualTo("flag of Japan");
    }
  }
}
