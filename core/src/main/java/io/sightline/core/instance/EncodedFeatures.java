package io.sightline.core.instance;

/**
 * The features of one stored image as an {@link InstanceIndex} keeps them: per keypoint its
 * visual word, its Hamming-embedding signature and its geometry (position, size, orientation in
 * working-image pixels). About 28 bytes per keypoint; no descriptors.
 *
 * @param width working image width
 * @param height working image height
 * @param words visual word per keypoint
 * @param signatures 64-bit signature per keypoint
 * @param xs x per keypoint
 * @param ys y per keypoint
 * @param sizes SIFT size per keypoint
 * @param angles orientation per keypoint, degrees
 */
record EncodedFeatures(int width, int height, int[] words, long[] signatures, float[] xs, float[] ys,
    float[] sizes, float[] angles) {

  EncodedFeatures {
    int n = words.length;
    if (signatures.length != n || xs.length != n || ys.length != n || sizes.length != n || angles.length != n) {
      throw new IllegalArgumentException("inconsistent encoded features");
    }
  }

  int count() {
    return words.length;
  }

  /** Quantises extracted features with a vocabulary (single assignment). */
  static EncodedFeatures encode(LocalFeatureSet f, VisualVocabulary vocabulary) {
    int n = f.count();
    int[] words = new int[n];
    long[] sigs = new long[n];
    float[] d = f.descriptors();
    for (int i = 0; i < n; i++) {
      int off = i * LocalFeatureSet.DIMENSION;
      words[i] = vocabulary.assign(d, off);
      sigs[i] = vocabulary.signature(d, off, words[i]);
    }
    return new EncodedFeatures(f.width(), f.height(), words, sigs, f.xs().clone(), f.ys().clone(),
        f.sizes().clone(), f.angles().clone());
  }

  long bytes() {
    return 28L * words.length + 64;
  }
}
