package io.sightline.core.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.store.ChecksummedFile;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vocabulary assignment, signatures and the vocabulary file, and the instance index's public rules,
 * on a hand-made 16-word vocabulary and hand-made features (no image, no feature extraction).
 */
class InstanceIndexRulesTest {
  static final int D = LocalFeatureSet.DIMENSION;
  static final int K = 8;

  @TempDir
  Path dir;

  static float[] unit(int... dims) {
    float[] v = new float[D];
    for (int d : dims) {
      v[d] = 1;
    }
    return v;
  }

  static float[] concat(float[]... parts) {
    float[] out = new float[parts.length * D];
    for (int i = 0; i < parts.length; i++) {
      System.arraycopy(parts[i], 0, out, i * D, D);
    }
    return out;
  }

  /** Branch 0 around e0 and branch 1 around e1, word k of a branch at e_b + e_(2+k); 64 bit projections on e_0..e_63. */
  static VisualVocabulary tiny(float median) {
    float[] top = concat(unit(0), unit(1));
    float[][] children = new float[2][];
    for (int b = 0; b < 2; b++) {
      float[][] words = new float[K][];
      for (int k = 0; k < K; k++) {
        words[k] = unit(b, 2 + k);
      }
      children[b] = concat(words);
    }
    float[] projection = new float[64 * D];
    for (int j = 0; j < 64; j++) {
      projection[j * D + j] = 1;
    }
    float[] medians = new float[2 * K * 64];
    java.util.Arrays.fill(medians, median);
    return new VisualVocabulary(top, children, projection, medians);
  }

  /** A median the vocabulary file stores exactly (a multiple of 1/8191). */
  static final float HALF = 4096f / 8191f;
  static final VisualVocabulary TINY = tiny(HALF);

  // ------------------------------------------------------------------ assignment and signatures

  @Test
  void treeDescentPicksTheBranchThenTheWord() {
    assertThat(TINY.size()).isEqualTo(16);
    float[] d = concat(unit(0, 4), unit(1, 5));
    assertThat(TINY.assign(d, 0)).isEqualTo(2);
    // the second descriptor, in branch 1: numbered after branch 0's words
    assertThat(TINY.assign(d, D)).isEqualTo(K + 3);
  }

  @Test
  void multipleAssignmentListsTheNearestWordsOfTheTwoNearestBranchesTreeWordFirst() {
    float[] d = unit(0, 4);
    d[5] = 0.5f;
    // word 2 (e0+e4) is nearest, then word 3 (e0+e5), then the other branch-0 words
    int[] three = TINY.assignMultiple(d, 0, 3);
    assertThat(three).hasSize(3);
    assertThat(three[0]).isEqualTo(2);
    assertThat(three[1]).isEqualTo(3);
    assertThat(three[2]).isBetween(0, K - 1);
    assertThat(TINY.assignMultiple(d, 0, 1)).containsExactly(2);
    assertThat(TINY.assignMultiple(d, 0, 0)).containsExactly(2);
    // from the second branch, e1 + e4 and e1 + e5 come after all branch-0 words
    int[] all = TINY.assignMultiple(d, 0, 16);
    assertThat(all).hasSize(16).doesNotHaveDuplicates();
    assertThat(all[8]).isEqualTo(K + 2);
    assertThat(all[9]).isEqualTo(K + 3);
    // more than the two branches hold: only what there is
    assertThat(TINY.assignMultiple(d, 0, 20)).hasSize(16);
  }

  @Test
  void theTreeWordComesFirstEvenWhenItIsNotAmongTheNearest() {
    // top centroids e0 and e1; branch 0 holds one far word, branch 1 two words near the descriptor
    float[] top = concat(unit(0), unit(1));
    float[] far = unit(0);
    far[3] = -3;
    float[] near1 = new float[D];
    near1[0] = 1;
    near1[1] = 0.8f;
    float[] near2 = near1.clone();
    near2[1] = 0.7f;
    float[][] children = {concat(far), concat(near1, near2)};
    float[] medians = new float[3 * 64];
    VisualVocabulary v = new VisualVocabulary(top, children, new float[64 * D], medians);
    float[] d = near1.clone();
    // nearer to e0 than to e1: the tree descends into branch 0
    assertThat(v.assign(d, 0)).isZero();
    assertThat(v.assignMultiple(d, 0, 2)).containsExactly(0, 1);
    assertThat(v.assignMultiple(d, 0, 3)).containsExactly(0, 1, 2);
  }

  @Test
  void multipleAssignmentSearchesTheTwoNearestOfSeveralBranches() {
    // three branches around e0, e1, e2; the descriptor lies between e1 and e2
    float[] top = concat(unit(0), unit(1), unit(2));
    float[][] children = {concat(unit(0, 10), unit(0, 11)), concat(unit(1, 10), unit(1, 11)),
        concat(unit(2, 10), unit(2, 11))};
    VisualVocabulary v = new VisualVocabulary(top, children, new float[64 * D], new float[6 * 64]);
    float[] d = unit(10);
    d[1] = 0.6f;
    d[2] = 0.5f;
    assertThat(v.assign(d, 0)).isEqualTo(2);
    // branch 1's word on e10 first, then branch 2's, never branch 0's
    assertThat(v.assignMultiple(d, 0, 2)).containsExactly(2, 4);
    assertThat(v.assignMultiple(d, 0, 4)).containsExactlyInAnyOrder(2, 3, 4, 5);
    float[] d2 = unit(10);
    d2[2] = 0.6f;
    d2[1] = 0.5f;
    assertThat(v.assignMultiple(d2, 0, 2)).containsExactly(4, 2);
  }

  @Test
  void tiesGoToTheLowerWordSoStoredAndQuerySidesAgree() {
    float[] d = unit(0);
    d[2] = 0.5f;
    d[3] = 0.5f;
    // as far from e0 + e2 (word 0) as from e0 + e3 (word 1)
    assertThat(TINY.assign(d, 0)).isZero();
    assertThat(TINY.assignMultiple(d, 0, 2)).containsExactly(0, 1);
  }

  @Test
  void signatureBitsAreProjectionsAboveTheWordsMedians() {
    float[] d = unit(0, 4);
    d[7] = HALF;
    // bits 0 and 4 are above the median; bit 7 equals it and stays clear
    assertThat(TINY.signature(d, 0, 2)).isEqualTo((1L << 0) | (1L << 4));
    float[] high = unit(0, 63);
    assertThat(TINY.signature(high, 0, 15)).isEqualTo(1L | (1L << 63));
    // the medians are per word
    float[] medians = new float[2 * K * 64];
    java.util.Arrays.fill(medians, HALF);
    for (int j = 0; j < 64; j++) {
      medians[5 * 64 + j] = 2f;
    }
    VisualVocabulary v = new VisualVocabulary(concat(unit(0), unit(1)), childrenOf(TINY), projection(), medians);
    assertThat(v.signature(d, 0, 5)).isZero();
    assertThat(v.signature(d, 0, 4)).isEqualTo((1L << 0) | (1L << 4));
    assertThat(v.signature(concat(unit(9), d), D, 2)).isEqualTo((1L << 0) | (1L << 4));
  }

  static float[][] childrenOf(VisualVocabulary ignored) {
    float[][] children = new float[2][];
    for (int b = 0; b < 2; b++) {
      float[][] words = new float[K][];
      for (int k = 0; k < K; k++) {
        words[k] = unit(b, 2 + k);
      }
      children[b] = concat(words);
    }
    return children;
  }

  static float[] projection() {
    float[] projection = new float[64 * D];
    for (int j = 0; j < 64; j++) {
      projection[j * D + j] = 1;
    }
    return projection;
  }

  @Test
  void theIdNamesTheSizeAndChangesWithEveryPart() {
    assertThat(TINY.id()).matches("vocab-16-[0-9a-f]{16}");
    assertThat(tiny(HALF).id()).isEqualTo(TINY.id());
    assertThat(tiny(0.25f).id()).isNotEqualTo(TINY.id());
    float[] top = concat(unit(0), unit(1));
    top[5] = 0.1f;
    assertThat(new VisualVocabulary(top, childrenOf(TINY), projection(), medians(HALF)).id()).isNotEqualTo(TINY.id());
    float[] p = projection();
    p[3] = 0.1f;
    assertThat(new VisualVocabulary(concat(unit(0), unit(1)), childrenOf(TINY), p, medians(HALF)).id())
        .isNotEqualTo(TINY.id());
    float[][] c = childrenOf(TINY);
    c[1][7] = 0.3f;
    assertThat(new VisualVocabulary(concat(unit(0), unit(1)), c, projection(), medians(HALF)).id())
        .isNotEqualTo(TINY.id());
    assertThatThrownBy(() -> new VisualVocabulary(concat(unit(0), unit(1)), childrenOf(TINY), projection(),
        new float[64])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 words");
  }

  static float[] medians(float m) {
    float[] a = new float[2 * K * 64];
    java.util.Arrays.fill(a, m);
    return a;
  }

  // ------------------------------------------------------------------ vocabulary file

  @Test
  void theFileKeepsAQuantisedVocabularyExactly() {
    Path f = dir.resolve("v.bin");
    TINY.write(f);
    VisualVocabulary back = VisualVocabulary.read(f);
    assertThat(back.id()).isEqualTo(TINY.id());
    assertThat(back.size()).isEqualTo(16);
    float[] d = unit(1, 6);
    assertThat(back.assign(d, 0)).isEqualTo(TINY.assign(d, 0));
    assertThat(back.signature(d, 0, 12)).isEqualTo(TINY.signature(d, 0, 12));
  }

  @Test
  void quantisationRoundsAndClampsToSixteenBits() {
    float[] a = {1.5f, -1.5f, 0.25f, 1f / 65534 * 3};
    VocabularyFile.quantise(a, VocabularyFile.CENTROID_SCALE);
    assertThat(a[0]).isEqualTo(1f);
    assertThat(a[1]).isEqualTo(-32768f / 32767f);
    assertThat(a[2]).isEqualTo(Math.round(0.25f * 32767) / 32767f);
    assertThat(a[3]).isEqualTo(Math.round(3f / 65534 * 32767) / 32767f);
    // centroids above 1 are stored clamped
    float[] top = concat(unit(0), unit(1));
    top[0] = 2;
    VisualVocabulary wide = new VisualVocabulary(top, childrenOf(TINY), projection(), medians(HALF));
    Path f = dir.resolve("w.bin");
    wide.write(f);
    assertThat(VisualVocabulary.read(f).id()).isEqualTo(TINY.id());
  }

  interface Payload {
    void write(DataOutputStream out) throws IOException;
  }

  Path file(Payload p) {
    Path f = dir.resolve("bad-" + System.nanoTime() + ".bin");
    ChecksummedFile.write(f, new ChecksummedFile.Header(VisualVocabulary.KIND, VisualVocabulary.FORMAT, ""), p::write);
    return f;
  }

  /** A vocabulary file of one word whose projection is whole, with {@code medians} medians (64 fit). */
  Path oneWordVocabularyWithMedians(int medians) {
    return file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, D);
      out.writeInt(1);
      shorts(out, D);
      out.writeInt(64 * D);
      for (int i = 0; i < 64 * D; i++) {
        out.writeFloat(0);
      }
      shorts(out, medians);
    });
  }

  static void shorts(DataOutputStream out, int n) throws IOException {
    out.writeInt(n);
    for (int i = 0; i < n; i++) {
      out.writeShort(1000);
    }
  }

  @Test
  void malformedVocabularyFilesAreRefused() {
    Path wrongDim = file(out -> {
      out.writeInt(64);
      out.writeInt(64);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(wrongDim)).isInstanceOf(StoreException.class)
        .hasMessageContaining("descriptor or signature size");
    Path wrongBits = file(out -> {
      out.writeInt(D);
      out.writeInt(32);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(wrongBits)).isInstanceOf(StoreException.class)
        .hasMessageContaining("descriptor or signature size");
    Path negative = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      out.writeInt(-1);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(negative)).isInstanceOf(StoreException.class)
        .hasMessageContaining("array length -1 out of range");
    Path huge = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      out.writeInt((1 << 20) + 1);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(huge)).isInstanceOf(StoreException.class)
        .hasMessageContaining("out of range");
    Path branches = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, 2 * D);
      out.writeInt(3);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(branches)).isInstanceOf(StoreException.class)
        .hasMessageContaining("branch count 3");
    Path ragged = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, 2 * D + 1);
      out.writeInt(2);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(ragged)).isInstanceOf(StoreException.class)
        .hasMessageContaining("branch count");
    Path emptyBranch = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, D);
      out.writeInt(1);
      shorts(out, 0);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(emptyBranch)).isInstanceOf(StoreException.class)
        .hasMessageContaining("malformed branch 0");
    Path raggedBranch = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, D);
      out.writeInt(1);
      shorts(out, D + 2);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(raggedBranch)).isInstanceOf(StoreException.class)
        .hasMessageContaining("malformed branch 0");
    Path shortProjection = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, D);
      out.writeInt(1);
      shorts(out, D);
      out.writeInt(5);
      for (int i = 0; i < 5; i++) {
        out.writeFloat(1);
      }
    });
    assertThatThrownBy(() -> VisualVocabulary.read(shortProjection)).isInstanceOf(StoreException.class)
        .hasMessageContaining("malformed projection");
    Path noProjection = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, D);
      out.writeInt(1);
      shorts(out, D);
      out.writeInt(0);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(noProjection)).isInstanceOf(StoreException.class)
        .hasMessageContaining("malformed projection");
    Path longProjection = file(out -> {
      out.writeInt(D);
      out.writeInt(64);
      shorts(out, D);
      out.writeInt(1);
      shorts(out, D);
      out.writeInt(64 * D + 1);
    });
    assertThatThrownBy(() -> VisualVocabulary.read(longProjection)).isInstanceOf(StoreException.class)
        .hasMessageContaining("out of range");
    Path badMedians = oneWordVocabularyWithMedians(63);
    assertThatThrownBy(() -> VisualVocabulary.read(badMedians)).isInstanceOf(StoreException.class)
        .hasMessageContaining("medians do not match 1 words");
    Path ok = oneWordVocabularyWithMedians(64);
    assertThat(VisualVocabulary.read(ok).size()).isEqualTo(1);
  }

  // ------------------------------------------------------------------ the index

  /** An object: one keypoint on each word of a branch, at spread places, same size and angle. */
  static LocalFeatureSet object(int branch, float dx, float dy) {
    float[] xs = new float[K];
    float[] ys = new float[K];
    float[] sizes = new float[K];
    float[] angles = new float[K];
    float[][] desc = new float[K][];
    for (int k = 0; k < K; k++) {
      xs[k] = 30 + 45 * k + dx + (k % 3) * 7;
      ys[k] = 40 + 25 * (k % 4) + dy + k * 3;
      sizes[k] = 5;
      desc[k] = unit(branch, 2 + k);
    }
    return new LocalFeatureSet(500, 400, xs, ys, sizes, angles, concat(desc));
  }

  static InstanceIndex.Builder tinyIndex() {
    return InstanceIndex.builder().vocabulary(TINY).multipleAssignment(1);
  }

  @Test
  void findsAStoredObjectByItsFeaturesAndVerifiesIt() {
    try (InstanceIndex idx = tinyIndex().build()) {
      idx.addFeatures("zero", object(0, 0, 0));
      idx.addFeatures("one", object(1, 0, 0));
      assertThat(idx.size()).isEqualTo(2);
      List<InstanceMatch> hits = idx.matchFeatures(object(0, 20, 10), 5);
      assertThat(hits).extracting(InstanceMatch::id).containsExactly("zero");
      assertThat(hits.get(0).inliers()).isEqualTo(K);
      assertThat(hits.get(0).verified()).isTrue();
      assertThat(idx.id()).isEqualTo(idx.extractor().id() + "+" + TINY.id());
      assertThat(idx.vocabulary()).isSameAs(TINY);
      assertThat(idx.threshold()).isEqualTo(0.5);
      assertThat(idx.readOnly()).isFalse();
      assertThat(idx.ids()).containsExactlyInAnyOrder("zero", "one");
      long mem = idx.memoryBytes();
      assertThat(mem).isPositive();
      assertThat(idx.remove("one")).isTrue();
      assertThat(idx.remove("one")).isFalse();
      assertThat(idx.memoryBytes()).isLessThan(mem);
    }
  }

  @Test
  void anIndexOfOneImageFindsIt() {
    try (InstanceIndex idx = tinyIndex().build()) {
      idx.addFeatures("only", object(0, 0, 0));
      List<InstanceMatch> hits = idx.matchFeatures(object(0, 20, 10), 5);
      assertThat(hits).extracting(InstanceMatch::id).containsExactly("only");
      assertThat(hits.get(0).verified()).isTrue();
      assertThat(hits.get(0).shortlistScore()).isPositive();
    }
  }

  @Test
  void aStricterThresholdOrCalibrationLeavesTheMatchUnverified() {
    ScoreCalibration steep = new ScoreCalibration(1, -10);
    try (InstanceIndex idx = tinyIndex().calibration(steep).build()) {
      idx.addFeatures("zero", object(0, 0, 0));
      idx.addFeatures("one", object(1, 0, 0));
      InstanceMatch m = idx.matchFeatures(object(0, 20, 10), 5).get(0);
      assertThat(m.score()).isEqualTo(steep.probability(K));
      assertThat(m.verified()).isFalse();
    }
    try (InstanceIndex idx = tinyIndex().threshold(0.999).build()) {
      idx.addFeatures("zero", object(0, 0, 0));
      idx.addFeatures("one", object(1, 0, 0));
      assertThat(idx.matchFeatures(object(0, 20, 10), 5).get(0).verified()).isFalse();
      assertThat(idx.threshold()).isEqualTo(0.999);
    }
  }

  @Test
  void theHammingThresholdAndShortlistReachTheSearch() {
    try (InstanceIndex idx = tinyIndex().hammingThreshold(0).shortlist(1).build()) {
      idx.addFeatures("zero", object(0, 0, 0));
      idx.addFeatures("one", object(1, 0, 0));
      idx.addFeatures("two", object(0, 5, 5));
      assertThat(idx.matchFeatures(object(0, 20, 10), 5)).hasSize(1);
      // signatures one bit away do not vote at threshold 0
      LocalFeatureSet q = object(0, 20, 10);
      float[] d = q.descriptors();
      for (int k = 0; k < K; k++) {
        d[k * D + 40] = 1;
      }
      assertThat(idx.matchFeatures(q, 5)).isEmpty();
    }
  }

  @Test
  void tooFewFeaturesAreRefusedAndNothingOfTheBatchIsStored() {
    try (InstanceIndex idx = tinyIndex().minFeatures(K).build()) {
      LocalFeatureSet full = object(0, 0, 0);
      LocalFeatureSet fewer = new LocalFeatureSet(500, 400, java.util.Arrays.copyOf(full.xs(), K - 1),
          java.util.Arrays.copyOf(full.ys(), K - 1), java.util.Arrays.copyOf(full.sizes(), K - 1),
          java.util.Arrays.copyOf(full.angles(), K - 1), java.util.Arrays.copyOf(full.descriptors(), (K - 1) * D));
      Map<String, LocalFeatureSet> batch = new LinkedHashMap<>();
      batch.put("ok", full);
      batch.put("flat", fewer);
      assertThatThrownBy(() -> idx.addAllFeatures(batch)).isInstanceOf(NoFeaturesException.class)
          .hasMessageContaining("'flat' has 7 local features, fewer than the 8");
      assertThat(idx.size()).isZero();
      assertThatThrownBy(() -> idx.matchFeatures(fewer, 1)).isInstanceOf(NoFeaturesException.class)
          .hasMessageContaining("7 local features");
      idx.addFeatures("ok", full);
      assertThat(idx.matchFeatures(full, 1)).extracting(InstanceMatch::id).containsExactly("ok");
    }
  }

  @Test
  void idsAndResultCountsAreBounded() {
    try (InstanceIndex idx = tinyIndex().build()) {
      LocalFeatureSet f = object(0, 0, 0);
      assertThatThrownBy(() -> idx.addFeatures(null, f)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> idx.addFeatures("", f)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> idx.addFeatures("x".repeat(2001), f)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> idx.addFeatures("x", null)).isInstanceOf(NullPointerException.class);
      idx.addFeatures("x".repeat(2000), f);
      assertThat(idx.contains("x".repeat(2000))).isTrue();
      assertThatThrownBy(() -> idx.matchFeatures(f, 0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> idx.matchFeatures(f, 10_001)).isInstanceOf(IllegalArgumentException.class);
      assertThat(idx.matchFeatures(f, 10_000)).hasSize(1);
      assertThat(idx.remove("absent")).isFalse();
      assertThat(idx.contains("absent")).isFalse();
    }
  }

  @Test
  void aReadOnlyIndexInMemoryRefusesChangesToo() {
    try (InstanceIndex idx = tinyIndex().readOnly(true).build()) {
      assertThatThrownBy(() -> idx.addFeatures("zero", object(0, 0, 0))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("read-only");
      assertThat(idx.size()).isZero();
    }
  }

  @Test
  void writesReleaseTheirLocksForOtherThreads() throws Exception {
    InstanceIndex idx = tinyIndex().build();
    idx.addFeatures("zero", object(0, 0, 0));
    idx.addFeatures("one", object(1, 0, 0));
    assertThat(idx.remove("one")).isTrue();
    assertThat(idx.remove("one")).isFalse();
    java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      assertThat(other.submit(() -> {
        idx.addFeatures("two", object(1, 3, 3));
        idx.remove("two");
        return idx.size();
      }).get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
      idx.close();
      // after close, another thread is told so instead of waiting
      assertThat(other.submit(() -> {
        try {
          idx.addFeatures("three", object(1, 0, 0));
          return "added";
        } catch (IllegalStateException e) {
          return e.getMessage();
        }
      }).get(10, java.util.concurrent.TimeUnit.SECONDS)).contains("closed");
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void theDefaultIndexMatchesImages() {
    java.awt.image.BufferedImage a = io.sightline.core.TestImages.synthetic(11, 480, 360);
    java.awt.image.BufferedImage b = io.sightline.core.TestImages.synthetic(12, 480, 360);
    try (InstanceIndex idx = InstanceIndex.inMemory()) {
      List<String> progress = new java.util.ArrayList<>();
      Map<String, java.awt.image.BufferedImage> images = new LinkedHashMap<>();
      images.put("a", a);
      images.put("b", b);
      idx.addAll(images, (task, done, total, item) -> progress.add(task + " " + done + "/" + total + " " + item),
          io.sightline.core.CancellationToken.NONE);
      assertThat(progress).containsExactly("extract 1/2 a", "extract 2/2 b");
      assertThat(idx.size()).isEqualTo(2);
      List<InstanceMatch> hits = idx.match(b, 2);
      assertThat(hits.get(0).id()).isEqualTo("b");
      assertThat(hits.get(0).verified()).isTrue();
      assertThat(idx.extract(a).count()).isGreaterThanOrEqualTo(8);
      idx.add("c", a);
      assertThat(idx.contains("c")).isTrue();
      io.sightline.core.CancellationToken cancelled = new io.sightline.core.CancellationToken();
      cancelled.cancel();
      assertThatThrownBy(() -> idx.addAll(Map.of("d", a), io.sightline.core.ProgressListener.NONE, cancelled))
          .isInstanceOf(io.sightline.core.CancelledException.class);
      assertThat(idx.contains("d")).isFalse();
    }
  }

  @Test
  void builderChecksItsBounds() {
    InstanceIndex.Builder b = InstanceIndex.builder();
    assertThatThrownBy(() -> b.multipleAssignment(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.multipleAssignment(9)).isInstanceOf(IllegalArgumentException.class);
    b.multipleAssignment(1).multipleAssignment(8);
    assertThatThrownBy(() -> b.hammingThreshold(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.hammingThreshold(65)).isInstanceOf(IllegalArgumentException.class);
    b.hammingThreshold(0).hammingThreshold(64);
    assertThatThrownBy(() -> b.shortlist(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.shortlist(10_001)).isInstanceOf(IllegalArgumentException.class);
    b.shortlist(1).shortlist(10_000);
    assertThatThrownBy(() -> b.minFeatures(2)).isInstanceOf(IllegalArgumentException.class);
    b.minFeatures(3);
    assertThatThrownBy(() -> b.ransacThreshold(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ransacThreshold(0.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ransacThreshold(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThat(b.ransacThreshold(0.499)).isSameAs(b);
    assertThat(b.extractor(RootSiftExtractor.defaults())).isSameAs(b);
    assertThatThrownBy(() -> b.threshold(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.threshold(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.threshold(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.calibration(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.vocabulary(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.extractor(null)).isInstanceOf(NullPointerException.class);
    try (InstanceIndex idx = b.vocabulary(TINY).minFeatures(3).build()) {
      LocalFeatureSet f = object(0, 0, 0);
      LocalFeatureSet three = new LocalFeatureSet(500, 400, java.util.Arrays.copyOf(f.xs(), 3),
          java.util.Arrays.copyOf(f.ys(), 3), java.util.Arrays.copyOf(f.sizes(), 3),
          java.util.Arrays.copyOf(f.angles(), 3), java.util.Arrays.copyOf(f.descriptors(), 3 * D));
      idx.addFeatures("three", three);
      assertThat(idx.size()).isEqualTo(1);
    }
  }

  @Test
  void aDurableIndexKeepsItsCustomVocabularyBesideTheLog() {
    Path folder = dir.resolve("idx");
    try (InstanceIndex idx = tinyIndex().directory(folder).build()) {
      idx.addFeatures("zero", object(0, 0, 0));
      idx.addFeatures("one", object(1, 0, 0));
    }
    assertThat(Files.exists(folder.resolve(InstanceIndex.VOCABULARY_FILE))).isTrue();
    // reopened without naming the vocabulary: the saved one is used
    try (InstanceIndex idx = InstanceIndex.builder().directory(folder).multipleAssignment(1).build()) {
      assertThat(idx.vocabulary().id()).isEqualTo(TINY.id());
      assertThat(idx.contains("zero")).isTrue();
      assertThat(idx.matchFeatures(object(0, 20, 10), 1).get(0).verified()).isTrue();
    }
    VisualVocabulary other = tiny(0.25f);
    assertThatThrownBy(() -> InstanceIndex.builder().directory(folder).vocabulary(other).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining(TINY.id()).hasMessageContaining(other.id());
  }

  @Test
  void readOnlyIndexesWriteNothingAndRefuseChanges() {
    Path folder = dir.resolve("ro");
    try (InstanceIndex idx = tinyIndex().directory(folder).readOnly(true).build()) {
      assertThat(idx.readOnly()).isTrue();
      assertThat(idx.size()).isZero();
      assertThatThrownBy(() -> idx.addFeatures("zero", object(0, 0, 0))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("read-only");
      assertThatThrownBy(() -> idx.remove("zero")).isInstanceOf(IllegalStateException.class);
    }
    assertThat(Files.exists(folder)).isFalse();
    try (InstanceIndex idx = tinyIndex().directory(folder).build()) {
      idx.addFeatures("zero", object(0, 0, 0));
    }
    try (InstanceIndex idx = InstanceIndex.builder().directory(folder).readOnly(true).build()) {
      assertThat(idx.contains("zero")).isTrue();
      assertThatThrownBy(() -> idx.remove("zero")).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aClosedIndexRefusesWork() {
    InstanceIndex idx = tinyIndex().build();
    idx.addFeatures("zero", object(0, 0, 0));
    idx.close();
    assertThatThrownBy(() -> idx.matchFeatures(object(0, 0, 0), 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> idx.addFeatures("one", object(1, 0, 0))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> idx.remove("zero")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void removalsAreDurable() {
    Path folder = dir.resolve("rm");
    try (InstanceIndex idx = tinyIndex().directory(folder).build()) {
      idx.addFeatures("zero", object(0, 0, 0));
      idx.addFeatures("one", object(1, 0, 0));
      assertThat(idx.remove("zero")).isTrue();
    }
    try (InstanceIndex idx = tinyIndex().directory(folder).build()) {
      assertThat(idx.ids()).containsExactly("one");
    }
  }
}
