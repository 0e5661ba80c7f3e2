package io.sightline.crossmodal;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.SearchResult;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A trained single-stream image–text model and its uses (claim 10): text-to-image retrieval by
 * the matching score (with an optional first stage over an index of image embeddings), and
 * image-to-text description by scoring candidate texts or by mask-predict decoding of a new text.
 *
 * <p>Thread-safe: model calls are serialised by an internal lock (PyTorch already uses every core
 * for one batch). Close it to free native memory.
 */
public final class CrossModalModel implements AutoCloseable {
  /** File name of a saved model inside its folder. */
  public static final String FILE_NAME = "crossmodal.model";
  static final String KIND = "crossmodal-model";
  static final int FORMAT_VERSION = 3;
  private static final int MAX_STORED_CAPTIONS = 5000;
  private static final int BATCH = 64;

  final ModelConfig config;
  final Vocabulary vocab;
  final TextTokenizer tokenizer;
  final SeedLibrary seeds;
  final boolean useSeeds;
  final FeatureExtractor extractor;
  final InputEncoder encoder;
  final Model model;
  final CrossModalBlock block;
  final List<String> captionCandidates;
  private final ReentrantLock lock = new ReentrantLock();

  CrossModalModel(ModelConfig config, Vocabulary vocab, TextTokenizer tokenizer, SeedLibrary seeds,
      boolean useSeeds, FeatureExtractor extractor, List<String> captionCandidates, Device device) {
    this.config = config;
    this.vocab = vocab;
    this.tokenizer = tokenizer;
    this.seeds = seeds;
    this.useSeeds = useSeeds;
    this.extractor = extractor;
    this.captionCandidates = List.copyOf(captionCandidates.subList(0,
        Math.min(captionCandidates.size(), MAX_STORED_CAPTIONS)));
    this.encoder = new InputEncoder(config, vocab, tokenizer, seeds, useSeeds);
    this.block = new CrossModalBlock(config, vocab.size());
    PyTorchThreads.applyDefault();
    this.model = Model.newInstance("crossmodal", device, "PyTorch");
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, block.inputShapes(1));
  }

  static Device defaultDevice() {
    Engine engine = Engine.getEngine("PyTorch");
    return engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
  }

  /** @return the architecture */
  public ModelConfig config() {
    return config;
  }

  /** @return the text-unit vocabulary */
  public Vocabulary vocabulary() {
    return vocab;
  }

  /** @return the seed library the model was trained with */
  public SeedLibrary seedLibrary() {
    return seeds;
  }

  /** @return whether the seed-library fusions are on */
  public boolean usesSeedLibrary() {
    return useSeeds;
  }

  /** @return the id of the embedder whose region vectors the model reads */
  public String embedderId() {
    return extractor.embedder().id();
  }

  /** @return the tokenizer id */
  public String tokenizerId() {
    return tokenizer.id();
  }

  /** @return the stored candidate descriptions (training texts) used by {@link #caption(Path)} */
  public List<String> captionCandidates() {
    return captionCandidates;
  }

  /** @return the feature extractor (regions and visual features) */
  public FeatureExtractor featureExtractor() {
    return extractor;
  }

  /** @return number of trainable values */
  public long parameterCount() {
    long n = 0;
    for (var p : block.getParameters().values()) {
      n += p.getArray().getShape().size();
    }
    return n;
  }

  // ---------------------------------------------------------------- matching

  /**
   * @param text a text
   * @param image an image file
   * @return how well they match
   */
  public MatchScore score(String text, Path image) {
    return score(text, extractor.extract(image, List.of()));
  }

  /**
   * @param text a text
   * @param image image features
   * @return how well they match
   */
  public MatchScore score(String text, ImageFeatures image) {
    return scoreAll(List.of(text), List.of(image)).get(0);
  }

  /**
   * Scores pairs {@code (texts[i], images[i])} in batches.
   *
   * @param texts texts
   * @param images image features, as many as texts
   * @return one score per pair
   */
  public List<MatchScore> scoreAll(List<String> texts, List<ImageFeatures> images) {
    if (texts.size() != images.size()) {
      throw new IllegalArgumentException("as many texts as images expected");
    }
    List<InputEncoder.Row> rows = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      rows.add(encoder.plain(checkedText(texts.get(i)), images.get(i)));
    }
    List<MatchScore> out = new ArrayList<>(rows.size());
    for (int from = 0; from < rows.size(); from += BATCH) {
      List<InputEncoder.Row> batch = rows.subList(from, Math.min(rows.size(), from + BATCH));
      float[] logits = runLocked(m -> forward(m, batch).get(2).toFloatArray());
      for (float l : logits) {
        out.add(new MatchScore(sigmoid(l), l));
      }
    }
    return out;
  }

  InputEncoder.Text checkedText(String text) {
    if (text == null || text.isBlank()) {
      throw new InputFormatException(null, 0, "text is empty");
    }
    InputEncoder.Text t = encoder.text(text);
    if (t.length() == 0) {
      throw new InputFormatException(null, 0, "text has no text units: \"" + text + "\"");
    }
    return t;
  }

  // ---------------------------------------------------------------- retrieval

  /**
   * Extracts the features of candidate images once, for repeated retrieval.
   *
   * @param images image files
   * @param listener progress ("features")
   * @param cancel cancellation
   * @return the collection
   */
  public ImageCollection collection(List<Path> images, ProgressListener listener,
      CancellationToken cancel) {
    Map<Path, ImageFeatures> f = new LinkedHashMap<>();
    int done = 0;
    for (Path p : images) {
      cancel.throwIfCancelled();
      f.put(p, extractor.extract(p, List.of()));
      listener.onProgress("features", ++done, images.size(), p.getFileName().toString());
    }
    return collection(f);
  }

  /**
   * A collection of images whose features are already extracted; their contrastive image
   * embeddings are computed here (the first stage of {@link #retrieve(String, ImageCollection, int,
   * int)}).
   *
   * @param features image features by image
   * @return the collection
   */
  public ImageCollection collection(Map<Path, ImageFeatures> features) {
    float[][] emb = imageEmbeddings(new ArrayList<>(features.values()));
    return new ImageCollection(features, emb, extractor.embedder().id());
  }

  /**
   * Saves a collection made by this model, so that later runs skip feature extraction and
   * embedding ({@link #loadCollection}). The file holds every image's features and embedding and
   * the model's fingerprint; for {@value ImageCollection#HNSW_FROM} images and more the first
   * stage's index goes beside it ({@code FILE.hnsw}).
   *
   * @param collection a collection made by this model
   * @param file the file to write (replaced atomically)
   */
  public void saveCollection(ImageCollection collection, Path file) {
    CollectionFile.write(file, collection, fingerprint(), extractor.embedder().id());
  }

  /**
   * Loads a collection saved by {@link #saveCollection} with this same model.
   *
   * @param file the collection file
   * @return the collection
   * @throws io.sightline.core.IncompatibleFormatException when it was made with another model or
   *     embedder
   * @throws io.sightline.core.StoreException when it is missing, truncated or corrupt
   */
  public ImageCollection loadCollection(Path file) {
    return CollectionFile.read(file, fingerprint(), extractor.embedder().id());
  }

  private volatile String fingerprint;

  /**
   * SHA-256 over the weights' names and values: a collection's embeddings belong to exactly these
   * weights (the serialised form is not used: a loaded model serialises differently).
   */
  private String fingerprint() {
    String f = fingerprint;
    if (f == null) {
      lock.lock();
      try {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        for (var e : block.getParameters()) {
          md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          float[] v = e.getValue().getArray().toFloatArray();
          java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4);
          b.asFloatBuffer().put(v);
          md.update(b.array());
        }
        f = java.util.HexFormat.of().formatHex(md.digest());
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      } finally {
        lock.unlock();
      }
      fingerprint = f;
    }
    return f;
  }

  /**
   * The contrastive embedding of a text (text-only pass, pooled output, projection; unit length).
   * Its dot product with {@link #imageEmbedding} is the first-stage similarity.
   *
   * @param text a text
   * @return a unit vector of the model width
   */
  public float[] textEmbedding(String text) {
    InputEncoder.Text t = checkedText(text);
    InputEncoder.Row row = new InputEncoder.Row(t.ids().clone(), new int[t.length()], null,
        new boolean[0], true, 0f, 0f);
    return runLocked(m -> block.forward(new ParameterStore(m, false),
        encoder.inputs(m, List.of(row), InputEncoder.View.TEXT), false).get(4).toFloatArray());
  }

  /**
   * @param image image features
   * @return its contrastive embedding (image-only pass; unit length)
   */
  public float[] imageEmbedding(ImageFeatures image) {
    return imageEmbeddings(List.of(image))[0];
  }

  /**
   * @param images image features
   * @return their contrastive embeddings, in order
   */
  public float[][] imageEmbeddings(List<ImageFeatures> images) {
    float[][] out = new float[images.size()][];
    int e = config.width();
    for (int from = 0; from < images.size(); from += BATCH) {
      List<InputEncoder.Row> rows = new ArrayList<>();
      for (ImageFeatures f : images.subList(from, Math.min(images.size(), from + BATCH))) {
        rows.add(new InputEncoder.Row(new int[0], new int[0], f, new boolean[encoder.objects(f)], true, 0f, 0f));
      }
      float[] flat = runLocked(m -> block.forward(new ParameterStore(m, false),
          encoder.inputs(m, rows, InputEncoder.View.IMAGE), false).get(5).toFloatArray());
      for (int i = 0; i < rows.size(); i++) {
        out[from + i] = java.util.Arrays.copyOfRange(flat, i * e, (i + 1) * e);
      }
    }
    return out;
  }

  /**
   * Ranks every image of the collection by the matching score with the text.
   *
   * @param text the query text
   * @param images candidates
   * @param k how many to return
   * @return the best {@code k}, best first
   */
  public List<ImageMatch> retrieve(String text, ImageCollection images, int k) {
    return retrieve(text, images, k, 0);
  }

  /**
   * Ranks images for a text. With {@code firstStage > 0} and a larger collection, the first stage
   * takes the {@code firstStage} images whose contrastive embeddings are nearest to the text's
   * (cosine; exact scan, or HNSW for large collections), and the matching head re-ranks only
   * those. {@link ImageMatch#firstStageSimilarity()} holds the first-stage cosine.
   *
   * @param text the query text
   * @param images candidates
   * @param k how many to return
   * @param firstStage candidates kept by the first stage; 0 scores every image
   * @return the best {@code k}, best first
   */
  public List<ImageMatch> retrieve(String text, ImageCollection images, int k, int firstStage) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1");
    }
    checkedText(text);
    List<Path> candidates;
    Map<Path, Double> firstSim = new LinkedHashMap<>();
    if (firstStage > 0 && images.size() > firstStage) {
      float[] q = textEmbedding(text);
      candidates = new ArrayList<>();
      for (SearchResult<String> r : images.search(q, firstStage)) {
        Path p = Path.of(r.id());
        candidates.add(p);
        firstSim.put(p, (double) r.similarity());
      }
    } else {
      candidates = images.images();
    }
    List<ImageFeatures> feats = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (Path p : candidates) {
      feats.add(images.features(p));
      texts.add(text);
    }
    List<MatchScore> scores = scoreAll(texts, feats);
    List<ImageMatch> out = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Path p = candidates.get(i);
      out.add(new ImageMatch(p, scores.get(i).score(), scores.get(i).logit(),
          firstSim.getOrDefault(p, Double.NaN)));
    }
    out.sort(Comparator.comparingDouble(ImageMatch::logit).reversed());
    return List.copyOf(out.subList(0, Math.min(k, out.size())));
  }

  /**
   * Predicts the whole-image visual feature of an unseen image for a text: the text with a fully
   * masked grid image goes through the model and the feature head's output for object 0 is read.
   * No longer the retrieval first stage (it was near random: training never shows a fully masked
   * image); use {@link #textEmbedding(String)}.
   *
   * @deprecated use {@link #textEmbedding(String)} for text-to-image search
   *
   * @param text a text
   * @return a vector in the embedder's space
   */
  @Deprecated
  public float[] predictImageFeature(String text) {
    InputEncoder.Text t = checkedText(text);
    int g = Math.max(2, config.grid());
    List<ImageObject> objs = new ArrayList<>();
    List<io.sightline.core.detect.Box> boxes = new ArrayList<>();
    boxes.add(new io.sightline.core.detect.Box(0, 0, 100, 100));
    boxes.addAll(FeatureExtractor.gridCells(100, 100, g));
    int n = Math.min(config.maxObjects(), boxes.size());
    float[][] vis = new float[n][config.visualDim()];
    float[][] spa = new float[n][];
    for (int i = 0; i < n; i++) {
      objs.add(new ImageObject(boxes.get(i), null, i == 0 ? RegionSource.WHOLE_IMAGE : RegionSource.GRID));
      spa[i] = FeatureExtractor.spatial(boxes.get(i), 100, 100);
    }
    ImageFeatures blank = new ImageFeatures(objs, vis, spa, 100, 100);
    boolean[] masked = new boolean[n];
    java.util.Arrays.fill(masked, true);
    int[] targets = new int[t.length()];
    java.util.Arrays.fill(targets, -1);
    InputEncoder.Row row = new InputEncoder.Row(t.ids(), targets, blank, masked, true, 0f, 0f);
    return runLocked(m -> forward(m, List.of(row)).get(1).get(new NDIndex("0, 0, :")).toFloatArray());
  }

  // ---------------------------------------------------------------- captions

  /**
   * Describes an image by the best of the stored candidate texts and a generated text.
   *
   * @param image image file
   * @return the best description with its score
   */
  public Caption caption(Path image) {
    return caption(extractor.extract(image, List.of()), captionCandidates, true);
  }

  /**
   * Describes an image by choosing among candidate texts.
   *
   * @param image image file
   * @param candidates candidate descriptions (at least one)
   * @return the best with its score and the runners-up
   */
  public Caption caption(Path image, List<String> candidates) {
    return caption(extractor.extract(image, List.of()), candidates, false);
  }

  /**
   * @param image image features
   * @param candidates candidate descriptions (may be empty when {@code generate})
   * @param generate whether to also generate a text by mask-predict decoding
   * @return the best description
   */
  public Caption caption(ImageFeatures image, List<String> candidates, boolean generate) {
    Objects.requireNonNull(image, "image");
    List<Caption.Alternative> all = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String c : candidates) {
      if (c != null && !c.isBlank() && encoder.text(c).length() > 0) {
        texts.add(c);
      }
    }
    List<ImageFeatures> imgs = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      imgs.add(image);
    }
    List<MatchScore> scores = scoreAll(texts, imgs);
    for (int i = 0; i < texts.size(); i++) {
      all.add(new Caption.Alternative(texts.get(i), scores.get(i).score(), Caption.Method.CANDIDATE));
    }
    Caption generated = null;
    if (generate) {
      generated = generate(image, Math.min(4, config.maxTextUnits()), 4);
      all.add(new Caption.Alternative(generated.text(), generated.score(), Caption.Method.GENERATED));
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no candidate description has any known text unit");
    }
    all.sort(Comparator.comparingDouble(Caption.Alternative::score).reversed());
    Caption.Alternative best = all.get(0);
    List<Double> conf = best.method() == Caption.Method.GENERATED && generated != null
        ? generated.unitConfidences() : List.of();
    return new Caption(best.text(), best.score(), best.method(), conf,
        all.subList(1, Math.min(all.size(), 6)));
  }

  /**
   * Generates a description by mask-predict decoding ({@code MaskPredict}): for each length up to {@code maxLength},
   * start from all-[MASK] units, predict every masked unit, re-mask the least confident ones and
   * predict again for {@code iterations} rounds; the text whose matching score is highest wins.
   *
   * @param image image features
   * @param maxLength longest text in units
   * @param iterations refinement rounds per length
   * @return the generated caption with its matching score and unit confidences
   */
  public Caption generate(ImageFeatures image, int maxLength, int iterations) {
    return MaskPredict.generate(this, image, maxLength, iterations);
  }

  // ---------------------------------------------------------------- plumbing

  interface LockedWork<T> {
    T run(NDManager m);
  }

  <T> T runLocked(LockedWork<T> work) {
    lock.lock();
    try (NDManager m = model.getNDManager().newSubManager()) {
      return work.run(m);
    } finally {
      lock.unlock();
    }
  }

  NDList forward(NDManager m, List<InputEncoder.Row> rows) {
    NDList in = encoder.inputs(m, rows);
    return block.forward(new ParameterStore(m, false), in, false);
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  byte[] parameterBytes() {
    lock.lock();
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      block.saveParameters(new DataOutputStream(bos));
      return bos.toByteArray();
    } catch (IOException e) {
      throw new StoreException("cannot serialise model parameters: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  void loadParameterBytes(byte[] bytes) {
    fingerprint = null;
    lock.lock();
    try {
      block.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | MalformedModelException e) {
      throw new StoreException("cannot load model parameters: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Saves the model to {@code dir/crossmodal.model} (atomic, checksummed).
   *
   * @param dir target folder (created)
   * @return the file written
   */
  public Path save(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    ModelFile.write(file, this, null);
    return file;
  }

  /**
   * Loads a model saved by {@link #save}.
   *
   * @param dirOrFile the model folder or file
   * @param embedder the embedder it was trained with (its id must match)
   * @param tokenizer the tokenizer it was trained with (its id must match)
   * @param detector the detector for regions, or null for the grid
   * @param loader image decoding limits
   * @return the model
   * @throws IncompatibleFormatException when embedder or tokenizer differ
   */
  public static CrossModalModel load(Path dirOrFile, ImageEmbedder embedder, TextTokenizer tokenizer,
      ObjectDetector detector, ImageLoader loader) {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
    return ModelFile.read(file, embedder, tokenizer, detector, loader, defaultDevice()).model();
  }

  /**
   * Loads a model trained with the default embedder and tokenizer.
   *
   * @param dirOrFile the model folder or file
   * @return the model
   */
  public static CrossModalModel load(Path dirOrFile) {
    return load(dirOrFile, new io.sightline.core.embed.GlobalDescriptorEmbedder(), new WordTokenizer(),
        null, ImageLoader.defaults());
  }

  /**
   * Describes a decoded image (convenience for callers holding pixels).
   *
   * @param image decoded image
   * @return the best description
   */
  public Caption caption(BufferedImage image) {
    return caption(extractor.extract(image, List.of()), captionCandidates, true);
  }

  /**
   * Native arrays owned by the model's manager (its parameters plus anything attached to it);
   * constant between calls when no call leaks an array into the model's lifetime.
   */
  int managedArrays() {
    return runLockedPlain(() -> model.getNDManager().getManagedArrays().size());
  }

  private <T> T runLockedPlain(java.util.function.Supplier<T> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      model.close();
    } finally {
      lock.unlock();
    }
  }
}
