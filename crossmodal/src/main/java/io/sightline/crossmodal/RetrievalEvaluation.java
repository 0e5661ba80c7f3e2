package io.sightline.crossmodal;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How well a model retrieves in both directions on a set of image–text pairs: for each distinct
 * text, are its images among the first 1, 5, 10 of all the set's images (text→image); for each
 * image, are its texts among the first 1, 5, 10 of all the set's texts (image→text).
 *
 * <p>Ranking as in {@link CrossModalModel#retrieve(String, ImageCollection, int, RetrievalSettings)},
 * in both directions: {@code EMBEDDING} by the cosine of the contrastive embeddings (one pass per
 * text and per image); {@code MATCHING} with {@code firstStage} 0 every candidate scored by the
 * matching head (one transformer pass per text–image pair: n² passes), with {@code firstStage} k the
 * embeddings choose k candidates per query, the matching head re-ranks them and the rest follow
 * in embedding order; {@code FUSED} the same candidates ranked by
 * {@code z(logit) + cosineWeight * z(cosine)}, z-scored over each query's candidates. Use pairs
 * the model was not trained on.
 *
 * @param pairs pairs read
 * @param texts distinct texts (text→image queries)
 * @param images distinct images (image→text queries)
 * @param ranking the score that ranked the candidates
 * @param firstStage candidates re-ranked per query (0: full scan; always 0 for {@code EMBEDDING})
 * @param cosineWeight the cosine's weight of a {@code FUSED} ranking (0 for the others)
 * @param textToImage recall at 1, 5, 10, text→image
 * @param imageToText recall at 1, 5, 10, image→text
 */
public record RetrievalEvaluation(int pairs, int texts, int images, RetrievalSettings.Ranking ranking,
    int firstStage, double cosineWeight, Recall textToImage, Recall imageToText) {

  /**
   * Share of queries with a relevant item in the first k.
   *
   * @param at1 within the first result
   * @param at5 within the first 5
   * @param at10 within the first 10
   */
  public record Recall(double at1, double at5, double at10) {}

  /**
   * Evaluates a model's matching-head ranking on pairs ({@link RetrievalSettings#matching(int)}).
   *
   * @param model the model
   * @param pairs the pairs (at least 2 distinct images and texts; texts without known units are
   *     left out)
   * @param firstStage 0 for a full scan, else the candidates re-ranked per query
   * @param listener progress of feature extraction ("features")
   * @param cancel checked during feature extraction
   * @return the figures
   * @throws IllegalArgumentException when fewer than 2 images or texts remain, or firstStage &lt; 0
   */
  public static RetrievalEvaluation run(CrossModalModel model, List<ImageTextPair> pairs, int firstStage,
      ProgressListener listener, CancellationToken cancel) {
    return run(model, pairs, RetrievalSettings.matching(firstStage), listener, cancel);
  }

  /**
   * Evaluates a model on pairs, ranking as the settings say.
   *
   * @param model the model
   * @param pairs the pairs (at least 2 distinct images and texts; texts without known units are
   *     left out)
   * @param settings the ranking
   * @param listener progress of feature extraction ("features")
   * @param cancel checked during feature extraction
   * @return the figures
   * @throws IllegalArgumentException when fewer than 2 images or texts remain
   */
  public static RetrievalEvaluation run(CrossModalModel model, List<ImageTextPair> pairs,
      RetrievalSettings settings, ProgressListener listener, CancellationToken cancel) {
    int firstStage = settings.firstStage();
    boolean matching = settings.ranking() != RetrievalSettings.Ranking.EMBEDDING;
    Map<String, Set<Path>> imagesOf = new LinkedHashMap<>();
    Map<Path, Set<String>> textsOf = new LinkedHashMap<>();
    for (ImageTextPair p : pairs) {
      try {
        model.checkedText(p.text());
      } catch (io.sightline.core.InputFormatException e) {
        continue;
      }
      imagesOf.computeIfAbsent(p.text(), k -> new HashSet<>()).add(p.image());
      textsOf.computeIfAbsent(p.image(), k -> new HashSet<>()).add(p.text());
    }
    List<String> texts = new ArrayList<>(imagesOf.keySet());
    List<Path> images = new ArrayList<>(textsOf.keySet());
    if (texts.size() < 2 || images.size() < 2) {
      throw new IllegalArgumentException("need at least 2 distinct images and texts with known units, got "
          + images.size() + " and " + texts.size());
    }
    ImageCollection coll = model.collection(images, listener, cancel);
    List<ImageFeatures> feats = images.stream().map(coll::features).toList();
    float[][] te = new float[texts.size()][];
    for (int t = 0; t < te.length; t++) {
      te[t] = model.textEmbedding(texts.get(t));
    }
    float[][] ie = model.imageEmbeddings(feats);
    float[][] cos = new float[texts.size()][images.size()];
    for (int t = 0; t < te.length; t++) {
      for (int i = 0; i < ie.length; i++) {
        cos[t][i] = (float) io.sightline.core.index.Vectors.dot(te[t], ie[i]);
      }
    }
    // matching logits, only where the ranking needs them (NaN: not scored)
    float[][] logit = new float[texts.size()][images.size()];
    for (float[] row : logit) {
      java.util.Arrays.fill(row, Float.NaN);
    }
    List<int[]> wanted = new ArrayList<>();
    for (int t = 0; t < te.length && matching; t++) {
      for (int i : candidates(cos[t], firstStage)) {
        wanted.add(new int[] {t, i});
      }
    }
    for (int i = 0; i < ie.length && matching; i++) {
      float[] column = new float[te.length];
      for (int t = 0; t < te.length; t++) {
        column[t] = cos[t][i];
      }
      for (int t : candidates(column, firstStage)) {
        wanted.add(new int[] {t, i});
      }
    }
    List<String> qt = new ArrayList<>();
    List<ImageFeatures> qi = new ArrayList<>();
    List<int[]> cells = new ArrayList<>();
    for (int[] c : wanted) {
      if (Float.isNaN(logit[c[0]][c[1]])) {
        logit[c[0]][c[1]] = 0f; // claimed; filled below
        cells.add(c);
        qt.add(texts.get(c[0]));
        qi.add(feats.get(c[1]));
      }
    }
    List<MatchScore> scores = qt.isEmpty() ? List.of() : model.scoreAll(qt, qi);
    for (int k = 0; k < cells.size(); k++) {
      logit[cells.get(k)[0]][cells.get(k)[1]] = (float) scores.get(k).logit();
    }
    double[] ti = new double[3];
    for (int t = 0; t < texts.size(); t++) {
      List<Integer> ranked = ranked(cos[t], logit[t], settings);
      Set<Integer> relevant = new HashSet<>();
      for (Path p : imagesOf.get(texts.get(t))) {
        relevant.add(images.indexOf(p));
      }
      add(ti, ranked, relevant);
    }
    double[] it = new double[3];
    for (int i = 0; i < images.size(); i++) {
      float[] c = new float[texts.size()];
      float[] l = new float[texts.size()];
      for (int t = 0; t < texts.size(); t++) {
        c[t] = cos[t][i];
        l[t] = logit[t][i];
      }
      Set<Integer> relevant = new HashSet<>();
      for (String s : textsOf.get(images.get(i))) {
        relevant.add(texts.indexOf(s));
      }
      add(it, ranked(c, l, settings), relevant);
    }
    return new RetrievalEvaluation(pairs.size(), texts.size(), images.size(), settings.ranking(), firstStage,
        settings.cosineWeight(),
        new Recall(ti[0] / texts.size(), ti[1] / texts.size(), ti[2] / texts.size()),
        new Recall(it[0] / images.size(), it[1] / images.size(), it[2] / images.size()));
  }

  /** The candidates the matching head scores: all (full scan), else the firstStage best by cosine. */
  private static List<Integer> candidates(float[] cos, int firstStage) {
    List<Integer> order = byDescending(cos);
    return firstStage == 0 ? order : order.subList(0, Math.min(firstStage, order.size()));
  }

  /**
   * Embedding: by cosine. Matching, full scan: by logit; two-stage: the first-stage candidates by
   * logit, then the rest by cosine. Fused: as matching, by z(logit) + w z(cosine) over the
   * candidates. Ties keep the set's order.
   */
  static List<Integer> ranked(float[] cos, float[] logit, RetrievalSettings settings) {
    List<Integer> order = byDescending(cos);
    if (settings.ranking() == RetrievalSettings.Ranking.EMBEDDING) {
      return order;
    }
    int firstStage = settings.firstStage();
    int k = firstStage == 0 ? order.size() : Math.min(firstStage, order.size());
    List<Integer> head = new ArrayList<>(order.subList(0, k));
    double[] key = new double[cos.length];
    if (settings.ranking() == RetrievalSettings.Ranking.FUSED) {
      double[] l = new double[k];
      double[] c = new double[k];
      for (int n = 0; n < k; n++) {
        l[n] = logit[head.get(n)];
        c[n] = cos[head.get(n)];
      }
      double[] f = ModelRetrieval.fused(l, c, settings.cosineWeight());
      for (int n = 0; n < k; n++) {
        key[head.get(n)] = f[n];
      }
    } else {
      for (int j : head) {
        key[j] = logit[j];
      }
    }
    head.sort(Comparator.comparingDouble((Integer j) -> -key[j]).thenComparingInt(j -> j));
    head.addAll(order.subList(k, order.size()));
    return head;
  }

  private static List<Integer> byDescending(float[] v) {
    List<Integer> order = new ArrayList<>(v.length);
    for (int j = 0; j < v.length; j++) {
      order.add(j);
    }
    order.sort(Comparator.comparingDouble((Integer j) -> -v[j]).thenComparingInt(j -> j));
    return order;
  }

  private static void add(double[] hits, List<Integer> ranked, Set<Integer> relevant) {
    int[] ks = {1, 5, 10};
    for (int n = 0; n < ks.length; n++) {
      for (int r = 0; r < Math.min(ks[n], ranked.size()); r++) {
        if (relevant.contains(ranked.get(r))) {
          hits[n]++;
          break;
        }
      }
    }
  }
}
