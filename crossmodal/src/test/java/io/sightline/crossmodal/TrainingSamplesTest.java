package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rows of an epoch: positives, masked rows and the two kinds of negatives, built from the right pairs. */
class TrainingSamplesTest {
  private static final int DV = 4;
  private static final List<String> TEXTS = List.of("a red bike", "a green tree", "a blue car", "a white cat");

  private final InputEncoder enc = encoder();
  private final List<ImageTextPair> pairs = new ArrayList<>();
  private final Map<Path, ImageFeatures> feats = new HashMap<>();

  TrainingSamplesTest() {
    for (int i = 0; i < TEXTS.size(); i++) {
      Path p = Path.of("img" + i + ".png");
      pairs.add(ImageTextPair.of(p, TEXTS.get(i)));
      feats.put(p, image(i, 1 + i % 2));
    }
  }

  private static InputEncoder encoder() {
    WordTokenizer tok = new WordTokenizer();
    Vocabulary v = Vocabulary.build(TEXTS, tok, 1, 100);
    ModelConfig cfg = new ModelConfig(16, 1, 2, 32, 12, 6, 2, DV, 3, 0f);
    return new InputEncoder(cfg, v, tok, SeedLibrary.empty(DV), true);
  }

  /** An image whose visual vectors carry its number, with {@code boxes} given objects besides the whole image. */
  private static ImageFeatures image(int n, int boxes) {
    List<ImageObject> objs = new ArrayList<>();
    objs.add(new ImageObject(new Box(0, 0, 100, 100), null, RegionSource.WHOLE_IMAGE));
    for (int b = 0; b < boxes; b++) {
      objs.add(new ImageObject(new Box(10 + 40 * b, 10, 30, 30), null, RegionSource.GIVEN));
    }
    float[][] vis = new float[objs.size()][DV];
    float[][] spa = new float[objs.size()][];
    for (int i = 0; i < objs.size(); i++) {
      vis[i][0] = n;
      spa[i] = FeatureExtractor.spatial(objs.get(i).box(), 100, 100);
    }
    return new ImageFeatures(objs, vis, spa, 100, 100);
  }

  private static int imageNumber(InputEncoder.Row r) {
    return (int) r.img().visual()[0][0];
  }

  private int textNumber(InputEncoder.Row r) {
    for (int i = 0; i < TEXTS.size(); i++) {
      if (java.util.Arrays.equals(enc.text(TEXTS.get(i)).ids(), r.ids())) {
        return i;
      }
    }
    return -1; // masked
  }

  private List<InputEncoder.Row> rows(boolean masking, boolean matching, MaskingMode mode, NegativeSampling neg,
      double perPositive) {
    TrainingSamples s = new TrainingSamples(enc, masking, matching, mode, ObjectMasking.AUTO, 0.5, 0.0, neg, perPositive);
    return s.samples(pairs, feats, Map.of(), new Random(3), masking);
  }

  @Test
  void eachPairGivesAPositiveAndItsNegativesPairItsTextWithAnotherImageOrItsImageWithAnotherText() {
    List<InputEncoder.Row> rows = rows(false, true, MaskingMode.MIXED, NegativeSampling.BOTH, 2);
    assertThat(rows).hasSize(TEXTS.size() * 3);
    int randomImage = 0;
    int randomText = 0;
    for (int i = 0; i < TEXTS.size(); i++) {
      InputEncoder.Row pos = rows.get(3 * i);
      assertThat(pos.matched()).isTrue();
      assertThat(pos.matchWeight()).isEqualTo(1f);
      assertThat(textNumber(pos)).isEqualTo(i);
      assertThat(imageNumber(pos)).isEqualTo(i);
      for (InputEncoder.Row neg : rows.subList(3 * i + 1, 3 * i + 3)) {
        assertThat(neg.matched()).isFalse();
        assertThat(neg.lossWeight()).isZero();
        assertThat(neg.matchWeight()).isEqualTo(1f);
        assertThat(neg.textTargets()).containsOnly(-1);
        assertThat(neg.objMasked()).containsOnly(false).hasSize(neg.img().objects().size());
        int t = textNumber(neg);
        int im = imageNumber(neg);
        assertThat(t == i ^ im == i).as("a negative keeps exactly one side of pair %d: text %d, image %d", i, t, im)
            .isTrue();
        if (t == i) {
          randomImage++;
        } else {
          randomText++;
        }
      }
    }
    // BOTH alternates the two kinds
    assertThat(randomImage).isEqualTo(4);
    assertThat(randomText).isEqualTo(4);
  }

  @Test
  void oneKindOfNegativeWhenAsked() {
    for (InputEncoder.Row neg : rows(false, true, MaskingMode.MIXED, NegativeSampling.RANDOM_IMAGE, 1)) {
      if (!neg.matched()) {
        assertThat(imageNumber(neg)).isNotEqualTo(textNumber(neg));
        assertThat(textNumber(neg)).isNotNegative();
      }
    }
    List<InputEncoder.Row> rt = rows(false, true, MaskingMode.MIXED, NegativeSampling.RANDOM_TEXT, 1);
    assertThat(rt).hasSize(8);
    for (int i = 0; i < TEXTS.size(); i++) {
      InputEncoder.Row neg = rt.get(2 * i + 1);
      assertThat(neg.matched()).isFalse();
      assertThat(imageNumber(neg)).isEqualTo(i);
      assertThat(textNumber(neg)).isNotEqualTo(i).isNotNegative();
    }
  }

  @Test
  void aFractionOfNegativesPerPositiveIsMetOnAverage() {
    TrainingSamples s = new TrainingSamples(enc, false, true, MaskingMode.MIXED, ObjectMasking.AUTO, 0.5, 0.0,
        NegativeSampling.BOTH, 0.5);
    Random rnd = new Random(5);
    int negatives = 0;
    int positives = 0;
    for (int epoch = 0; epoch < 200; epoch++) {
      for (InputEncoder.Row r : s.samples(pairs, feats, Map.of(), rnd, false)) {
        if (r.matched()) {
          positives++;
        } else {
          negatives++;
        }
      }
    }
    assertThat(negatives / (double) positives).isBetween(0.45, 0.55);
  }

  @Test
  void maskedRowsComeOnlyWithTheMaskingTaskAndMaskTextOrObjectsAsTheModeSays() {
    assertThat(rows(false, true, MaskingMode.BOTH, NegativeSampling.BOTH, 0)).allSatisfy(r ->
        assertThat(r.textTargets()).containsOnly(-1));
    List<InputEncoder.Row> text = rows(true, false, MaskingMode.TEXT, NegativeSampling.BOTH, 0);
    assertThat(text).hasSize(TEXTS.size()).allSatisfy(r -> {
      assertThat(r.lossWeight()).isEqualTo(1f);
      assertThat(r.matchWeight()).isZero();
      assertThat(r.objMasked()).containsOnly(false);
    });
    assertThat(text.stream().mapToLong(r -> java.util.Arrays.stream(r.textTargets()).filter(x -> x >= 0).count()).sum())
        .isPositive();
    List<InputEncoder.Row> objects = rows(true, false, MaskingMode.OBJECTS, NegativeSampling.BOTH, 0);
    assertThat(objects).allSatisfy(r -> {
      assertThat(r.textTargets()).containsOnly(-1);
      assertThat(r.objMasked()).contains(true);
    });
    // masking and matching: a masked row then the positive, per pair
    List<InputEncoder.Row> both = rows(true, true, MaskingMode.BOTH, NegativeSampling.BOTH, 0);
    assertThat(both).hasSize(2 * TEXTS.size());
    assertThat(both.get(0).matchWeight()).isZero();
    assertThat(both.get(1).matchWeight()).isEqualTo(1f);
  }

  @Test
  void anotherPairDiffersInImageAndText() {
    List<ImageTextPair> twins = new ArrayList<>(pairs);
    twins.add(ImageTextPair.of(Path.of("img0.png"), "a yellow bus")); // same image as pair 0
    TrainingSamples s = new TrainingSamples(enc, false, true, MaskingMode.MIXED, ObjectMasking.AUTO, 0.5, 0.0,
        NegativeSampling.RANDOM_TEXT, 1);
    for (int seed = 0; seed < 20; seed++) {
      List<InputEncoder.Row> rows = s.samples(twins, feats, Map.of(), new Random(seed), false);
      InputEncoder.Row negOfPair0 = rows.get(1);
      assertThat(textNumber(negOfPair0)).isNotIn(0, -1);
    }
  }
  @Test
  void twoPairsAreEnoughForNegatives() {
    TrainingSamples s = new TrainingSamples(enc, false, true, MaskingMode.MIXED, ObjectMasking.AUTO, 0.5, 0.0,
        NegativeSampling.RANDOM_IMAGE, 1);
    List<InputEncoder.Row> rows = s.samples(pairs.subList(0, 2), feats, Map.of(), new Random(1), false);
    assertThat(rows).hasSize(4);
    assertThat(rows.get(1).matched()).isFalse();
    assertThat(imageNumber(rows.get(1))).isEqualTo(1);
    assertThat(imageNumber(rows.get(3))).isEqualTo(0);
  }

  @Test
  void whenEveryPairSharesTheImageANegativeStillTakesAnotherPairsText() {
    List<ImageTextPair> oneImage = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      oneImage.add(ImageTextPair.of(Path.of("img0.png"), TEXTS.get(i)));
    }
    TrainingSamples s = new TrainingSamples(enc, false, true, MaskingMode.MIXED, ObjectMasking.AUTO, 0.5, 0.0,
        NegativeSampling.RANDOM_TEXT, 1);
    for (int seed = 0; seed < 30; seed++) {
      for (int n = 2; n <= 3; n++) {
        List<InputEncoder.Row> rows = s.samples(oneImage.subList(0, n), feats, Map.of(), new Random(seed), false);
        assertThat(rows).hasSize(2 * n);
        for (int i = 0; i < n; i++) {
          assertThat(textNumber(rows.get(2 * i))).isEqualTo(i);
          assertThat(textNumber(rows.get(2 * i + 1))).as("seed %d, %d pairs, pair %d", seed, n, i)
              .isNotEqualTo(i).isBetween(0, n - 1);
        }
      }
    }
  }
}
