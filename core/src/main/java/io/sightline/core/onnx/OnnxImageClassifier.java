package io.sightline.core.onnx;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ModelException;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.image.Layout;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * An {@link ImageClassifier} backed by any ONNX classification model run by DJL's ONNX Runtime
 * engine. The model's chosen output must give one value per label for each image ({@code [N,C]},
 * or {@code [N,C,1,1]}); those values are either logits, turned into probabilities with a softmax
 * ({@link Activation#SOFTMAX}, the default), or already probabilities ({@link Activation#NONE},
 * for models that end in a Softmax node; they are renormalised to sum to 1).
 *
 * <p>Labels come from the caller, as a list or a UTF-8 file with one label per line in output
 * order (ImageNet's {@code synset.txt} style; blank lines are skipped). Input size, layout,
 * mean/std, channel order and resize mode are declared as for {@link OnnxImageEmbedder}
 * (default resize: {@link ResizeMode#STRETCH}; ImageNet models usually want
 * {@link ResizeMode#CENTER_CROP}).
 *
 * <p>{@link Builder#build()} loads the model and runs a probe inference; a missing or malformed
 * file, an unknown output, a label count that differs from the model's class count, or
 * "probabilities" that are not in [0,1] fail there with a {@link ModelException}.
 *
 * <p>Thread-safe (pooled DJL predictors); close it to release native memory.
 */
public final class OnnxImageClassifier implements ImageClassifier {
  /** What the model's output holds. */
  public enum Activation {
    /** Logits: a softmax is applied. */
    SOFTMAX,
    /** Already probabilities (the model ends in a Softmax); only renormalised to sum to 1. */
    NONE
  }

  private final OnnxModel model;
  private final String outputName;
  private final List<String> labels;
  private final Activation activation;
  private final int batchSize;

  private OnnxImageClassifier(OnnxModel model, String outputName, List<String> labels,
      Activation activation, int batchSize) {
    this.model = model;
    this.outputName = outputName;
    this.labels = labels;
    this.activation = activation;
    this.batchSize = batchSize;
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public List<Classification> classify(BufferedImage image) {
    return classifyAll(Collections.singletonList(image)).get(0);
  }

  /**
   * Classifies images in batches.
   *
   * @param images images
   * @return for each image, every label with its probability, most probable first
   */
  public List<List<Classification>> classifyAll(List<BufferedImage> images) {
    if (images == null) {
      throw new ImageDecodeException("image list is null");
    }
    for (int i = 0; i < images.size(); i++) {
      OnnxImageEmbedder.checkImage(images.get(i), i);
    }
    List<List<Classification>> out = new ArrayList<>(images.size());
    for (int from = 0; from < images.size(); from += batchSize) {
      List<BufferedImage> batch = images.subList(from, Math.min(images.size(), from + batchSize));
      OutputTensor t = model.select(model.run(batch), outputName, 0);
      int c = labels.size();
      for (int i = 0; i < batch.size(); i++) {
        float[] row = Arrays.copyOfRange(t.data(), i * c, (i + 1) * c);
        out.add(rank(probabilities(row, activation, model.file(), t.name()), labels));
      }
    }
    return out;
  }

  static float[] probabilities(float[] row, Activation activation, Path file, String output) {
    float[] p = new float[row.length];
    if (activation == Activation.SOFTMAX) {
      double max = Double.NEGATIVE_INFINITY;
      for (float v : row) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (int i = 0; i < row.length; i++) {
        double e = Math.exp(row[i] - max);
        p[i] = (float) e;
        sum += e;
      }
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) (p[i] / sum);
      }
      return p;
    }
    double sum = 0;
    for (float v : row) {
      if (!(v >= -1e-4f && v <= 1.0001f)) {
        throw new ModelException("ONNX model " + file + " output '" + output + "' holds " + v
            + ", not a probability; declare Activation.SOFTMAX if it gives logits");
      }
      sum += Math.max(0, v);
    }
    if (sum <= 0) {
      throw new ModelException("ONNX model " + file + " output '" + output
          + "' gives all-zero probabilities");
    }
    for (int i = 0; i < row.length; i++) {
      p[i] = (float) (Math.max(0, row[i]) / sum);
    }
    return p;
  }

  static List<Classification> rank(float[] p, List<String> labels) {
    List<Classification> out = new ArrayList<>(p.length);
    for (int i = 0; i < p.length; i++) {
      out.add(new Classification(labels.get(i), p[i]));
    }
    out.sort(Comparator.comparingDouble((Classification c) -> c.probability()).reversed());
    return List.copyOf(out);
  }

  @Override
  public List<String> labels() {
    return labels;
  }

  @Override
  public String id() {
    return model.id();
  }

  @Override
  public void close() {
    model.close();
  }

  /** Fluent builder; not thread-safe. */
  public static final class Builder extends SingleOutputBuilder<Builder> {
    private List<String> labels;
    private Path labelsFile;
    private Activation activation = Activation.SOFTMAX;

    private Builder() {
      super(ResizeMode.STRETCH);
    }

    /**
     * @param labels class names in output order (required, or {@link #labelsFile})
     * @return this
     */
    public Builder labels(List<String> labels) {
      this.labels = List.copyOf(labels);
      return this;
    }

    /**
     * @param file UTF-8 text file, one label per line in output order
     * @return this
     */
    public Builder labelsFile(Path file) {
      this.labelsFile = file;
      return this;
    }

    /**
     * @param activation what the output holds (default SOFTMAX: logits)
     * @return this
     */
    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /**
     * Loads the model and checks it with a probe inference.
     *
     * @return the classifier
     * @throws IllegalStateException when modelPath, inputSize or labels are missing
     * @throws ModelException when the model is missing, malformed or does not fit the labels
     */
    public OnnxImageClassifier build() {
      Preprocessor pre = opts.preprocessor("OnnxImageClassifier");
      List<String> names = resolveLabels();
      OnnxModel model = OnnxModel.load(opts.modelPath, pre, opts.engineOptions);
      try {
        BufferedImage probe = OnnxImageEmbedder.probeImage(pre);
        OutputTensor t = model.select(model.run(List.of(probe)), outputName, outputIndex);
        if (t.shape().length < 2 || t.shape()[0] != 1) {
          throw new ModelException("ONNX model " + model.file() + " output '" + t.name()
              + "' has shape " + Arrays.toString(t.shape()) + "; expected [batch, classes]");
        }
        if (t.rowSize() != names.size()) {
          throw new ModelException("ONNX model " + model.file() + " output '" + t.name() + "' gives "
              + t.rowSize() + " scores per image but " + names.size() + " labels were given"
              + (labelsFile != null ? " in " + labelsFile : ""));
        }
        probabilities(t.data(), activation, model.file(), t.name());
        int effectiveBatch = batchSize;
        if (batchSize > 1) {
          try {
            model.run(List.of(probe, probe));
          } catch (ModelException e) {
            effectiveBatch = 1;
          }
        }
        return new OnnxImageClassifier(model, t.name(), names, activation, effectiveBatch);
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }

    private List<String> resolveLabels() {
      return Labels.resolve("OnnxImageClassifier", labels, labelsFile);
    }
  }
}
