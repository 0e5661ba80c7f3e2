package io.sightline.core.instance;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

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
  static final String KIND = "visual-vocabulary";
  static final int FORMAT = 1;
  /** Bits of a Hamming-embedding signature. */
  public static final int SIGNATURE_BITS = 64;
  private static final int D = LocalFeatureSet.DIMENSION;
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

  VisualVocabulary(float[] top, float[][] children, float[] projection, float[] medians) {
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

  static float dot(float[] a, int ao, float[] b, int bo) {
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
    return VocabularyTrainer.train(sample, branching, seed, listener, cancel);
  }

  // ------------------------------------------------------------------ persistence

  /**
   * Writes the vocabulary (checksummed, atomic).
   *
   * @param path target file
   */
  public void write(Path path) {
    VocabularyFile.write(path, top, children, projection, medians);
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
    return VocabularyFile.read(path);
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
