package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Mask-predict caption decoding for {@link CrossModalModel#generate}. */
final class MaskPredict {
  private MaskPredict() {}

  static Caption generate(CrossModalModel model, ImageFeatures image, int maxLength, int iterations) {
    if (maxLength < 1 || maxLength > model.config.maxTextUnits()) {
      throw new IllegalArgumentException("maxLength must be in [1, " + model.config.maxTextUnits() + "]");
    }
    List<Caption.Alternative> tried = new ArrayList<>();
    Caption best = null;
    for (int length = 1; length <= maxLength; length++) {
      final int len = length;
      int[] ids = new int[len];
      float[] conf = new float[len];
      java.util.Arrays.fill(ids, Vocabulary.MASK);
      for (int it = 0; it < Math.max(1, iterations); it++) {
        int remask = it == 0 ? len : (int) Math.floor((double) len * (iterations - it) / iterations);
        if (it > 0) {
          Integer[] order = new Integer[len];
          for (int i = 0; i < len; i++) {
            order[i] = i;
          }
          java.util.Arrays.sort(order, Comparator.comparingDouble(i -> conf[i]));
          for (int r = 0; r < remask; r++) {
            ids[order[r]] = Vocabulary.MASK;
          }
          if (remask == 0) {
            break;
          }
        }
        int[] targets = new int[len];
        java.util.Arrays.fill(targets, -1);
        InputEncoder.Row row = new InputEncoder.Row(ids.clone(), targets, image,
            new boolean[model.encoder.objects(image)], true, 0f, 0f);
        float[][] probs = model.runLocked(m -> {
          NDArray logits = model.forward(m, List.of(row)).get(0).get(new NDIndex("0, 1:{}, :", 1 + len));
          NDArray p = logits.softmax(1);
          float[] flat = p.toFloatArray();
          int v = model.vocab.size();
          float[][] out = new float[len][v];
          for (int i = 0; i < len; i++) {
            System.arraycopy(flat, i * v, out[i], 0, v);
          }
          return out;
        });
        for (int i = 0; i < len; i++) {
          if (ids[i] != Vocabulary.MASK) {
            continue;
          }
          int arg = -1;
          float bestP = -1;
          for (int v = Vocabulary.SPECIALS; v < probs[i].length; v++) {
            if (probs[i][v] > bestP) {
              bestP = probs[i][v];
              arg = v;
            }
          }
          ids[i] = arg;
          conf[i] = bestP;
        }
      }
      List<String> toks = new ArrayList<>();
      List<Double> confs = new ArrayList<>();
      for (int i = 0; i < len; i++) {
        toks.add(model.vocab.token(ids[i]));
        confs.add((double) conf[i]);
      }
      String text = model.tokenizer.detokenize(toks);
      final int[] fids = ids.clone();
      int[] targets = new int[len];
      java.util.Arrays.fill(targets, -1);
      InputEncoder.Row row = new InputEncoder.Row(fids, targets, image,
          new boolean[model.encoder.objects(image)], true, 0f, 0f);
      float logit = model.runLocked(m -> model.forward(m, List.of(row)).get(2).toFloatArray()[0]);
      double s = CrossModalModel.sigmoid(logit);
      tried.add(new Caption.Alternative(text, s, Caption.Method.GENERATED));
      if (best == null || s > best.score()) {
        best = new Caption(text, s, Caption.Method.GENERATED, confs, List.of());
      }
    }
    tried.sort(Comparator.comparingDouble(Caption.Alternative::score).reversed());
    return new Caption(best.text(), best.score(), best.method(), best.unitConfidences(),
        tried.subList(1, tried.size()));
  }
}
