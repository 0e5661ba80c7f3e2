package io.sightline.crossmodal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * An epoch's training rows (claim 4): per pair a masked row (masking task) and a plain positive
 * (matching task), and {@code negativesPerPositive} negatives made of the pair's text with
 * another pair's image (RANDOM_IMAGE) and/or the pair's image with another pair's text
 * (RANDOM_TEXT), alternating for BOTH.
 */
final class TrainingSamples {
  private final InputEncoder enc;
  private final boolean maskingTask;
  private final boolean matchingTask;
  private final MaskingMode maskingMode;
  private final ObjectMasking objectMasking;
  private final double textMaskProbability;
  private final double spanProbability;
  private final NegativeSampling negatives;
  private final double negativesPerPositive;

  TrainingSamples(InputEncoder enc, boolean maskingTask, boolean matchingTask, MaskingMode maskingMode,
      ObjectMasking objectMasking, double textMaskProbability, double spanProbability,
      NegativeSampling negatives, double negativesPerPositive) {
    this.enc = enc;
    this.maskingTask = maskingTask;
    this.matchingTask = matchingTask;
    this.maskingMode = maskingMode;
    this.objectMasking = objectMasking;
    this.textMaskProbability = textMaskProbability;
    this.spanProbability = spanProbability;
    this.negatives = negatives;
    this.negativesPerPositive = negativesPerPositive;
  }

  /** The image's features: its given boxes, or (grid augmentation, half the time) the grid layout. */
  private static ImageFeatures pick(ImageTextPair p, Map<Path, ImageFeatures> feats,
      Map<Path, ImageFeatures> gridFeats, Random rnd) {
    ImageFeatures g = gridFeats.get(p.image());
    return g != null && rnd.nextBoolean() ? g : feats.get(p.image());
  }

  /**
   * @param pairs the pairs
   * @param feats features by image (given boxes, or the query-time layout)
   * @param gridFeats query-time layout of images with given boxes (grid augmentation)
   * @param rnd the epoch's random source
   * @param mask whether to make the masking task's rows
   * @return the rows, in pair order (the caller shuffles)
   */
  List<InputEncoder.Row> samples(List<ImageTextPair> pairs, Map<Path, ImageFeatures> feats,
      Map<Path, ImageFeatures> gridFeats, Random rnd, boolean mask) {
    List<InputEncoder.Row> rows = new ArrayList<>();
    int n = pairs.size();
    int negCounter = 0;
    for (int i = 0; i < n; i++) {
      ImageTextPair p = pairs.get(i);
      InputEncoder.Text t = enc.text(p.text());
      if (t.length() == 0) {
        continue;
      }
      ImageFeatures img = pick(p, feats, gridFeats, rnd);
      if (mask && maskingTask) {
        int[] targets = new int[t.length()];
        int[] ids = t.ids().clone();
        java.util.Arrays.fill(targets, -1);
        boolean[] objMasked = new boolean[enc.objects(img)];
        MaskingMode mode = maskingMode == MaskingMode.MIXED
            ? MaskingMode.values()[rnd.nextInt(3)] : maskingMode;
        if (mode == MaskingMode.TEXT || mode == MaskingMode.BOTH) {
          ids = enc.maskText(t, textMaskProbability, spanProbability, rnd, targets);
        }
        if (mode == MaskingMode.OBJECTS || mode == MaskingMode.BOTH) {
          objMasked = enc.maskObjects(img, objectMasking, rnd);
        }
        rows.add(new InputEncoder.Row(ids, targets, img, objMasked, true, 1f, 0f));
      }
      if (matchingTask) {
        ImageFeatures pi = pick(p, feats, gridFeats, rnd);
        rows.add(enc.plain(t, pi));
      }
      if (!matchingTask || n < 2) {
        continue;
      }
      double want = negativesPerPositive;
      int k = (int) Math.floor(want) + (rnd.nextDouble() < want - Math.floor(want) ? 1 : 0);
      for (int j = 0; j < k; j++) {
        NegativeSampling ns = negatives == NegativeSampling.BOTH
            ? (negCounter++ % 2 == 0 ? NegativeSampling.RANDOM_IMAGE : NegativeSampling.RANDOM_TEXT)
            : negatives;
        ImageTextPair other = pairs.get(otherIndex(pairs, i, rnd));
        if (ns == NegativeSampling.RANDOM_IMAGE) {
          ImageFeatures oi = pick(other, feats, gridFeats, rnd);
          int[] nt = new int[t.length()];
          java.util.Arrays.fill(nt, -1);
          rows.add(new InputEncoder.Row(t.ids().clone(), nt, oi, new boolean[enc.objects(oi)], false, 0f, 1f));
        } else {
          InputEncoder.Text ot = enc.text(other.text());
          if (ot.length() == 0) {
            continue;
          }
          int[] nt = new int[ot.length()];
          java.util.Arrays.fill(nt, -1);
          ImageFeatures fi = pick(p, feats, gridFeats, rnd);
          rows.add(new InputEncoder.Row(ot.ids().clone(), nt, fi, new boolean[enc.objects(fi)], false, 0f, 1f));
        }
      }
    }
    return rows;
  }

  /** A random pair index whose image and text both differ from pair i (falls back to any other). */
  private static int otherIndex(List<ImageTextPair> pairs, int i, Random rnd) {
    ImageTextPair p = pairs.get(i);
    for (int tries = 0; tries < 20; tries++) {
      int j = rnd.nextInt(pairs.size());
      ImageTextPair q = pairs.get(j);
      if (j != i && !q.image().equals(p.image()) && !q.text().equals(p.text())) {
        return j;
      }
    }
    int j = rnd.nextInt(pairs.size() - 1);
    return j >= i ? j + 1 : j;
  }

}
