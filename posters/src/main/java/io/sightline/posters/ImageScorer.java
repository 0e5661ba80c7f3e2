package io.sightline.posters;

import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Set;

/**
 * Scores an image in [0,1]. Used for the expression score of a face crop (seed (64)–(66),
 * claim 10) and for the attractiveness of a whole poster (seed (66)). Implementations must be
 * thread-safe.
 */
public interface ImageScorer {
  /**
   * @param image a face crop (expression) or a poster (attractiveness)
   * @return a score in [0,1], higher is better
   */
  double score(BufferedImage image);

  /** @return stable id including a version, reported with every score */
  String id();

  /**
   * Adapts any classifier (for example core's {@code OnnxImageClassifier} running an expression or
   * aesthetics model) into a scorer: the score is the summed probability of the positive labels.
   *
   * @param classifier the model
   * @param positiveLabels labels that count as good (e.g. "happy", "neutral"); each must be one of
   *     {@code classifier.labels()}
   * @return the scorer
   * @throws IllegalArgumentException when a positive label is unknown to the classifier
   */
  static ImageScorer fromClassifier(ImageClassifier classifier, Set<String> positiveLabels) {
    if (classifier == null || positiveLabels == null || positiveLabels.isEmpty()) {
      throw new IllegalArgumentException("need a classifier and at least one positive label");
    }
    for (String l : positiveLabels) {
      if (!classifier.labels().contains(l)) {
        throw new IllegalArgumentException("positive label '" + l + "' is not one of " + classifier.id()
            + "'s labels " + classifier.labels());
      }
    }
    Set<String> pos = Set.copyOf(positiveLabels);
    return new ImageScorer() {
      @Override
      public double score(BufferedImage image) {
        List<Classification> cs = classifier.classify(image);
        double s = 0;
        for (Classification c : cs) {
          if (pos.contains(c.label())) {
            s += c.probability();
          }
        }
        return Math.max(0, Math.min(1, s));
      }

      @Override
      public String id() {
        return "classifier:" + classifier.id() + pos;
      }
    };
  }
}
