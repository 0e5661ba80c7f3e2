package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses one small model trained once for the class. */
class CrossModalModelTest {
  @TempDir
  static Path tmp;
  static List<ImageTextPair> pairs;
  static CrossModalModel model;

  @BeforeAll
  static void train() throws Exception {
    pairs = Fixtures.shapes(tmp.resolve("img"), 4, 3);
    model = CrossModalTrainer.builder().pairs(pairs).width(32).layers(1).heads(2).epochs(6)
        .batchSize(16).learningRate(3e-3f).seed(11).build().train().model();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void theEmbeddingsOnlyPassGivesTheFullPassEmbeddingsWithoutTheHeads() {
    ImageFeatures f = model.featureExtractor().extract(pairs.get(1).image(), List.of());
    InputEncoder.Text t = model.checkedText("a red square");
    InputEncoder.Row text = new InputEncoder.Row(t.ids().clone(), new int[t.length()], null, new boolean[0], true, 0f, 0f);
    InputEncoder.Row image = new InputEncoder.Row(new int[0], new int[0], f, new boolean[model.encoder.objects(f)], true,
        0f, 0f);
    model.runLocked(m -> {
      for (Object[] c : new Object[][] {{text, InputEncoder.View.TEXT, 4}, {image, InputEncoder.View.IMAGE, 5}}) {
        InputEncoder.View view = (InputEncoder.View) c[1];
        List<InputEncoder.Row> row = List.of((InputEncoder.Row) c[0]);
        // the whole joint layout with the other part as padding: the reference
        ai.djl.ndarray.NDList padded = model.encoder.inputs(m, row, view, false);
        ai.djl.ndarray.NDList full = model.block.forward(new ai.djl.training.ParameterStore(m, false), padded, false);
        // the trimmed sequence the contrastive passes and retrieval use: CLS + one part only
        ai.djl.ndarray.NDList in = model.encoder.inputs(m, row, view);
        long shown = 1 + (view == InputEncoder.View.TEXT ? model.config().maxTextUnits() : model.config().maxObjects());
        assertThat(in.get(8).getShape().get(1)).isEqualTo(shown);
        assertThat(padded.get(8).getShape().get(1)).isEqualTo(model.config().sequenceLength());
        ai.djl.ndarray.NDList only = model.block.embeddings(new ai.djl.training.ParameterStore(m, false), in, view);
        int k = (Integer) c[2];
        assertThat(only.get(k).toFloatArray()).containsExactly(full.get(k).toFloatArray(),
            org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(full.get(0).size()).isPositive();
        assertThat(only.get(0).size()).isZero();
        assertThat(only.get(1).size()).isZero();
      }
      return null;
    });
  }

  @Test
  void unitLogitsAtTheTargetPositionsOnlyGiveTheSameLossesAsAtEveryPosition() {
    java.util.Map<Path, ImageFeatures> feats = new java.util.HashMap<>();
    for (ImageTextPair p : pairs) {
      feats.put(p.image(), model.featureExtractor().extract(p.image(), List.of()));
    }
    List<InputEncoder.Row> rows = new TrainingSamples(model.encoder, true, true, MaskingMode.MIXED, ObjectMasking.AUTO,
        0.3, 0.5, NegativeSampling.BOTH, 1.0).samples(pairs, feats, java.util.Map.of(), new java.util.Random(3), true);
    TrainingLosses losses = new TrainingLosses(true, true);
    double[][] figures = model.runLocked(m -> {
      ai.djl.ndarray.NDList in = model.encoder.inputs(m, rows);
      ai.djl.ndarray.NDList tg = model.encoder.targets(m, rows);
      ai.djl.ndarray.NDList full = model.block.forward(new ai.djl.training.ParameterStore(m, false), in, false);
      ai.djl.ndarray.NDList some = model.block.atPositions(new ai.djl.training.ParameterStore(m, false), in, tg.get(7));
      assertThat(some.get(0).getShape().get(0)).isEqualTo(tg.get(7).size()).isLessThan(full.get(0).size(0) * full.get(0).size(1));
      return new double[][] {losses.losses(full, in, tg, model.config()).figures(),
          losses.losses(some, in, tg, model.config()).figures()};
    });
    // total, text, objects, match, textAcc, matchAcc
    assertThat(figures[0][1]).isPositive();
    assertThat(figures[0][2]).isPositive();
    for (int i = 0; i < 6; i++) {
      assertThat(figures[1][i]).as("figure %d", i).isCloseTo(figures[0][i], org.assertj.core.data.Offset.offset(1e-4));
    }
  }

  @Test
  void saveAndLoadGiveTheSameScores() {
    Path dir = tmp.resolve("saved");
    Path file = model.save(dir);
    assertThat(file).exists();
    try (CrossModalModel loaded = CrossModalModel.load(dir)) {
      assertThat(loaded.vocabulary().tokens()).isEqualTo(model.vocabulary().tokens());
      assertThat(loaded.config()).isEqualTo(model.config());
      ImageFeatures f = model.featureExtractor().extract(pairs.get(0).image(), List.of());
      assertThat(loaded.score("a red square", f).logit())
          .isCloseTo(model.score("a red square", f).logit(), org.assertj.core.data.Offset.offset(1e-5));
      assertThat(loaded.captionCandidates()).isEqualTo(model.captionCandidates());
    }
  }

  @Test
  void refusesAModelOfAnotherEmbedderOrACorruptFile() throws Exception {
    Path dir = tmp.resolve("saved2");
    model.save(dir);
    ImageEmbedder other = new ImageEmbedder() {
      @Override
      public float[] embed(BufferedImage image) {
        return new float[model.config().visualDim()];
      }

      @Override
      public int dimension() {
        return model.config().visualDim();
      }

      @Override
      public String id() {
        return "other/1";
      }
    };
    assertThatThrownBy(() -> CrossModalModel.load(dir, other, new WordTokenizer(), null,
        ImageLoader.defaults()))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("other/1");
    Path f = dir.resolve(CrossModalModel.FILE_NAME);
    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(f, bytes);
    assertThatThrownBy(() -> CrossModalModel.load(dir)).isInstanceOf(StoreException.class);
  }

  @Test
  void captionsByCandidatesAndByGeneration() {
    Path img = pairs.get(0).image();
    Caption c = model.caption(img, List.of("a red square", "a blue disc", "a green square"));
    assertThat(c.method()).isEqualTo(Caption.Method.CANDIDATE);
    assertThat(c.text()).isIn("a red square", "a blue disc", "a green square");
    assertThat(c.alternatives()).hasSize(2);
    assertThat(c.score()).isBetween(0.0, 1.0);
    // ranked by the matching head alone, the best has the highest matching probability
    Caption byMatching = model.caption(model.featureExtractor().extract(img, List.of()),
        List.of("a red square", "a blue disc", "a green square"), false, RetrievalSettings.matching(0));
    assertThat(byMatching.score()).isGreaterThanOrEqualTo(byMatching.alternatives().get(0).score())
        .isGreaterThanOrEqualTo(byMatching.alternatives().get(1).score());

    Caption g = model.generate(model.featureExtractor().extract(img, List.of()), 3, 3);
    assertThat(g.method()).isEqualTo(Caption.Method.GENERATED);
    assertThat(g.text()).isNotBlank();
    for (String w : g.text().split(" ")) {
      assertThat(model.vocabulary().contains(w)).as(w).isTrue();
      assertThat(Vocabulary.isSpecial(model.vocabulary().id(w))).isFalse();
    }
    assertThat(g.unitConfidences()).hasSize(g.text().split(" ").length);

    Caption auto = model.caption(img);
    assertThat(auto.alternatives()).isNotEmpty();
  }

  @Test
  void retrievesWithAndWithoutFirstStage() {
    List<Path> images = pairs.stream().map(ImageTextPair::image).toList();
    ImageCollection coll = model.collection(images, (a, b, c, d) -> { }, CancellationToken.NONE);
    List<ImageMatch> all = model.retrieve("a yellow disc", coll, 5, RetrievalSettings.matching(0));
    assertThat(all).hasSize(5);
    assertThat(all.get(0).firstStageSimilarity()).isNaN();
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).score()).isLessThanOrEqualTo(all.get(i - 1).score());
    }
    // by embedding: in order of the cosine, each result scored by the matching head too
    List<ImageMatch> byEmbedding = model.retrieve("a yellow disc", coll, 5, RetrievalSettings.embedding());
    assertThat(byEmbedding).hasSize(5).allSatisfy(m -> assertThat(m.score()).isBetween(0.0, 1.0));
    for (int i = 1; i < byEmbedding.size(); i++) {
      assertThat(byEmbedding.get(i).firstStageSimilarity())
          .isLessThanOrEqualTo(byEmbedding.get(i - 1).firstStageSimilarity());
    }
    // the default is the fusion of both scores
    assertThat(model.retrieve("a yellow disc", coll, 5))
        .isEqualTo(model.retrieve("a yellow disc", coll, 5, RetrievalSettings.fused(50, 2.0)))
        .allSatisfy(m -> assertThat(m.firstStageSimilarity()).isNotNaN());
    List<ImageMatch> staged = model.retrieve("a yellow disc", coll, 3, 10);
    assertThat(staged).hasSize(3);
    assertThat(staged).allSatisfy(m -> assertThat(m.firstStageSimilarity()).isBetween(-1.0, 1.0001));
    assertThat(model.predictImageFeature("a yellow disc")).hasSize(model.config().visualDim());
  }

  @Test
  void badTextIsATypedError() {
    ImageFeatures f = model.featureExtractor().extract(pairs.get(0).image(), List.of());
    assertThatThrownBy(() -> model.score(" ", f)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> model.score("!!!", f)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("no text units");
  }

  @Test
  void modelIsSafeToShareBetweenThreads() throws Exception {
    ImageFeatures f = model.featureExtractor().extract(pairs.get(1).image(), List.of());
    double expected = model.score("a red disc", f).logit();
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.concurrent.ConcurrentLinkedQueue<Double> got = new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int i = 0; i < 4; i++) {
      Thread t = new Thread(() -> {
        for (int k = 0; k < 5; k++) {
          got.add(model.score("a red disc", f).logit());
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(got).hasSize(20).allSatisfy(v -> assertThat(v).isCloseTo(expected,
        org.assertj.core.data.Offset.offset(1e-5)));
  }
}
