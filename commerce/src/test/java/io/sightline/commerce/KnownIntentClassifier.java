package io.sightline.commerce;

import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A test double of the intent gate that knows the answer: the intent {@code intentOf} gives gets
 * probability {@code top}, the other two share the rest. Used by unit tests (a fixed intent) and by
 * the evaluation (the true intent of each query, an oracle).
 */
public final class KnownIntentClassifier implements ImageClassifier {
  private final String id;
  private final float top;
  private final Function<BufferedImage, Intent> intentOf;

  /**
   * @param id the classifier id
   * @param top probability of the known intent (the others get {@code (1 - top) / 2})
   * @param intentOf the intent of an image
   */
  public KnownIntentClassifier(String id, float top, Function<BufferedImage, Intent> intentOf) {
    this.id = id;
    this.top = top;
    this.intentOf = intentOf;
  }

  @Override
  public List<Classification> classify(BufferedImage image) {
    Intent known = intentOf.apply(image);
    List<Classification> out = new ArrayList<>();
    out.add(new Classification(known.label(), top));
    for (Intent i : Intent.values()) {
      if (i != known) {
        out.add(new Classification(i.label(), (1 - top) / 2));
      }
    }
    return out;
  }

  @Override
  public List<String> labels() {
    return List.of("non-commodity", "apparel", "other-commodity");
  }

  @Override
  public String id() {
    return id;
  }
}
