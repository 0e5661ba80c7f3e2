package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputEncoderTest {
  private static final int DV = 4;

  private static InputEncoder encoder(SeedLibrary seeds, String... corpus) {
    WordTokenizer tok = new WordTokenizer();
    Vocabulary v = Vocabulary.build(List.of(corpus), tok, 1, 100);
    ModelConfig cfg = new ModelConfig(16, 1, 2, 32, 12, 6, 2, DV, 3, 0f);
    return new InputEncoder(cfg, v, tok, seeds, true);
  }

  private static ImageFeatures image(Box... boxes) {
    List<ImageObject> objs = new ArrayList<>();
    objs.add(new ImageObject(new Box(0, 0, 100, 100), null, RegionSource.WHOLE_IMAGE));
    for (Box b : boxes) {
      objs.add(new ImageObject(b, null, RegionSource.GIVEN));
    }
    float[][] vis = new float[objs.size()][DV];
    float[][] spa = new float[objs.size()][];
    for (int i = 0; i < objs.size(); i++) {
      vis[i][i % DV] = 1;
      spa[i] = FeatureExtractor.spatial(objs.get(i).box(), 100, 100);
    }
    return new ImageFeatures(objs, vis, spa, 100, 100);
  }

  @Test
  void positionsStartAtTwoAndObjectsShareOrderIdOne() {
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "a woman riding a bike");
    InputEncoder.Text t = enc.text("a woman riding a bike");
    assertThat(t.length()).isEqualTo(5);
    try (var m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      var in = enc.inputs(m, List.of(enc.plain(t, image(new Box(0, 0, 10, 10)))));
      assertThat(in.get(1).toIntArray()).startsWith(2, 3, 4, 5, 6, 0);
      float[] att = in.get(8).toFloatArray();
      int s = enc.cfg.sequenceLength();
      // CLS, 5 units, 7 padded units, 2 objects, 4 padded objects
      assertThat(att[0]).isEqualTo(1f);
      assertThat(att[5]).isEqualTo(1f);
      assertThat(att[6]).isEqualTo(0f);
      assertThat(att[1 + 12]).isEqualTo(1f);
      assertThat(att[1 + 12 + 2]).isEqualTo(0f);
      assertThat(s).isEqualTo(1 + 12 + 6);
    }
  }

  @Test
  void masksWholeWordsAsSpansOrScattered() {
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "a woman riding a bike with a dog in a basket");
    InputEncoder.Text t = enc.text("a woman riding a bike with a dog in a basket");
    int[] targets = new int[t.length()];
    int[] ids = enc.maskText(t, 0.4, 1.0, new Random(1), targets);
    List<Integer> maskedAt = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == Vocabulary.MASK) {
        maskedAt.add(i);
        assertThat(targets[i]).isEqualTo(t.ids()[i]);
      } else {
        assertThat(targets[i]).isEqualTo(-1);
      }
    }
    assertThat(maskedAt).hasSize(4); // 40% of 11 words, as one span
    for (int k = 1; k < maskedAt.size(); k++) {
      assertThat(maskedAt.get(k)).isEqualTo(maskedAt.get(k - 1) + 1);
    }
    int[] ids2 = enc.maskText(t, 0.1, 0.0, new Random(2), targets);
    assertThat(java.util.Arrays.stream(ids2).filter(i -> i == Vocabulary.MASK).count()).isEqualTo(1);
  }

  @Test
  void sub_wordUnitsOfAWordAreMaskedTogether() {
    InputEncoder.Text t = new InputEncoder.Text(new int[] {5, 6, 7, 8}, new int[] {0, 1, 1, 2},
        List.of("a", "bas", "##ket", "x"));
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "a");
    for (int seed = 0; seed < 20; seed++) {
      int[] targets = new int[4];
      int[] ids = enc.maskText(t, 0.3, 0.0, new Random(seed), targets);
      assertThat(ids[1] == Vocabulary.MASK).isEqualTo(ids[2] == Vocabulary.MASK);
    }
  }

  @Test
  void masksOverlappingGroupsOrIsolatedObjects() {
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "x");
    // objects 1 and 2 overlap; 3 stands alone
    ImageFeatures img = image(new Box(0, 0, 40, 40), new Box(20, 20, 40, 40), new Box(70, 70, 20, 20));
    boolean[] group = enc.maskObjects(img, ObjectMasking.OVERLAPPING_GROUP, new Random(1));
    assertThat(group).containsExactly(false, true, true, false);
    boolean[] iso = enc.maskObjects(img, ObjectMasking.ISOLATED, new Random(1));
    assertThat(iso).containsExactly(false, false, false, true);
    ImageFeatures noOverlap = image(new Box(0, 0, 10, 10), new Box(50, 50, 10, 10));
    boolean[] fallback = enc.maskObjects(noOverlap, ObjectMasking.OVERLAPPING_GROUP, new Random(1));
    assertThat(fallback[0]).isFalse();
    assertThat(fallback[1] ^ fallback[2]).isTrue();
  }

  @Test
  void seedLibraryFusesStandardTextsIntoObjectsAndStandardImagesIntoUnits() {
    SeedLibrary seeds = SeedLibrary.builder(DV).add("basket", new float[] {0, 0, 1, 0})
        .add("bike", new float[] {0, 1, 0, 0}).build();
    InputEncoder enc = encoder(seeds, "a woman with a basket on a bike", "basket", "bike");
    InputEncoder.Text t = enc.text("a basket");
    ImageFeatures img = image(new Box(0, 0, 10, 10), new Box(50, 50, 10, 10));
    try (var m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      var in = enc.inputs(m, List.of(enc.plain(t, img)));
      float[] seedImg = in.get(2).toFloatArray();
      // unit 0 "a" has no standard image, unit 1 "basket" gets the basket image
      assertThat(java.util.Arrays.copyOfRange(seedImg, 0, DV)).containsOnly(0f);
      assertThat(java.util.Arrays.copyOfRange(seedImg, DV, 2 * DV)).containsExactly(0, 0, 1, 0);
      int[] seedText = in.get(6).toIntArray();
      // object 2 has visual [0,0,1,0] -> nearest standard text "basket"; object 1 [0,1,0,0] -> "bike"
      int l = enc.cfg.seedTextUnits();
      assertThat(seedText[2 * l]).isEqualTo(enc.vocab.id("basket"));
      assertThat(seedText[l]).isEqualTo(enc.vocab.id("bike"));
    }
    assertThat(seeds.standardTextFor("Basket ", null, 0.9)).contains("basket");
    assertThat(seeds.standardTextFor(null, new float[] {1, 0, 0, 0}, 0.5)).isEmpty();
    assertThat(seeds.standardImageForUnit("bike", new WordTokenizer())).isPresent();
  }
}
