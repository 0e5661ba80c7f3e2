package io.sightline.core.instance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One query against an {@link InvertedFile}: Hamming-embedding voting for a shortlist, then
 * spatial verification of the shortlist. Runs under the index's read lock.
 *
 * <p><b>Voting.</b> A stored keypoint votes for its image when it shares a visual word with a
 * query keypoint and their signatures differ in at most {@code hammingThreshold} bits; the vote
 * weighs {@code idf(word)² · exp(-h²/σ²)} (σ = {@value #SIGMA} bits, as in ASMK), with
 * {@code idf = ln((1 + live images) / images holding the word)}. Burstiness is
 * bounded: each query keypoint gives one image at most its single best vote, whatever number of
 * stored keypoints of that image share its word. An image's total is divided by the square root
 * of its keypoint count, so images with many keypoints do not win by size.
 */
final class InstanceSearch {
  static final double SIGMA = 16.0;
  private static final float[] HE_WEIGHT = new float[65];

  static {
    for (int h = 0; h <= 64; h++) {
      HE_WEIGHT[h] = (float) Math.exp(-h * h / (SIGMA * SIGMA));
    }
  }

  private final InvertedFile file;
  private final int hammingThreshold;
  private final int shortlist;
  private final GeometricVerifier verifier;
  private final ScoreCalibration calibration;
  private final double threshold;

  InstanceSearch(InvertedFile file, int hammingThreshold, int shortlist, GeometricVerifier verifier,
      ScoreCalibration calibration, double threshold) {
    this.file = file;
    this.hammingThreshold = hammingThreshold;
    this.shortlist = shortlist;
    this.verifier = verifier;
    this.calibration = calibration;
    this.threshold = threshold;
  }

  List<InstanceMatch> run(QueryFeatures q, int k) {
    int nOrd = file.ordinalCount();
    int live = file.size();
    if (live == 0 || q.count() == 0) {
      return List.of();
    }
    float[] score = new float[nOrd];
    float[] best = new float[nOrd];
    int[] mark = new int[nOrd];
    Arrays.fill(mark, -1);
    int[] touched = new int[nOrd];
    for (int i = 0; i < q.count(); i++) {
      int nt = 0;
      int[] ws = q.words()[i];
      for (int j = 0; j < ws.length; j++) {
        int w = ws[j];
        int len = file.length(w);
        if (len == 0) {
          continue;
        }
        // smoothed: with log(live / df) a word in every stored image weighed 0, so an index of one
        // image (or a query whose words all occur in every image) found nothing
        double idf = Math.log((live + 1.0) / Math.max(1, file.df(w)));
        float idf2 = (float) (idf * idf);
        long s = q.signatures()[i][j];
        int[] refs = file.refs(w);
        long[] sigs = file.sigs(w);
        for (int p = 0; p < len; p++) {
          int h = Long.bitCount(s ^ sigs[p]);
          if (h > hammingThreshold) {
            continue;
          }
          int ref = refs[p];
          float v = idf2 * HE_WEIGHT[h];
          if (mark[ref] != i) {
            mark[ref] = i;
            best[ref] = v;
            touched[nt++] = ref;
          } else if (v > best[ref]) {
            best[ref] = v;
          }
        }
      }
      for (int t = 0; t < nt; t++) {
        score[touched[t]] += best[touched[t]];
      }
    }
    List<Integer> cands = new ArrayList<>();
    for (int o = 0; o < nOrd; o++) {
      if (score[o] > 0 && file.live(o)) {
        score[o] /= (float) Math.sqrt(Math.max(1, file.image(o).count()));
        cands.add(o);
      }
    }
    cands.sort(Comparator.comparingDouble((Integer o) -> -score[o]).thenComparing(o -> file.id(o)));
    List<Integer> shortlisted = cands.subList(0, Math.min(shortlist, cands.size()));
    List<InstanceMatch> out = verify(q, shortlisted, score, mark);
    out.sort(Comparator.comparingDouble(InstanceMatch::score).reversed()
        .thenComparing(Comparator.comparingDouble(InstanceMatch::shortlistScore).reversed())
        .thenComparing(InstanceMatch::id));
    return List.copyOf(out.subList(0, Math.min(k, out.size())));
  }

  /** Gathers the correspondences of every shortlisted image in one pass, then verifies each. */
  private List<InstanceMatch> verify(QueryFeatures q, List<Integer> shortlisted, float[] score, int[] slotOf) {
    int m = shortlisted.size();
    Arrays.fill(slotOf, -1);
    for (int s = 0; s < m; s++) {
      slotOf[shortlisted.get(s)] = s;
    }
    int[][] qIdx = new int[m][16];
    int[][] rIdx = new int[m][16];
    int[] count = new int[m];
    for (int i = 0; i < q.count(); i++) {
      int[] ws = q.words()[i];
      for (int j = 0; j < ws.length; j++) {
        int w = ws[j];
        int len = file.length(w);
        int[] refs = file.refs(w);
        char[] feats = file.feats(w);
        long[] sigs = file.sigs(w);
        long sg = q.signatures()[i][j];
        for (int p = 0; p < len; p++) {
          int slot = slotOf[refs[p]];
          if (slot < 0 || Long.bitCount(sg ^ sigs[p]) > hammingThreshold) {
            continue;
          }
          int c = count[slot];
          if (c == qIdx[slot].length) {
            qIdx[slot] = Arrays.copyOf(qIdx[slot], c * 2);
            rIdx[slot] = Arrays.copyOf(rIdx[slot], c * 2);
          }
          qIdx[slot][c] = i;
          rIdx[slot][c] = feats[p];
          count[slot] = c + 1;
        }
      }
    }
    List<InstanceMatch> out = new ArrayList<>(m);
    for (int s = 0; s < m; s++) {
      int ord = shortlisted.get(s);
      EncodedFeatures r = file.image(ord);
      GeometricVerifier.Result v = verifier.verify(q, qIdx[s], r, rIdx[s], count[s]);
      double cal = calibration.probability(v.inliers());
      double[] region = null;
      if (v.queryBox() != null && cal >= threshold) {
        float[] b = v.queryBox();
        region = new double[] {b[0] / q.width(), b[1] / q.height(), (b[2] - b[0]) / q.width(),
            (b[3] - b[1]) / q.height()};
      }
      out.add(new InstanceMatch(file.id(ord), cal, cal >= threshold, v.inliers(), count[s], score[ord],
          v.transform(), v.scale(), v.rotation(), region));
    }
    return out;
  }
}
