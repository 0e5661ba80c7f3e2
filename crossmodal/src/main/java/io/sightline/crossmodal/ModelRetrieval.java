package io.sightline.crossmodal;

import ai.djl.training.ParameterStore;
import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.index.SearchResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matching and retrieval for {@link CrossModalModel}: batched pair scoring, the contrastive text
 * and image embeddings of the first stage, collections, and two-stage ranking. Model calls go
 * through {@link CrossModalModel#runLocked}.
 */
final class ModelRetrieval {
  static final int BATCH = 64;

  private ModelRetrieval() {}

  static List<MatchScore> scoreAll(CrossModalModel model, List<String> texts, List<ImageFeatures> images) {
    if (texts.size() != images.size()) {
      throw new IllegalArgumentException("as many texts as images expected");
    }
    List<InputEncoder.Row> rows = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      rows.add(model.encoder.plain(model.checkedText(texts.get(i)), images.get(i)));
    }
    List<MatchScore> out = new ArrayList<>(rows.size());
    for (int from = 0; from < rows.size(); from += BATCH) {
      List<InputEncoder.Row> batch = rows.subList(from, Math.min(rows.size(), from + BATCH));
      float[] logits = model.runLocked(m -> model.forward(m, batch).get(2).toFloatArray());
      for (float l : logits) {
        out.add(new MatchScore(CrossModalModel.sigmoid(l), l));
      }
    }
    return out;
  }

  static ImageCollection collection(CrossModalModel model, List<Path> images, ProgressListener listener,
      CancellationToken cancel) {
    Map<Path, ImageFeatures> f = new LinkedHashMap<>();
    int done = 0;
    for (Path p : images) {
      cancel.throwIfCancelled();
      f.put(p, model.extractor.extract(p, List.of()));
      listener.onProgress("features", ++done, images.size(), p.getFileName().toString());
    }
    return model.collection(f);
  }

  /** (x - mean) / standard deviation over the values; all 0 when they do not vary. */
  static double[] zScores(double[] x) {
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= Math.max(1, x.length);
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(var / Math.max(1, x.length));
    double[] z = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      z[i] = sd > 1e-12 ? (x[i] - mean) / sd : 0;
    }
    return z;
  }

  /** The fused ranking's score of each candidate: z(logit) + cosineWeight * z(cosine), over the candidates. */
  static double[] fused(double[] logit, double[] cos, double cosineWeight) {
    double[] zl = zScores(logit);
    double[] zc = zScores(cos);
    double[] f = new double[logit.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = zl[i] + cosineWeight * zc[i];
    }
    return f;
  }

  static float[] textEmbedding(CrossModalModel model, String text) {
    return textEmbeddings(model, List.of(text))[0];
  }

  /** Contrastive embeddings of texts with text units (text-only passes, batched), in order. */
  static float[][] textEmbeddings(CrossModalModel model, List<String> texts) {
    List<InputEncoder.Row> rows = new ArrayList<>(texts.size());
    for (String text : texts) {
      InputEncoder.Text t = model.checkedText(text);
      rows.add(new InputEncoder.Row(t.ids().clone(), new int[t.length()], null, new boolean[0], true, 0f, 0f));
    }
    return embeddings(model, rows, InputEncoder.View.TEXT, 4);
  }

  static float[][] imageEmbeddings(CrossModalModel model, List<ImageFeatures> images) {
    List<InputEncoder.Row> rows = new ArrayList<>(images.size());
    for (ImageFeatures f : images) {
      rows.add(new InputEncoder.Row(new int[0], new int[0], f, new boolean[model.encoder.objects(f)], true, 0f, 0f));
    }
    return embeddings(model, rows, InputEncoder.View.IMAGE, 5);
  }

  /** One view's embeddings (output {@code output} of the pass) of the rows, in batches of {@link #BATCH}. */
  private static float[][] embeddings(CrossModalModel model, List<InputEncoder.Row> all, InputEncoder.View view,
      int output) {
    float[][] out = new float[all.size()][];
    int e = model.config.width();
    for (int from = 0; from < all.size(); from += BATCH) {
      List<InputEncoder.Row> rows = all.subList(from, Math.min(all.size(), from + BATCH));
      float[] flat = model.runLocked(m -> model.block.embeddings(new ParameterStore(m, false),
          model.encoder.inputs(m, rows, view), view).get(output).toFloatArray());
      for (int i = 0; i < rows.size(); i++) {
        out[from + i] = java.util.Arrays.copyOfRange(flat, i * e, (i + 1) * e);
      }
    }
    return out;
  }

  static List<ImageMatch> retrieve(CrossModalModel model, String text, ImageCollection images, int k,
      RetrievalSettings settings) {
    return switch (settings.ranking()) {
      case EMBEDDING -> byEmbedding(model, text, images, k);
      case MATCHING, FUSED -> retrieve(model, text, images, k, settings.firstStage(), settings.cosineWeight());
    };
  }

  /** The k images nearest to the text by embedding; the matching head scores only those k. */
  private static List<ImageMatch> byEmbedding(CrossModalModel model, String text, ImageCollection images, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1");
    }
    List<SearchResult<String>> nearest = images.search(model.textEmbedding(text), k);
    List<ImageFeatures> feats = new ArrayList<>();
    for (SearchResult<String> r : nearest) {
      feats.add(images.features(Path.of(r.id())));
    }
    List<MatchScore> scores = model.scoreAll(java.util.Collections.nCopies(feats.size(), text), feats);
    List<ImageMatch> out = new ArrayList<>(nearest.size());
    for (int i = 0; i < nearest.size(); i++) {
      out.add(new ImageMatch(Path.of(nearest.get(i).id()), scores.get(i).score(), scores.get(i).logit(),
          nearest.get(i).similarity()));
    }
    return List.copyOf(out);
  }

  static List<ImageMatch> retrieve(CrossModalModel model, String text, ImageCollection images, int k,
      int firstStage, double cosineWeight) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1");
    }
    if (!(cosineWeight >= 0) || Double.isInfinite(cosineWeight)) {
      throw new IllegalArgumentException("cosineWeight must be finite and at least 0: " + cosineWeight);
    }
    model.checkedText(text);
    List<Path> candidates;
    Map<Path, Double> firstSim = new LinkedHashMap<>();
    if (firstStage > 0 && images.size() > firstStage) {
      float[] q = model.textEmbedding(text);
      candidates = new ArrayList<>();
      for (SearchResult<String> r : images.search(q, firstStage)) {
        Path p = Path.of(r.id());
        candidates.add(p);
        firstSim.put(p, (double) r.similarity());
      }
    } else {
      candidates = images.images();
    }
    List<ImageFeatures> feats = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (Path p : candidates) {
      feats.add(images.features(p));
      texts.add(text);
    }
    List<MatchScore> scores = model.scoreAll(texts, feats);
    List<ImageMatch> out = new ArrayList<>();
    if (cosineWeight > 0 && firstSim.isEmpty()) {
      // every image is a candidate: the cosine of each, from the collection's embeddings
      float[] sims = images.similarities(model.textEmbedding(text));
      for (int i = 0; i < sims.length; i++) {
        firstSim.put(images.images().get(i), (double) sims[i]);
      }
    }
    double[] logit = new double[candidates.size()];
    double[] cos = new double[candidates.size()];
    for (int i = 0; i < candidates.size(); i++) {
      Path p = candidates.get(i);
      logit[i] = scores.get(i).logit();
      cos[i] = firstSim.getOrDefault(p, Double.NaN);
      out.add(new ImageMatch(p, scores.get(i).score(), scores.get(i).logit(), cos[i]));
    }
    if (cosineWeight > 0) {
      double[] fused = fused(logit, cos, cosineWeight);
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < fused.length; i++) {
        idx.add(i);
      }
      idx.sort((a, b) -> Double.compare(fused[b], fused[a]));
      List<ImageMatch> ranked = new ArrayList<>();
      for (int i : idx.subList(0, Math.min(k, idx.size()))) {
        ranked.add(out.get(i));
      }
      return List.copyOf(ranked);
    }
    out.sort(Comparator.comparingDouble(ImageMatch::logit).reversed());
    return List.copyOf(out.subList(0, Math.min(k, out.size())));
  }
}
