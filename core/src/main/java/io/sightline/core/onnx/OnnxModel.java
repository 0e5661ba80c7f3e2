package io.sightline.core.onnx;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import io.sightline.core.ModelException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX model loaded through DJL's ONNX Runtime engine, shared by the public ONNX classes.
 *
 * <p>DJL {@link Predictor}s are not thread-safe, so this keeps a pool: each call borrows an idle
 * predictor (creating one when none is idle) and returns it afterwards, so concurrent callers
 * never share one. The engine (and its native library) is loaded only when a model is loaded.
 *
 * <p>The file is handed to ONNX Runtime directly ({@link #open}): DJL's {@code Criteria} is not
 * used, because given a folder it walks the whole folder tree looking for repository metadata, so
 * a model in a shared folder such as /tmp failed when another process removed a sibling folder
 * or left a {@code metadata.json} there.
 */
final class OnnxModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);

  private final Path file;
  private final String sha256;
  private final Preprocessor pre;
  private final Model model;
  private final ImageTranslator translator;
  private final PredictorPool<ImageBatch, ModelOutputs> predictors;
  private volatile boolean closed;

  private OnnxModel(Path file, String sha256, Preprocessor pre, Model model) {
    this.file = file;
    this.sha256 = sha256;
    this.pre = pre;
    this.model = model;
    this.translator = new ImageTranslator(pre);
    this.predictors = new PredictorPool<>(model, translator);
  }

  /**
   * Checks the file and loads it.
   *
   * @param file the .onnx file
   * @param pre preprocessing
   * @param options ONNX Runtime options passed to DJL (e.g. intraOpNumThreads)
   * @return the loaded model
   * @throws ModelException when the file is missing, unreadable or not a valid ONNX model
   */
  static OnnxModel load(Path file, Preprocessor pre, Map<String, String> options) {
    Path abs = checkFile(file);
    String sha = sha256(abs);
    Model zoo = open(abs, options);
    LOG.debug("loaded ONNX model {} (sha256 {})", abs, sha);
    return new OnnxModel(abs, sha, pre, zoo);
  }

  /**
   * Checks that a model path names a readable regular file.
   *
   * @param file the path
   * @return the absolute, normalised path
   * @throws IllegalStateException when {@code file} is null
   * @throws ModelException when it is missing or not a readable regular file
   */
  static Path checkFile(Path file) {
    if (file == null) {
      throw new IllegalStateException("model path is required");
    }
    Path abs = file.toAbsolutePath().normalize();
    if (!Files.exists(abs)) {
      throw new ModelException("ONNX model file " + abs + " does not exist; expected an .onnx model file");
    }
    if (!Files.isRegularFile(abs) || !Files.isReadable(abs)) {
      throw new ModelException("ONNX model path " + abs + " is not a readable file; expected an .onnx model file");
    }
    return abs;
  }

  /**
   * Opens one ONNX file with DJL's ONNX Runtime engine, reading that file only: no folder is
   * listed or walked, nothing is downloaded.
   *
   * @param abs the checked, absolute model file
   * @param options ONNX Runtime options passed to DJL (e.g. intraOpNumThreads)
   * @return the loaded model; the caller closes it
   * @throws ModelException on every failure (engine missing or failing to start, malformed file,
   *     bad option)
   */
  static Model open(Path abs, Map<String, String> options) {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true"); // never download anything at run time
    }
    Model m = null;
    try {
      m = Model.newInstance(abs.getFileName().toString(), "OnnxRuntime");
      m.load(abs, null, Map.copyOf(options));
      return m;
    } catch (MalformedModelException e) {
      closeQuietly(m);
      throw new ModelException(abs + " is not a valid ONNX model (expected an ONNX ModelProto file): "
          + rootMessage(e), e);
    } catch (IOException | RuntimeException | LinkageError e) {
      closeQuietly(m);
      throw new ModelException("cannot load ONNX model " + abs + " (expected an ONNX ModelProto file): "
          + rootMessage(e), e);
    }
  }

  private static void closeQuietly(Model m) {
    if (m != null) {
      try {
        m.close();
      } catch (RuntimeException e) {
        LOG.debug("closing a model that failed to load", e);
      }
    }
  }

  /** @return the model file */
  Path file() {
    return file;
  }

  /** @return the full hex SHA-256 of the model file */
  String sha256() {
    return sha256;
  }

  /** @return "onnx:&lt;file name&gt;@sha256:&lt;first 12 hex&gt;" */
  String id() {
    return "onnx:" + file.getFileName() + "@sha256:" + sha256.substring(0, 12);
  }

  Preprocessor preprocessor() {
    return pre;
  }

  /**
   * Runs the model on a batch.
   *
   * @param images the batch
   * @return every output
   * @throws ModelException when the engine rejects the input (wrong size, layout, type)
   */
  ModelOutputs run(List<BufferedImage> images) {
    if (closed) {
      throw new IllegalStateException("model " + file.getFileName() + " is closed");
    }
    try {
      return predictors.predict(new ImageBatch(images));
    } catch (TranslateException | RuntimeException e) {
      throw new ModelException("ONNX model " + file + " failed on a batch of " + images.size()
          + " image(s) shaped " + Arrays.toString(pre.shape(images.size())) + " (declared " + pre
          + "): " + rootMessage(e), e);
    }
  }

  /**
   * Finds an output by name or index.
   *
   * @param outputs a model result
   * @param name wanted name, or null to use {@code index}
   * @param index wanted index when {@code name} is null
   * @return the tensor
   * @throws ModelException when it does not exist
   */
  OutputTensor select(ModelOutputs outputs, String name, int index) {
    if (name != null) {
      for (OutputTensor t : outputs.tensors()) {
        if (t.name().equals(name)) {
          return t;
        }
      }
      throw new ModelException("ONNX model " + file + " has no output named '" + name
          + "'; its outputs are " + outputs.names());
    }
    if (index < 0 || index >= outputs.tensors().size()) {
      throw new ModelException("ONNX model " + file + " has no output #" + index + "; it has "
          + outputs.tensors().size() + " output(s): " + outputs.names());
    }
    return outputs.tensors().get(index);
  }

  /** Releases the predictors and the native session; closing again does nothing. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    predictors.close();
    model.close();
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    String msg = e.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        msg = t.getMessage();
      }
    }
    return msg == null ? e.getClass().getSimpleName() : msg;
  }

  static String sha256(Path file) {
    try {
      return io.sightline.core.io.FileHashes.sha256(file);
    } catch (IOException e) {
      throw new ModelException("cannot read ONNX model file " + file + ": " + e.getMessage(), e);
    }
  }
}
