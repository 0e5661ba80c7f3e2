package io.sightline.core.instance;

/**
 * A query's features as the search uses them: geometry per keypoint and, per keypoint, up to
 * {@code m} visual words (multiple assignment) with one signature each.
 *
 * @param width working image width
 * @param height working image height
 * @param xs x per keypoint
 * @param ys y per keypoint
 * @param sizes SIFT size per keypoint
 * @param angles orientation per keypoint, degrees
 * @param words {@code words[i]} the words of keypoint i, nearest first
 * @param signatures {@code signatures[i][j]} the signature of keypoint i for {@code words[i][j]}
 */
record QueryFeatures(int width, int height, float[] xs, float[] ys, float[] sizes, float[] angles,
    int[][] words, long[][] signatures) {

  int count() {
    return xs.length;
  }

  static QueryFeatures encode(LocalFeatureSet f, VisualVocabulary vocabulary, int multipleAssignment) {
    int n = f.count();
    int[][] words = new int[n][];
    long[][] sigs = new long[n][];
    float[] d = f.descriptors();
    for (int i = 0; i < n; i++) {
      int off = i * LocalFeatureSet.DIMENSION;
      words[i] = vocabulary.assignMultiple(d, off, multipleAssignment);
      sigs[i] = new long[words[i].length];
      for (int j = 0; j < words[i].length; j++) {
        sigs[i][j] = vocabulary.signature(d, off, words[i][j]);
      }
    }
    return new QueryFeatures(f.width(), f.height(), f.xs(), f.ys(), f.sizes(), f.angles(), words, sigs);
  }
}
