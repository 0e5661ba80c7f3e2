package io.sightline.core.instance;

import static io.sightline.core.instance.VisualVocabulary.FORMAT;
import static io.sightline.core.instance.VisualVocabulary.KIND;
import static io.sightline.core.instance.VisualVocabulary.SIGNATURE_BITS;

import io.sightline.core.store.ChecksummedFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The file format of {@link VisualVocabulary} ({@link ChecksummedFile} kind
 * {@value VisualVocabulary#KIND}): descriptor and signature sizes, the top-level centroids, the
 * branch count and each branch's centroids (all centroids 16-bit fixed point), the projection
 * (floats) and the medians (16-bit fixed point). {@link #quantise} puts freshly learned values on
 * that grid. Stateless.
 */
final class VocabularyFile {
  private static final int D = LocalFeatureSet.DIMENSION;

  private VocabularyFile() {}

  /** Body of {@link VisualVocabulary#write}. */
  static void write(Path path, float[] top, float[][] children, float[] projection, float[] medians) {
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

  /** Body of {@link VisualVocabulary#read}. */
  static VisualVocabulary read(Path path) {
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
  static final float CENTROID_SCALE = 32767f;
  /** Signature medians lie well inside [-4, 4]: 1/8191 steps. */
  static final float MEDIAN_SCALE = 8191f;

  static void quantise(float[] a, float scale) {
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
}
