package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The batches of the contrastive passes and the hard negatives mined from their similarities. */
class ContrastiveBatchesTest {
  private static final int DV = 4;
  private static final List<String> TEXTS =
      List.of("a red bike", "a green tree", "a blue car", "a white cat", "an old boat", "a tall house");

  private final InputEncoder enc = encoder();
  private final List<ImageTextPair> pairs = new ArrayList<>();
  private final Map<Path, ImageFeatures> feats = new HashMap<>();

  ContrastiveBatchesTest() {
    for (int i = 0; i < TEXTS.size(); i++) {
      add("img" + i + ".png", TEXTS.get(i), i);
    }
  }

  private void add(String image, String text, int n) {
    Path p = Path.of(image);
    pairs.add(ImageTextPair.of(p, text));
    feats.putIfAbsent(p, image(n));
  }

  private static InputEncoder encoder() {
    WordTokenizer tok = new WordTokenizer();
    Vocabulary v = Vocabulary.build(TEXTS, tok, 1, 100);
    ModelConfig cfg = new ModelConfig(16, 1, 2, 32, 12, 6, 2, DV, 3, 0f);
    return new InputEncoder(cfg, v, tok, SeedLibrary.empty(DV), false);
  }

  /** An image with one given box besides the whole image; its visual vectors carry its number. */
  private static ImageFeatures image(int n) {
    List<ImageObject> objs = List.of(new ImageObject(new Box(0, 0, 100, 100), null, RegionSource.WHOLE_IMAGE),
        new ImageObject(new Box(10, 10, 30, 30), null, RegionSource.GIVEN));
    float[][] vis = new float[2][DV];
    float[][] spa = new float[2][];
    for (int i = 0; i < 2; i++) {
      vis[i][0] = n;
      spa[i] = FeatureExtractor.spatial(objs.get(i).box(), 100, 100);
    }
    return new ImageFeatures(objs, vis, spa, 100, 100);
  }

  private String textOf(InputEncoder.Row r) {
    for (String t : TEXTS) {
      if (java.util.Arrays.equals(enc.text(t).ids(), r.ids())) {
        return t;
      }
    }
    return "?" + java.util.Arrays.toString(r.ids());
  }

  @Test
  void wordDropoutLeavesOutWordsButNeverAllAndKeepsEachTextWithItsImage() {
    ContrastiveBatches b = new ContrastiveBatches(pairs, feats, enc, 3, new Random(4), 0.25);
    int rows = 0;
    int shortened = 0;
    int firstLeftOut = 0;
    int lastLeftOut = 0;
    for (int k = 0; k < 80; k++) {
      for (InputEncoder.Row r : b.next()) {
        int[] full = enc.text(TEXTS.get((int) r.img().visual()[0][0])).ids();
        assertThat(r.ids()).isNotEmpty();
        assertThat(r.textTargets()).hasSize(r.ids().length).containsOnly(-1);
        // the kept units are the text's own, in order
        int at = 0;
        for (int id : r.ids()) {
          while (at < full.length && full[at] != id) {
            at++;
          }
          assertThat(at).as("unit %d of %s", id, java.util.Arrays.toString(full)).isLessThan(full.length);
          at++;
        }
        rows++;
        shortened += r.ids().length < full.length ? 1 : 0;
        firstLeftOut += r.ids()[0] != full[0] ? 1 : 0;
        lastLeftOut += r.ids()[r.ids().length - 1] != full[full.length - 1] ? 1 : 0;
      }
    }
    assertThat(rows).isEqualTo(240);
    // three-word texts, each word left out with chance 0.25: 1 - 0.75^3 = 0.58 of the rows lose one
    assertThat(shortened).isBetween(110, 170);
    // every position can go, the last word too
    assertThat(firstLeftOut).isBetween(30, 90);
    assertThat(lastLeftOut).isBetween(30, 90);
    ContrastiveBatches none = new ContrastiveBatches(pairs, feats, enc, 3, new Random(4), 0);
    for (int k = 0; k < 4; k++) {
      for (InputEncoder.Row r : none.next()) {
        assertThat(r.ids()).isEqualTo(enc.text(TEXTS.get((int) r.img().visual()[0][0])).ids());
      }
    }
  }

  @Test
  void aOneWordTextKeepsItsWordWhateverTheDropout() {
    List<ImageTextPair> oneWord = new ArrayList<>();
    String[] words = {"bike", "tree", "car", "cat"};
    for (int i = 0; i < words.length; i++) {
      oneWord.add(ImageTextPair.of(Path.of("img" + i + ".png"), words[i]));
    }
    ContrastiveBatches b = new ContrastiveBatches(oneWord, feats, enc, 2, new Random(5), 0.9);
    for (int k = 0; k < 20; k++) {
      for (InputEncoder.Row r : b.next()) {
        assertThat(r.ids()).isEqualTo(enc.text(words[(int) r.img().visual()[0][0]]).ids());
      }
    }
  }

  @Test
  void batchesHaveTheAskedSizeAndOneCycleVisitsEveryPairOnce() {
    ContrastiveBatches b = new ContrastiveBatches(pairs, feats, enc, 3, new Random(4));
    List<InputEncoder.Row> first = b.next();
    List<InputEncoder.Row> second = b.next();
    assertThat(first).hasSize(3);
    assertThat(second).hasSize(3);
    List<String> texts = new ArrayList<>();
    for (InputEncoder.Row r : first) {
      texts.add(textOf(r));
    }
    for (InputEncoder.Row r : second) {
      texts.add(textOf(r));
    }
    assertThat(texts).containsExactlyInAnyOrderElementsOf(TEXTS);
    // positives: matched, unmasked rows of the pair's own image
    for (InputEncoder.Row r : first) {
      assertThat(r.matched()).isTrue();
      assertThat(r.textTargets()).containsOnly(-1);
      assertThat(r.objMasked()).containsOnly(false);
      assertThat(TEXTS.get((int) r.img().visual()[0][0])).isEqualTo(textOf(r));
    }
    // the next cycle starts again with the same pairs
    assertThat(b.next()).isEqualTo(first);
  }

  @Test
  void aBatchNeverHoldsAnImageOrATextTwice() {
    add("img0.png", "a yellow bus", 0); // a second text for image 0
    add("img9.png", "a red bike", 9); // a second image for text 0
    for (int seed = 0; seed < 5; seed++) {
      List<InputEncoder.Row> batch = new ContrastiveBatches(pairs, feats, enc, 100, new Random(seed)).next();
      Set<Object> images = new HashSet<>();
      Set<String> texts = new HashSet<>();
      for (InputEncoder.Row r : batch) {
        assertThat(images.add(r.img())).as("image of %s repeated", textOf(r)).isTrue();
        assertThat(texts.add(java.util.Arrays.toString(r.ids()))).as("text %s repeated", textOf(r)).isTrue();
      }
      // 8 pairs, but pair 0 shares its image with one pair and its text with another
      assertThat(batch).hasSizeBetween(6, 7);
    }
  }

  @Test
  void pairsWithoutKnownTextUnitsAreLeftOut() {
    add("img7.png", "!!! ???", 7);
    ContrastiveBatches b = new ContrastiveBatches(pairs, feats, enc, 100, new Random(2));
    List<InputEncoder.Row> batch = b.next();
    assertThat(batch).hasSize(TEXTS.size());
    assertThat(batch).allSatisfy(r -> assertThat(r.ids()).isNotEmpty());
  }

  @Test
  void theEpochsRandomSourceSetsThePairOrder() {
    List<List<String>> orders = new ArrayList<>();
    for (int seed = 0; seed < 4; seed++) {
      List<String> order = new ArrayList<>();
      for (InputEncoder.Row r : new ContrastiveBatches(pairs, feats, enc, 100, new Random(seed)).next()) {
        order.add(textOf(r));
      }
      orders.add(order);
    }
    List<String> again = new ArrayList<>();
    for (InputEncoder.Row r : new ContrastiveBatches(pairs, feats, enc, 100, new Random(0)).next()) {
      again.add(textOf(r));
    }
    assertThat(again).isEqualTo(orders.get(0));
    assertThat(new HashSet<>(orders)).as("pair orders of 4 seeds").hasSizeGreaterThan(1);
  }

  @Test
  void hardNegativesTakeTheMostSimilarOtherImageForEvenPairsAndOtherTextForOddPairs() {
    List<InputEncoder.Row> pos = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pos.add(enc.plain(enc.text(TEXTS.get(i)), image(i)));
    }
    // text (row) x image (column)
    float[] sims = {
        0.9f, 0.1f, 0.7f, 0.2f,
        0.6f, 0.9f, 0.3f, 0.1f,
        0.2f, 0.5f, 0.9f, 0.4f,
        0.1f, 0.8f, 0.3f, 0.9f};
    List<InputEncoder.Row> rows = ContrastiveBatches.hardNegatives(pos, sims);
    assertThat(rows).hasSize(8);
    // {pair, text of the negative, image of the negative}
    int[][] expected = {{0, 0, 2}, {1, 3, 1}, {2, 2, 1}, {3, 2, 3}};
    for (int[] e : expected) {
      int i = e[0];
      assertThat(rows.get(2 * i)).isSameAs(pos.get(i));
      InputEncoder.Row neg = rows.get(2 * i + 1);
      assertThat(neg.matched()).isFalse();
      assertThat(neg.ids()).as("text of pair %d's negative", i).isEqualTo(pos.get(e[1]).ids());
      assertThat(neg.img()).as("image of pair %d's negative", i).isSameAs(pos.get(e[2]).img());
      // a plain matching row: nothing masked, no masking loss
      assertThat(neg.textTargets()).hasSize(neg.ids().length).containsOnly(-1);
      assertThat(neg.objMasked()).hasSize(2).containsOnly(false);
      assertThat(neg.lossWeight()).isZero();
      assertThat(neg.matchWeight()).isEqualTo(1f);
    }
  }
}
