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
  /** An image whose object 0 is the whole image; object i has {@code labels[i]} and visual {@code vis[i]}. */
  private static ImageFeatures objects(String[] labels, float[]... vis) {
    List<ImageObject> objs = new ArrayList<>();
    float[][] spa = new float[vis.length][];
    for (int i = 0; i < vis.length; i++) {
      Box b = i == 0 ? new Box(0, 0, 100, 100) : new Box(10 * i, 5 * i, 20 + i, 30 + i);
      objs.add(new ImageObject(b, labels[i], i == 0 ? RegionSource.WHOLE_IMAGE : RegionSource.GIVEN));
      spa[i] = FeatureExtractor.spatial(b, 100, 100);
    }
    return new ImageFeatures(objs, vis, spa, 100, 100);
  }

  private static final float[] E0 = {1, 0, 0, 0};
  private static final float[] E1 = {0, 1, 0, 0};
  private static final float[] E2 = {0, 0, 1, 0};
  private static final float[] E3 = {0, 0, 0, 1};

  private static SeedLibrary basketAndRedBike() {
    return SeedLibrary.builder(DV).add("basket", E2).add("red bike", E1).build();
  }

  private static int[] masked(int[] ids, int at) {
    int[] out = ids.clone();
    out[at] = Vocabulary.MASK;
    return out;
  }

  private static int[] targetAt(int length, int at, int id) {
    int[] out = new int[length];
    java.util.Arrays.fill(out, -1);
    out[at] = id;
    return out;
  }

  @Test
  void targetsHoldTheMaskedUnitsAndTheLabelsOfMaskedObjectsWithTheRowsWeights() {
    InputEncoder enc = encoder(basketAndRedBike(), "a red bike", "a basket");
    int red = enc.vocab.id("red");
    int bike = enc.vocab.id("bike");
    int basket = enc.vocab.id("basket");
    // 1: labelled (the label wins over the seed library), 2: unlabelled but like the basket seed,
    // 3: a label of unknown units, 4: a label without units
    ImageFeatures img = objects(new String[] {null, "bike", null, "zebra", "--"}, E0, E2, E2, E3, E3);
    InputEncoder.Text t = enc.text("a red bike");
    InputEncoder.Row masking = new InputEncoder.Row(masked(t.ids(), 1), targetAt(3, 1, red), img,
        new boolean[] {true, true, true, true, true}, true, 1f, 0f);
    InputEncoder.Row other = new InputEncoder.Row(masked(t.ids(), 2), targetAt(3, 2, bike), img,
        new boolean[] {false, true, false, false, false}, false, 0.5f, 1f);
    try (var m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      var out = enc.targets(m, List.of(masking, other));
      long[] tt = new long[2 * 12];
      tt[1] = red;
      tt[12 + 2] = bike;
      assertThat(out.get(0).toLongArray()).containsExactly(tt);
      float[] tw = new float[2 * 12];
      tw[1] = 1f;
      tw[12 + 2] = 0.5f;
      assertThat(out.get(1).toFloatArray()).containsExactly(tw);
      assertThat(out.get(2).toLongArray()).containsExactly(0, bike, basket, 0, 0, 0, 0, bike, 0, 0, 0, 0);
      assertThat(out.get(3).toFloatArray()).containsExactly(0, 1, 1, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0);
      assertThat(out.get(4).toFloatArray()).containsExactly(1, 1, 1, 1, 1, 0, 0, 0.5f, 0, 0, 0, 0);
      assertThat(out.get(5).toFloatArray()).containsExactly(1, 0);
      assertThat(out.get(6).toFloatArray()).containsExactly(0, 1);
      // the positions the heads read (sequence of 1 + 12 + 6 = 19 per row: identifier, units,
      // objects), each with its target and its text or object weight, row by row
      assertThat(out.get(7).toLongArray()).containsExactly(2, 14, 15, 19 + 3, 19 + 14);
      assertThat(out.get(8).toLongArray()).containsExactly(red, bike, basket, bike, bike);
      assertThat(out.get(9).toFloatArray()).containsExactly(1f, 0f, 0f, 0.5f, 0f);
      assertThat(out.get(10).toFloatArray()).containsExactly(0f, 1f, 1f, 0f, 0.5f);
    }
    // without the seed library the unlabelled object has no label to predict
    InputEncoder plain = new InputEncoder(enc.cfg, enc.vocab, enc.tokenizer, basketAndRedBike(), false);
    try (var m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      var out = plain.targets(m, List.of(masking));
      assertThat(out.get(2).toLongArray()).containsExactly(0, bike, 0, 0, 0, 0);
      assertThat(out.get(3).toFloatArray()).containsExactly(0, 1, 0, 0, 0, 0);
    }
  }

  @Test
  void inputsPutEachRowsObjectsAndSeedsInItsOwnSlots() {
    InputEncoder enc = encoder(basketAndRedBike(), "a red bike", "a basket");
    int a = enc.vocab.id("a");
    int red = enc.vocab.id("red");
    int bike = enc.vocab.id("bike");
    int basket = enc.vocab.id("basket");
    ImageFeatures first = objects(new String[] {null, null}, E0, E2);
    ImageFeatures second = objects(new String[] {null, null, null}, E0, E1, E2);
    InputEncoder.Row r0 = enc.plain(enc.text("a basket"), first);
    InputEncoder.Text t = enc.text("a red bike");
    InputEncoder.Row r1 = new InputEncoder.Row(t.ids(), targetAt(3, 0, a), second,
        new boolean[] {false, false, true}, true, 1f, 0f);
    int l = enc.cfg.seedTextUnits();
    try (var m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      var in = enc.inputs(m, List.of(r0, r1));
      // standard images of the units: "basket" in row 0, "red" and "bike" in row 1
      float[] seedImg = new float[2 * 12 * DV];
      System.arraycopy(E2, 0, seedImg, DV, DV);
      System.arraycopy(E1, 0, seedImg, (12 + 1) * DV, DV);
      System.arraycopy(E1, 0, seedImg, (12 + 2) * DV, DV);
      assertThat(in.get(2).toFloatArray()).containsExactly(seedImg);
      float[] spatial = new float[2 * 6 * ImageFeatures.SPATIAL_DIM];
      for (int j = 0; j < 2; j++) {
        System.arraycopy(first.spatial()[j], 0, spatial, j * 5, 5);
      }
      for (int j = 0; j < 3; j++) {
        System.arraycopy(second.spatial()[j], 0, spatial, (6 + j) * 5, 5);
      }
      assertThat(in.get(4).toFloatArray()).containsExactly(spatial);
      // every object's vector in its row's slots, the masked one too (the model hides it)
      float[] visual = new float[2 * 6 * DV];
      for (int j = 0; j < 2; j++) {
        System.arraycopy(first.visual()[j], 0, visual, j * DV, DV);
      }
      for (int j = 0; j < 3; j++) {
        System.arraycopy(second.visual()[j], 0, visual, (6 + j) * DV, DV);
      }
      assertThat(in.get(3).toFloatArray()).containsExactly(visual);
      assertThat(in.get(5).toFloatArray()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
      // standard text units fused into unmasked objects: row 0 object 1 "basket", row 1 object 1
      // "red bike" (half weight each); the masked object 2 gets none
      int[] seedText = new int[2 * 6 * l];
      float[] seedWeight = new float[2 * 6 * l];
      seedText[l] = basket;
      seedWeight[l] = 1f;
      seedText[(6 + 1) * l] = red;
      seedText[(6 + 1) * l + 1] = bike;
      seedWeight[(6 + 1) * l] = 0.5f;
      seedWeight[(6 + 1) * l + 1] = 0.5f;
      assertThat(in.get(6).toIntArray()).containsExactly(seedText);
      assertThat(in.get(7).toFloatArray()).containsExactly(seedWeight);
    }
  }

  @Test
  void unitsBeyondTheModelsTextLengthAreIgnored() {
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "a");
    int a = enc.vocab.id("a");
    int[] ids = new int[13];
    java.util.Arrays.fill(ids, a);
    int[] targets = targetAt(13, 12, a);
    targets[0] = a;
    ImageFeatures img = image(new Box(0, 0, 10, 10));
    InputEncoder.Row row = new InputEncoder.Row(ids, targets, img, new boolean[2], true, 1f, 0f);
    try (var m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      var in = enc.inputs(m, List.of(row));
      assertThat(in.get(0).toIntArray()).hasSize(12).containsOnly(a);
      long[] tt = new long[12];
      tt[0] = a;
      assertThat(enc.targets(m, List.of(row)).get(0).toLongArray()).containsExactly(tt);
    }
  }

  @Test
  void standardTextsFusedIntoAnObjectAreCutAtTheConfiguredUnits() {
    SeedLibrary seeds = SeedLibrary.builder(DV).add("a big red bike", E1).build();
    InputEncoder enc = encoder(seeds, "a big red bike");
    ImageFeatures img = objects(new String[] {null, null}, E0, E1);
    assertThat(enc.seedTextUnits(img, 1)).containsExactly(enc.vocab.id("a"), enc.vocab.id("big"),
        enc.vocab.id("red"));
    assertThat(enc.seedTextUnits(img, 0)).isEmpty();
  }

  @Test
  void maskingEveryWordAsASpanMasksTheWholeTextAndAnEmptyTextStaysEmpty() {
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "a woman riding a bike");
    InputEncoder.Text t = enc.text("a woman riding a bike");
    int[] targets = new int[t.length()];
    assertThat(enc.maskText(t, 1.0, 1.0, new Random(1), targets)).containsOnly(Vocabulary.MASK);
    assertThat(targets).containsExactly(t.ids());
    InputEncoder.Text empty = enc.text("");
    assertThat(enc.maskText(empty, 0.5, 0.5, new Random(1), new int[0])).isEmpty();
  }

  @Test
  void theOnlyObjectOfAnImageIsTheOneMasked() {
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "x");
    for (ObjectMasking mode : ObjectMasking.values()) {
      assertThat(enc.maskObjects(image(), mode, new Random(1))).containsExactly(true);
    }
  }

  @Test
  void autoMasksAGroupOrAnIsolatedObjectAndAGroupWhenThereIsNoIsolatedObject() {
    InputEncoder enc = encoder(SeedLibrary.empty(DV), "x");
    ImageFeatures mixed = image(new Box(0, 0, 40, 40), new Box(20, 20, 40, 40), new Box(70, 70, 20, 20));
    java.util.Set<List<Boolean>> seen = new java.util.HashSet<>();
    Random rnd = new Random(1);
    for (int k = 0; k < 20; k++) {
      boolean[] b = enc.maskObjects(mixed, ObjectMasking.AUTO, rnd);
      seen.add(List.of(b[0], b[1], b[2], b[3]));
    }
    assertThat(seen).containsExactlyInAnyOrder(List.of(false, true, true, false), List.of(false, false, false, true));
    ImageFeatures groupOnly = image(new Box(0, 0, 40, 40), new Box(20, 20, 40, 40));
    for (int k = 0; k < 20; k++) {
      assertThat(enc.maskObjects(groupOnly, ObjectMasking.AUTO, rnd)).containsExactly(false, true, true);
    }
  }
}
