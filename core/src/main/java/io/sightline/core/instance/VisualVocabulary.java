package io.sightline.core.instance;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.store.ChecksummedFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.TermCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A visual vocabulary: RootSIFT descriptors quantised to visual words, with a Hamming-embedding
 * signature per descriptor (Jégou, Douze &amp; Schmid 2008) that tells apart descriptors sharing a
 * word.
 *
 * <p><b>Words.</b> A two-level vocabulary tree (Nistér &amp; Stewénius 2006) learned with OpenCV's
 * k-means ({@code cv::kmeans}, k-means++ seeding, fixed RNG seed): {@code branching} clusters of the
 * sample, then {@code branching} clusters inside each, so up to {@code branching²} words (default
 * 128² = 16,384) and an assignment costs {@code 2 × branching} distances instead of one per word.
 * A cluster with too few sample points to split stays one word. {@link #assign} gives the nearest
 * word; {@link #assignMultiple} the {@code m} nearest leaves of the two best branches (query-side
 * multiple assignment, which recovers descriptors that fell near a branch boundary).
 *
 * <p><b>Signatures.</b> Each descriptor is projected on 64 fixed random orthonormal directions;
 * bit j is set when projection j exceeds the median of that projection among the sample
 * descriptors of the same word (the global median where a word had fewer than 8 sample points).
 * Two descriptors of one word that are true matches differ in few bits.
 *
 * <p>{@link #id()} is a content hash: an {@link InstanceIndex} stores it and refuses to open with
 * another vocabulary. Immutable and thread-safe. {@link #bundled()} is a vocabulary the project
 * learned on public-domain images (openclipart drawings and the scikit-image photos, see
 * {@code core/README.md}); {@link #train} learns one from your own images.
 */
public final class VisualVocabulary {
  private static final Logger LOG = LoggerFactory.getLogger(VisualVocabulary.class);
  static final String KIND = "visual-vocabulary";
  static final int FORMAT = 1;
  /** Bits of a Hamming-embedding signature. */
  public static final int SIGNATURE_BITS = 64;
  private static final int D = LocalFeatureSet.DIMENSION;
  private static final int MIN_POINTS_FOR_MEDIAN = 8;
  private static final String BUNDLED = "/io/sightline/core/instance/vocabulary-16k.bin";
  private static volatile VisualVocabulary bundled;

  /** Level-1 centroids, {@code branches * D}. */
  private final float[] top;
  /** Per branch: its first word id and its child centroids ({@code children[b].length / D} words). */
  private final int[] firstWord;
  private final float[][] children;
  private final int words;
  /** {@code SIGNATURE_BITS * D} projection rows. */
  private final float[] projection;
  /** {@code words * SIGNATURE_BITS} medians. */
  private final float[] medians;
  private final String id;

  private VisualVocabulary(float[] top, float[][] children, float[] projection, float[] medians) {
    this.top = top;
    this.children = children;
    this.firstWord = new int[children.length];
    int w = 0;
    for (int b = 0; b < children.length; b++) {
      firstWord[b] = w;
      w += children[b].length / D;
    }
    this.words = w;
    this.projection = projection;
    this.medians = medians;
    if (medians.length != (long) words * SIGNATURE_BITS) {
      throw new IllegalArgumentException("medians do not match " + words + " words");
    }
    this.id = "vocab-" + words + "-" + hash();
  }

  /** @return the number of visual words */
  public int size() {
    return words;
  }

  /** @return a content hash naming this vocabulary, e.g. {@code vocab-16384-3f2a…} */
  public String id() {
    return id;
  }

  /**
   * @return the vocabulary shipped with the project (16,384 words learned on public-domain
   *     images); loaded once
   */
  public static VisualVocabulary bundled() {
    VisualVocabulary v = bundled;
    if (v == null) {
      synchronized (VisualVocabulary.class) {
        v = bundled;
        if (v == null) {
          try (InputStream in = VisualVocabulary.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
              throw new StoreException("the bundled visual vocabulary " + BUNDLED + " is missing from the classpath");
            }
            Path tmp = Files.createTempFile("sightline-vocab", ".bin");
            try {
              Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
              v = read(tmp);
            } finally {
              Files.deleteIfExists(tmp);
            }
          } catch (IOException e) {
            throw new StoreException("cannot read the bundled visual vocabulary: " + e.getMessage(), e);
          }
          bundled = v;
        }
      }
    }
    return v;
  }

  // ------------------------------------------------------------------ assignment

  /**
   * @param desc descriptor values
   * @param off offset of the descriptor in {@code desc}
   * @return the nearest word, by the tree
   */
  public int assign(float[] desc, int off) {
    int b = nearest(top, top.length / D, desc, off);
    return firstWord[b] + nearest(children[b], children[b].length / D, desc, off);
  }

  /**
   * Query-side multiple assignment.
   *
   * @param desc descriptor values
   * @param off offset of the descriptor
   * @param m how many words (1..8)
   * @return up to {@code m} words: first the one {@link #assign} gives (the word stored keypoints
   *     get), then the nearest other leaves of the two nearest branches
   */
  public int[] assignMultiple(float[] desc, int off, int m) {
    if (m <= 1) {
      return new int[] {assign(desc, off)};
    }
    int nb = top.length / D;
    int b1 = -1;
    int b2 = -1;
    float d1 = Float.MAX_VALUE;
    float d2 = Float.MAX_VALUE;
    for (int b = 0; b < nb; b++) {
      float d = dist(top, b * D, desc, off);
      if (d < d1) {
        d2 = d1;
        b2 = b1;
        d1 = d;
        b1 = b;
      } else if (d < d2) {
        d2 = d;
        b2 = b;
      }
    }
    int[] best = new int[m];
    float[] bestD = new float[m];
    Arrays.fill(best, -1);
    Arrays.fill(bestD, Float.MAX_VALUE);
    for (int b : new int[] {b1, b2}) {
      if (b < 0) {
        continue;
      }
      float[] c = children[b];
      for (int k = 0; k < c.length / D; k++) {
        float d = dist(c, k * D, desc, off);
        if (d < bestD[m - 1]) {
          int j = m - 1;
          while (j > 0 && bestD[j - 1] > d) {
            bestD[j] = bestD[j - 1];
            best[j] = best[j - 1];
            j--;
          }
          bestD[j] = d;
          best[j] = firstWord[b] + k;
        }
      }
    }
    int n = 0;
    while (n < m && best[n] >= 0) {
      n++;
    }
    // the word the stored keypoints got (tree descent) always comes first
    int single = assign(desc, off);
    int at = 0;
    while (at < n && best[at] != single) {
      at++;
    }
    if (at == n) {
      at = Math.min(n, m - 1);
      n = Math.min(n + 1, m);
    }
    System.arraycopy(best, 0, best, 1, at);
    best[0] = single;
    return n == m ? best : Arrays.copyOf(best, n);
  }

  /**
   * @param desc descriptor values
   * @param off offset of the descriptor
   * @param word its word
   * @return its 64-bit Hamming-embedding signature for that word
   */
  public long signature(float[] desc, int off, int word) {
    long sig = 0;
    int mo = word * SIGNATURE_BITS;
    for (int j = 0; j < SIGNATURE_BITS; j++) {
      float p = dot(projection, j * D, desc, off);
      if (p > medians[mo + j]) {
        sig |= 1L << j;
      }
    }
    return sig;
  }

  private static int nearest(float[] centroids, int n, float[] desc, int off) {
    int best = 0;
    float bestD = Float.MAX_VALUE;
    for (int k = 0; k < n; k++) {
      float d = dist(centroids, k * D, desc, off);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    return best;
  }

  private static float dist(float[] a, int ao, float[] b, int bo) {
    float s = 0;
    for (int j = 0; j < D; j++) {
      float t = a[ao + j] - b[bo + j];
      s += t * t;
    }
    return s;
  }

  private static float dot(float[] a, int ao, float[] b, int bo) {
    float s = 0;
    for (int j = 0; j < D; j++) {
      s += a[ao + j] * b[bo + j];
    }
    return s;
  }

  // ------------------------------------------------------------------ training

  /**
   * Learns a vocabulary from sample descriptors.
   *
   * @param sample descriptors, {@code n * 128} values (RootSIFT, as {@link RootSiftExtractor} makes them)
   * @param branching clusters per level, 2..1024 (words up to branching²)
   * @param seed seed of the k-means initialisation and of the signature projection
   * @param listener progress (task "vocabulary", one unit per branch)
   * @param cancel checked between branches
   * @return the vocabulary
   * @throws IllegalArgumentException when there are fewer sample descriptors than {@code 2 × branching}
   */
  public static VisualVocabulary train(float[] sample, int branching, long seed, ProgressListener listener,
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
    LOG.info("learned visual vocabulary of {} words from {} descriptors in {} ms", v.words, n,
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

  // ------------------------------------------------------------------ persistence

  /**
   * Writes the vocabulary (checksummed, atomic).
   *
   * @param path target file
   */
  public void write(Path path) {
    ChecksummedFile.write(path, new ChecksummedFile.Header(KIND, FORMAT, ""), out -> {
      out.writeInt(D);
      out.writeInt(SIGNATURE_BITS);
      writeShorts(out, top, CENTROID_SCALE);
      out.writeInt(children.length);
      for (float[] c : children) {
        writeShorts(out, c, CENTROID_SCALE);
      }
      writeFloats(out, projection);
      writeShorts(out, medians, MEDIAN_SCALE);
    });
  }

  /**
   * Reads a vocabulary written by {@link #write}.
   *
   * @param path the file
   * @return the vocabulary
   * @throws StoreException when the file is missing, truncated or corrupt
   * @throws io.sightline.core.IncompatibleFormatException when it is not a vocabulary file
   */
  public static VisualVocabulary read(Path path) {
    return ChecksummedFile.read(path, KIND, FORMAT, (h, in) -> {
      if (in.readInt() != D || in.readInt() != SIGNATURE_BITS) {
        throw new IOException("descriptor or signature size differs from this Sightline's");
      }
      float[] top = readShorts(in, 1 << 20, CENTROID_SCALE);
      int nb = in.readInt();
      if (nb != top.length / D || top.length % D != 0) {
        throw new IOException("branch count " + nb + " does not match the top level");
      }
      float[][] children = new float[nb][];
      for (int b = 0; b < nb; b++) {
        children[b] = readShorts(in, 1 << 20, CENTROID_SCALE);
        if (children[b].length % D != 0 || children[b].length == 0) {
          throw new IOException("malformed branch " + b);
        }
      }
      float[] projection = readFloats(in, SIGNATURE_BITS * D);
      if (projection.length != SIGNATURE_BITS * D) {
        throw new IOException("malformed projection");
      }
      float[] medians = readShorts(in, 1 << 26, MEDIAN_SCALE);
      try {
        return new VisualVocabulary(top, children, projection, medians);
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    });
  }

  /** RootSIFT centroid values lie in [0, 1]: 1/32767 steps. */
  private static final float CENTROID_SCALE = 32767f;
  /** Signature medians lie well inside [-4, 4]: 1/8191 steps. */
  private static final float MEDIAN_SCALE = 8191f;

  private static void quantise(float[] a, float scale) {
    for (int i = 0; i < a.length; i++) {
      a[i] = toShort(a[i], scale) / scale;
    }
  }

  private static short toShort(float v, float scale) {
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v * scale)));
  }

  private static void writeShorts(DataOutputStream out, float[] a, float scale) throws IOException {
    out.writeInt(a.length);
    for (float f : a) {
      out.writeShort(toShort(f, scale));
    }
  }

  private static float[] readShorts(DataInputStream in, int max, float scale) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("array length " + n + " out of range");
    }
    byte[] raw = new byte[2 * n];
    in.readFully(raw);
    java.nio.ShortBuffer sb = java.nio.ByteBuffer.wrap(raw).asShortBuffer();
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = sb.get(i) / scale;
    }
    return a;
  }

  private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
    out.writeInt(a.length);
    for (float f : a) {
      out.writeFloat(f);
    }
  }

  private static float[] readFloats(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("array length " + n + " out of range");
    }
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = in.readFloat();
    }
    return a;
  }

  private String hash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * (top.length + projection.length + medians.length));
      for (float f : top) {
        buf.putFloat(f);
      }
      for (float f : projection) {
        buf.putFloat(f);
      }
      for (float f : medians) {
        buf.putFloat(f);
      }
      md.update(buf.array());
      for (float[] c : children) {
        java.nio.ByteBuffer cb = java.nio.ByteBuffer.allocate(4 * c.length);
        for (float f : c) {
          cb.putFloat(f);
        }
        md.update(cb.array());
      }
      return HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
