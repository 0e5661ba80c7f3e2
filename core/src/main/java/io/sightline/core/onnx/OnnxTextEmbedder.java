package io.sightline.core.onnx;

import ai.djl.Model;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.translate.TranslateException;
import io.sightline.core.ModelException;
import io.sightline.core.index.Vectors;
import io.sightline.core.text.TextEmbedder;
import io.sightline.core.text.TextInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TextEmbedder} backed by an ONNX text encoder (a BERT-style sentence-transformers model
 * such as all-MiniLM-L6-v2, exported with {@code optimum-cli export onnx} or
 * {@code torch.onnx.export}) and its HuggingFace {@code tokenizer.json}, run by DJL's ONNX Runtime
 * engine with DJL's HuggingFace tokenizers binding.
 *
 * <pre>{@code
 * try (OnnxTextEmbedder e = OnnxTextEmbedder.builder()
 *     .modelPath(Path.of("all-minilm-l6-v2.onnx"))
 *     .tokenizerPath(Path.of("tokenizer.json"))
 *     .build()) {                 // mean pooling over the attention mask, L2-normalised
 *   float[] v = e.embed("a cat sits on the mat");   // 384 values, unit length
 * }
 * }</pre>
 *
 * <p>Texts are tokenised with the special tokens ({@code [CLS] ... [SEP]}), truncated to
 * {@link Builder#maxLength(int)} tokens and padded to the longest text of the batch. The model's
 * inputs are fed by name: {@code input_ids}, {@code attention_mask} and (if the model has it)
 * {@code token_type_ids}, all int64 {@code [N, T]}. The output (the first, or
 * {@link Builder#outputName(String)}) is either token states {@code [N, T, D]}, pooled as
 * {@link Builder#pooling(Pooling)} says, or already one vector per text {@code [N, D]}, taken as
 * is. Vectors are then scaled to unit length unless {@link Builder#l2Normalize(boolean)} is false.
 * These defaults are what sentence-transformers does for all-MiniLM-L6-v2 and most
 * {@code *-MiniLM-*}, {@code mpnet} and {@code e5} models; BGE models want
 * {@code .pooling(Pooling.CLS)}.
 *
 * <p>{@link Builder#build()} reads exactly the two files named (no folder is listed, nothing is
 * downloaded; the tokenizer's native library comes from its jar) and runs a probe text, so a
 * missing file, a file that is not a tokenizer or not an ONNX model, a model with other inputs
 * than a text encoder's, or a dimension other than declared fails there with a
 * {@link ModelException} naming the file and what was expected.
 *
 * <p>{@link #id()} is
 * {@code "onnx-text:<model file>@sha256:<12 hex>+tokenizer@sha256:<12 hex>/<pooling>[/l2]"}.
 *
 * <p>Thread-safe: each call borrows its own DJL predictor from an internal pool. Close it to
 * release native memory.
 */
public final class OnnxTextEmbedder implements TextEmbedder {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxTextEmbedder.class);

  /** How token states {@code [N, T, D]} become one vector per text. */
  public enum Pooling {
    /** Mean of the token states where the attention mask is 1 (sentence-transformers' default). */
    MEAN,
    /** The state of the first token ({@code [CLS]}), as BGE models are pooled. */
    CLS
  }

  private final Path file;
  private final String id;
  private final Model model;
  private final TextTranslator translator;
  private final HuggingFaceTokenizer tokenizer;
  private final String outputName;
  private final Pooling pooling;
  private final boolean l2;
  private final int batchSize;
  private final PredictorPool<TextTranslator.Batch, ModelOutputs> predictors;
  private int dimension;
  private volatile boolean closed;

  private OnnxTextEmbedder(Path file, String id, Model model, TextTranslator translator,
      HuggingFaceTokenizer tokenizer, String outputName, Pooling pooling, boolean l2, int batchSize) {
    this.file = file;
    this.id = id;
    this.model = model;
    this.translator = translator;
    this.predictors = new PredictorPool<>(model, translator);
    this.tokenizer = tokenizer;
    this.outputName = outputName;
    this.pooling = pooling;
    this.l2 = l2;
    this.batchSize = batchSize;
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public float[] embed(String text) {
    return embedAll(Collections.singletonList(text)).get(0);
  }

  /**
   * Embeds texts in batches of {@link Builder#batchSize(int)}.
   *
   * @param texts non-empty texts
   * @return one vector per text, in order
   * @throws TextInputException when the list is null or a text is null, empty or blank
   * @throws ModelException when the model fails on a batch
   */
  @Override
  public List<float[]> embedAll(List<String> texts) {
    if (texts == null) {
      throw new TextInputException("text list is null");
    }
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      if (t == null) {
        throw new TextInputException("text #" + i + " is null");
      }
      if (t.isBlank()) {
        throw new TextInputException("text #" + i + " is empty or blank; expected some words to embed");
      }
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += batchSize) {
      out.addAll(run(texts.subList(from, Math.min(texts.size(), from + batchSize))));
    }
    return out;
  }

  private List<float[]> run(List<String> texts) {
    if (closed) {
      throw new IllegalStateException("text embedder " + file.getFileName() + " is closed");
    }
    TextTranslator.Batch batch = tokenize(texts);
    ModelOutputs outputs;
    try {
      outputs = predictors.predict(batch);
    } catch (TranslateException | RuntimeException e) {
      throw new ModelException("ONNX text model " + file + " failed on a batch of " + texts.size()
          + " text(s) of " + batch.t() + " tokens: " + OnnxModel.rootMessage(e), e);
    }
    return pool(outputs, batch);
  }

  private TextTranslator.Batch tokenize(List<String> texts) {
    Encoding[] enc;
    try {
      enc = tokenizer.batchEncode(texts);
    } catch (RuntimeException e) {
      throw new ModelException("tokenizer of " + file.getFileName() + " failed: " + OnnxModel.rootMessage(e), e);
    }
    int n = enc.length;
    int t = 0;
    for (Encoding e : enc) {
      t = Math.max(t, e.getIds().length);
    }
    long[] ids = new long[n * t];
    long[] mask = new long[n * t];
    long[] types = new long[n * t];
    for (int i = 0; i < n; i++) {
      long[] id = enc[i].getIds();
      long[] m = enc[i].getAttentionMask();
      long[] ty = enc[i].getTypeIds();
      System.arraycopy(id, 0, ids, i * t, id.length);
      System.arraycopy(m, 0, mask, i * t, m.length);
      System.arraycopy(ty, 0, types, i * t, ty.length);
    }
    return new TextTranslator.Batch(n, t, ids, mask, types);
  }

  private List<float[]> pool(ModelOutputs outputs, TextTranslator.Batch b) {
    OutputTensor out = select(outputs);
    long[] s = out.shape();
    int n = b.n();
    if (s.length < 2 || s[0] != n || s.length > 3 || (s.length == 3 && s[1] != b.t())) {
      throw new ModelException("ONNX text model " + file + " output '" + out.name() + "' has shape "
          + Arrays.toString(s) + "; expected token states [batch=" + n + ", tokens=" + b.t()
          + ", dimension] or one vector per text [batch=" + n + ", dimension]");
    }
    int d = (int) s[s.length - 1];
    float[] data = out.data();
    List<float[]> vectors = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] v = new float[d];
      if (s.length == 2) {
        System.arraycopy(data, i * d, v, 0, d);
      } else if (pooling == Pooling.CLS) {
        System.arraycopy(data, i * b.t() * d, v, 0, d);
      } else {
        double[] sum = new double[d];
        long count = 0;
        for (int k = 0; k < b.t(); k++) {
          if (b.mask()[i * b.t() + k] == 0) {
            continue;
          }
          count++;
          int base = (i * b.t() + k) * d;
          for (int j = 0; j < d; j++) {
            sum[j] += data[base + j];
          }
        }
        for (int j = 0; j < d; j++) {
          v[j] = (float) (sum[j] / Math.max(1, count));
        }
      }
      if (l2) {
        Vectors.normalizeInPlace(v);
      }
      vectors.add(v);
    }
    return vectors;
  }

  private OutputTensor select(ModelOutputs outputs) {
    if (outputName == null) {
      return outputs.tensors().get(0);
    }
    for (OutputTensor t : outputs.tensors()) {
      if (t.name().equals(outputName)) {
        return t;
      }
    }
    throw new ModelException("ONNX text model " + file + " has no output named '" + outputName
        + "'; its outputs are " + outputs.names());
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String id() {
    return id;
  }

  /** @return the model file */
  public Path modelPath() {
    return file;
  }

  /** @return how token states are pooled */
  public Pooling pooling() {
    return pooling;
  }

  /** @return whether vectors are scaled to unit length */
  public boolean l2Normalized() {
    return l2;
  }

  /** Releases the predictors, the ONNX Runtime session and the tokenizer; closing again does nothing. */
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
    tokenizer.close();
  }

  /** Fluent builder; not thread-safe. */
  public static final class Builder {
    private Path modelPath;
    private Path tokenizerPath;
    private Pooling pooling = Pooling.MEAN;
    private boolean l2 = true;
    private int maxLength = 512;
    private int batchSize = 16;
    private int dimension = -1;
    private String outputName;
    private final Map<String, String> engineOptions = new LinkedHashMap<>();

    private Builder() {}

    /**
     * @param path the .onnx text encoder (required)
     * @return this
     */
    public Builder modelPath(Path path) {
      this.modelPath = path;
      return this;
    }

    /**
     * @param path the HuggingFace {@code tokenizer.json} that goes with the model (required)
     * @return this
     */
    public Builder tokenizerPath(Path path) {
      this.tokenizerPath = path;
      return this;
    }

    /**
     * @param pooling how token states become one vector (default {@link Pooling#MEAN}); ignored
     *     when the model already outputs one vector per text
     * @return this
     */
    public Builder pooling(Pooling pooling) {
      this.pooling = Objects.requireNonNull(pooling, "pooling");
      return this;
    }

    /**
     * @param normalize whether to scale each vector to unit length (default true, so dot product
     *     equals cosine similarity)
     * @return this
     */
    public Builder l2Normalize(boolean normalize) {
      this.l2 = normalize;
      return this;
    }

    /**
     * @param tokens the most tokens per text, special tokens included; longer texts are truncated
     *     (default 512, BERT's limit; sentence-transformers trains all-MiniLM-L6-v2 with 256)
     * @return this
     */
    public Builder maxLength(int tokens) {
      if (tokens < 2) {
        throw new IllegalArgumentException("maxLength must be at least 2 tokens: " + tokens);
      }
      this.maxLength = tokens;
      return this;
    }

    /**
     * @param size texts per inference in {@code embedAll} (default 16)
     * @return this
     */
    public Builder batchSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("batch size must be positive: " + size);
      }
      this.batchSize = size;
      return this;
    }

    /**
     * @param dimension the expected vector length; checked at build() (default: whatever the model
     *     gives)
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
     * @param name the output to read (default: the first, e.g. {@code last_hidden_state})
     * @return this
     */
    public Builder outputName(String name) {
      this.outputName = name;
      return this;
    }

    /**
     * Passes an option to DJL's ONNX Runtime engine (e.g. "interOpNumThreads").
     *
     * @param key option name
     * @param value option value
     * @return this
     */
    public Builder engineOption(String key, String value) {
      engineOptions.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Loads the tokenizer and the model and checks them with a probe text.
     *
     * @return the embedder
     * @throws IllegalStateException when modelPath or tokenizerPath is missing
     * @throws ModelException when a file is missing, is not what it should be, or the model does
     *     not take a text encoder's inputs or give the declared output and dimension
     */
    public OnnxTextEmbedder build() {
      if (modelPath == null) {
        throw new IllegalStateException("OnnxTextEmbedder: modelPath is required");
      }
      if (tokenizerPath == null) {
        throw new IllegalStateException("OnnxTextEmbedder: tokenizerPath is required");
      }
      Path tok = checkTokenizerFile(tokenizerPath);
      Path abs = OnnxModel.checkFile(modelPath);
      HuggingFaceTokenizer tokenizer = loadTokenizer(tok, maxLength);
      OnnxTextEmbedder e = null;
      Model model = null;
      try {
        String modelSha = OnnxModel.sha256(abs);
        String tokSha = OnnxModel.sha256(tok);
        model = OnnxModel.open(abs, engineOptions);
        List<String> inputs = inputNames(model, abs);
        String id = "onnx-text:" + abs.getFileName() + "@sha256:" + modelSha.substring(0, 12)
            + "+tokenizer@sha256:" + tokSha.substring(0, 12) + "/" + pooling.name().toLowerCase(java.util.Locale.ROOT)
            + (l2 ? "/l2" : "");
        e = new OnnxTextEmbedder(abs, id, model, new TextTranslator(inputs), tokenizer, outputName,
            pooling, l2, batchSize);
        float[] probe = e.run(List.of("probe")).get(0);
        if (dimension > 0 && probe.length != dimension) {
          throw new ModelException("ONNX text model " + abs + " gives " + probe.length
              + " values per text; expected " + dimension);
        }
        e.dimension = probe.length;
        LOG.debug("loaded ONNX text model {} ({}), inputs {}, dimension {}", abs, id, inputs, probe.length);
        return e;
      } catch (RuntimeException ex) {
        if (e != null) {
          e.close();
        } else {
          if (model != null) {
            model.close();
          }
          tokenizer.close();
        }
        throw ex instanceof ModelException || ex instanceof IllegalStateException ? ex
            : new ModelException("cannot load ONNX text model " + abs + ": " + OnnxModel.rootMessage(ex), ex);
      }
    }

    private static List<String> inputNames(Model model, Path abs) {
      List<String> names = model.describeInput().keys();
      List<String> unsupported = names.stream().filter(n -> !TextTranslator.supports(n)).toList();
      if (!names.contains("input_ids") || !unsupported.isEmpty()) {
        throw new ModelException("ONNX model " + abs + " is not a text encoder this embedder can feed: its inputs are "
            + names + "; expected input_ids, attention_mask and optionally token_type_ids");
      }
      return names;
    }

    private static Path checkTokenizerFile(Path path) {
      Path abs = path.toAbsolutePath().normalize();
      if (!Files.exists(abs)) {
        throw new ModelException("tokenizer file " + abs + " does not exist; expected a HuggingFace tokenizer.json");
      }
      if (!Files.isRegularFile(abs) || !Files.isReadable(abs)) {
        throw new ModelException("tokenizer path " + abs + " is not a readable file; expected a HuggingFace tokenizer.json");
      }
      return abs;
    }

    /** Reads exactly this file (no tokenizer_config.json lookup beside it, no download). */
    private static HuggingFaceTokenizer loadTokenizer(Path file, int maxLength) {
      Map<String, String> options = Map.of(
          "addSpecialTokens", "true",
          "truncation", "true",
          "padding", "false",
          "maxLength", Integer.toString(maxLength));
      try (InputStream in = Files.newInputStream(file)) {
        return HuggingFaceTokenizer.newInstance(in, options);
      } catch (IOException | RuntimeException | LinkageError e) {
        throw new ModelException(file + " is not a usable HuggingFace tokenizer.json: "
            + OnnxModel.rootMessage(e), e);
      }
    }
  }
}
