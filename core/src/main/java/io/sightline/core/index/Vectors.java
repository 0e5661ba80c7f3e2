package io.sightline.core.index;

import io.sightline.core.DimensionMismatchException;
import io.sightline.core.InvalidVectorException;

/** Validation and arithmetic helpers for float vectors. */
public final class Vectors {
  private Vectors() {}

  /**
   * Checks length and finiteness.
   *
   * @param v vector
   * @param dimension required length
   * @throws DimensionMismatchException on wrong length
   * @throws InvalidVectorException on NaN or infinite components or a null vector
   */
  public static void check(float[] v, int dimension) {
    if (v == null) {
      throw new InvalidVectorException("vector is null");
    }
    if (v.length != dimension) {
      throw new DimensionMismatchException(dimension, v.length);
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new InvalidVectorException("vector component " + i + " is " + v[i]
            + "; vectors must be finite");
      }
    }
  }

  /**
   * @param v vector
   * @return its Euclidean norm
   */
  public static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  /**
   * @param v vector
   * @return a unit-length copy
   * @throws InvalidVectorException when {@code v} is (numerically) zero
   */
  public static float[] normalized(float[] v) {
    double n = norm(v);
    if (n < 1e-12) {
      throw new InvalidVectorException("zero vector has no direction; cosine search needs a non-zero vector");
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / n);
    }
    return out;
  }

  /**
   * Normalises in place; leaves a zero vector as it is.
   *
   * @param v vector
   * @return {@code v}
   */
  public static float[] normalizeInPlace(float[] v) {
    double n = norm(v);
    if (n > 1e-12) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] / n);
      }
    }
    return v;
  }

  /**
   * @param a vector
   * @param b vector of the same length
   * @return dot product
   */
  public static float dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return (float) s;
  }

  /**
   * @param a vector
   * @param b vector of the same length
   * @return cosine similarity, 0 when either is zero
   */
  public static float cosine(float[] a, float[] b) {
    double na = norm(a);
    double nb = norm(b);
    if (na < 1e-12 || nb < 1e-12) {
      return 0f;
    }
    return (float) (dot(a, b) / (na * nb));
  }

  /**
   * Encodes a vector as little-endian IEEE 754 floats, 4 bytes each: the form stores keep
   * vectors in database columns.
   *
   * @param v the vector
   * @return its bytes
   */
  public static byte[] toBytes(float[] v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  /**
   * Decodes {@link #toBytes}.
   *
   * @param bytes little-endian floats
   * @return the vector
   * @throws IllegalArgumentException when the length is not a multiple of 4
   */
  public static float[] fromBytes(byte[] bytes) {
    if (bytes.length % 4 != 0) {
      throw new IllegalArgumentException("a stored vector of " + bytes.length + " bytes is not a whole number of floats");
    }
    float[] v = new float[bytes.length / 4];
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}
