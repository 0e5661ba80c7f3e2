package io.sightline.core.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules of the inverted file and of the shortlist vote, on hand-made features (no image, no
 * feature extraction): what counts as a vote, how much it weighs, what a removal or a compaction
 * changes, and how results are ordered and cut.
 */
class InstanceSearchRulesTest {
  static final GeometricVerifier VERIFIER = new GeometricVerifier(0.015);

  /** Stored features: one keypoint per word, spread on a grid, all signatures as given. */
  static EncodedFeatures image(int[] words, long[] sigs) {
    int n = words.length;
    float[] xs = new float[n];
    float[] ys = new float[n];
    float[] sizes = new float[n];
    float[] angles = new float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = 20 + 37 * (i % 7) + 3 * i;
      ys[i] = 15 + 41 * (i / 7) + 2 * (i % 3);
      sizes[i] = 6;
      angles[i] = 0;
    }
    return new EncodedFeatures(400, 300, words, sigs, xs, ys, sizes, angles);
  }

  static EncodedFeatures image(int... words) {
    return image(words, new long[words.length]);
  }

  /** A query whose keypoint i has the stored keypoint i's place, and the given words and signatures. */
  static QueryFeatures query(int[][] words, long[][] sigs) {
    int n = words.length;
    EncodedFeatures at = image(new int[n]);
    return new QueryFeatures(400, 300, at.xs(), at.ys(), at.sizes(), at.angles(), words, sigs);
  }

  /** A query with one word per keypoint and signature 0. */
  static QueryFeatures query(int... words) {
    int[][] w = new int[words.length][];
    long[][] s = new long[words.length][];
    for (int i = 0; i < words.length; i++) {
      w[i] = new int[] {words[i]};
      s[i] = new long[] {0L};
    }
    return query(w, s);
  }

  static InstanceSearch search(InvertedFile f, int shortlist) {
    return new InstanceSearch(f, 16, shortlist, VERIFIER, ScoreCalibration.DEFAULT, 0.5);
  }

  static InstanceMatch only(List<InstanceMatch> hits, String id) {
    return hits.stream().filter(h -> h.id().equals(id)).findFirst().orElseThrow();
  }

  /** Squared idf of a word held by {@code df} of {@code live} images: ln((1 + live) / df)². */
  static double idf2(int live, int df) {
    double idf = Math.log((1.0 + live) / df);
    return idf * idf;
  }

  // ------------------------------------------------------------------ inverted file

  @Test
  void documentFrequencyCountsImagesNotKeypoints() {
    InvertedFile f = new InvertedFile(8);
    f.add("a", image(3, 5, 3, 3));
    f.add("b", image(3, 4));
    assertThat(f.df(3)).isEqualTo(2);
    assertThat(f.df(5)).isEqualTo(1);
    assertThat(f.df(4)).isEqualTo(1);
    assertThat(f.df(0)).isZero();
    assertThat(f.length(3)).isEqualTo(4);
    assertThat(f.postings()).isEqualTo(6);
    assertThat(f.size()).isEqualTo(2);
  }

  @Test
  void replacingAnImageKeepsOneCopyAndItsCounts() {
    InvertedFile f = new InvertedFile(8);
    f.add("a", image(1, 2));
    f.add("a", image(2, 6, 6));
    assertThat(f.size()).isEqualTo(1);
    assertThat(f.ids()).containsExactly("a");
    assertThat(f.df(1)).isZero();
    assertThat(f.df(2)).isEqualTo(1);
    assertThat(f.df(6)).isEqualTo(1);
    assertThat(f.postings()).isEqualTo(3);
    assertThat(f.image("a").count()).isEqualTo(3);
    assertThat(f.image("zz")).isNull();
  }

  @Test
  void removalMarksDeadAndUndoesTheCounts() {
    InvertedFile f = new InvertedFile(8);
    f.add("a", image(1, 2, 1));
    f.add("b", image(1));
    assertThat(f.remove("a")).isTrue();
    assertThat(f.remove("a")).isFalse();
    assertThat(f.remove("never")).isFalse();
    assertThat(f.contains("a")).isFalse();
    assertThat(f.contains("b")).isTrue();
    assertThat(f.df(1)).isEqualTo(1);
    assertThat(f.df(2)).isZero();
    assertThat(f.postings()).isEqualTo(1);
    assertThat(f.live(0)).isFalse();
    assertThat(f.live(1)).isTrue();
    // no compaction for one dead image: the ordinal stays taken
    assertThat(f.ordinalCount()).isEqualTo(2);
    assertThat(f.id(1)).isEqualTo("b");
  }

  @Test
  void postingListsGrowPastTheirFirstCapacity() {
    InvertedFile f = new InvertedFile(4);
    int[] words = new int[30];
    long[] sigs = new long[30];
    for (int i = 0; i < 30; i++) {
      sigs[i] = i;
    }
    f.add("many", image(words, sigs));
    assertThat(f.length(0)).isEqualTo(30);
    for (int p = 0; p < 30; p++) {
      assertThat(f.refs(0)[p]).isZero();
      assertThat((int) f.feats(0)[p]).isEqualTo(p);
      assertThat(f.sigs(0)[p]).isEqualTo(p);
    }
  }

  @Test
  void postingCapacityGrowsByHalfPlusFour() {
    InvertedFile f = new InvertedFile(1);
    f.add("x", image(0, 0, 0));
    long image3 = 28 * 3 + 64 + 2 + 64;
    assertThat(f.bytes()).isEqualTo(14 * 4 + 48 + image3);
    f.add("y", image(0, 0));
    // five postings: the list grew from 4 to 4 + 2 + 4 = 10 slots
    assertThat(f.bytes()).isEqualTo(14 * 10 + 48 + image3 + (28 * 2 + 64 + 2 + 64));
  }

  @Test
  void compactsOnceMoreThan64AndAQuarterOfTheImagesAreDead() {
    InvertedFile f = new InvertedFile(8);
    for (int i = 0; i < 100; i++) {
      f.add("i" + i, image(i % 8));
    }
    for (int i = 0; i < 64; i++) {
      f.remove("i" + i);
    }
    // 64 dead: not yet
    assertThat(f.ordinalCount()).isEqualTo(100);
    f.remove("i64");
    // 65 dead of 100: compacted, the 35 live images renumbered in their order
    assertThat(f.ordinalCount()).isEqualTo(35);
    assertThat(f.size()).isEqualTo(35);
    assertThat(f.id(0)).isEqualTo("i65");
    assertThat(f.image("i99").words()).containsExactly(99 % 8);
    assertThat(f.postings()).isEqualTo(35);
    int total = 0;
    for (int w = 0; w < 8; w++) {
      total += f.length(w);
      for (int p = 0; p < f.length(w); p++) {
        assertThat(f.live(f.refs(w)[p])).isTrue();
      }
    }
    assertThat(total).isEqualTo(35);
    assertThat(f.df(1)).isEqualTo((int) java.util.stream.IntStream.range(65, 100).filter(i -> i % 8 == 1).count());
  }

  @Test
  void fewDeadAmongManyImagesAreNotCompacted() {
    InvertedFile f = new InvertedFile(8);
    for (int i = 0; i < 300; i++) {
      f.add("i" + i, image(i % 8));
    }
    for (int i = 0; i < 75; i++) {
      f.remove("i" + i);
    }
    // 75 dead of 300: exactly a quarter, not more
    assertThat(f.ordinalCount()).isEqualTo(300);
    f.remove("i75");
    assertThat(f.ordinalCount()).isEqualTo(224);
  }

  @Test
  void memoryGrowsWithPostingsAndImages() {
    InvertedFile f = new InvertedFile(4);
    assertThat(f.bytes()).isZero();
    f.add("ab", image(0, 1));
    // two lists of capacity 4 (14 bytes a slot + 48), features 28 a keypoint + 64, id 2 chars + 64
    assertThat(f.bytes()).isEqualTo(2 * (14 * 4 + 48) + (28 * 2 + 64) + (2 * 2 + 64));
    f.remove("ab");
    // the lists stay allocated; the dead image no longer counts
    assertThat(f.bytes()).isEqualTo(2 * (14 * 4 + 48));
  }

  // ------------------------------------------------------------------ voting

  @Test
  void voteIsIdfSquaredOverTheRootOfTheImageSize() {
    InvertedFile f = new InvertedFile(16);
    f.add("a", image(0, 1, 2, 3));
    f.add("b", image(8, 9));
    List<InstanceMatch> hits = search(f, 10).run(query(0, 1, 2), 5);
    assertThat(hits).extracting(InstanceMatch::id).containsExactly("a");
    InstanceMatch a = hits.get(0);
    assertThat(a.shortlistScore()).isCloseTo(3 * idf2(2, 1) / 2, within(1e-5));
    assertThat(a.correspondences()).isEqualTo(3);
  }

  @Test
  void aWordInEveryImageStillVotesButLessThanARareOne() {
    InstanceSearch one = search(oneImage(), 10);
    // an index of one image: every word is in every image, and the image is still found
    assertThat(one.run(query(0, 5), 5)).extracting(InstanceMatch::id).containsExactly("a");
    assertThat(one.run(query(0, 5), 5).get(0).shortlistScore()).isCloseTo(2 * idf2(1, 1) / Math.sqrt(2), within(1e-5));
    InvertedFile f = new InvertedFile(16);
    f.add("a", image(0, 5));
    f.add("b", image(0, 6));
    List<InstanceMatch> common = search(f, 10).run(query(0), 5);
    assertThat(common).extracting(InstanceMatch::id).containsExactly("a", "b");
    assertThat(common.get(0).shortlistScore()).isCloseTo(idf2(2, 2) / Math.sqrt(2), within(1e-5));
    assertThat(only(search(f, 10).run(query(0, 5), 5), "a").shortlistScore())
        .isCloseTo((idf2(2, 2) + idf2(2, 1)) / Math.sqrt(2), within(1e-5));
    assertThat(idf2(2, 1)).isGreaterThan(idf2(2, 2));
  }

  static InvertedFile oneImage() {
    InvertedFile f = new InvertedFile(16);
    f.add("a", image(0, 5));
    return f;
  }

  @Test
  void signaturesVoteUpToTheHammingThresholdWithAGaussianWeight() {
    InvertedFile f = new InvertedFile(16);
    f.add("a", image(new int[] {0}, new long[] {0L}));
    f.add("b", image(new int[] {1}, new long[] {0L}));
    long bits16 = 0xFFFFL;
    long bits17 = 0x1FFFFL;
    long bits8 = 0xFFL;
    List<InstanceMatch> at16 = search(f, 10).run(query(new int[][] {{0}}, new long[][] {{bits16}}), 5);
    assertThat(at16).hasSize(1);
    assertThat(at16.get(0).correspondences()).isEqualTo(1);
    assertThat(at16.get(0).shortlistScore()).isCloseTo(idf2(2, 1) * Math.exp(-1), within(1e-5));
    assertThat(search(f, 10).run(query(new int[][] {{0}}, new long[][] {{bits17}}), 5)).isEmpty();
    assertThat(search(f, 10).run(query(new int[][] {{0}}, new long[][] {{bits8}}), 5).get(0).shortlistScore())
        .isCloseTo(idf2(2, 1) * Math.exp(-64.0 / 256), within(1e-5));
    // a stricter threshold drops the 16-bit vote
    InstanceSearch strict = new InstanceSearch(f, 15, 10, VERIFIER, ScoreCalibration.DEFAULT, 0.5);
    assertThat(strict.run(query(new int[][] {{0}}, new long[][] {{bits16}}), 5)).isEmpty();
  }

  @Test
  void farSignaturesAreNotCorrespondences() {
    InvertedFile f = new InvertedFile(16);
    f.add("a", image(new int[] {0, 1}, new long[] {0L, 0L}));
    f.add("b", image(new int[] {5}, new long[] {0L}));
    // the second query keypoint shares word 1 but is 17 bits away
    InstanceMatch m = search(f, 10).run(query(new int[][] {{0}, {1}}, new long[][] {{0L}, {0x1FFFFL}}), 5).get(0);
    assertThat(m.id()).isEqualTo("a");
    assertThat(m.correspondences()).isEqualTo(1);
  }

  @Test
  void aQueryKeypointGivesAnImageOnlyItsSingleBestVote() {
    InvertedFile f = new InvertedFile(16);
    // three stored keypoints share word 0; the first is 8 bits away, the second an exact match
    f.add("burst", image(new int[] {0, 0, 0, 7}, new long[] {0xFFL, 0L, 0xFL, 0L}));
    f.add("other", image(new int[] {9}, new long[] {0L}));
    InstanceMatch m = search(f, 10).run(query(0), 5).get(0);
    assertThat(m.shortlistScore()).isCloseTo(idf2(2, 1) / 2, within(1e-5));
    // all three still become correspondences for the verification
    assertThat(m.correspondences()).isEqualTo(3);
    // a query keypoint assigned to two words that both hit the image also votes once
    InstanceMatch twoWords = search(f, 10).run(query(new int[][] {{0, 7}}, new long[][] {{0xFL, 0L}}), 5).get(0);
    assertThat(twoWords.shortlistScore()).isCloseTo(idf2(2, 1) / 2, within(1e-5));
    // two query keypoints each give their vote
    InstanceMatch two = search(f, 10).run(query(0, 7), 5).get(0);
    assertThat(two.shortlistScore()).isCloseTo(2 * idf2(2, 1) / 2, within(1e-5));
  }

  @Test
  void removedImagesAreNeitherCandidatesNorCountedInIdf() {
    InvertedFile f = new InvertedFile(16);
    f.add("a", image(0, 1));
    f.add("b", image(0, 2));
    f.add("c", image(3));
    f.add("d", image(4));
    f.remove("b");
    List<InstanceMatch> hits = search(f, 10).run(query(0), 5);
    assertThat(hits).extracting(InstanceMatch::id).containsExactly("a");
    // three live images, word 0 in one of them
    assertThat(hits.get(0).shortlistScore()).isCloseTo(idf2(3, 1) / Math.sqrt(2), within(1e-5));
  }

  @Test
  void emptyIndexOrEmptyQueryGiveNothing() {
    InvertedFile f = new InvertedFile(16);
    assertThat(search(f, 10).run(query(0), 5)).isEmpty();
    f.add("a", image(0));
    f.add("b", image(1));
    assertThat(search(f, 10).run(query(), 5)).isEmpty();
    // a word no image has
    assertThat(search(f, 10).run(query(12), 5)).isEmpty();
  }

  @Test
  void theShortlistKeepsTheBestVotedImagesAndTiesGoByIdOrder() {
    InvertedFile f = new InvertedFile(32);
    f.add("small", image(0, 1));
    f.add("large", image(0, 1, 20, 21, 22, 23, 24, 25));
    f.add("z-tie", image(2, 3));
    f.add("a-tie", image(4, 5));
    f.add("filler", image(30));
    // "small" and "large" get the same raw vote; "large" is divided by a larger root
    List<InstanceMatch> one = search(f, 1).run(query(0, 1), 5);
    assertThat(one).extracting(InstanceMatch::id).containsExactly("small");
    List<InstanceMatch> both = search(f, 2).run(query(0, 1), 5);
    assertThat(both).extracting(InstanceMatch::id).containsExactly("small", "large");
    // equal votes (and no verification): id order decides the shortlist and the result order
    List<InstanceMatch> tie = search(f, 1).run(query(2, 4), 5);
    assertThat(tie).extracting(InstanceMatch::id).containsExactly("a-tie");
    assertThat(search(f, 5).run(query(2, 4), 5)).extracting(InstanceMatch::id).containsExactly("a-tie", "z-tie");
    assertThat(search(f, 5).run(query(2, 4), 1)).extracting(InstanceMatch::id).containsExactly("a-tie");
  }

  // ------------------------------------------------------------------ verification and score

  /** Stored image "obj" holds 20 distinct words at grid places; the query shows them shifted by (30, 20). */
  static InvertedFile objectAndDistractor() {
    InvertedFile f = new InvertedFile(64);
    int[] words = new int[20];
    for (int i = 0; i < 20; i++) {
      words[i] = i;
    }
    f.add("obj", image(words));
    f.add("distractor", image(40, 41, 42));
    return f;
  }

  static QueryFeatures shifted() {
    EncodedFeatures obj = image(java.util.stream.IntStream.range(0, 20).toArray());
    int n = 20;
    float[] xs = new float[n];
    float[] ys = new float[n];
    int[][] w = new int[n][];
    long[][] s = new long[n][];
    for (int i = 0; i < n; i++) {
      xs[i] = obj.xs()[i] + 30;
      ys[i] = obj.ys()[i] + 20;
      w[i] = new int[] {i};
      s[i] = new long[] {0L};
    }
    return new QueryFeatures(600, 500, xs, ys, obj.sizes(), obj.angles(), w, s);
  }

  @Test
  void aVerifiedMatchCarriesTheCalibratedScoreAndTheQueryRegion() {
    InvertedFile f = objectAndDistractor();
    QueryFeatures q = shifted();
    List<InstanceMatch> hits = search(f, 10).run(q, 5);
    InstanceMatch m = hits.get(0);
    assertThat(m.id()).isEqualTo("obj");
    assertThat(m.inliers()).isEqualTo(20);
    assertThat(m.verified()).isTrue();
    assertThat(m.score()).isEqualTo(ScoreCalibration.DEFAULT.probability(20));
    assertThat(m.scale()).isCloseTo(1, within(1e-3));
    assertThat(m.rotation()).isCloseTo(0, within(0.1));
    float x0 = Float.MAX_VALUE;
    float y0 = Float.MAX_VALUE;
    float x1 = -Float.MAX_VALUE;
    float y1 = -Float.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      x0 = Math.min(x0, q.xs()[i]);
      y0 = Math.min(y0, q.ys()[i]);
      x1 = Math.max(x1, q.xs()[i]);
      y1 = Math.max(y1, q.ys()[i]);
    }
    assertThat(m.queryRegion()).containsExactly(new double[] {x0 / 600.0, y0 / 500.0, (x1 - x0) / 600.0,
        (y1 - y0) / 500.0}, within(1e-6));
    assertThat(m.transform()[2]).isCloseTo(-30, within(0.01));
    assertThat(m.transform()[5]).isCloseTo(-20, within(0.01));
  }

  @Test
  void belowTheThresholdAMatchIsNeitherVerifiedNorLocated() {
    InvertedFile f = objectAndDistractor();
    double p20 = ScoreCalibration.DEFAULT.probability(20);
    InstanceSearch strict = new InstanceSearch(f, 16, 10, VERIFIER, ScoreCalibration.DEFAULT, p20 + 1e-9);
    InstanceMatch m = strict.run(shifted(), 5).get(0);
    assertThat(m.inliers()).isEqualTo(20);
    assertThat(m.verified()).isFalse();
    assertThat(m.queryRegion()).isNull();
    InstanceSearch exact = new InstanceSearch(f, 16, 10, VERIFIER, ScoreCalibration.DEFAULT, p20);
    InstanceMatch at = exact.run(shifted(), 5).get(0);
    assertThat(at.verified()).isTrue();
    assertThat(at.queryRegion()).isNotNull();
  }

  @Test
  void resultsAreOrderedByCalibratedScoreBeforeTheVote() {
    InvertedFile f = new InvertedFile(64);
    f.add("obj", image(java.util.stream.IntStream.range(0, 20).toArray()));
    // "loud" shares many words with the query but at places no transform explains
    int[] loudWords = java.util.stream.IntStream.range(0, 20).toArray();
    EncodedFeatures grid = image(loudWords);
    float[] xs = grid.xs().clone();
    float[] ys = grid.ys().clone();
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < xs.length; i++) {
      xs[i] = r.nextFloat() * 400;
      ys[i] = r.nextFloat() * 300;
    }
    f.add("loud", new EncodedFeatures(400, 300, loudWords, new long[20], xs, ys, grid.sizes(), grid.angles()));
    f.add("filler", image(50));
    List<InstanceMatch> hits = search(f, 10).run(shifted(), 5);
    assertThat(hits).extracting(InstanceMatch::id).containsExactly("obj", "loud");
    assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
    // equal votes: the verified one first whatever the id order
    assertThat(hits.get(0).shortlistScore()).isCloseTo(hits.get(1).shortlistScore(), within(1e-5));
  }

  @Test
  void calibrationFollowsTheLogisticFormula() {
    ScoreCalibration c = new ScoreCalibration(2.0, -3.0);
    assertThat(c.probability(4)).isCloseTo(1 / (1 + Math.exp(-(2 * Math.log(5) - 3))), within(1e-12));
    assertThat(c.probability(0)).isCloseTo(1 / (1 + Math.exp(3)), within(1e-12));
    // a negative count is treated as none
    assertThat(c.probability(-5)).isEqualTo(c.probability(0));
    assertThatThrownBy(() -> new ScoreCalibration(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoreCalibration(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoreCalibration(Double.POSITIVE_INFINITY, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoreCalibration(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoreCalibration(Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ScoreCalibration(1, Double.NEGATIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ScoreCalibration(1e-9, 0).slope()).isEqualTo(1e-9);
  }

  @Test
  void matcherNamesParseAndSayWhatTheyUse() {
    assertThat(Matcher.parse(" Local ")).isEqualTo(Matcher.LOCAL);
    assertThat(Matcher.parse("GLOBAL")).isEqualTo(Matcher.GLOBAL);
    assertThat(Matcher.parse("hybrid")).isEqualTo(Matcher.HYBRID);
    assertThatThrownBy(() -> Matcher.parse("fuzzy")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'fuzzy'").hasMessageContaining("global, local or hybrid");
    assertThatThrownBy(() -> Matcher.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(Matcher.GLOBAL.usesInstances()).isFalse();
    assertThat(Matcher.GLOBAL.usesGlobal()).isTrue();
    assertThat(Matcher.LOCAL.usesInstances()).isTrue();
    assertThat(Matcher.LOCAL.usesGlobal()).isFalse();
    assertThat(Matcher.HYBRID.usesInstances()).isTrue();
    assertThat(Matcher.HYBRID.usesGlobal()).isTrue();
    assertThat(Matcher.HYBRID.id()).isEqualTo("hybrid");
    assertThat(Matcher.LOCAL).hasToString("local");
    assertThat(Matcher.DEFAULT).isEqualTo(Matcher.HYBRID);
  }
}
