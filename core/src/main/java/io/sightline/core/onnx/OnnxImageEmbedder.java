package io.sightline.core.onnx;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ModelException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.Layout;
import io.sightline.core.index.Vectors;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ImageEmbedder} backed by any ONNX vision model (CLIP/DINOv2/ResNet image towers,
 * exported with {@code torch.onnx.export} or {@code tf2onnx}), run by DJL's ONNX Runtime engine.
 *
 * <p>The caller declares what the model expects: input size, layout (CHW or HWC), per-channel
 * mean/std in [0,1] pixel units (pixel/255 - mean)/std, channel order, and which output holds the
 * embedding (by name or index). Every value after the batch dimension of that output is the
 * vector, so {@code [N,D]} and {@code [N,D,1,1]} both work.
 *
 * <pre>{@code
 * try (OnnxImageEmbedder e = OnnxImageEmbedder.builder()
 *     .modelPath(Path.of("resnet50.onnx"))
 *     .inputSize(224, 224)
 *     .normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f})
 *     .outputName("embedding")
 *     .l2Normalize(true)
 *     .build()) {
 *   float[] v = e.embed(image);
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} loads the model and runs a probe inference on a grey image, so a
 * missing, malformed or mismatched model (wrong input size or layout, unknown output name, other
 * dimension than declared) fails there with a {@link ModelException} naming the file and what was
 * expected, not on first use. If the model has a fixed batch size of 1, batching is turned off.
 *
 * <p>{@link #id()} is {@code "onnx:<file name>@sha256:<first 12 hex digits of the file hash>"}, so
 * an index built with one model file is never searched with vectors of another.
 *
 * <p>Thread-safe: concurrent calls each use their own DJL predictor from an internal pool. ONNX
 * Runtime is loaded only when the first instance is built. Close it to release native memory.
 */
public final class OnnxImageEmbedder implements ImageEmbedder {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxImageEmbedder.class);

  private final OnnxModel model;
  private final String outputName;
  private final int dimension;
  private final int batchSize;
  private final boolean l2;

  private OnnxImageEmbedder(OnnxModel model, String outputName, int dimension, int batchSize, boolean l2) {
    this.model = model;
    this.outputName = outputName;
    this.dimension = dimension;
    this.batchSize = batchSize;
    this.l2 = l2;
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public float[] embed(BufferedImage image) {
    return embedAll(Collections.singletonList(image)).get(0);
  }

  /**
   * Embeds images in batches of {@link Builder#batchSize(int)}.
   *
   * @param images images
   * @return one vector per image, in order
   */
  @Override
  public List<float[]> embedAll(List<BufferedImage> images) {
    if (images == null) {
      throw new ImageDecodeException("image list is null");
    }
    for (int i = 0; i < images.size(); i++) {
      checkImage(images.get(i), i);
    }
    List<float[]> out = new ArrayList<>(images.size());
    for (int from = 0; from < images.size(); from += batchSize) {
      List<BufferedImage> batch = images.subList(from, Math.min(images.size(), from + batchSize));
      out.addAll(vectors(model.run(batch), batch.size()));
    }
    return out;
  }

  private List<float[]> vectors(ModelOutputs outputs, int n) {
    OutputTensor t = model.select(outputs, outputName, 0);
    if (t.shape().length < 2 || t.shape()[0] != n) {
      throw new ModelException("ONNX model " + model.file() + " output '" + t.name() + "' has shape "
          + java.util.Arrays.toString(t.shape()) + "; expected [batch=" + n + ", dimension...]");
    }
    int d = t.rowSize();
    if (dimension > 0 && d != dimension) {
      throw new ModelException("ONNX model " + model.file() + " output '" + t.name() + "' has "
          + d + " values per image; expected " + dimension);
    }
    List<float[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = java.util.Arrays.copyOfRange(t.data(), i * d, (i + 1) * d);
      if (l2) {
        Vectors.normalizeInPlace(v);
      }
      out.add(v);
    }
    return out;
  }

  static void checkImage(BufferedImage img, int index) {
    if (img == null) {
      throw new ImageDecodeException("image #" + index + " is null");
    }
    if (img.getWidth() < 1 || img.getHeight() < 1) {
      throw new ImageDecodeException("image #" + index + " is empty (" + img.getWidth() + "x"
          + img.getHeight() + ")");
    }
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String id() {
    return model.id();
  }

  /** @return the model file */
  public Path modelPath() {
    return model.file();
  }

  /**
   * The preprocessing this embedder applies, in words, for a store or model folder to record
   * beside {@link #id()} (e.g. {@code "input 224x224 CHW RGB mean [0.485, 0.456, 0.406] std
   * [0.229, 0.224, 0.225] resize CENTER_CROP (shorter side 256) BICUBIC"} for
   * {@link Preset#DINOV2}). Two embedders with the same id and description give the same vectors.
   *
   * @return the description
   */
  public String preprocessing() {
    return model.preprocessor().toString();
  }

  /** @return the effective batch size (1 when the model has a fixed batch dimension of 1) */
  public int batchSize() {
    return batchSize;
  }

  @Override
  public void close() {
    model.close();
  }

  /** Fluent builder; not thread-safe. */
  public static final class Builder extends SingleOutputBuilder<Builder> {
    private int dimension = -1;
    private boolean l2;

    private Builder() {
      super(ResizeMode.STRETCH);
    }

    /**
     * @param dimension the expected vector length; checked at build() (default: whatever the
     *     model gives)
     * @return this
     */
    public Builder dimension(int dimension) {
      if (dimension < 1) {
        throw new IllegalArgumentException("dimension must be positive: " + dimension);
      }
      this.dimension = dimension;
      return this;
    }

    /**
     * @param normalize whether to scale each vector to unit length (default false: raw output)
     * @return this
     */
    public Builder l2Normalize(boolean normalize) {
      this.l2 = normalize;
      return this;
    }

    /**
     * Loads the model and checks it with a probe inference.
     *
     * @return the embedder
     * @throws IllegalStateException when modelPath or inputSize is missing
     * @throws ModelException when the model is missing, malformed, or does not give the declared
     *     output and dimension for the declared input
     */
    public OnnxImageEmbedder build() {
      Preprocessor pre = opts.preprocessor("OnnxImageEmbedder");
      OnnxModel model = OnnxModel.load(opts.modelPath, pre, opts.engineOptions);
      try {
        BufferedImage probe = probeImage(pre);
        ModelOutputs out = model.run(List.of(probe));
        OutputTensor t = model.select(out, outputName, outputIndex);
        if (t.shape().length < 2 || t.shape()[0] != 1) {
          throw new ModelException("ONNX model " + model.file() + " output '" + t.name()
              + "' has shape " + java.util.Arrays.toString(t.shape())
              + "; expected [batch, dimension...] with batch 1 for one image");
        }
        int d = t.rowSize();
        if (dimension > 0 && d != dimension) {
          throw new ModelException("ONNX model " + model.file() + " output '" + t.name() + "' has "
              + d + " values per image; expected dimension " + dimension);
        }
        if (d < 1) {
          throw new ModelException("ONNX model " + model.file() + " output '" + t.name()
              + "' is empty; expected a vector per image");
        }
        int effectiveBatch = batchSize;
        if (batchSize > 1) {
          try {
            model.run(List.of(probe, probe));
          } catch (ModelException e) {
            LOG.info("ONNX model {} does not accept a batch of 2 ({}); embedding one image at a time",
                model.file().getFileName(), e.getMessage());
            effectiveBatch = 1;
          }
        }
        LOG.debug("ONNX embedder {}: output '{}', dimension {}, batch {}", model.id(), t.name(), d,
            effectiveBatch);
        return new OnnxImageEmbedder(model, t.name(), d, effectiveBatch, l2);
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }
  }

  static BufferedImage probeImage(Preprocessor pre) {
    BufferedImage probe = new BufferedImage(pre.width(), pre.height(), BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = probe.createGraphics();
    try {
      g.setColor(new Color(128, 128, 128));
      g.fillRect(0, 0, pre.width(), pre.height());
    } finally {
      g.dispose();
    }
    return probe;
  }
}
