package io.sightline.core.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GeometricVerifierTest {
  static final GeometricVerifier VERIFIER = new GeometricVerifier(0.015);
  static final int N = 40;

  /** Query keypoints at random places; stored keypoints = the query ones under rotation, scale and shift. */
  static Object[] pair(double degrees, double scale, boolean mirror, float angleNoise) {
    Random r = new Random(5);
    float[] qx = new float[N];
    float[] qy = new float[N];
    float[] qs = new float[N];
    float[] qa = new float[N];
    float[] rx = new float[N];
    float[] ry = new float[N];
    float[] rs = new float[N];
    float[] ra = new float[N];
    double c = Math.cos(Math.toRadians(degrees)) * scale;
    double s = Math.sin(Math.toRadians(degrees)) * scale;
    for (int i = 0; i < N; i++) {
      qx[i] = 50 + r.nextFloat() * 400;
      qy[i] = 50 + r.nextFloat() * 300;
      qs[i] = 4 + r.nextFloat() * 10;
      qa[i] = r.nextFloat() * 360;
      double x = mirror ? -qx[i] : qx[i];
      rx[i] = (float) (c * x - s * qy[i] + 300);
      ry[i] = (float) (s * x + c * qy[i] + 40);
      rs[i] = (float) (qs[i] * scale);
      ra[i] = (float) ((qa[i] + degrees + angleNoise * r.nextGaussian()) % 360 + 360) % 360;
    }
    int[] idx = new int[N];
    for (int i = 0; i < N; i++) {
      idx[i] = i;
    }
    QueryFeatures q = new QueryFeatures(640, 480, qx, qy, qs, qa, new int[N][1], new long[N][1]);
    EncodedFeatures ref = new EncodedFeatures(1000, 800, new int[N], new long[N], rx, ry, rs, ra);
    return new Object[] {q, ref, idx};
  }

  static GeometricVerifier.Result verify(Object[] p) {
    int[] idx = (int[]) p[2];
    return VERIFIER.verify((QueryFeatures) p[0], idx, (EncodedFeatures) p[1], idx, N);
  }

  @Test
  void recoversATurnedAndScaledObject() {
    GeometricVerifier.Result v = verify(pair(20, 1.5, false, 2));
    assertThat(v.inliers()).isEqualTo(N);
    assertThat(v.scale()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(0.01));
    assertThat(v.rotation()).isCloseTo(20, org.assertj.core.data.Offset.offset(0.5));
    assertThat(v.queryBox()).isNotNull();
  }

  @Test
  void refusesAMirrorImage() {
    assertThat(verify(pair(10, 1, true, 0)).inliers()).isZero();
  }

  @Test
  void keypointsWhoseOrientationDisagreesAreNotEvidence() {
    // every stored orientation is random: the points fit, but no keypoint turned with the object
    GeometricVerifier.Result v = verify(pair(20, 1, false, 10_000));
    assertThat(v.inliers()).isLessThan(N / 2);
  }

  @Test
  void aCollapsedTransformCountsOnce() {
    Object[] p = pair(0, 1, false, 0);
    EncodedFeatures r = (EncodedFeatures) p[1];
    // every query point "matches" the same stored point: a degenerate fit, not 40 inliers
    java.util.Arrays.fill(r.xs(), 321f);
    java.util.Arrays.fill(r.ys(), 123f);
    assertThat(verify(p).inliers()).isLessThanOrEqualTo(1);
  }

  @Test
  void repeatedCorrespondencesCountAsDistinctPoints() {
    Object[] p = pair(15, 1.2, false, 0);
    // 10 real correspondences, each listed four times (a keypoint matched through several words)
    int[] idx = new int[N];
    for (int i = 0; i < N; i++) {
      idx[i] = i % 10;
    }
    GeometricVerifier.Result v = VERIFIER.verify((QueryFeatures) p[0], idx, (EncodedFeatures) p[1], idx, N);
    assertThat(v.inliers()).isEqualTo(10);
  }

  @Test
  void tooFewCorrespondencesGiveNothing() {
    Object[] p = pair(0, 1, false, 0);
    int[] idx = (int[]) p[2];
    assertThat(VERIFIER.verify((QueryFeatures) p[0], idx, (EncodedFeatures) p[1], idx, 2).inliers()).isZero();
  }
}
