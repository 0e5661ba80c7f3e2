package io.sightline.commerce;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ModelException;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.store.ChecksummedFile;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import smile.classification.LogisticRegression;
import smile.util.IntSet;

/**
 * The trainable image intent classification model of seed claim 4: an embedding from any
 * {@link ImageEmbedder}, standardised, then a (multinomial) logistic regression fitted by Smile
 * on labelled samples (non-commodity, apparel, other-commodity). Implements the core
 * {@link ImageClassifier} SPI, with the intent labels as class names, so it plugs into
 * {@link ProductSearcher} exactly like an ONNX classifier would.
 *
 * <p>Saved as a checksummed Sightline file (kind {@value #KIND}) that records the embedder id;
 * {@link #load} refuses a model trained on another embedder's vectors.
 *
 * <p>Immutable and thread-safe.
 */
public final class EmbeddingIntentClassifier implements ImageClassifier {
  /** File kind in the checksummed header. */
  public static final String KIND = "commerce-intent-model";
  /** Payload layout version. */
  public static final int FORMAT_VERSION = 1;
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingIntentClassifier.class);

  private final ImageEmbedder embedder;
  private final List<Intent> classes;
  private final double[] mean;
  private final double[] scale;
  private final double[][] weights; // binomial: one row
  private final double lambda;
  private final LogisticRegression model;
  private final TrainingSummary summary;

  /**
   * What training saw and achieved.
   *
   * @param samples samples per intent
   * @param trainingAccuracy share of training samples the fitted model labels correctly
   * @param lambda L2 regularisation used
   * @param validationAccuracy mean k-fold cross-validation accuracy of the chosen lambda, NaN when
   *     no lambda grid was given
   */
  public record TrainingSummary(Map<Intent, Integer> samples, double trainingAccuracy, double lambda,
      double validationAccuracy) {
    /** Copies the map. */
    public TrainingSummary {
      samples = Map.copyOf(samples);
    }
  }

  private EmbeddingIntentClassifier(ImageEmbedder embedder, List<Intent> classes, double[] mean,
      double[] scale, double[][] weights, double lambda, TrainingSummary summary) {
    this.embedder = embedder;
    this.classes = List.copyOf(classes);
    this.mean = mean;
    this.scale = scale;
    this.weights = weights;
    this.lambda = lambda;
    this.summary = summary;
    IntSet labels = IntSet.of(classes.size());
    this.model = classes.size() == 2
        ? new LogisticRegression.Binomial(weights[0], 0, lambda, labels)
        : new LogisticRegression.Multinomial(weights, 0, lambda, labels);
  }

  /**
   * @param embedder the embedder whose vectors the classifier learns from
   * @return a trainer
   */
  public static Trainer trainer(ImageEmbedder embedder) {
    return new Trainer(embedder);
  }

  @Override
  public List<Classification> classify(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    double[] x = standardise(embedder.embed(image));
    double[] post = new double[classes.size()];
    model.predict(x, post);
    List<Classification> out = new ArrayList<>(classes.size());
    for (int i = 0; i < classes.size(); i++) {
      out.add(new Classification(classes.get(i).label(), (float) post[i]));
    }
    out.sort(Comparator.comparingDouble(Classification::probability).reversed());
    return out;
  }

  /**
   * @param image decoded image
   * @return the most probable intent
   */
  public Intent intentOf(BufferedImage image) {
    return Intent.parse(classify(image).get(0).label());
  }

  @Override
  public List<String> labels() {
    return classes.stream().map(Intent::label).toList();
  }

  /** @return the intents this model distinguishes, in class order */
  public List<Intent> intents() {
    return classes;
  }

  @Override
  public String id() {
    return "intent-logreg/1[" + embedder.id() + "]";
  }

  /** @return what training saw (counts are 0 and accuracy NaN for a loaded model without them) */
  public TrainingSummary summary() {
    return summary;
  }

  /** @return the embedder the model reads */
  public ImageEmbedder embedder() {
    return embedder;
  }

  private double[] standardise(float[] v) {
    if (v.length != mean.length) {
      throw new io.sightline.core.DimensionMismatchException(mean.length, v.length);
    }
    double[] x = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      x[i] = (v[i] - mean[i]) / scale[i];
    }
    return x;
  }

  /**
   * Saves atomically into a checksummed file that records the embedder id.
   *
   * @param path target file
   */
  public void save(Path path) {
    ChecksummedFile.write(path, new ChecksummedFile.Header(KIND, FORMAT_VERSION, embedder.id()), out -> {
      out.writeInt(mean.length);
      out.writeInt(classes.size());
      for (Intent c : classes) {
        out.writeUTF(c.label());
      }
      out.writeDouble(lambda);
      for (int i = 0; i < mean.length; i++) {
        out.writeDouble(mean[i]);
        out.writeDouble(scale[i]);
      }
      out.writeInt(weights.length);
      out.writeInt(weights[0].length);
      for (double[] row : weights) {
        for (double w : row) {
          out.writeDouble(w);
        }
      }
      out.writeDouble(summary.trainingAccuracy());
      out.writeDouble(summary.validationAccuracy());
      for (Intent c : classes) {
        out.writeInt(summary.samples().getOrDefault(c, 0));
      }
    });
  }

  /**
   * Loads a model saved by {@link #save}.
   *
   * @param path the file
   * @param embedder the embedder the model was trained with (same id and dimension)
   * @return the classifier
   * @throws IncompatibleFormatException when the model was trained with another embedder, or is
   *     of a newer format
   * @throws io.sightline.core.StoreException when the file is missing, corrupt or truncated
   */
  public static EmbeddingIntentClassifier load(Path path, ImageEmbedder embedder) {
    Objects.requireNonNull(embedder, "embedder");
    return ChecksummedFile.read(path, KIND, FORMAT_VERSION, (header, in) -> {
      if (!header.embedderId().equals(embedder.id())) {
        throw new IncompatibleFormatException(path + ": intent model was trained on vectors of '"
            + header.embedderId() + "', not of '" + embedder.id() + "'");
      }
      int dim = in.readInt();
      if (dim != embedder.dimension()) {
        throw new IncompatibleFormatException(path + ": model expects " + dim
            + "-d vectors but the embedder gives " + embedder.dimension());
      }
      int k = in.readInt();
      if (k < 2 || k > Intent.values().length) {
        throw new io.sightline.core.StoreException(path + ": bad class count " + k);
      }
      List<Intent> classes = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        try {
          classes.add(Intent.parse(in.readUTF()));
        } catch (IllegalArgumentException e) {
          throw new io.sightline.core.StoreException(path + ": " + e.getMessage());
        }
      }
      double lambda = in.readDouble();
      double[] mean = new double[dim];
      double[] scale = new double[dim];
      for (int i = 0; i < dim; i++) {
        mean[i] = in.readDouble();
        scale[i] = in.readDouble();
      }
      int rows = in.readInt();
      int cols = in.readInt();
      if (rows < 1 || rows > k || cols < dim || cols > dim + 1) {
        throw new io.sightline.core.StoreException(path + ": bad weight shape " + rows + "x" + cols);
      }
      double[][] w = new double[rows][cols];
      for (double[] row : w) {
        for (int j = 0; j < cols; j++) {
          row[j] = in.readDouble();
        }
      }
      double acc = in.readDouble();
      double validation = in.readDouble();
      Map<Intent, Integer> counts = new EnumMap<>(Intent.class);
      for (Intent c : classes) {
        counts.put(c, in.readInt());
      }
      return new EmbeddingIntentClassifier(embedder, classes, mean, scale, w, lambda,
          new TrainingSummary(counts, acc, lambda, validation));
    });
  }

  /** Fits an {@link EmbeddingIntentClassifier} from labelled images. Not thread-safe; use once. */
  public static final class Trainer {
    private final ImageEmbedder embedder;
    private ImageLoader loader = ImageLoader.defaults();
    private double lambda = 0.1;
    private int maxIterations = 500;
    private double tolerance = 1e-5;
    private double[] lambdaGrid;
    private int folds = 5;

    private Trainer(ImageEmbedder embedder) {
      this.embedder = Objects.requireNonNull(embedder, "embedder");
    }

    /**
     * @param lambda L2 regularisation strength of the logistic regression (default 0.1), &gt;= 0
     * @return this trainer
     */
    public Trainer lambda(double lambda) {
      if (!(lambda >= 0)) {
        throw new IllegalArgumentException("lambda must be >= 0: " + lambda);
      }
      this.lambda = lambda;
      return this;
    }

    /**
     * Chooses lambda by k-fold cross-validation (deterministic folds) among the given values;
     * ties go to the larger (simpler) value. Overrides {@link #lambda(double)}.
     *
     * @param folds number of folds (2..20)
     * @param grid candidate lambdas, each &gt;= 0
     * @return this trainer
     */
    public Trainer selectLambda(int folds, double... grid) {
      if (folds < 2 || folds > 20 || grid.length == 0) {
        throw new IllegalArgumentException("need 2..20 folds and at least one lambda");
      }
      for (double l : grid) {
        if (!(l >= 0)) {
          throw new IllegalArgumentException("lambda must be >= 0: " + l);
        }
      }
      this.folds = folds;
      this.lambdaGrid = grid.clone();
      return this;
    }

    /**
     * @param maxIterations L-BFGS iteration cap (default 500)
     * @return this trainer
     */
    public Trainer maxIterations(int maxIterations) {
      if (maxIterations < 1) {
        throw new IllegalArgumentException("maxIterations must be positive");
      }
      this.maxIterations = maxIterations;
      return this;
    }

    /**
     * @param loader decodes sample images (default {@link ImageLoader#defaults()})
     * @return this trainer
     */
    public Trainer imageLoader(ImageLoader loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * Loads, embeds and learns from image files.
     *
     * @param samples labelled images; must hold at least 2 non-commodity samples and 2 samples
     *     of at least one commodity intent
     * @param listener progress ("embed" per image, then "train")
     * @param token cancels between images
     * @return the fitted classifier
     * @throws InputFormatException when a sample cannot be decoded (names its file and line) or
     *     the set lacks an intent
     */
    public EmbeddingIntentClassifier train(Collection<IntentSample> samples, ProgressListener listener,
        CancellationToken token) {
      List<float[]> vectors = new ArrayList<>(samples.size());
      List<Intent> labels = new ArrayList<>(samples.size());
      long done = 0;
      for (IntentSample s : samples) {
        token.throwIfCancelled();
        BufferedImage img;
        try {
          img = loader.load(s.image());
        } catch (SightlineException e) {
          throw new InputFormatException(null, s.line(), "training sample " + s.image() + ": "
              + e.getMessage(), e);
        }
        vectors.add(embedder.embed(img));
        labels.add(s.intent());
        listener.onProgress("embed", ++done, samples.size(), "");
      }
      return fit(vectors, labels, listener, token);
    }

    /**
     * Learns from decoded images.
     *
     * @param images the images
     * @param intents their labels, same order
     * @param listener progress
     * @param token cancels between images
     * @return the fitted classifier
     */
    public EmbeddingIntentClassifier trainImages(List<BufferedImage> images, List<Intent> intents,
        ProgressListener listener, CancellationToken token) {
      if (images.size() != intents.size()) {
        throw new IllegalArgumentException(images.size() + " images but " + intents.size() + " labels");
      }
      List<float[]> vectors = new ArrayList<>(images.size());
      for (int i = 0; i < images.size(); i++) {
        token.throwIfCancelled();
        vectors.add(embedder.embed(Objects.requireNonNull(images.get(i), "image " + i)));
        listener.onProgress("embed", i + 1, images.size(), "");
      }
      return fit(vectors, List.copyOf(intents), listener, token);
    }

    private EmbeddingIntentClassifier fit(List<float[]> vectors, List<Intent> labels,
        ProgressListener listener, CancellationToken token) {
      Map<Intent, Integer> counts = new EnumMap<>(Intent.class);
      for (Intent i : labels) {
        counts.merge(Objects.requireNonNull(i, "intent"), 1, Integer::sum);
      }
      if (counts.getOrDefault(Intent.NON_COMMODITY, 0) < 2) {
        throw new InputFormatException(null, 0, "intent training needs at least 2 non-commodity samples (has "
            + counts.getOrDefault(Intent.NON_COMMODITY, 0) + ")");
      }
      List<Intent> classes = new ArrayList<>();
      for (Intent i : Intent.values()) {
        int n = counts.getOrDefault(i, 0);
        if (n == 1) {
          throw new InputFormatException(null, 0, "intent '" + i + "' has a single sample; give at least 2 or none");
        }
        if (n >= 2) {
          classes.add(i);
        }
      }
      if (classes.size() < 2) {
        throw new InputFormatException(null, 0,
            "intent training needs commodity samples (apparel and/or other-commodity) besides non-commodity ones");
      }
      int d = embedder.dimension();
      int n = vectors.size();
      double[] mean = new double[d];
      double[] scale = new double[d];
      for (float[] v : vectors) {
        if (v.length != d) {
          throw new io.sightline.core.DimensionMismatchException(d, v.length);
        }
        for (int j = 0; j < d; j++) {
          mean[j] += v[j];
        }
      }
      for (int j = 0; j < d; j++) {
        mean[j] /= n;
      }
      for (float[] v : vectors) {
        for (int j = 0; j < d; j++) {
          double t = v[j] - mean[j];
          scale[j] += t * t;
        }
      }
      for (int j = 0; j < d; j++) {
        scale[j] = Math.sqrt(scale[j] / n);
        if (!(scale[j] > 1e-9)) {
          scale[j] = 1.0; // constant feature: centred to 0, left unscaled
        }
      }
      double[][] x = new double[n][d];
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        float[] v = vectors.get(i);
        for (int j = 0; j < d; j++) {
          x[i][j] = (v[j] - mean[j]) / scale[j];
        }
        y[i] = classes.indexOf(labels.get(i));
      }
      token.throwIfCancelled();
      listener.onProgress("train", 0, 1, classes.size() + " intents, " + n + " samples");
      double chosen = lambda;
      double validation = Double.NaN;
      if (lambdaGrid != null) {
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
        for (double l : lambdaGrid) {
          int right = 0;
          for (int f = 0; f < folds; f++) {
            token.throwIfCancelled();
            List<Integer> tr = new ArrayList<>();
            List<Integer> te = new ArrayList<>();
            for (int i = 0; i < n; i++) {
              (fold[i] == f ? te : tr).add(i);
            }
            double[][] xt = new double[tr.size()][];
            int[] yt = new int[tr.size()];
            for (int i = 0; i < tr.size(); i++) {
              xt[i] = x[tr.get(i)];
              yt[i] = y[tr.get(i)];
            }
            if (java.util.Arrays.stream(yt).distinct().count() < classes.size()) {
              continue; // this fold's training part lost a class: counts as wrong for its held-out part
            }
            LogisticRegression m = fitModel(xt, yt, classes.size(), l).model();
            for (int i : te) {
              if (m.predict(x[i]) == y[i]) {
                right++;
              }
            }
          }
          double acc = right / (double) n;
          LOG.debug("intent model: lambda {} cross-validation accuracy {}", l, acc);
          if (acc > best || (acc == best && l > chosen)) {
            best = acc;
            chosen = l;
          }
        }
        validation = best;
        listener.onProgress("train", 0, 1, String.format(java.util.Locale.ROOT,
            "lambda %s chosen by %d-fold cross-validation (accuracy %.3f)", chosen, folds, best));
      }
      Fit fit = fitModel(x, y, classes.size(), chosen);
      double[][] w = fit.weights();
      LogisticRegression fitted = fit.model();
      int correct = 0;
      for (int i = 0; i < n; i++) {
        if (fitted.predict(x[i]) == y[i]) {
          correct++;
        }
      }
      double acc = correct / (double) n;
      listener.onProgress("train", 1, 1, String.format(java.util.Locale.ROOT, "training accuracy %.3f", acc));
      LOG.info("intent model: {} samples {}, lambda {}, training accuracy {}, validation accuracy {}", n, counts,
          chosen, acc, validation);
      return new EmbeddingIntentClassifier(embedder, classes, mean, scale, w, chosen,
          new TrainingSummary(counts, acc, chosen, validation));
    }

    private record Fit(LogisticRegression model, double[][] weights) {}

    private Fit fitModel(double[][] x, int[] y, int k, double l) {
      try {
        if (k == 2) {
          LogisticRegression.Binomial b = LogisticRegression.binomial(x, y, l, tolerance, maxIterations);
          return new Fit(b, new double[][] {b.coefficients()});
        }
        LogisticRegression.Multinomial m = LogisticRegression.multinomial(x, y, l, tolerance, maxIterations);
        return new Fit(m, m.coefficients());
      } catch (RuntimeException e) {
        throw new ModelException("intent model training failed: " + e.getMessage(), e);
      }
    }
  }
}
