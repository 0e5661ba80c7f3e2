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
  private final int size;
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
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, rnd);
    this.rows = new ArrayList<>();
    this.images = new ArrayList<>();
    for (int i : order) {
      ImageTextPair p = pairs.get(i);
      InputEncoder.Text t = enc.text(p.text());
      if (t.length() > 0) {
        rows.add(enc.plain(t, feats.get(p.image())));
        images.add(p.image());
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
        out.add(rows.get(i));
      } else {
        seenImages.add(images.get(i));
      }
    }
    return out;
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
