package io.sightline.core.classify;

import io.sightline.core.CancellationToken;
import io.sightline.core.ImageDecodeException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.Vectors;
import io.sightline.core.store.ChecksummedFile;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import smile.classification.LogisticRegression;
import org.slf4j.LoggerFactory;

/**
 * A classifier for users who have labelled images but no model: multinomial logistic regression
 * (softmax) on the vectors of an {@link ImageEmbedder}.
 *
 * <p>Training standardises each embedding component (z-score over the training set), then fits
 * Smile's logistic regression ({@code smile.classification.LogisticRegression}: binomial for two
 * labels, multinomial otherwise, L-BFGS) minimising the mean cross-entropy plus
 * {@code l2/2 · ||W||²} (biases are not penalised; Smile's {@code lambda} is {@code l2 · n}).
 * {@link Builder#selectL2} picks {@code l2} by k-fold cross-validation. The objective is convex and
 * nothing random enters (the folds use a fixed seed), so the same examples always give the same
 * model. The fitted coefficients are stored as one softmax row per label (Smile's reference class
 * gets a zero row), which is what {@link #classifyVector} evaluates.
 *
 * <pre>{@code
 * EmbeddingClassifier clf = EmbeddingClassifier.builder(embedder)
 *     .l2(1e-3)
 *     .train(List.of(Example.ofImage("cat", img1), Example.ofImage("dog", img2), ...),
 *         ProgressListener.NONE, CancellationToken.NONE);
 * List<Classification> ranked = clf.classify(image);
 * clf.save(Path.of("pets.model"));
 * EmbeddingClassifier again = EmbeddingClassifier.load(Path.of("pets.model"), embedder);
 * }</pre>
 *
 * <p>Saved files use {@link ChecksummedFile} (kind {@value #KIND}, format version
 * {@value #FORMAT_VERSION}) and record the embedder id; {@link #load} refuses a file trained with
 * another embedder. Immutable and thread-safe once trained or loaded (as thread-safe as its
 * embedder, which every {@link ImageEmbedder} is).
 */
public final class EmbeddingClassifier implements ImageClassifier {
  /** ChecksummedFile kind of saved classifiers. */
  public static final String KIND = "embedding-classifier";
  /** Current payload format version (2 adds the training summary; version 1 files still load). */
  public static final int FORMAT_VERSION = 2;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingClassifier.class);

  private final ImageEmbedder embedder;
  private final List<String> labels;
  private final int dim;
  private final float[] mean;
  private final float[] scale;
  private final float[] weights; // K x D, row-major
  private final float[] bias;
  private final Map<String, Integer> samples;
  private final double l2;
  private final double trainingAccuracy;
  private final double validationAccuracy;
  private final double loss;
  private final String id;

  /**
   * One labelled training example: an image (embedded during training) or a ready vector.
   *
   * @param label class name
   * @param image the image, or null when {@code vector} is given
   * @param vector the embedding, or null when {@code image} is given
   */
  public record Example(String label, BufferedImage image, float[] vector) {
    /**
     * @param label class name
     * @param image the image
     * @return an image example
     */
    public static Example ofImage(String label, BufferedImage image) {
      return new Example(label, image, null);
    }

    /**
     * @param label class name
     * @param vector an embedding of the classifier's embedder
     * @return a vector example
     */
    public static Example ofVector(String label, float[] vector) {
      return new Example(label, null, vector == null ? null : vector.clone());
    }
  }

  private EmbeddingClassifier(ImageEmbedder embedder, List<String> labels, float[] mean, float[] scale,
      float[] weights, float[] bias, Map<String, Integer> samples, double l2, double trainingAccuracy,
      double validationAccuracy, double loss) {
    this.embedder = embedder;
    this.labels = List.copyOf(labels);
    this.dim = mean.length;
    this.mean = mean;
    this.scale = scale;
    this.weights = weights;
    this.bias = bias;
    this.samples = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(samples));
    this.l2 = l2;
    this.trainingAccuracy = trainingAccuracy;
    this.validationAccuracy = validationAccuracy;
    this.loss = loss;
    this.id = "embedding-classifier/" + FORMAT_VERSION + ":" + fingerprint() + "@" + embedder.id();
  }

  /**
   * @param embedder the embedder whose vectors are classified (required)
   * @return a training builder
   */
  public static Builder builder(ImageEmbedder embedder) {
    return new Builder(embedder);
  }

  @Override
  public List<Classification> classify(BufferedImage image) {
    if (image == null) {
      throw new ImageDecodeException("image is null");
    }
    return classifyVector(embedder.embed(image));
  }

  /**
   * @param vector an embedding of this classifier's embedder
   * @return every label with its probability, most probable first
   * @throws io.sightline.core.DimensionMismatchException on a vector of another length
   * @throws io.sightline.core.InvalidVectorException on NaN or infinite components
   */
  public List<Classification> classifyVector(float[] vector) {
    Vectors.check(vector, dim);
    double[] p = probabilities(vector);
    List<Classification> out = new ArrayList<>(labels.size());
    for (int k = 0; k < p.length; k++) {
      out.add(new Classification(labels.get(k), (float) p[k]));
    }
    out.sort(Comparator.comparingDouble((Classification c) -> c.probability()).reversed());
    return List.copyOf(out);
  }

  private double[] probabilities(float[] v) {
    double[] z = new double[dim];
    for (int j = 0; j < dim; j++) {
      z[j] = (v[j] - mean[j]) / scale[j];
    }
    return softmax(logits(weights, bias, z));
  }

  /** Softmax logits of one standardised vector: {@code W z + b}, W is K x D row-major. */
  static double[] logits(float[] weights, float[] bias, double[] z) {
    int d = z.length;
    double[] logits = new double[bias.length];
    for (int c = 0; c < bias.length; c++) {
      double s = bias[c];
      for (int j = 0; j < d; j++) {
        s += weights[c * d + j] * z[j];
      }
      logits[c] = s;
    }
    return logits;
  }

  static double[] softmax(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  @Override
  public List<String> labels() {
    return labels;
  }

  /** @return "embedding-classifier/1:&lt;12 hex of the weights' hash&gt;@&lt;embedder id&gt;" */
  @Override
  public String id() {
    return id;
  }

  /** @return the embedder this classifier was trained on */
  public ImageEmbedder embedder() {
    return embedder;
  }

  /** @return the final training objective (mean cross-entropy plus the L2 term) */
  public double trainingLoss() {
    return loss;
  }

  /** @return training examples per label (empty for a file of format version 1) */
  public Map<String, Integer> samplesPerLabel() {
    return samples;
  }

  /** @return the L2 penalty used (chosen by cross-validation with {@link Builder#selectL2}); NaN for a version 1 file */
  public double l2() {
    return l2;
  }

  /** @return share of the training examples the model labels correctly; NaN for a version 1 file */
  public double trainingAccuracy() {
    return trainingAccuracy;
  }

  /** @return mean k-fold cross-validation accuracy of the chosen L2, or NaN without {@link Builder#selectL2} */
  public double validationAccuracy() {
    return validationAccuracy;
  }

  /**
   * Atomically writes the classifier (labels, standardisation, weights) to a checksummed file
   * that records the embedder id.
   *
   * @param path target file
   * @throws StoreException when writing fails; a previous file stays intact
   */
  public void save(Path path) {
    ChecksummedFile.write(path, new ChecksummedFile.Header(KIND, FORMAT_VERSION, embedder.id()), out -> {
      out.writeInt(labels.size());
      for (String l : labels) {
        out.writeUTF(l);
      }
      out.writeInt(dim);
      for (float[] arr : new float[][] {mean, scale, weights, bias}) {
        for (float f : arr) {
          out.writeFloat(f);
        }
      }
      out.writeDouble(loss);
      out.writeDouble(l2);
      out.writeDouble(trainingAccuracy);
      out.writeDouble(validationAccuracy);
      for (String l : labels) {
        out.writeInt(samples.getOrDefault(l, 0));
      }
    });
  }

  /**
   * Reads a classifier written by {@link #save}.
   *
   * @param path the file
   * @param embedder the embedder it was trained with (same id)
   * @return the classifier
   * @throws IncompatibleFormatException when the file was trained with another embedder, or is
   *     not an embedding classifier, or is of a newer format version
   * @throws StoreException when the file is missing, truncated or corrupt
   */
  public static EmbeddingClassifier load(Path path, ImageEmbedder embedder) {
    if (embedder == null) {
      throw new IllegalArgumentException("embedder is required to load " + path);
    }
    return ChecksummedFile.read(path, KIND, FORMAT_VERSION, (header, in) -> {
      if (!header.embedderId().equals(embedder.id())) {
        throw new IncompatibleFormatException(path + ": classifier was trained on vectors of embedder '"
            + header.embedderId() + "', not '" + embedder.id() + "'");
      }
      int k = in.readInt();
      if (k < 2 || k > 1_000_000) {
        throw new StoreException(path + ": implausible label count " + k);
      }
      List<String> labels = new ArrayList<>(k);
      for (int i = 0; i < k; i++) {
        labels.add(in.readUTF());
      }
      int d = in.readInt();
      if (d != embedder.dimension()) {
        throw new IncompatibleFormatException(path + ": classifier expects " + d
            + "-dimensional vectors but embedder '" + embedder.id() + "' gives " + embedder.dimension());
      }
      if ((long) k * d > 100_000_000L) {
        throw new StoreException(path + ": implausible model size " + k + "x" + d);
      }
      float[] mean = readFloats(in, d);
      float[] scale = readFloats(in, d);
      float[] weights = readFloats(in, k * d);
      float[] bias = readFloats(in, k);
      if (header.formatVersion() == 1) {
        in.readInt(); // iterations of the former hand-written optimiser
        double loss = in.readDouble();
        return new EmbeddingClassifier(embedder, labels, mean, scale, weights, bias, Map.of(), Double.NaN,
            Double.NaN, Double.NaN, loss);
      }
      double loss = in.readDouble();
      double l2 = in.readDouble();
      double trainAcc = in.readDouble();
      double valAcc = in.readDouble();
      Map<String, Integer> samples = new LinkedHashMap<>();
      for (String l : labels) {
        samples.put(l, in.readInt());
      }
      return new EmbeddingClassifier(embedder, labels, mean, scale, weights, bias, samples, l2, trainAcc, valAcc,
          loss);
    });
  }

  private static float[] readFloats(java.io.DataInputStream in, int n) throws java.io.IOException {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = in.readFloat();
    }
    return f;
  }

  private String fingerprint() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String l : labels) {
        md.update(l.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      ByteBuffer buf = ByteBuffer.allocate(4 * (mean.length + scale.length + weights.length + bias.length));
      for (float[] arr : new float[][] {mean, scale, weights, bias}) {
        for (float f : arr) {
          buf.putFloat(f);
        }
      }
      md.update(buf.array());
      return HexFormat.of().formatHex(md.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Training settings; not thread-safe. {@link #train} is the terminal step. */
  public static final class Builder {
    private final ImageEmbedder embedder;
    private double l2 = 1e-3;
    private double[] l2Grid;
    private int folds = 5;
    private int maxIterations = 500;
    private double tolerance = 1e-6;
    private int batchSize = 32;

    private Builder(ImageEmbedder embedder) {
      this.embedder = embedder;
    }

    /**
     * @param lambda L2 penalty on the weights (default 1e-3); larger is smoother
     * @return this
     */
    public Builder l2(double lambda) {
      if (!(lambda >= 0) || Double.isInfinite(lambda)) {
        throw new IllegalArgumentException("l2 must be finite and >= 0: " + lambda);
      }
      this.l2 = lambda;
      return this;
    }

    /**
     * Chooses the L2 penalty by k-fold cross-validation (deterministic folds) among the given
     * values, by accuracy on the held-out folds; ties go to the larger (smoother) value.
     * Overrides {@link #l2(double)}.
     *
     * @param folds number of folds (2..20)
     * @param grid candidate penalties, each finite and &gt;= 0
     * @return this
     */
    public Builder selectL2(int folds, double... grid) {
      if (folds < 2 || folds > 20 || grid == null || grid.length == 0) {
        throw new IllegalArgumentException("need 2..20 folds and at least one l2 value");
      }
      for (double l : grid) {
        if (!(l >= 0) || Double.isInfinite(l)) {
          throw new IllegalArgumentException("l2 must be finite and >= 0: " + l);
        }
      }
      this.folds = folds;
      this.l2Grid = grid.clone();
      return this;
    }

    /**
     * @param max most L-BFGS iterations of Smile's solver (default 500)
     * @return this
     */
    public Builder maxIterations(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxIterations must be positive: " + max);
      }
      this.maxIterations = max;
      return this;
    }

    /**
     * @param tolerance convergence tolerance of Smile's L-BFGS (default 1e-6)
     * @return this
     */
    public Builder tolerance(double tolerance) {
      if (!(tolerance > 0)) {
        throw new IllegalArgumentException("tolerance must be positive: " + tolerance);
      }
      this.tolerance = tolerance;
      return this;
    }

    /**
     * @param size images per {@link ImageEmbedder#embedAll} call while embedding (default 32)
     * @return this
     */
    public Builder embedBatchSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("batch size must be positive: " + size);
      }
      this.batchSize = size;
      return this;
    }

    /**
     * Embeds the image examples and fits the model. Reports progress as task "embed" (images
     * embedded) then "train" (one step per cross-validation fit, then the final fit, with the
     * accuracy), and stops with a {@link io.sightline.core.CancelledException} when the token is
     * cancelled (checked between images and between fits; one fit is not interrupted).
     *
     * @param examples labelled images or vectors; at least two distinct labels
     * @param progress progress listener
     * @param cancel cancellation token
     * @return the trained classifier; labels are in order of first appearance
     * @throws IllegalStateException when the embedder is missing
     * @throws InputFormatException when there are fewer than two labels, a blank label, or an
     *     example with neither (or both) image and vector
     * @throws io.sightline.core.DimensionMismatchException when a vector has the wrong length
     */
    public EmbeddingClassifier train(List<Example> examples, ProgressListener progress,
        CancellationToken cancel) {
      if (embedder == null) {
        throw new IllegalStateException("EmbeddingClassifier: embedder is required");
      }
      ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
      CancellationToken token = cancel == null ? CancellationToken.NONE : cancel;
      if (examples == null || examples.isEmpty()) {
        throw new InputFormatException(null, 0, "no training examples");
      }
      Map<String, Integer> classes = new LinkedHashMap<>();
      int[] y = new int[examples.size()];
      for (int i = 0; i < examples.size(); i++) {
        Example e = examples.get(i);
        if (e == null || e.label() == null || e.label().isBlank()) {
          throw new InputFormatException(null, 0, "training example #" + i + " has no label");
        }
        if ((e.image() == null) == (e.vector() == null)) {
          throw new InputFormatException(null, 0, "training example #" + i
              + " must have exactly one of image and vector");
        }
        y[i] = classes.computeIfAbsent(e.label(), l -> classes.size());
      }
      if (classes.size() < 2) {
        throw new InputFormatException(null, 0, "training needs at least two labels; got "
            + classes.keySet());
      }
      float[][] x = embed(examples, listener, token);
      return fit(x, y, new ArrayList<>(classes.keySet()), listener, token);
    }

    private float[][] embed(List<Example> examples, ProgressListener listener, CancellationToken token) {
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

    private EmbeddingClassifier fit(float[][] x, int[] y, List<String> labels,
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
}
