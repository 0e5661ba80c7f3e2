package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The importance map's faster arithmetic (issue 13, fifth part) gives the values of the plain one:
 * order statistics by selection are those of a full sort, and the default power 4 by two squarings
 * is {@code Math.pow(v, 4)} after rounding to float.
 */
class ImportanceMapSpeedTest {
  @Test
  void selectionGivesTheValueASortPutsAtThatRank() {
    Random r = new Random(13);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + r.nextInt(trial < 100 ? 12 : 3000);
      float[] a = new float[n];
      for (int i = 0; i < n; i++) {
        // many ties, zeros of both signs, a few NaN and infinities: Arrays.sort's total order
        int kind = r.nextInt(20);
        a[i] = kind == 0 ? 0f : kind == 1 ? -0f : kind == 2 && trial % 7 == 0 ? Float.NaN
            : kind == 3 ? Float.POSITIVE_INFINITY : kind < 10 ? r.nextInt(5) : r.nextFloat() - 0.3f;
      }
      float[] sorted = a.clone();
      Arrays.sort(sorted);
      int k = r.nextInt(n);
      float[] work = a.clone();
      float got = MapOps.select(work, 0, n - 1, k);
      assertThat(Float.floatToRawIntBits(got)).as("rank %d of %s", k, Arrays.toString(a))
          .isEqualTo(Float.floatToRawIntBits(sorted[k]));
      // what contrast() relies on: below the rank, nothing larger; a second selection there is exact
      for (int i = 0; i < k; i++) {
        assertThat(Float.compare(work[i], got)).isLessThanOrEqualTo(0);
      }
      int k2 = r.nextInt(k + 1);
      assertThat(Float.floatToRawIntBits(MapOps.select(work, 0, k, k2)))
          .isEqualTo(Float.floatToRawIntBits(sorted[k2]));
    }
  }

  @Test
  void contrastUsesTheMedianAndThe99thPercentile() {
    // 0..99 shuffled: median 50, 99th percentile 99 (index 99 of 100): (v - 50) / 49, clipped
    float[] v = new float[100];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * 37) % 100;
    }
    float[] c = MapOps.contrast(v);
    for (int i = 0; i < v.length; i++) {
      assertThat(c[i]).isEqualTo(Math.max(0f, Math.min(1f, (v[i] - 50f) / 49f)));
    }
  }

  @Test
  void powerFourBySquaringIsPowAfterRoundingToFloat() {
    Random r = new Random(4);
    for (int i = 0; i < 2_000_000; i++) {
      double v = i < 1000 ? i / 999.0 : r.nextDouble();
      double v2 = v * v;
      assertThat((float) (v2 * v2)).isEqualTo((float) Math.pow(v, 4));
    }
  }
}
