package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.sightline.core.detect.Box;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The parts of a training step: contrastive loss, samples, hard negatives, split, schedule. */
class TrainingPartsTest {
  private static final int DV = 4;

  private static InputEncoder encoder(List<String> corpus) {
    WordTokenizer tok = new WordTokenizer();
    Vocabulary v = Vocabulary.build(corpus, tok, 1, 100);
    ModelConfig cfg = new ModelConfig(16, 1, 2, 32, 12, 6, 2, DV, 3, 0f);
    return new InputEncoder(cfg, v, tok, SeedLibrary.empty(DV), false);
  }

  private static ImageFeatures image(int k) {
    List<ImageObject> objs = List.of(new ImageObject(new Box(0, 0, 100, 100), null, RegionSource.WHOLE_IMAGE));
    float[][] vis = new float[1][DV];
    vis[0][k % DV] = 1;
    return new ImageFeatures(objs, vis, new float[][] {FeatureExtractor.spatial(objs.get(0).box(), 100, 100)},
        100, 100);
  }

  @Test
  void contrastiveLossIsLowForTheTruePairsAndHighForShuffledOnes() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray t = m.eye(4);
      NDArray aligned = TrainingLosses.contrastive(t, m.eye(4), m.create(new float[] {10f}, new Shape(1)));
      NDArray shuffled = TrainingLosses.contrastive(t,
          m.create(new float[] {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0}, new Shape(4, 4)),
          m.create(new float[] {10f}, new Shape(1)));
      // aligned: -log(e^10 / (e^10 + 3)) ~ 1.4e-4; shuffled: -log(1 / (e^10 + 3)) ~ 10
      assertThat(aligned.getFloat()).isCloseTo(1.36e-4f, Offset.offset(1e-4f));
      assertThat(shuffled.getFloat()).isGreaterThan(9.9f);
    }
  }

  @Test
  void negativesPairTheImageWithAnotherTextAndTheTextWithAnotherImage() {
    List<String> texts = List.of("a red square", "a blue disc", "a green star", "a tall tree");
    InputEncoder enc = encoder(texts);
    List<ImageTextPair> pairs = new ArrayList<>();
    Map<Path, ImageFeatures> feats = new HashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      Path p = Path.of("img" + i + ".png");
      pairs.add(ImageTextPair.of(p, texts.get(i)));
      feats.put(p, image(i));
    }
    for (NegativeSampling ns : NegativeSampling.values()) {
      TrainingSamples s = new TrainingSamples(enc, false, true, MaskingMode.MIXED, ObjectMasking.AUTO,
          0.3, 0.5, ns, 1.0);
      List<InputEncoder.Row> rows = s.samples(pairs, feats, Map.of(), new Random(1), false);
      int fixedImage = 0;
      int fixedText = 0;
      int positives = 0;
      for (int i = 0, pair = -1; i < rows.size(); i++) {
        InputEncoder.Row r = rows.get(i);
        if (r.matched()) {
          positives++;
          pair++;
          continue;
        }
        boolean sameImage = r.img() == feats.get(pairs.get(pair).image());
        boolean sameText = java.util.Arrays.equals(r.ids(), enc.text(texts.get(pair)).ids());
        assertThat(sameImage && sameText).isFalse();
        assertThat(r.matchWeight()).isEqualTo(1f);
        if (sameImage) {
          fixedImage++;
        }
        if (sameText) {
          fixedText++;
        }
      }
      assertThat(positives).isEqualTo(4);
      assertThat(fixedImage + fixedText).as(ns.name()).isEqualTo(4);
      if (ns != NegativeSampling.RANDOM_IMAGE) {
        assertThat(fixedImage).as(ns + ": fixed image, random text").isGreaterThan(0);
      }
      if (ns != NegativeSampling.RANDOM_TEXT) {
        assertThat(fixedText).as(ns + ": fixed text, random image").isGreaterThan(0);
      }
    }
  }

  @Test
  void hardNegativesAreTheMostSimilarNonMatchingImageOrText() {
    InputEncoder enc = encoder(List.of("a b c d"));
    List<InputEncoder.Row> pos = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pos.add(enc.plain(enc.text(List.of("a", "b", "c").get(i)), image(i)));
    }
    // text x image similarities: text 0 is most like image 2; image 1 is most like text 0
    float[] sims = {
        0.9f, 0.1f, 0.8f,
        0.2f, 0.9f, 0.1f,
        0.3f, 0.0f, 0.9f};
    List<InputEncoder.Row> rows = ContrastiveBatches.hardNegatives(pos, sims);
    assertThat(rows).hasSize(6);
    assertThat(rows.get(0)).isSameAs(pos.get(0));
    assertThat(rows.get(1).matched()).isFalse();
    assertThat(rows.get(1).ids()).isEqualTo(pos.get(0).ids());
    assertThat(rows.get(1).img()).isSameAs(pos.get(2).img()); // pair 0: hardest image
    assertThat(rows.get(3).matched()).isFalse();
    assertThat(rows.get(3).img()).isSameAs(pos.get(1).img()); // pair 1: hardest text for its image
    assertThat(rows.get(3).ids()).isEqualTo(pos.get(0).ids());
    assertThat(rows.get(5).img()).isSameAs(pos.get(0).img()); // pair 2: image 0 (0.3 > 0.0)
  }

  @Test
  void validationHoldsOutWholeImages() {
    List<ImageTextPair> pairs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      pairs.add(ImageTextPair.of(Path.of("img" + (i / 3) + ".png"), "text " + i));
    }
    List<ImageTextPair> train = new ArrayList<>();
    List<ImageTextPair> val = new ArrayList<>();
    TrainingRun.splitByImage(pairs, 0.2, 7, train, val);
    assertThat(val).hasSize(6);
    assertThat(train).hasSize(24);
    assertThat(train.stream().map(ImageTextPair::image))
        .doesNotContainAnyElementsOf(val.stream().map(ImageTextPair::image).toList());
  }

  @Test
  void learningRateWarmsUpThenDecays() {
    LearningRateSchedule s = LearningRateSchedule.WARMUP_COSINE;
    assertThat(s.factor(0.025, 0.05)).isCloseTo(0.5, Offset.offset(1e-9));
    assertThat(s.factor(0.05, 0.05)).isCloseTo(1.0, Offset.offset(1e-9));
    assertThat(s.factor(0.525, 0.05)).isCloseTo(0.5, Offset.offset(1e-9));
    assertThat(s.factor(1.0, 0.05)).isCloseTo(0.01, Offset.offset(1e-9));
    assertThat(LearningRateSchedule.WARMUP_LINEAR.factor(0.525, 0.05)).isCloseTo(0.5, Offset.offset(1e-9));
    assertThat(LearningRateSchedule.CONSTANT.factor(0.9, 0.05)).isEqualTo(1.0);
  }

  @Test
  void aSkippedStepsNonFiniteGradientsDoNotReachTheNextStep() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Linear block = Linear.builder().setUnits(2).build();
      block.initialize(m, DataType.FLOAT32, new Shape(1, 3));
      block.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
      ParameterStore ps = new ParameterStore(m, false);
      NDArray x = m.create(new float[] {1, 2, 3}, new Shape(1, 3));
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        NDArray y = block.forward(ps, new NDList(x), true).singletonOrThrow();
        gc.backward(y.sub(1000f).sqrt().sum()); // square root of a negative: NaN gradients
      }
      assertThat(GradientClipping.scaleFor(block, 1.0)).isNaN();
      GradientClipping.discard(block);
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        NDArray y = block.forward(ps, new NDList(x), true).singletonOrThrow();
        gc.backward(y.sum()); // finite; PyTorch adds it onto whatever gradient is left
      }
      assertThat(GradientClipping.scaleFor(block, 1e6)).isEqualTo(1f);
      float[] weightGrad = block.getParameters().get("weight").getArray().getGradient().toFloatArray();
      assertThat(weightGrad).containsExactly(1, 2, 3, 1, 2, 3);
    }
  }

  /** Frees what the garbage collector can and reuses small direct buffers, filled with 7. */
  private static void collectAndReuseDirectMemory() {
    for (int k = 0; k < 3; k++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<java.nio.ByteBuffer> reuse = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(4);
      b.putFloat(0, 7f);
      reuse.add(b);
    }
  }

  @Test
  void lossGradientsSurviveAGarbageCollectionBetweenForwardAndBackward() {
    // DJL's div(2f) and the like free their scalar before the backward pass reads it: after a
    // collection the gradient came out as 1e10, -1e-35 or infinity instead of the value below
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      for (int rep = 0; rep < 3; rep++) {
        NDArray t = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
        NDArray i = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
        t.setRequiresGradient(true);
        float[] expected;
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          gc.backward(TrainingLosses.contrastive(t, i, m.create(new float[] {10f})));
        }
        expected = t.getGradient().toFloatArray();
        NDArray t2 = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
        t2.setRequiresGradient(true);
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
          NDArray loss = TrainingLosses.contrastive(t2, i, m.create(new float[] {10f}));
          collectAndReuseDirectMemory();
          gc.backward(loss);
        }
        assertThat(t2.getGradient().toFloatArray()).containsExactly(expected);
        assertThat(expected[1]).isCloseTo(2.2699e-4f, Offset.offset(1e-7f));
      }
    }
  }
}
