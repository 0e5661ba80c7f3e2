package io.sightline.describer;

import com.microsoft.ml.lightgbm.PredictionType;
import io.github.metarank.lightgbm4j.LGBMBooster;
import io.github.metarank.lightgbm4j.LGBMDataset;
import io.github.metarank.lightgbm4j.LGBMException;
import io.sightline.core.CancellationToken;
import io.sightline.core.ModelException;
import io.sightline.core.ProgressListener;
import io.sightline.core.store.ChecksummedFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The trained correctness scorer of seed [0031]: a gradient-boosted decision tree (LightGBM,
 * binary objective) over an entity's feature parameters; its score is the probability that the
 * entity correctly identifies the object in the target image.
 *
 * <p>Train with {@link #train} from labelled candidates (see {@link ScorerTraining} for building
 * them from {@code labels.jsonl}), {@link #save} it, and {@link #load} it later. The file is a
 * {@link ChecksummedFile} (kind {@value #KIND}) holding the scoring mode, the feature names, the
 * default threshold and LightGBM's text model; a scorer refuses rows of another feature schema.
 *
 * <p>The LightGBM native library is loaded only when a GBDT is trained or loaded, from a private
 * copy per JVM (see {@code LightGbmNatives}: lightgbm4j's shared extraction path lets one JVM crash
 * another). Training is
 * deterministic (fixed seed, one thread). Thread-safe: predictions are serialised on the booster.
 */
public final class GbdtEntityScorer implements EntityScorer, AutoCloseable {
  /** Kind recorded in model files. */
  public static final String KIND = "describer-entity-gbdt";
  private static final int FORMAT = 1;

  private final FeatureSchema schema;
  private final String modelText;
  private final double threshold;
  private final LGBMBooster booster;
  private final String id;

  private GbdtEntityScorer(FeatureSchema schema, String modelText, double threshold) {
    this.schema = schema;
    this.modelText = modelText;
    this.threshold = threshold;
    LightGbmNatives.ensureLoaded();
    try {
      this.booster = LGBMBooster.loadModelFromString(modelText);
      int nf = booster.getNumFeature();
      if (nf != schema.size()) {
        throw new ModelException("GBDT model has " + nf + " features but its header lists " + schema.size());
      }
    } catch (LGBMException | UnsatisfiedLinkError e) {
      throw new ModelException("cannot load the LightGBM model: " + e.getMessage(), e);
    }
    this.id = "gbdt/1:" + schema.mode().name().toLowerCase(Locale.ROOT) + ":"
        + Integer.toHexString(modelText.hashCode());
  }

  /**
   * LightGBM settings.
   *
   * @param iterations boosting rounds
   * @param learningRate shrinkage
   * @param numLeaves leaves per tree
   * @param minDataInLeaf minimum examples per leaf
   * @param seed random seed
   * @param threshold the default score threshold stored with the model
   */
  public record Params(int iterations, double learningRate, int numLeaves, int minDataInLeaf, int seed,
      double threshold) {
    /** Validates. */
    public Params {
      if (iterations < 1 || learningRate <= 0 || numLeaves < 2 || minDataInLeaf < 1
          || threshold < 0 || threshold > 1) {
        throw new IllegalArgumentException("invalid GBDT parameters");
      }
    }

    /** @return 200 rounds, learning rate 0.05, 15 leaves, 5 per leaf, seed 7, threshold 0.5 */
    public static Params defaults() {
      return new Params(200, 0.05, 15, 5, 7, 0.5);
    }

    String lightgbm() {
      return String.format(Locale.ROOT, "objective=binary metric=binary_logloss learning_rate=%s num_leaves=%d"
          + " min_data_in_leaf=%d seed=%d deterministic=true force_row_wise=true num_threads=1 verbosity=-1"
          + " feature_pre_filter=false", learningRate, numLeaves, minDataInLeaf, seed);
    }
  }

  /**
   * Trains a scorer.
   *
   * @param schema the feature schema of every example
   * @param examples labelled candidates (both classes needed)
   * @param params settings
   * @param listener progress, once per 10 rounds
   * @param cancel checked every round
   * @return the trained scorer
   * @throws ModelException when the examples are unusable (empty, one class, other schema)
   */
  public static GbdtEntityScorer train(FeatureSchema schema, List<TrainingExample> examples, Params params,
      ProgressListener listener, CancellationToken cancel) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(params, "params");
    int rows = examples.size();
    int cols = schema.size();
    int pos = 0;
    for (TrainingExample e : examples) {
      if (!e.candidate().schema().equals(schema)) {
        throw new ModelException("training example of query " + e.query() + " has " + e.candidate().schema().mode()
            + " features, expected " + schema.mode());
      }
      pos += e.correct() ? 1 : 0;
    }
    if (pos == 0 || pos == rows) {
      throw new ModelException("training needs both correct and incorrect examples (got " + pos
          + " correct of " + rows + ")");
    }
    double[] data = new double[rows * cols];
    float[] labels = new float[rows];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(examples.get(i).candidate().features(), 0, data, i * cols, cols);
      labels[i] = examples.get(i).correct() ? 1f : 0f;
    }
    String text;
    LightGbmNatives.ensureLoaded();
    try (LGBMDataset ds = LGBMDataset.createFromMat(data, rows, cols, true, "verbosity=-1 feature_pre_filter=false", null)) {
      ds.setFeatureNames(schema.names().toArray(String[]::new));
      ds.setField("label", labels);
      try (LGBMBooster b = LGBMBooster.create(ds, params.lightgbm())) {
        for (int it = 1; it <= params.iterations(); it++) {
          cancel.throwIfCancelled();
          boolean finished = b.updateOneIter();
          if (it % 10 == 0 || it == params.iterations() || finished) {
            listener.onProgress("gbdt", it, params.iterations(), "");
          }
          if (finished) {
            break;
          }
        }
        text = b.saveModelToString(0, 0, LGBMBooster.FeatureImportanceType.GAIN);
      }
    } catch (LGBMException | UnsatisfiedLinkError e) {
      throw new ModelException("LightGBM training failed: " + e.getMessage(), e);
    }
    return new GbdtEntityScorer(schema, text, params.threshold());
  }

  /**
   * Saves atomically as a checksummed file.
   *
   * @param file target
   */
  public void save(Path file) {
    ChecksummedFile.write(file, new ChecksummedFile.Header(KIND, FORMAT, ""), out -> {
      schema.write(out);
      out.writeDouble(threshold);
      byte[] b = modelText.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    });
  }

  /**
   * @param file a file written by {@link #save}
   * @return the scorer
   * @throws ModelException when the file is missing, corrupt, or not an entity scorer
   */
  public static GbdtEntityScorer load(Path file) {
    return EntityScorers.read(file, KIND, FORMAT, "entity scorer model", (h, in) -> {
      FeatureSchema schema = FeatureSchema.read(in);
      double threshold = in.readDouble();
      byte[] b = FeatureSchema.readBlock(in, 1 << 30);
      return new GbdtEntityScorer(schema, new String(b, StandardCharsets.UTF_8), threshold);
    });
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public double defaultThreshold() {
    return threshold;
  }

  /** @return the feature schema the model was trained on */
  public FeatureSchema schema() {
    return schema;
  }

  @Override
  public void checkSchema(FeatureSchema other) {
    if (!schema.equals(other)) {
      throw new ModelException("entity scorer " + id + " was trained on " + schema.mode() + " features "
          + schema.names() + " but is asked to score " + other.mode() + " features " + other.names()
          + "; train a scorer for this mode and feature set");
    }
  }

  @Override
  public double[] score(FeatureSchema rowsSchema, List<double[]> rows) {
    checkSchema(rowsSchema);
    if (rows.isEmpty()) {
      return new double[0];
    }
    int cols = schema.size();
    double[] data = new double[rows.size() * cols];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, data, i * cols, cols);
    }
    synchronized (booster) {
      try {
        return booster.predictForMat(data, rows.size(), cols, true, PredictionType.C_API_PREDICT_NORMAL, "num_threads=1");
      } catch (LGBMException e) {
        throw new ModelException("LightGBM prediction failed: " + e.getMessage(), e);
      }
    }
  }

  /** @return feature name to total gain of its splits, in schema order */
  public Map<String, Double> featureImportance() {
    synchronized (booster) {
      try {
        double[] g = booster.featureImportance(0, LGBMBooster.FeatureImportanceType.GAIN);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < g.length; i++) {
          m.put(schema.names().get(i), g[i]);
        }
        return m;
      } catch (LGBMException e) {
        throw new ModelException("LightGBM feature importance failed: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public void close() {
    synchronized (booster) {
      try {
        booster.close();
      } catch (LGBMException e) {
        throw new ModelException("cannot release the LightGBM model: " + e.getMessage(), e);
      }
    }
  }
}
