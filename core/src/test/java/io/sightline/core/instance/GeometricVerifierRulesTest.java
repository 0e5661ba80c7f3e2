package io.sightline.core.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The verifier's limits on the fitted transform, keypoint agreement and the pixel threshold. */
class GeometricVerifierRulesTest {
  static final int N = 40;

  /**
   * Query keypoints at random places; stored ones = M q + (300, 40) with M = [[a, b], [c, d]],
   * keypoint sizes scaled by sqrt(det M) and angles turned by M's rotation.
   */
  static Object[] pair(double a, double b, double c, double d, double spread) {
    Random r = new Random(9);
    float[] qx = new float[N];
    float[] qy = new float[N];
    float[] qs = new float[N];
    float[] qa = new float[N];
    float[] rx = new float[N];
    float[] ry = new float[N];
    float[] rs = new float[N];
    float[] ra = new float[N];
    double scale = Math.sqrt(a * d - b * c);
    double rot = Math.toDegrees(Math.atan2(c - b, a + d));
    for (int i = 0; i < N; i++) {
      qx[i] = (float) (10 + r.nextFloat() * spread);
      qy[i] = (float) (10 + r.nextFloat() * spread * 0.75);
      qs[i] = 4 + r.nextFloat() * 4;
      qa[i] = r.nextFloat() * 360;
      rx[i] = (float) (a * qx[i] + b * qy[i] + 300);
      ry[i] = (float) (c * qx[i] + d * qy[i] + 40);
      rs[i] = (float) (qs[i] * scale);
      ra[i] = (float) (((qa[i] + rot) % 360 + 360) % 360);
    }
    int[] idx = new int[N];
    for (int i = 0; i < N; i++) {
      idx[i] = i;
    }
    QueryFeatures q = new QueryFeatures(640, 480, qx, qy, qs, qa, new int[N][1], new long[N][1]);
    EncodedFeatures ref = new EncodedFeatures(1000, 800, new int[N], new long[N], rx, ry, rs, ra);
    return new Object[] {q, ref, idx};
  }

  static GeometricVerifier.Result verify(GeometricVerifier v, Object[] p, int n) {
    int[] idx = (int[]) p[2];
    return v.verify((QueryFeatures) p[0], idx, (EncodedFeatures) p[1], idx, n);
  }

  static GeometricVerifier.Result verify(Object[] p) {
    return verify(new GeometricVerifier(0.015), p, N);
  }

  @Test
  void threeCorrespondencesAreEnoughForAFit() {
    GeometricVerifier.Result v = verify(new GeometricVerifier(0.015), pair(1, 0, 0, 1, 400), 3);
    assertThat(v.inliers()).isEqualTo(3);
  }

  @Test
  void scalesBetweenTheLimitsAreAcceptedAndBeyondThemRefused() {
    GeometricVerifier.Result six = verify(pair(6, 0, 0, 6, 400));
    assertThat(six.inliers()).isEqualTo(N);
    assertThat(six.scale()).isCloseTo(6, within(1e-3));
    assertThat(verify(pair(19, 0, 0, 19, 400)).inliers()).isEqualTo(N);
    assertThat(verify(pair(21, 0, 0, 21, 400)).inliers()).isZero();
    // tiny scales need room for distinct stored points
    assertThat(verify(pair(0.06, 0, 0, 0.06, 20_000)).inliers()).isGreaterThan(N / 2);
    assertThat(verify(pair(0.04, 0, 0, 0.04, 20_000)).inliers()).isZero();
  }

  @Test
  void stretchIsAcceptedUpToFourToOne() {
    // axis-aligned stretch: singular values 1 and 3.5, then 1 and 4.5
    GeometricVerifier.Result ok = verify(pair(1, 0, 0, 3.5, 300));
    assertThat(ok.inliers()).isEqualTo(N);
    assertThat(ok.scale()).isCloseTo(Math.sqrt(3.5), within(1e-3));
    assertThat(verify(pair(1, 0, 0, 4.5, 300)).inliers()).isZero();
    // the same stretch along a turned axis (a shear-like matrix): singular values 1 and 3
    double c = Math.cos(Math.toRadians(30));
    double s = Math.sin(Math.toRadians(30));
    // R(30) diag(1, 3) R(-30)
    double a = c * c + 3 * s * s;
    double b = c * s - 3 * s * c;
    double d = s * s + 3 * c * c;
    GeometricVerifier.Result turned = verify(pair(a, b, b, d, 300));
    assertThat(turned.inliers()).isEqualTo(N);
    // R(30) diag(1, 5) R(-30)
    double a5 = c * c + 5 * s * s;
    double b5 = c * s - 5 * s * c;
    double d5 = s * s + 5 * c * c;
    assertThat(verify(pair(a5, b5, b5, d5, 300)).inliers()).isZero();
  }

  @Test
  void rotationAndScaleAreReportedForATurnedObject() {
    double c = Math.cos(Math.toRadians(-35)) * 2;
    double s = Math.sin(Math.toRadians(-35)) * 2;
    GeometricVerifier.Result v = verify(pair(c, -s, s, c, 300));
    assertThat(v.inliers()).isEqualTo(N);
    assertThat(v.rotation()).isCloseTo(-35, within(0.1));
    assertThat(v.scale()).isCloseTo(2, within(1e-3));
  }

  @Test
  void keypointSizesMustFollowTheTransformsScale() {
    Object[] p = pair(3, 0, 0, 3, 300);
    EncodedFeatures r = (EncodedFeatures) p[1];
    QueryFeatures q = (QueryFeatures) p[0];
    // half of the stored keypoints keep the query's size (3x too small), the others are 3x too large
    for (int i = 0; i < N; i++) {
      r.sizes()[i] = i % 2 == 0 ? q.sizes()[i] : q.sizes()[i] * 9;
    }
    assertThat(verify(p).inliers()).isZero();
    // within a factor 2.5 they still count
    for (int i = 0; i < N; i++) {
      r.sizes()[i] = (float) (q.sizes()[i] * 3 * (i % 2 == 0 ? 2.2 : 1 / 2.2));
    }
    assertThat(verify(p).inliers()).isEqualTo(N);
  }

  @Test
  void theReprojectionThresholdScalesWithTheStoredImage() {
    Object[] p = pair(1, 0, 0, 1, 400);
    EncodedFeatures r = (EncodedFeatures) p[1];
    // every fourth stored point 8 px off: within 1.5 % of 1000 px (15 px), beyond a 2 px threshold
    for (int i = 0; i < N; i += 4) {
      r.xs()[i] += 8;
    }
    assertThat(verify(new GeometricVerifier(0.015), p, N).inliers()).isEqualTo(N);
    assertThat(verify(new GeometricVerifier(0.001), p, N).inliers()).isEqualTo(N - N / 4);
  }

  @Test
  void theQueryBoxSpansTheVerifiedQueryPoints() {
    Object[] p = pair(1, 0, 0, 1, 400);
    QueryFeatures q = (QueryFeatures) p[0];
    GeometricVerifier.Result v = verify(p);
    float x0 = Float.MAX_VALUE;
    float y0 = Float.MAX_VALUE;
    float x1 = -Float.MAX_VALUE;
    float y1 = -Float.MAX_VALUE;
    for (int i = 0; i < N; i++) {
      x0 = Math.min(x0, q.xs()[i]);
      y0 = Math.min(y0, q.ys()[i]);
      x1 = Math.max(x1, q.xs()[i]);
      y1 = Math.max(y1, q.ys()[i]);
    }
    assertThat(v.queryBox()).containsExactly(x0, y0, x1, y1);
    assertThat(v.transform()[2]).isCloseTo(300, within(0.01));
    assertThat(v.transform()[5]).isCloseTo(40, within(0.01));
  }

  @Test
  void angleDifferencesWrapAround() {
    assertThat(GeometricVerifier.angleDiff(350, 10)).isCloseTo(20, within(1e-9));
    assertThat(GeometricVerifier.angleDiff(10, 350)).isCloseTo(20, within(1e-9));
    assertThat(GeometricVerifier.angleDiff(-170, 170)).isCloseTo(20, within(1e-9));
    assertThat(GeometricVerifier.angleDiff(0, 180)).isCloseTo(180, within(1e-9));
    assertThat(GeometricVerifier.angleDiff(720, 0)).isCloseTo(0, within(1e-9));
  }
}
