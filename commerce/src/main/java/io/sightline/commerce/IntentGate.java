package io.sightline.commerce;

import io.sightline.core.ModelException;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The intent gate of a {@link ProductSearcher}, as a score: the classifier's probabilities are
 * summed per intent, and the top intent decides only when it leads the runner-up by at least the
 * margin; otherwise both segments are searched. Also the fixed-intent and gate-off modes.
 * Package-private, immutable, thread-safe when the classifier is.
 */
final class IntentGate {
  static final List<Intent> SEGMENTS = List.of(Intent.APPAREL, Intent.OTHER_COMMODITY);

  private final ImageClassifier classifier;
  private final Map<String, Intent> labels;
  private final double margin;
  private final Intent fixed;
  private final boolean off;

  IntentGate(ImageClassifier classifier, Map<String, Intent> labels, double margin, Intent fixed, boolean off) {
    this.classifier = classifier;
    this.labels = Map.copyOf(labels);
    this.margin = margin;
    this.fixed = fixed;
    this.off = off;
  }

  /** @return the classifier's output, empty when no classifier runs (gate off, fixed intent) */
  List<Classification> classify(BufferedImage image) {
    if (off || fixed != null) {
      return List.of();
    }
    List<Classification> scores = classifier.classify(image);
    if (scores.isEmpty()) {
      throw new ModelException("intent classifier " + classifier.id() + " returned no label");
    }
    return scores;
  }

  /** @return the decision for these scores (ignored when the gate is off or the intent fixed) */
  GateDecision decide(List<Classification> scores) {
    if (off) {
      return new GateDecision(GateDecision.Mode.OFF, null, Double.NaN, Double.NaN, false, SEGMENTS);
    }
    if (fixed != null) {
      return new GateDecision(GateDecision.Mode.FIXED, fixed, Double.NaN, Double.NaN, false, List.of(fixed));
    }
    Map<Intent, Double> p = new EnumMap<>(Intent.class);
    for (Classification c : scores) {
      p.merge(toIntent(c.label()), (double) c.probability(), Double::sum);
    }
    List<Map.Entry<Intent, Double>> sorted = new ArrayList<>(p.entrySet());
    sorted.sort(Map.Entry.<Intent, Double>comparingByValue().reversed());
    Intent top = sorted.get(0).getKey();
    double lead = sorted.size() < 2 ? sorted.get(0).getValue() : sorted.get(0).getValue() - sorted.get(1).getValue();
    boolean uncertain = lead < margin;
    List<Intent> segments = uncertain ? SEGMENTS : top.isCommodity() ? List.of(top) : List.of();
    return new GateDecision(GateDecision.Mode.CLASSIFIER, top, lead, margin, uncertain, segments);
  }

  private Intent toIntent(String label) {
    Intent i = labels.get(label);
    if (i != null) {
      return i;
    }
    try {
      return Intent.parse(label);
    } catch (IllegalArgumentException e) {
      throw new ModelException("intent classifier " + classifier.id() + " returned label '" + label
          + "' that maps to no intent; map it with intentLabel()");
    }
  }

  /**
   * @return the intents the classifier's labels map to
   * @throws IllegalStateException naming a label that maps to no intent
   */
  static Set<Intent> covered(ImageClassifier classifier, Map<String, Intent> labels) {
    Set<Intent> covered = EnumSet.noneOf(Intent.class);
    for (String l : classifier.labels()) {
      Intent i = labels.get(l);
      if (i == null) {
        try {
          i = Intent.parse(l);
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException("ProductSearcher: intent classifier label '" + l
              + "' maps to no intent; map it with intentLabel(\"" + l + "\", Intent.X)");
        }
      }
      covered.add(i);
    }
    return covered;
  }
}
