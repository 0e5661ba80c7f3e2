package io.sightline.commerce;

import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.instance.Matcher;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link ProductSearcher.Builder} collects, with the defaults, and the checks its
 * {@link ProductSearcher.Builder#build() build()} runs before the searcher is made. Not
 * thread-safe, like the builder that owns it; the searcher reads it once, in its constructor.
 */
final class SearcherOptions {
  ProductCatalog catalog;
  ImageClassifier intentClassifier;
  final Map<String, Intent> intentLabels = new HashMap<>();
  ObjectDetector detector;
  Set<String> garmentLabels;
  float minDetectionScore = 0f;
  double regionPadding = 0.05;
  int candidates = 30;
  int top = 10;
  double maxDistance = FilterPreset.CALIBRATED.maxDistance();
  Double rankThreshold = FilterPreset.CALIBRATED.rankThreshold();
  Double entropyThreshold = FilterPreset.CALIBRATED.entropyThreshold();
  boolean categoryOrdering = FilterPreset.CALIBRATED.categoryOrdering();
  boolean pinBestMatch = FilterPreset.CALIBRATED.pinBestMatch();
  boolean dedupe = true;
  double gateMargin = ProductSearcher.DEFAULT_GATE_MARGIN;
  Intent fixedIntent;
  boolean gateOff;
  Boolean otherCommodityMainObject;
  boolean mainObjectUnion;
  ImageLoader loader = ImageLoader.defaults();
  Matcher matcher;
  boolean instanceQueryRegions;

  /**
   * @return these options, checked
   * @throws IllegalStateException as documented on {@link ProductSearcher.Builder#build()}
   */
  SearcherOptions validated() {
    if (catalog == null) {
      throw new IllegalStateException("ProductSearcher: catalog is required");
    }
    if (gateOff && fixedIntent != null) {
      throw new IllegalStateException("ProductSearcher: withoutGate() and fixedIntent(" + fixedIntent
          + ") exclude each other; choose one");
    }
    if (gateOff || fixedIntent != null) {
      return checked();
    }
    if (intentClassifier == null) {
      throw new IllegalStateException("ProductSearcher: intentClassifier is required "
          + "(train one with EmbeddingIntentClassifier.trainer(...) or plug an ImageClassifier), unless the gate is "
          + "off (withoutGate()) or the intent fixed (fixedIntent(...))");
    }
    Set<Intent> covered = IntentGate.covered(intentClassifier, intentLabels);
    if (!covered.contains(Intent.NON_COMMODITY) || covered.size() < 2) {
      throw new IllegalStateException("ProductSearcher: the intent classifier must output non-commodity and at "
          + "least one commodity intent; its labels map to " + covered);
    }
    return checked();
  }

  private SearcherOptions checked() {
    if (matcher != null && matcher.usesInstances() && !catalog.matcher().usesInstances()) {
      throw new IllegalStateException("ProductSearcher: matcher " + matcher + " needs an instance index, but catalog "
          + catalog.where() + " was built with the global matcher; build it with matcher local or hybrid");
    }
    if (top > candidates) {
      throw new IllegalStateException("ProductSearcher: top (" + top + ") exceeds candidates (" + candidates + ")");
    }
    return this;
  }
}
