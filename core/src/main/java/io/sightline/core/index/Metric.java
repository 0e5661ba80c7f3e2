package io.sightline.core.index;

/**
 * How vectors are compared. Every index reports a distance (smaller = closer) and a similarity
 * (larger = closer) for each hit:
 * <ul>
 *   <li>{@link #COSINE}: vectors are L2-normalised on the way in; distance = 1 - cos, similarity = cos.</li>
 *   <li>{@link #INNER_PRODUCT}: distance = 1 - dot, similarity = dot (vectors used as given).</li>
 *   <li>{@link #L2}: Euclidean distance d; similarity = 1 / (1 + d).</li>
 * </ul>
 */
public enum Metric {
  /** Cosine similarity. */
  COSINE,
  /** Dot product. */
  INNER_PRODUCT,
  /** Euclidean distance. */
  L2;

  /**
   * @param distance a distance under this metric
   * @return the corresponding similarity
   */
  public float similarity(float distance) {
    return switch (this) {
      case COSINE, INNER_PRODUCT -> 1f - distance;
      case L2 -> 1f / (1f + distance);
    };
  }

  /**
   * @param a vector
   * @param b vector of the same length (already normalised for COSINE)
   * @return the distance under this metric
   */
  public float distance(float[] a, float[] b) {
    if (this == L2) {
      double s = 0;
      for (int i = 0; i < a.length; i++) {
        double d = a[i] - b[i];
        s += d * d;
      }
      return (float) Math.sqrt(s);
    }
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return (float) (1.0 - dot);
  }
}
