package io.sightline.describer;

import io.sightline.core.instance.LocalFeatureSet;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The database form of an image's local features, kept by {@link ReferenceInstances} for a store
 * on a caller's database (its instance index is in memory and re-indexed from it at every open).
 */
final class LocalFeatureCodec {
  private static final int FEATURES_FORMAT = 1;

  private LocalFeatureCodec() {}

  /**
   * Compact form of local features for a database: format, working size, keypoint count, then per
   * keypoint x, y, size, angle (floats) and the RootSIFT descriptor quantised to bytes (value ×
   * 255; RootSIFT values lie in [0, 1]).
   */
  static byte[] encode(LocalFeatureSet f) {
    int n = f.count();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + n * (16 + LocalFeatureSet.DIMENSION));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FEATURES_FORMAT);
      out.writeInt(f.width());
      out.writeInt(f.height());
      out.writeInt(n);
      float[] d = f.descriptors();
      byte[] row = new byte[LocalFeatureSet.DIMENSION];
      for (int i = 0; i < n; i++) {
        out.writeFloat(f.xs()[i]);
        out.writeFloat(f.ys()[i]);
        out.writeFloat(f.sizes()[i]);
        out.writeFloat(f.angles()[i]);
        for (int j = 0; j < row.length; j++) {
          row[j] = (byte) Math.round(Math.max(0f, Math.min(1f, d[i * row.length + j])) * 255f);
        }
        out.write(row);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads what {@link #encode} wrote; descriptors are L2-normalised again. */
  static LocalFeatureSet decode(byte[] data) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int format = in.readUnsignedByte();
      if (format != FEATURES_FORMAT) {
        throw new IOException("unknown local feature format " + format);
      }
      int w = in.readInt();
      int h = in.readInt();
      int n = in.readInt();
      int dim = LocalFeatureSet.DIMENSION;
      if (n < 0 || (long) n * (16 + dim) != data.length - 13L) {
        throw new IOException("bad local feature block (" + n + " keypoints, " + data.length + " bytes)");
      }
      float[] xs = new float[n];
      float[] ys = new float[n];
      float[] sizes = new float[n];
      float[] angles = new float[n];
      float[] d = new float[n * dim];
      byte[] row = new byte[dim];
      for (int i = 0; i < n; i++) {
        xs[i] = in.readFloat();
        ys[i] = in.readFloat();
        sizes[i] = in.readFloat();
        angles[i] = in.readFloat();
        in.readFully(row);
        double norm = 0;
        for (int j = 0; j < dim; j++) {
          float v = (row[j] & 0xFF) / 255f;
          d[i * dim + j] = v;
          norm += v * v;
        }
        if (norm > 0) {
          float inv = (float) (1 / Math.sqrt(norm));
          for (int j = 0; j < dim; j++) {
            d[i * dim + j] *= inv;
          }
        }
      }
      return new LocalFeatureSet(w, h, xs, ys, sizes, angles, d);
    }
  }
}
