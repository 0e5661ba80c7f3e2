package io.sightline.crossmodal;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
  static final int FORMAT_VERSION = 5;
  private static final int MAX_STORED_CAPTIONS = 5000;

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
  final ReentrantLock lock = new ReentrantLock();

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
    return ModelRetrieval.scoreAll(this, texts, images);
  }

  InputEncoder.Text checkedText(String text) {
    return encoder.checkedText(text);
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
    return ModelRetrieval.collection(this, images, listener, cancel);
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
    CollectionFile.write(file, collection, ModelWeights.fingerprint(this), extractor.embedder().id());
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
    return CollectionFile.read(file, ModelWeights.fingerprint(this), extractor.embedder().id());
  }

  /** Cached {@link ModelWeights#fingerprint}; reset when parameters are loaded. */
  volatile String fingerprint;

  /**
   * The contrastive embedding of a text (text-only pass, pooled output, projection; unit length).
   * Its dot product with {@link #imageEmbedding} is the first-stage similarity.
   *
   * @param text a text
   * @return a unit vector of the model width
   */
  public float[] textEmbedding(String text) {
    return ModelRetrieval.textEmbedding(this, text);
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
    return ModelRetrieval.imageEmbeddings(this, images);
  }

  /**
   * Ranks the images of the collection for a text with {@link RetrievalSettings#defaults()}: the
   * 50 images whose contrastive embeddings are nearest to the text's are scored by the matching
   * head and ranked by both scores together ({@link RetrievalSettings.Ranking#FUSED}).
   *
   * @param text the query text
   * @param images candidates
   * @param k how many to return
   * @return the best {@code k}, best first
   */
  public List<ImageMatch> retrieve(String text, ImageCollection images, int k) {
    return retrieve(text, images, k, RetrievalSettings.defaults());
  }

  /**
   * Ranks the images of the collection for a text as the settings say: by the embedding cosine, by
   * the matching head (over every image or a first stage's candidates) or by both
   * ({@link RetrievalSettings}). Every returned match carries both scores: {@link ImageMatch#score()}
   * and {@link ImageMatch#logit()} from the matching head and
   * {@link ImageMatch#firstStageSimilarity()} the cosine (NaN only for a matching-head ranking
   * over every image, which computes no cosine).
   *
   * @param text the query text
   * @param images candidates
   * @param k how many to return
   * @param settings the ranking
   * @return the best {@code k}, best first
   * @throws io.sightline.core.InputFormatException when the text has no unit the model knows
   * @throws IllegalArgumentException when {@code k < 1}
   */
  public List<ImageMatch> retrieve(String text, ImageCollection images, int k, RetrievalSettings settings) {
    return ModelRetrieval.retrieve(this, text, images, k, java.util.Objects.requireNonNull(settings, "settings"));
  }

  /**
   * Ranks images for a text by the matching head ({@link RetrievalSettings#matching(int)}). With {@code firstStage > 0} and a larger collection, the first stage
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
    return retrieve(text, images, k, RetrievalSettings.matching(firstStage));
  }

  /**
   * Ranks images for a text by the matching score and the contrastive cosine together
   * ({@link RetrievalSettings#fused(int, double)}): over the candidates of this query (every image,
   * or the first stage's {@code firstStage} nearest), both are standardised (z-scores) and the
   * images are ranked by {@code z(matching logit) + cosineWeight * z(cosine)}.
   * {@link ImageMatch#firstStageSimilarity()} holds each image's cosine. Weight 0 is
   * {@link #retrieve(String, ImageCollection, int, int)}.
   *
   * @param text the query text
   * @param images candidates
   * @param k how many to return
   * @param firstStage candidates kept by the first stage; 0 scores every image
   * @param cosineWeight weight of the cosine's z-score against the matching logit's (0 ranks by
   *     the matching head alone; the default ranking uses 2)
   * @return the best {@code k}, best first
   */
  public List<ImageMatch> retrieve(String text, ImageCollection images, int k, int firstStage,
      double cosineWeight) {
    return ModelRetrieval.retrieve(this, text, images, k, firstStage, cosineWeight);
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
    return FeaturePrediction.predictImageFeature(this, text);
  }

  // ---------------------------------------------------------------- captions

  /**
   * Describes an image by the best of the stored candidate texts ({@link #captionCandidates()})
   * and a generated text, ranked as {@link RetrievalSettings#defaults()} ranks images for a text:
   * the 50 texts whose contrastive embeddings are nearest to the image's, and the generated text,
   * are scored by the matching head and ordered by both scores together. The stored texts are
   * embedded once, on the first call.
   *
   * @param image image file
   * @return the best description with its score and the runners-up
   */
  public Caption caption(Path image) {
    return caption(extractor.extract(image, List.of()), captionCandidates, true);
  }

  /**
   * Describes an image by choosing among candidate texts, ranked with
   * {@link RetrievalSettings#defaults()}.
   *
   * @param image image file
   * @param candidates candidate descriptions (at least one)
   * @return the best with its score and the runners-up
   */
  public Caption caption(Path image, List<String> candidates) {
    return caption(extractor.extract(image, List.of()), candidates, false);
  }

  /**
   * Describes an image with {@link RetrievalSettings#defaults()}; see
   * {@link #caption(ImageFeatures, List, boolean, RetrievalSettings)}.
   *
   * @param image image features
   * @param candidates candidate descriptions (may be empty when {@code generate})
   * @param generate whether to also generate a text by mask-predict decoding
   * @return the best description
   */
  public Caption caption(ImageFeatures image, List<String> candidates, boolean generate) {
    return caption(image, candidates, generate, RetrievalSettings.defaults());
  }

  /**
   * Describes an image: ranks the candidate texts (and, with {@code generate}, a text generated by
   * mask-predict decoding) for the image as the settings rank images for a text — by the cosine of
   * the contrastive embeddings, by the matching head (over every text or the first stage's
   * nearest; the generated text is always scored), or by both standardised and added
   * ({@link RetrievalSettings}). On held-out pairs the matching head alone was the weakest of the
   * three for picking an image's text (BENCHMARKS.md, crossmodal). Candidates without any text
   * unit (blank, punctuation only) are skipped, a candidate given twice is ranked once. Passing
   * {@link #captionCandidates()} itself uses its embeddings computed once per model.
   *
   * @param image image features
   * @param candidates candidate descriptions (may be empty when {@code generate})
   * @param generate whether to also generate a text by mask-predict decoding
   * @param settings the ranking
   * @return the best description, its runners-up, each with the matching head's probability and
   *     the cosine
   * @throws IllegalArgumentException when no candidate has a text unit and nothing is generated
   */
  public Caption caption(ImageFeatures image, List<String> candidates, boolean generate,
      RetrievalSettings settings) {
    java.util.Objects.requireNonNull(candidates, "candidates");
    ModelCaptions.Candidates c = candidates == captionCandidates ? ModelCaptions.stored(this)
        : ModelCaptions.candidates(this, candidates);
    return ModelCaptions.caption(this, image, c, generate, settings);
  }

  /** The stored caption candidates with their embeddings ({@link ModelCaptions#stored}); reset when parameters are loaded. */
  volatile ModelCaptions.Candidates storedCandidates;

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
    return ModelWeights.parameterBytes(this);
  }

  void loadParameterBytes(byte[] bytes) {
    ModelWeights.loadParameterBytes(this, bytes);
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
