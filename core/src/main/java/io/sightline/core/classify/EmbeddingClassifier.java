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
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  EmbeddingClassifier(ImageEmbedder embedder, List<String> labels, float[] mean, float[] scale,
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
    EmbeddingClassifierFile.write(path, embedder.id(), labels, dim, mean, scale, weights, bias, loss, l2,
        trainingAccuracy, validationAccuracy, samples);
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
    return EmbeddingClassifierFile.read(path, embedder);
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
      SoftmaxTrainer trainer = new SoftmaxTrainer(embedder, l2, l2Grid, folds, maxIterations, tolerance, batchSize);
      float[][] x = trainer.embed(examples, listener, token);
      return trainer.fit(x, y, new ArrayList<>(classes.keySet()), listener, token);
    }
  }
}
