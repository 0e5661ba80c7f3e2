package io.sightline.commerce;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.EmbeddingClassifier;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
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

/**
 * The trainable image intent classification model of seed claim 4: an embedding from any
 * {@link ImageEmbedder}, then core's {@link EmbeddingClassifier} (standardisation and Smile's
 * logistic regression, binomial or multinomial) trained on labelled samples (non-commodity,
 * apparel, other-commodity). Implements the core {@link ImageClassifier} SPI, with the intent
 * labels as class names, so it plugs into {@link ProductSearcher} exactly like an ONNX classifier
 * would. This class adds the intent rules (which samples a gate needs, file and line of a sample
 * that cannot be decoded) and the {@link Intent} view of the labels.
 *
 * <p>Saved as core's checksummed classifier file (kind {@value EmbeddingClassifier#KIND}) that
 * records the embedder id; {@link #load} refuses a model trained on another embedder's vectors
 * and a classifier whose labels are not intents.
 *
 * <p>Immutable and thread-safe.
 */
public final class EmbeddingIntentClassifier implements ImageClassifier {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingIntentClassifier.class);
  private final EmbeddingClassifier model;
  private final List<Intent> classes;
  private final TrainingSummary summary;

  /**
   * What training saw and achieved.
   *
   * @param samples samples per intent
   * @param trainingAccuracy share of training samples the fitted model labels correctly
   * @param lambda L2 penalty used (core's {@code l2}: on the mean cross-entropy)
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

  private EmbeddingIntentClassifier(EmbeddingClassifier model, String source) {
    this.model = model;
    List<Intent> cs = new ArrayList<>();
    Map<Intent, Integer> counts = new EnumMap<>(Intent.class);
    for (String label : model.labels()) {
      Intent i;
      try {
        i = Intent.parse(label);
      } catch (IllegalArgumentException e) {
        throw new IncompatibleFormatException(source + ": label '" + label + "' is not an intent ("
            + "non-commodity, apparel, other-commodity): not an intent model");
      }
      cs.add(i);
      counts.put(i, model.samplesPerLabel().getOrDefault(label, 0));
    }
    this.classes = List.copyOf(cs);
    this.summary = new TrainingSummary(counts, model.trainingAccuracy(), model.l2(), model.validationAccuracy());
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
    return model.classify(image);
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
    return model.labels();
  }

  /** @return the intents this model distinguishes, in class order */
  public List<Intent> intents() {
    return classes;
  }

  @Override
  public String id() {
    return "intent-" + model.id();
  }

  /** @return what training saw (counts 0 and accuracies NaN for a model file without them) */
  public TrainingSummary summary() {
    return summary;
  }

  /** @return the embedder the model reads */
  public ImageEmbedder embedder() {
    return model.embedder();
  }

  /** @return the underlying core classifier */
  public EmbeddingClassifier classifier() {
    return model;
  }

  /**
   * Saves atomically into core's checksummed classifier file that records the embedder id.
   *
   * @param path target file
   */
  public void save(Path path) {
    model.save(path);
  }

  /**
   * Loads a model saved by {@link #save}.
   *
   * @param path the file
   * @param embedder the embedder the model was trained with (same id and dimension)
   * @return the classifier
   * @throws IncompatibleFormatException when the model was trained with another embedder, holds
   *     labels that are not intents, or is of a newer format
   * @throws io.sightline.core.StoreException when the file is missing, corrupt or truncated
   */
  public static EmbeddingIntentClassifier load(Path path, ImageEmbedder embedder) {
    Objects.requireNonNull(embedder, "embedder");
    return new EmbeddingIntentClassifier(EmbeddingClassifier.load(path, embedder), path.toString());
  }

  /** Fits an {@link EmbeddingIntentClassifier} from labelled images. Not thread-safe; use once. */
  public static final class Trainer {
    private final ImageEmbedder embedder;
    private final EmbeddingClassifier.Builder builder;
    private ImageLoader loader = ImageLoader.defaults();

    private Trainer(ImageEmbedder embedder) {
      this.embedder = Objects.requireNonNull(embedder, "embedder");
      this.builder = EmbeddingClassifier.builder(embedder);
    }

    /**
     * @param lambda L2 penalty on the mean cross-entropy (core's {@code l2}, default 1e-3), &gt;= 0
     * @return this trainer
     */
    public Trainer lambda(double lambda) {
      if (!(lambda >= 0)) {
        throw new IllegalArgumentException("lambda must be >= 0: " + lambda);
      }
      builder.l2(lambda);
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
      builder.selectL2(folds, grid);
      return this;
    }

    /**
     * @param maxIterations L-BFGS iteration cap (default 500)
     * @return this trainer
     */
    public Trainer maxIterations(int maxIterations) {
      builder.maxIterations(maxIterations);
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
      int kinds = 0;
      for (Intent i : Intent.values()) {
        int n = counts.getOrDefault(i, 0);
        if (n == 1) {
          throw new InputFormatException(null, 0, "intent '" + i + "' has a single sample; give at least 2 or none");
        }
        kinds += n >= 2 ? 1 : 0;
      }
      if (kinds < 2) {
        throw new InputFormatException(null, 0,
            "intent training needs commodity samples (apparel and/or other-commodity) besides non-commodity ones");
      }
      // labels in intent order, so class order does not depend on the order of the samples
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < labels.size(); i++) {
        order.add(i);
      }
      order.sort(Comparator.comparingInt(i -> labels.get(i).ordinal()));
      List<EmbeddingClassifier.Example> examples = new ArrayList<>(vectors.size());
      for (int i : order) {
        examples.add(EmbeddingClassifier.Example.ofVector(labels.get(i).label(), vectors.get(i)));
      }
      EmbeddingIntentClassifier m = new EmbeddingIntentClassifier(builder.train(examples, listener, token),
          "training");
      double val = m.summary.validationAccuracy();
      LOG.info("intent model: {} samples {}, lambda {}, training accuracy {}, validation accuracy {}",
          vectors.size(), counts, m.summary.lambda(), String.format(java.util.Locale.ROOT, "%.3f", m.summary.trainingAccuracy()),
          Double.isNaN(val) ? "n/a (no validation folds)" : String.format(java.util.Locale.ROOT, "%.3f", val));
      return m;
    }
  }
}
