package io.sightline.crossmodal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The pairs of each training step's contrastive passes (in-batch negatives: distinct images and
 * distinct texts within a batch, so no other row is a hidden positive), and the hard negatives the
 * matching head gets from the contrastive similarities of that batch.
 */
final class ContrastiveBatches {
  private final List<InputEncoder.Row> rows;
  private final List<Path> images;
  private final List<InputEncoder.Text> texts;
  private final int size;
  private final double wordDropout;
  private final Random rnd;
  private int next;

  /**
   * @param pairs training pairs
   * @param feats image features by image (the query-time layout)
   * @param enc the encoder
   * @param size pairs per batch
   * @param rnd the epoch's random source (pair order)
   */
  ContrastiveBatches(List<ImageTextPair> pairs, Map<Path, ImageFeatures> feats, InputEncoder enc,
      int size, Random rnd) {
    this(pairs, feats, enc, size, rnd, 0);
  }

  /**
   * @param wordDropout chance that each word of a text is left out of a batch's text (at least
   *     one word stays); 0 for the texts as they are
   */
  ContrastiveBatches(List<ImageTextPair> pairs, Map<Path, ImageFeatures> feats, InputEncoder enc,
      int size, Random rnd, double wordDropout) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    this.rows = new ArrayList<>();
    this.images = new ArrayList<>();
    this.texts = new ArrayList<>();
    this.wordDropout = wordDropout;
    this.rnd = rnd;
    for (int i : order) {
      ImageTextPair p = pairs.get(i);
      InputEncoder.Text t = enc.text(p.text());
      if (t.length() > 0) {
        rows.add(enc.plain(t, feats.get(p.image())));
        images.add(p.image());
        texts.add(t);
      }
    }
    this.size = size;
  }

  /** @return batches in one pass over the pairs (at least 1) */
  int batches() {
    return Math.max(1, (rows.size() + size - 1) / size);
  }

  /** @return the next batch's positive pairs (plain rows), cycling through the pairs */
  List<InputEncoder.Row> next() {
    List<InputEncoder.Row> out = new ArrayList<>();
    Set<Path> seenImages = new HashSet<>();
    Set<String> seenTexts = new HashSet<>();
    for (int tries = 0; tries < rows.size() && out.size() < size; tries++) {
      int i = next;
      next = (next + 1) % rows.size();
      String text = java.util.Arrays.toString(rows.get(i).ids());
      if (seenImages.add(images.get(i)) && seenTexts.add(text)) {
        out.add(wordDropout > 0 ? dropWords(i) : rows.get(i));
      } else {
        seenImages.add(images.get(i));
      }
    }
    return out;
  }

  /** Row i with each word left out with chance {@link #wordDropout} (its units together; one word stays). */
  private InputEncoder.Row dropWords(int i) {
    InputEncoder.Text t = texts.get(i);
    int[] words = t.words();
    int last = words.length == 0 ? -1 : words[words.length - 1];
    boolean[] drop = new boolean[last + 1];
    int kept = 0;
    for (int w = 0; w <= last; w++) {
      drop[w] = rnd.nextDouble() < wordDropout;
      kept += drop[w] ? 0 : 1;
    }
    if (kept == 0 && last >= 0) {
      drop[rnd.nextInt(last + 1)] = false;
    }
    int[] ids = new int[t.length()];
    int n = 0;
    for (int u = 0; u < t.length(); u++) {
      if (!drop[words[u]]) {
        ids[n++] = t.ids()[u];
      }
    }
    InputEncoder.Row r = rows.get(i);
    int[] targets = new int[n];
    java.util.Arrays.fill(targets, -1);
    return new InputEncoder.Row(java.util.Arrays.copyOf(ids, n), targets, r.img(), r.objMasked().clone(),
        true, 0f, 1f);
  }

  /**
   * Matching rows mined from the contrastive similarities: for pair i its positive, and the most
   * similar non-matching image (even i) or text (odd i) of the batch as a negative.
   *
   * @param pos the batch's pairs
   * @param sims text-by-image cosine similarities, row-major [P,P]
   * @return 2P rows for the matching loss
   */
  static List<InputEncoder.Row> hardNegatives(List<InputEncoder.Row> pos, float[] sims) {
    int p = pos.size();
    List<InputEncoder.Row> out = new ArrayList<>(2 * p);
    for (int i = 0; i < p; i++) {
      out.add(pos.get(i));
      boolean imageSide = i % 2 == 0;
      int best = -1;
      float bestSim = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < p; j++) {
        float s = imageSide ? sims[i * p + j] : sims[j * p + i];
        if (j != i && s > bestSim) {
          bestSim = s;
          best = j;
        }
      }
      if (best < 0) {
        continue;
      }
      InputEncoder.Row text = imageSide ? pos.get(i) : pos.get(best);
      InputEncoder.Row image = imageSide ? pos.get(best) : pos.get(i);
      int[] targets = new int[text.ids().length];
      java.util.Arrays.fill(targets, -1);
      out.add(new InputEncoder.Row(text.ids().clone(), targets, image.img(),
          new boolean[image.objMasked().length], false, 0f, 1f));
    }
    return out;
  }
}
