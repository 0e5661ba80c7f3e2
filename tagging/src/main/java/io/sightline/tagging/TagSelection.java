package io.sightline.tagging;

/**
 * Which ranked tags are returned (seed [0037]): the top N, every tag at or above a frequency
 * threshold, or the top N of those above the threshold.
 *
 * @param top at most this many tags ({@code Integer.MAX_VALUE} for no limit)
 * @param minFrequency only tags whose frequency is at least this (0 for no threshold)
 */
public record TagSelection(int top, double minFrequency) {
  /** Validates the values. */
  public TagSelection {
    if (top < 1) {
      throw new IllegalArgumentException("top must be at least 1: " + top);
    }
    if (!(minFrequency >= 0 && minFrequency <= 1)) {
      throw new IllegalArgumentException("minFrequency must be in [0, 1]: " + minFrequency);
    }
  }

  /**
   * @param n how many tags
   * @return the n most frequent tags
   */
  public static TagSelection top(int n) {
    return new TagSelection(n, 0.0);
  }

  /**
   * @param f threshold in [0, 1]
   * @return every tag whose frequency is at least f
   */
  public static TagSelection minFrequency(double f) {
    return new TagSelection(Integer.MAX_VALUE, f);
  }

  /**
   * @param n how many tags at most
   * @param f threshold in [0, 1]
   * @return the n most frequent tags among those whose frequency is at least f
   */
  public static TagSelection topAbove(int n, double f) {
    return new TagSelection(n, f);
  }
}
