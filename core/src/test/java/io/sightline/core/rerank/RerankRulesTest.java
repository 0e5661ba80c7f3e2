package io.sightline.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ImageDecodeException;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The re-ranker's rules on hand-made binary features: which matches count, when a candidate is
 * verified, how the score is made and how candidates are ordered.
 */
class RerankRulesTest {
  static final int N = 30;

  static byte[] descriptors(long seed, int n) {
    byte[] d = new byte[n * 32];
    new Random(seed).nextBytes(d);
    return d;
  }

  static float[][] places(long seed, int n) {
    Random r = new Random(seed);
    float[] xs = new float[n];
    float[] ys = new float[n];
    for (int i = 0; i < n; i++) {
      xs[i] = 20 + r.nextFloat() * 360;
      ys[i] = 20 + r.nextFloat() * 260;
    }
    return new float[][] {xs, ys};
  }

  static LocalFeatures query(int n) {
    float[][] p = places(1, n);
    return new LocalFeatures(400, 300, p[0], p[1], descriptors(2, n), 32);
  }

  /** The query's keypoints shifted by (12, 7), same descriptors. */
  static LocalFeatures shiftedCopy(int n) {
    float[][] p = places(1, n);
    for (int i = 0; i < n; i++) {
      p[0][i] += 12;
      p[1][i] += 7;
    }
    return new LocalFeatures(420, 320, p[0], p[1], descriptors(2, n), 32);
  }

  static LocalFeatures unrelated() {
    float[][] p = places(5, N);
    return new LocalFeatures(400, 300, p[0], p[1], descriptors(6, N), 32);
  }

  @Test
  void identicalDescriptorsAtShiftedPlacesAreAllInliers() {
    LocalFeatureReranker.Verification v = LocalFeatureReranker.defaults().verify(query(N), shiftedCopy(N));
    assertThat(v.matches()).isEqualTo(N);
    assertThat(v.inliers()).isEqualTo(N);
    LocalFeatureReranker.Verification none = LocalFeatureReranker.defaults().verify(query(N), unrelated());
    assertThat(none.inliers()).isLessThan(8);
  }

  @Test
  void fourMatchesAreTheFewestThatAreVerified() {
    LocalFeatureReranker r = LocalFeatureReranker.defaults();
    assertThat(r.verify(query(4), shiftedCopy(4))).isEqualTo(new LocalFeatureReranker.Verification(4, 4));
    assertThat(r.verify(query(3), shiftedCopy(3))).isEqualTo(new LocalFeatureReranker.Verification(3, 0));
    assertThat(r.verify(query(2), shiftedCopy(2))).isEqualTo(new LocalFeatureReranker.Verification(2, 0));
    assertThat(r.verify(query(1), shiftedCopy(N))).isEqualTo(new LocalFeatureReranker.Verification(0, 0));
    assertThat(r.verify(query(N), shiftedCopy(1))).isEqualTo(new LocalFeatureReranker.Verification(0, 0));
  }

  @Test
  void ambiguousMatchesFailTheRatioTest() {
    // every stored descriptor appears twice: best and second best are equally good
    LocalFeatures once = shiftedCopy(N);
    byte[] d = new byte[2 * once.descriptors().length];
    float[] xs = new float[2 * N];
    float[] ys = new float[2 * N];
    for (int i = 0; i < N; i++) {
      for (int k = 0; k < 2; k++) {
        System.arraycopy(once.descriptors(), i * 32, d, (2 * i + k) * 32, 32);
        xs[2 * i + k] = once.xs()[i] + 40 * k;
        ys[2 * i + k] = once.ys()[i];
      }
    }
    LocalFeatures twice = new LocalFeatures(420, 320, xs, ys, d, 32);
    assertThat(LocalFeatureReranker.defaults().verify(query(N), twice)).isEqualTo(new LocalFeatureReranker.Verification(0, 0));
    // with ratio 1 an exact match still has to be strictly better than the second one
    assertThat(LocalFeatureReranker.builder().ratio(1).build().verify(query(N), twice).matches()).isZero();
  }

  @Test
  void largeImagesAreVerifiedAtWorkingScale() {
    // the stored image is twice the working size; ten of its keypoints sit 6 px off (3 px at working scale)
    LocalFeatures q = query(N);
    float[] xs = new float[N];
    float[] ys = new float[N];
    for (int i = 0; i < N; i++) {
      xs[i] = 2 * (q.xs()[i] + 12) + (i % 6 == 0 ? 6 : 0);
      ys[i] = 2 * (q.ys()[i] + 7) + (i % 6 == 3 ? 6 : 0);
    }
    LocalFeatures big = new LocalFeatures(1280, 960, xs, ys, q.descriptors(), 32);
    assertThat(LocalFeatureReranker.defaults().verify(q, big).inliers()).isEqualTo(N);
    // the query at twice the size too: same result
    float[] qx = q.xs().clone();
    float[] qy = q.ys().clone();
    for (int i = 0; i < N; i++) {
      qx[i] *= 2;
      qy[i] *= 2;
    }
    LocalFeatures bigQuery = new LocalFeatures(800, 600, qx, qy, q.descriptors(), 32);
    LocalFeatureReranker small = LocalFeatureReranker.builder().maxSide(400).build();
    assertThat(small.verify(bigQuery, big).inliers()).isGreaterThanOrEqualTo(N - 2);
  }

  @Test
  void verifyRefusesMissingOrIncompatibleFeatures() {
    LocalFeatureReranker r = LocalFeatureReranker.defaults();
    assertThatThrownBy(() -> r.verify(null, query(N))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.verify(query(N), null)).isInstanceOf(IllegalArgumentException.class);
    LocalFeatures other = new LocalFeatures(10, 10, new float[2], new float[2], new byte[32], 16);
    assertThatThrownBy(() -> r.verify(query(N), other)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 vs 16");
  }

  @Test
  void scoreIsPriorPlusWeightedSaturatedInliers() {
    LocalFeatureReranker r = LocalFeatureReranker.builder().minInliers(N).inlierSaturation(60).geometricWeight(0.5)
        .build();
    List<LocalFeatureReranker.Reranked<String>> out = r.rerank(query(N), List.of(
        LocalFeatureReranker.Candidate.of("noise", unrelated(), 0.9),
        LocalFeatureReranker.Candidate.of("same", shiftedCopy(N), 0.7)));
    assertThat(out).extracting(LocalFeatureReranker.Reranked::id).containsExactly("same", "noise");
    LocalFeatureReranker.Reranked<String> same = out.get(0);
    assertThat(same.verified()).isTrue();
    assertThat(same.inliers()).isEqualTo(N);
    assertThat(same.matches()).isEqualTo(N);
    assertThat(same.score()).isCloseTo(0.7 + 0.5 * N / 60.0, within(1e-12));
    assertThat(same.priorScore()).isEqualTo(0.7);
    assertThat(same.originalRank()).isEqualTo(1);
    assertThat(out.get(1).verified()).isFalse();
    assertThat(out.get(1).score()).isEqualTo(0.9);
    assertThat(out.get(1).originalRank()).isZero();
    // saturation caps the geometric part at the weight
    LocalFeatureReranker capped = LocalFeatureReranker.builder().minInliers(4).inlierSaturation(10).build();
    assertThat(capped.rerank(query(N), List.of(LocalFeatureReranker.Candidate.of("same", shiftedCopy(N), 0.25)))
        .get(0).score()).isEqualTo(1.25);
  }

  @Test
  void oneInlierShortOfTheMinimumIsNotVerifiedAndGetsNoBonus() {
    LocalFeatureReranker r = LocalFeatureReranker.builder().minInliers(N + 1).build();
    LocalFeatureReranker.Reranked<String> x =
        r.rerank(query(N), List.of(LocalFeatureReranker.Candidate.of("same", shiftedCopy(N), 0.3))).get(0);
    assertThat(x.inliers()).isEqualTo(N);
    assertThat(x.verified()).isFalse();
    assertThat(x.score()).isEqualTo(0.3);
  }

  @Test
  void equalScoresKeepTheirOriginalOrder() {
    LocalFeatureReranker r = LocalFeatureReranker.defaults();
    List<LocalFeatureReranker.Reranked<String>> out = r.rerank(query(N), List.of(
        LocalFeatureReranker.Candidate.of("first", unrelated(), 0.5),
        LocalFeatureReranker.Candidate.of("second", unrelated(), 0.5),
        LocalFeatureReranker.Candidate.of("low", unrelated(), 0.1),
        LocalFeatureReranker.Candidate.of("third", unrelated(), 0.5)));
    assertThat(out).extracting(LocalFeatureReranker.Reranked::id).containsExactly("first", "second", "third", "low");
    assertThat(r.rerank(query(N), List.of())).isEmpty();
    assertThatThrownBy(() -> r.rerank((LocalFeatures) null, List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.rerank(query(N), null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void candidatesNeedExactlyOneSourceAndAFinitePrior() {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    assertThatThrownBy(() -> new LocalFeatureReranker.Candidate<>("x", img, query(2), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LocalFeatureReranker.Candidate<>("x", null, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LocalFeatureReranker.Candidate.of("x", img, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LocalFeatureReranker.Candidate.of("x", query(2), Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(LocalFeatureReranker.Candidate.of("x", img, 1).image()).isSameAs(img);
  }

  @Test
  void builderChecksItsBounds() {
    LocalFeatureReranker.Builder b = LocalFeatureReranker.builder();
    assertThatThrownBy(() -> b.maxFeatures(9)).isInstanceOf(IllegalArgumentException.class);
    b.maxFeatures(10);
    assertThatThrownBy(() -> b.maxSide(63)).isInstanceOf(IllegalArgumentException.class);
    b.maxSide(64);
    assertThatThrownBy(() -> b.ratio(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ratio(1.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ratio(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    b.ratio(1);
    assertThatThrownBy(() -> b.ransacThreshold(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.ransacThreshold(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThat(b.ransacThreshold(0.5)).isSameAs(b);
    assertThatThrownBy(() -> b.minInliers(3)).isInstanceOf(IllegalArgumentException.class);
    b.minInliers(4);
    assertThatThrownBy(() -> b.inlierSaturation(0.99)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.inlierSaturation(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    b.inlierSaturation(1);
    assertThatThrownBy(() -> b.geometricWeight(-0.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.geometricWeight(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.geometricWeight(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    b.geometricWeight(0);
    // all at their bounds: verification still works, and a weight of 0 leaves the prior order
    LocalFeatureReranker r = b.build();
    LocalFeatureReranker.Reranked<String> x =
        r.rerank(query(N), List.of(LocalFeatureReranker.Candidate.of("same", shiftedCopy(N), 0.4))).get(0);
    assertThat(x.verified()).isTrue();
    assertThat(x.score()).isEqualTo(0.4);
  }

  @Test
  void featuresOfALargeImageAreInItsOwnPixels() {
    BufferedImage big = LocalFeatureRerankerTest.texture(11, 1600, 1000);
    LocalFeatures f = LocalFeatureReranker.builder().maxFeatures(200).build().computeFeatures(big);
    assertThat(f.width()).isEqualTo(1600);
    assertThat(f.height()).isEqualTo(1000);
    assertThat(f.count()).isGreaterThan(50).isLessThanOrEqualTo(200);
    float maxX = 0;
    for (float x : f.xs()) {
      maxX = Math.max(maxX, x);
    }
    assertThat(maxX).isGreaterThan(1000).isLessThanOrEqualTo(1600);
    float maxY = 0;
    for (float y : f.ys()) {
      maxY = Math.max(maxY, y);
    }
    assertThat(maxY).isGreaterThan(600).isLessThanOrEqualTo(1000);
    assertThat(f.descriptorBytes()).isEqualTo(32);
    assertThatThrownBy(() -> LocalFeatureReranker.defaults().computeFeatures(null))
        .isInstanceOf(ImageDecodeException.class);
  }
}
