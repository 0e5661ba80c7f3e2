package io.sightline.tagging;

import io.sightline.core.index.Vectors;
import io.sightline.core.text.TextEmbedder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores tags by how close their words are to an image in a shared image–text space: the cosine
 * between the image's vector and the text vector of each tag (written through a prompt template,
 * e.g. {@code "a drawing of %s"}). Tag vectors are computed once per tag and kept. Needs an image
 * embedder and a text embedder trained into the same space (e.g. {@code sightline-models}' pair).
 * Thread-safe.
 */
final class ZeroShotTags {
  private final TextEmbedder text;
  private final String template;
  private final Map<String, float[]> vectors = new ConcurrentHashMap<>();

  ZeroShotTags(TextEmbedder text, String template) {
    this.text = text;
    this.template = template;
  }

  String textEmbedderId() {
    return text.id();
  }

  int dimension() {
    return text.dimension();
  }

  /**
   * @param image the image's unit vector
   * @param vocabulary the tags to score
   * @return tag → cosine with the image
   */
  Map<String, Double> cosines(float[] image, Collection<String> vocabulary) {
    ensure(vocabulary);
    Map<String, Double> out = new HashMap<>();
    for (String t : vocabulary) {
      out.put(t, (double) Vectors.dot(vectors.get(t), image));
    }
    return out;
  }

  /**
   * @param cosines tag → cosine
   * @param temperature softmax temperature
   * @return tag → softmax share of {@code cosine / temperature} (sums to 1)
   */
  static Map<String, Double> softmax(Map<String, Double> cosines, double temperature) {
    double max = cosines.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    double sum = 0;
    Map<String, Double> out = new HashMap<>();
    for (Map.Entry<String, Double> e : cosines.entrySet()) {
      double w = Math.exp((e.getValue() - max) / temperature);
      out.put(e.getKey(), w);
      sum += w;
    }
    double total = sum;
    out.replaceAll((k, v) -> v / total);
    return out;
  }

  private void ensure(Collection<String> vocabulary) {
    List<String> missing = new ArrayList<>();
    for (String t : vocabulary) {
      if (!vectors.containsKey(t)) {
        missing.add(t);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    List<String> prompts = new ArrayList<>(missing.size());
    for (String t : missing) {
      prompts.add(String.format(Locale.ROOT, template, t.replace('_', ' ')));
    }
    List<float[]> vs = text.embedAll(prompts);
    for (int i = 0; i < missing.size(); i++) {
      vectors.put(missing.get(i), Vectors.normalizeInPlace(vs.get(i).clone()));
    }
  }
}
