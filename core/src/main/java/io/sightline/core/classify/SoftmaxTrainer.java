package io.sightline.core.classify;

import static io.sightline.core.classify.EmbeddingClassifier.logits;
import static io.sightline.core.classify.EmbeddingClassifier.softmax;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.classify.EmbeddingClassifier.Example;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.Vectors;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import smile.classification.LogisticRegression;

/**
 * The training job of {@link EmbeddingClassifier.Builder}: embeds the examples, standardises them,
 * picks the L2 penalty by k-fold cross-validation when asked, and fits Smile's logistic regression.
 * One instance per {@link EmbeddingClassifier.Builder#train} call; not thread-safe. Logs under
 * {@link EmbeddingClassifier}'s logger.
 */
final class SoftmaxTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingClassifier.class);

  private final ImageEmbedder embedder;
  private final double l2;
  private final double[] l2Grid;
  private final int folds;
  private final int maxIterations;
  private final double tolerance;
  private final int batchSize;

  SoftmaxTrainer(ImageEmbedder embedder, double l2, double[] l2Grid, int folds, int maxIterations,
      double tolerance, int batchSize) {
    this.embedder = embedder;
    this.l2 = l2;
    this.l2Grid = l2Grid;
    this.folds = folds;
    this.maxIterations = maxIterations;
    this.tolerance = tolerance;
    this.batchSize = batchSize;
  }

  float[][] embed(List<Example> examples, ProgressListener listener, CancellationToken token) {
    int n = examples.size();
    int d = embedder.dimension();
    float[][] x = new float[n][];
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (examples.get(i).vector() != null) {
        x[i] = examples.get(i).vector();
      } else {
        pending.add(i);
      }
    }
    for (int from = 0; from < pending.size(); from += batchSize) {
      token.throwIfCancelled();
      List<Integer> idx = pending.subList(from, Math.min(pending.size(), from + batchSize));
      List<BufferedImage> imgs = new ArrayList<>(idx.size());
      for (int i : idx) {
        imgs.add(examples.get(i).image());
      }
      List<float[]> vs = embedder.embedAll(imgs);
      for (int j = 0; j < idx.size(); j++) {
        x[idx.get(j)] = vs.get(j);
      }
      listener.onProgress("embed", from + idx.size(), pending.size(), "");
    }
    for (int i = 0; i < n; i++) {
      Vectors.check(x[i], d);
    }
    return x;
  }

  EmbeddingClassifier fit(float[][] x, int[] y, List<String> labels,
      ProgressListener listener, CancellationToken token) {
    int n = x.length;
    int d = x[0].length;
    int k = labels.size();
    float[] mean = new float[d];
    float[] scale = new float[d];
    for (int j = 0; j < d; j++) {
      double s = 0;
      for (float[] row : x) {
        s += row[j];
      }
      double m = s / n;
      double v = 0;
      for (float[] row : x) {
        v += (row[j] - m) * (row[j] - m);
      }
      double sd = Math.sqrt(v / n);
      mean[j] = (float) m;
      scale[j] = sd > 1e-6 ? (float) sd : 1f;
    }
    double[][] z = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        z[i][j] = (x[i][j] - mean[j]) / scale[j];
      }
    }
    int fits = (l2Grid == null ? 0 : l2Grid.length * folds) + 1;
    int[] done = {0};
    double chosen = l2;
    double validation = Double.NaN;
    if (l2Grid != null) {
      int[] fold = new int[n];
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      java.util.Collections.shuffle(order, new java.util.Random(17));
      for (int i = 0; i < n; i++) {
        fold[order.get(i)] = i % folds;
      }
      double best = -1;
      for (double l : l2Grid) {
        int right = 0;
        for (int f = 0; f < folds; f++) {
          token.throwIfCancelled();
          List<Integer> tr = new ArrayList<>();
          List<Integer> te = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            (fold[i] == f ? te : tr).add(i);
          }
          double[][] zt = new double[tr.size()][];
          int[] yt = new int[tr.size()];
          for (int i = 0; i < tr.size(); i++) {
            zt[i] = z[tr.get(i)];
            yt[i] = y[tr.get(i)];
          }
          listener.onProgress("train", ++done[0], fits, "cross-validation, l2 " + l + ", fold " + (f + 1));
          if (Arrays.stream(yt).distinct().count() < k) {
            continue; // this fold's training part lost a label: its held-out part counts as wrong
          }
          float[][] wb = fitSoftmax(zt, yt, k, l);
          for (int i : te) {
            right += argmax(logits(wb[0], wb[1], z[i])) == y[i] ? 1 : 0;
          }
        }
        double acc = right / (double) n;
        LOG.debug("embedding classifier: l2 {} cross-validation accuracy {}", l, acc);
        if (acc > best || (acc == best && l > chosen)) {
          best = acc;
          chosen = l;
        }
      }
      validation = best;
    }
    token.throwIfCancelled();
    float[][] wb = fitSoftmax(z, y, k, chosen);
    int right = 0;
    double ce = 0;
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String l : labels) {
      counts.put(l, 0);
    }
    for (int i = 0; i < n; i++) {
      double[] lg = logits(wb[0], wb[1], z[i]);
      double[] p = softmax(lg);
      ce -= Math.log(Math.max(1e-300, p[y[i]]));
      right += argmax(lg) == y[i] ? 1 : 0;
      counts.merge(labels.get(y[i]), 1, Integer::sum);
    }
    double reg = 0;
    for (float w : wb[0]) {
      reg += (double) w * w;
    }
    double loss = ce / n + 0.5 * chosen * reg;
    double acc = right / (double) n;
    listener.onProgress("train", fits, fits, String.format(java.util.Locale.ROOT,
        "l2 %s, training accuracy %.3f%s", chosen, acc, Double.isNaN(validation) ? ""
            : String.format(java.util.Locale.ROOT, ", %d-fold cross-validation accuracy %.3f", folds, validation)));
    LOG.debug("embedding classifier: {} examples, {} labels, l2 {}, loss {}, training accuracy {}, validation {}",
        n, k, chosen, loss, acc, validation);
    return new EmbeddingClassifier(embedder, labels, mean, scale, wb[0], wb[1], counts, chosen, acc, validation,
        loss);
  }

  /**
   * Smile's logistic regression on standardised rows, as softmax rows: {weights K x D, biases K}.
   * Binomial: Smile's coefficients are {@code w[0..D-1]} and the intercept {@code w[D]} of label
   * 1 against label 0 (row 0 stays zero). Multinomial: K-1 rows {@code [w, intercept]}; the last
   * label is the reference class with a zero row.
   */
  private float[][] fitSoftmax(double[][] z, int[] y, int k, double l2) {
    int n = z.length;
    int d = z[0].length;
    float[] w = new float[k * d];
    float[] b = new float[k];
    try {
      if (k == 2) {
        double[] c = LogisticRegression.binomial(z, y, l2 * n, tolerance, maxIterations).coefficients();
        for (int j = 0; j < d; j++) {
          w[d + j] = (float) c[j];
        }
        b[1] = (float) c[d];
      } else {
        double[][] c = LogisticRegression.multinomial(z, y, l2 * n, tolerance, maxIterations).coefficients();
        for (int r = 0; r < k - 1; r++) {
          for (int j = 0; j < d; j++) {
            w[r * d + j] = (float) c[r][j];
          }
          b[r] = (float) c[r][d];
        }
      }
    } catch (RuntimeException e) {
      throw new io.sightline.core.ModelException("logistic regression failed: " + e.getMessage(), e);
    }
    return new float[][] {w, b};
  }

  private static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
