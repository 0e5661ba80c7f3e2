package io.sightline.tagging;

import io.sightline.core.store.ChecksummedFile;
import io.sightline.core.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Strategy#LINEAR_PROBE} model: one linear scorer per tag over the image vectors,
 * fitted to the stock by ridge regression (least squares with an L2 penalty, in closed form). A
 * tag's score for a query is its stock-wide share plus {@code x · w_tag}; the weights solve
 * {@code (XᵀX + λI) W = Xᵀ(Y − p)}, X the prepared stock vectors (one row per stock image), Y the
 * 0/1 tag matrix and p the tags' stock-wide shares. Unlike the neighbour votes, which look at the
 * few most similar images, each tag's direction is learnt from every image that has it, so a
 * drawing of a family the stock does not hold still gets the tags of its kind.
 *
 * <p>Fitted when the recommender trains and saved beside the model ({@link TagRecommender#PROBE_FILE});
 * immutable and thread-safe.
 */
final class TagProbe {
  private static final Logger LOG = LoggerFactory.getLogger(TagRecommender.class);
  static final String KIND = "tag-probe";
  static final int FORMAT_VERSION = 1;
  /** Default ridge penalty λ (for unit-length vectors: on held-out openclipart families 0.1–10 gave the same P@3). */
  static final double DEFAULT_RIDGE = 1.0;

  private final long generation;
  private final int dimension;
  private final List<String> tags;
  private final float[] prior;
  /** Row-major [dimension][tags]. */
  private final float[] weights;

  private TagProbe(long generation, int dimension, List<String> tags, float[] prior, float[] weights) {
    this.generation = generation;
    this.dimension = dimension;
    this.tags = List.copyOf(tags);
    this.prior = prior;
    this.weights = weights;
  }

  /**
   * The probe of the current model: the one in memory, else the saved one when it belongs to the
   * model, else fitted to the stock now (and saved when the recommender may write). Fitting and
   * loading run under the shared lock, once per model.
   *
   * @param state the recommender's state
   * @return the probe of the current model
   */
  static TagProbe ensure(TagRecommenderState state) {
    TagModel m = state.requireModel();
    TagProbe p = state.probe;
    if (p != null && p.generation == m.generation()) {
      return p;
    }
    synchronized (state.lock) {
      m = state.requireModel();
      p = state.probe;
      if (p == null || p.generation != m.generation()) {
        p = loadOrFit(state, m);
        state.probe = p;
      }
      return p;
    }
  }

  private static TagProbe loadOrFit(TagRecommenderState state, TagModel m) {
    Path file = state.directory == null ? null : state.directory.resolve(TagRecommender.PROBE_FILE);
    if (file != null && Files.exists(file)) {
      try {
        TagProbe p = load(file, state.embedderId);
        if (p.generation == m.generation() && p.dimension == state.dimension) {
          return p;
        }
        LOG.info("{} belongs to model {}, the model is {}: fitting the probe again", file, p.generation,
            m.generation());
      } catch (StoreException e) {
        LOG.warn("{} cannot be read ({}): fitting the probe again", file, e.getMessage());
      }
    }
    if (state.detachedModel) {
      throw new IllegalStateException("the linear probe (Strategy.LINEAR_PROBE, or FUSED with a FusionWeights.probe"
          + " above 0) needs the stock this model was trained on, or the " + TagRecommender.PROBE_FILE
          + " saved with it; neither is here");
    }
    TagProbe p = fit(state, m, state.stock.snapshot());
    if (file != null && !state.readOnly) {
      p.save(file, state.embedderId);
    }
    return p;
  }

  /**
   * Fits a probe to a snapshot of the stock for the model (its generation, vector preparation and
   * tag vocabulary).
   *
   * @param state the recommender's state
   * @param m the model
   * @param snap the stock the model was built from (training passes the snapshot it clustered)
   * @return the probe
   */
  static TagProbe fit(TagRecommenderState state, TagModel m, TagStock.Snapshot snap) {
    if (snap.rows().isEmpty()) {
      throw new InsufficientStockException("the stock is empty: the linear probe needs stock images");
    }
    float[][] x = new float[snap.rows().size()][];
    List<Set<String>> tags = new ArrayList<>(x.length);
    for (int i = 0; i < x.length; i++) {
      x[i] = m.prepare(snap.vectors()[i]);
      tags.add(snap.rows().get(i).tags());
    }
    List<String> vocabulary = TagRecommenderStrategies.vocabulary(m, state.minTagPosts);
    Collections.sort(vocabulary);
    long t0 = System.nanoTime();
    TagProbe p = fit(m.generation(), state.dimension, x, tags, vocabulary, DEFAULT_RIDGE);
    LOG.info("tag probe for model {}: {} tags over {} stock images in {} ms", m.generation(), vocabulary.size(),
        x.length, (System.nanoTime() - t0) / 1_000_000);
    return p;
  }

  /**
   * Fits the probe.
   *
   * @param generation the model generation it belongs to
   * @param dimension vector dimension
   * @param vectors prepared stock vectors (as {@link TagModel#prepare(float[])} gives them)
   * @param rowTags each stock image's tags
   * @param vocabulary the tags to score (those with enough posts)
   * @param ridge the L2 penalty λ, > 0
   * @return the fitted probe
   */
  static TagProbe fit(long generation, int dimension, float[][] vectors, List<Set<String>> rowTags,
      List<String> vocabulary, double ridge) {
    if (!(ridge > 0) || Double.isInfinite(ridge)) {
      throw new IllegalArgumentException("the ridge penalty must be positive and finite, got " + ridge);
    }
    int n = vectors.length;
    int d = dimension;
    int t = vocabulary.size();
    Map<String, Integer> col = new HashMap<>();
    for (int j = 0; j < t; j++) {
      col.put(vocabulary.get(j), j);
    }
    double[] share = new double[t];
    for (Set<String> ts : rowTags) {
      for (String s : ts) {
        Integer j = col.get(s);
        if (j != null) {
          share[j] += 1.0 / n;
        }
      }
    }
    // Gram matrix XᵀX + λI (upper triangle, mirrored) and right-hand side Xᵀ(Y − p), [d][t]
    double[] a = new double[d * d];
    double[] b = new double[d * t];
    double[] colSum = new double[d];
    for (int i = 0; i < n; i++) {
      float[] x = vectors[i];
      for (int p = 0; p < d; p++) {
        double xp = x[p];
        if (xp == 0) {
          continue;
        }
        int row = p * d;
        for (int q = p; q < d; q++) {
          a[row + q] += xp * x[q];
        }
        colSum[p] += xp;
      }
      for (String s : rowTags.get(i)) {
        Integer j = col.get(s);
        if (j != null) {
          for (int p = 0; p < d; p++) {
            b[p * t + j] += x[p];
          }
        }
      }
    }
    for (int p = 0; p < d; p++) {
      for (int j = 0; j < t; j++) {
        b[p * t + j] -= colSum[p] * share[j];
      }
      for (int q = 0; q < p; q++) {
        a[p * d + q] = a[q * d + p];
      }
      a[p * d + p] += ridge;
    }
    solveCholesky(a, b, d, t);
    float[] w = new float[d * t];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) b[i];
    }
    float[] pr = new float[t];
    for (int j = 0; j < t; j++) {
      pr[j] = (float) share[j];
    }
    return new TagProbe(generation, d, vocabulary, pr, w);
  }

  /**
   * Solves {@code A X = B} in place ({@code B} becomes X) for a symmetric positive definite A
   * ([d][d], destroyed) and B ([d][t]), by the Cholesky factorisation A = L Lᵀ.
   */
  static void solveCholesky(double[] a, double[] b, int d, int t) {
    for (int j = 0; j < d; j++) {
      double s = a[j * d + j];
      for (int k = 0; k < j; k++) {
        s -= a[j * d + k] * a[j * d + k];
      }
      if (!(s > 0)) {
        throw new IllegalStateException("the ridge system is not positive definite (column " + j + ")");
      }
      double l = Math.sqrt(s);
      a[j * d + j] = l;
      for (int i = j + 1; i < d; i++) {
        double v = a[i * d + j];
        for (int k = 0; k < j; k++) {
          v -= a[i * d + k] * a[j * d + k];
        }
        a[i * d + j] = v / l;
      }
    }
    // forward: L Y = B
    for (int i = 0; i < d; i++) {
      for (int k = 0; k < i; k++) {
        subtractRow(b, t, i, k, a[i * d + k]);
      }
      divideRow(b, t, i, a[i * d + i]);
    }
    // backward: Lᵀ X = Y
    for (int i = d - 1; i >= 0; i--) {
      for (int k = i + 1; k < d; k++) {
        subtractRow(b, t, i, k, a[k * d + i]);
      }
      divideRow(b, t, i, a[i * d + i]);
    }
  }

  /** Row i of b ([d][t]) minus f times row k. */
  private static void subtractRow(double[] b, int t, int i, int k, double f) {
    if (f != 0) {
      for (int c = 0; c < t; c++) {
        b[i * t + c] -= f * b[k * t + c];
      }
    }
  }

  /** Row i of b ([d][t]) divided by f. */
  private static void divideRow(double[] b, int t, int i, double f) {
    for (int c = 0; c < t; c++) {
      b[i * t + c] /= f;
    }
  }

  /**
   * @param prepared a prepared query vector
   * @return every vocabulary tag's score (its stock-wide share plus the linear term), by tag
   */
  Map<String, Double> scores(float[] prepared) {
    if (prepared.length != dimension) {
      throw new IllegalArgumentException("query has " + prepared.length + " dimensions, the probe " + dimension);
    }
    int t = tags.size();
    double[] s = new double[t];
    for (int j = 0; j < t; j++) {
      s[j] = prior[j];
    }
    for (int p = 0; p < dimension; p++) {
      double x = prepared[p];
      if (x == 0) {
        continue;
      }
      int row = p * t;
      for (int j = 0; j < t; j++) {
        s[j] += x * weights[row + j];
      }
    }
    Map<String, Double> out = new HashMap<>();
    for (int j = 0; j < t; j++) {
      out.put(tags.get(j), s[j]);
    }
    return out;
  }

  /** Writes the probe atomically, with a checksum. */
  void save(Path file, String embedderId) {
    ChecksummedFile.write(file, new ChecksummedFile.Header(KIND, FORMAT_VERSION, embedderId), out -> {
      out.writeLong(generation);
      out.writeInt(dimension);
      out.writeInt(tags.size());
      for (int j = 0; j < tags.size(); j++) {
        out.writeUTF(tags.get(j));
        out.writeFloat(prior[j]);
      }
      for (float v : weights) {
        out.writeFloat(v);
      }
    });
  }

  /**
   * @param file a file written by {@link #save}
   * @param expectedEmbedderId the recommender's embedder id
   * @return the probe
   * @throws StoreException when the file is corrupt or belongs to another embedder
   */
  static TagProbe load(Path file, String expectedEmbedderId) {
    return ChecksummedFile.read(file, KIND, FORMAT_VERSION, (header, in) -> {
      if (expectedEmbedderId != null && !expectedEmbedderId.equals(header.embedderId())) {
        throw new StoreException(file + ": tag probe of embedder '" + header.embedderId() + "', this recommender uses '"
            + expectedEmbedderId + "'");
      }
      long gen = in.readLong();
      int dim = in.readInt();
      int t = in.readInt();
      if (dim < 1 || t < 0 || (long) dim * t > 200_000_000L) {
        throw new StoreException(file + ": implausible tag probe size " + dim + " x " + t);
      }
      List<String> tags = new ArrayList<>(t);
      float[] pr = new float[t];
      for (int j = 0; j < t; j++) {
        tags.add(in.readUTF());
        pr[j] = in.readFloat();
      }
      float[] w = new float[dim * t];
      for (int i = 0; i < w.length; i++) {
        w[i] = in.readFloat();
      }
      return new TagProbe(gen, dim, tags, pr, w);
    });
  }
}
