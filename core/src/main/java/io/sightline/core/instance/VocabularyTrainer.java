package io.sightline.core.instance;

import static io.sightline.core.instance.VisualVocabulary.SIGNATURE_BITS;
import static io.sightline.core.instance.VisualVocabulary.dot;
import static io.sightline.core.instance.VocabularyFile.CENTROID_SCALE;
import static io.sightline.core.instance.VocabularyFile.MEDIAN_SCALE;
import static io.sightline.core.instance.VocabularyFile.quantise;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.TermCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training job of {@link VisualVocabulary#train}: the two-level k-means tree (OpenCV
 * {@code cv::kmeans}, native memory released by a {@link PointerScope} per call), the seeded
 * signature projection and the per-word projected medians. Stateless; logs under
 * {@link VisualVocabulary}'s logger.
 */
final class VocabularyTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(VisualVocabulary.class);
  private static final int D = LocalFeatureSet.DIMENSION;
  private static final int MIN_POINTS_FOR_MEDIAN = 8;

  private VocabularyTrainer() {}

  /** Body of {@link VisualVocabulary#train}. */
  static VisualVocabulary train(float[] sample, int branching, long seed, ProgressListener listener,
      CancellationToken cancel) {
    if (branching < 2 || branching > 1024) {
      throw new IllegalArgumentException("branching must be in 2..1024: " + branching);
    }
    int n = sample.length / D;
    if (sample.length % D != 0 || n < 2 * branching) {
      throw new IllegalArgumentException("need at least " + 2 * branching + " sample descriptors of " + D
          + " values to learn " + branching + " branches; got " + n);
    }
    OpenCvNatives.ensure();
    long t0 = System.nanoTime();
    int[] labels = new int[n];
    float[] top = kmeans(sample, n, branching, seed, labels);
    int nb = top.length / D;
    float[][] children = new float[nb][];
    List<int[]> members = group(labels, nb);
    float[] projection = projection(seed);
    List<float[]> medianRows = new ArrayList<>();
    float[] global = new float[SIGNATURE_BITS];
    projectedMedians(sample, allIndexes(n), projection, global);
    for (int b = 0; b < nb; b++) {
      cancel.throwIfCancelled();
      int[] idx = members.get(b);
      float[] pts = gather(sample, idx);
      int k = Math.max(1, Math.min(branching, idx.length / 4));
      int[] sub = new int[idx.length];
      children[b] = k == 1 ? mean(pts, idx.length) : kmeans(pts, idx.length, k, seed + b + 1, sub);
      int kc = children[b].length / D;
      List<int[]> leaves = group(sub, kc);
      for (int c = 0; c < kc; c++) {
        int[] leaf = leaves.get(c);
        float[] row = new float[SIGNATURE_BITS];
        if (leaf.length >= MIN_POINTS_FOR_MEDIAN) {
          projectedMedians(pts, leaf, projection, row);
        } else {
          System.arraycopy(global, 0, row, 0, SIGNATURE_BITS);
        }
        medianRows.add(row);
      }
      listener.onProgress("vocabulary", b + 1, nb, "");
    }
    float[] medians = new float[medianRows.size() * SIGNATURE_BITS];
    for (int i = 0; i < medianRows.size(); i++) {
      System.arraycopy(medianRows.get(i), 0, medians, i * SIGNATURE_BITS, SIGNATURE_BITS);
    }
    // values are kept on the grid the file format stores, so a vocabulary read back is identical
    quantise(top, CENTROID_SCALE);
    for (float[] c : children) {
      quantise(c, CENTROID_SCALE);
    }
    quantise(medians, MEDIAN_SCALE);
    VisualVocabulary v = new VisualVocabulary(top, children, projection, medians);
    LOG.info("learned visual vocabulary of {} words from {} descriptors in {} ms", v.size(), n,
        (System.nanoTime() - t0) / 1_000_000);
    return v;
  }

  private static int[] allIndexes(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static List<int[]> group(int[] labels, int k) {
    int[] counts = new int[k];
    for (int l : labels) {
      counts[l]++;
    }
    List<int[]> out = new ArrayList<>(k);
    for (int c = 0; c < k; c++) {
      out.add(new int[counts[c]]);
    }
    int[] fill = new int[k];
    for (int i = 0; i < labels.length; i++) {
      out.get(labels[i])[fill[labels[i]]++] = i;
    }
    return out;
  }

  private static float[] gather(float[] data, int[] idx) {
    float[] out = new float[idx.length * D];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(data, idx[i] * D, out, i * D, D);
    }
    return out;
  }

  private static float[] mean(float[] pts, int n) {
    float[] m = new float[D];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < D; j++) {
        m[j] += pts[i * D + j] / n;
      }
    }
    return m;
  }

  /** OpenCV k-means; empty clusters are dropped and labels renumbered. */
  private static float[] kmeans(float[] pts, int n, int k, long seed, int[] labelsOut) {
    try (PointerScope scope = new PointerScope()) {
      Mat data = new Mat(n, D, opencv_core.CV_32F);
      new FloatPointer(data.data()).put(pts, 0, n * D);
      Mat labels = new Mat();
      Mat centers = new Mat();
      opencv_core.setRNGSeed((int) seed);
      opencv_core.kmeans(data, k, labels, new TermCriteria(TermCriteria.COUNT + TermCriteria.EPS, 15, 1e-4),
          1, opencv_core.KMEANS_PP_CENTERS, centers);
      int[] lab = new int[n];
      new IntPointer(labels.data()).get(lab);
      float[] c = new float[k * D];
      new FloatPointer(centers.data()).get(c);
      int[] counts = new int[k];
      for (int l : lab) {
        counts[l]++;
      }
      int[] remap = new int[k];
      int kept = 0;
      for (int j = 0; j < k; j++) {
        remap[j] = counts[j] > 0 ? kept++ : -1;
      }
      float[] out = new float[kept * D];
      for (int j = 0; j < k; j++) {
        if (remap[j] >= 0) {
          System.arraycopy(c, j * D, out, remap[j] * D, D);
        }
      }
      for (int i = 0; i < n; i++) {
        labelsOut[i] = remap[lab[i]];
      }
      return out;
    }
  }

  /** 64 random orthonormal directions (Gram–Schmidt on Gaussian vectors), seeded. */
  private static float[] projection(long seed) {
    Random r = new Random(seed ^ 0x5EEDL);
    double[][] rows = new double[SIGNATURE_BITS][D];
    for (int i = 0; i < SIGNATURE_BITS; i++) {
      for (int j = 0; j < D; j++) {
        rows[i][j] = r.nextGaussian();
      }
      for (int p = 0; p < i; p++) {
        double dot = 0;
        for (int j = 0; j < D; j++) {
          dot += rows[i][j] * rows[p][j];
        }
        for (int j = 0; j < D; j++) {
          rows[i][j] -= dot * rows[p][j];
        }
      }
      double norm = 0;
      for (int j = 0; j < D; j++) {
        norm += rows[i][j] * rows[i][j];
      }
      norm = Math.sqrt(norm);
      for (int j = 0; j < D; j++) {
        rows[i][j] /= norm;
      }
    }
    float[] out = new float[SIGNATURE_BITS * D];
    for (int i = 0; i < SIGNATURE_BITS; i++) {
      for (int j = 0; j < D; j++) {
        out[i * D + j] = (float) rows[i][j];
      }
    }
    return out;
  }

  private static void projectedMedians(float[] pts, int[] idx, float[] projection, float[] out) {
    float[] vals = new float[idx.length];
    for (int j = 0; j < SIGNATURE_BITS; j++) {
      for (int i = 0; i < idx.length; i++) {
        vals[i] = dot(projection, j * D, pts, idx[i] * D);
      }
      Arrays.sort(vals);
      int m = vals.length / 2;
      out[j] = vals.length % 2 == 1 ? vals[m] : (vals[m - 1] + vals[m]) / 2f;
    }
  }
}
