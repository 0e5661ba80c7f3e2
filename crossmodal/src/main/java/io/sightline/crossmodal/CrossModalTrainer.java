package io.sightline.crossmodal;

import ai.djl.Device;
import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains the single-stream image–text semantic model of EP 3 889 830 A1.
 *
 * <ol>
 *   <li>Sample set: image–text pairs (API or {@link PairsFile}).</li>
 *   <li>Training samples (claim 4): every pair as a positive sample, plus negatives made of a fixed
 *       text with a random image and/or a fixed image with a random text
 *       ({@link NegativeSampling}), {@code negativesPerPositive} of them per positive.</li>
 *   <li>Input feature (claims 2, 6, 8): [CLS] + text features + image features; objects from given
 *       boxes, a detector or a grid; seed-library fusions (claims 7, 9) when the pairs carry
 *       labelled boxes or a library is given.</li>
 *   <li>Task 1, masking (claims 2, 3): whole words / spans of text units and/or an overlapping
 *       object group or an isolated object are masked and predicted (units over the vocabulary,
 *       objects by label and by visual feature). Task 2, matching (claim 5): the CLS output
 *       predicts whether text and image match. Both losses are summed (seed [0159]).</li>
 *   <li>Not in the seed: an image–text contrastive loss (symmetric InfoNCE, in-batch negatives,
 *       learned temperature) on text-only and image-only passes of the same transformer, added
 *       with {@link Builder#contrastiveWeight(double)}; its embeddings are retrieval's first
 *       stage. Optional hard negatives for the matching head mined from its similarities.
 *       Warm-up + cosine learning-rate schedule, global-norm gradient clipping, validation split
 *       by image. The loop itself is in {@code TrainingRun}.</li>
 * </ol>
 *
 * <p>Training runs on the DJL PyTorch engine on CPU, or on the first GPU when PyTorch reports one.
 * Progress goes to the listener: task {@code "features"} per image, {@code "batch"} per batch
 * (with its loss) and {@code "train"} per epoch (losses, accuracies, samples/s); a
 * {@link CancellationToken} stops it at the next batch leaving the last checkpoint intact. With a
 * checkpoint folder a checkpoint is written every {@code checkpointEvery} batches and after each
 * epoch, and {@link Builder#resume(boolean)} continues from it (same data order, since every epoch's
 * order derives from the seed). A fixed seed gives repeatable runs on CPU; training sets the
 * PyTorch engine's (process-wide) random seed from it.
 *
 * <p>A built trainer is used once; {@link #train()} is not reentrant.
 */
public final class CrossModalTrainer {
  /** Checkpoint file name inside the checkpoint folder. */
  public static final String CHECKPOINT_FILE = "checkpoint.model";

  /**
   * Default model width: 192 with {@link #DEFAULT_LAYERS} 1 layer and learning rate
   * {@link #DEFAULT_LEARNING_RATE} 2e-3 were chosen on a validation split of openclipart pairs
   * among widths 64–256, 1–2 layers and rates 1e-3–4e-3 at 60 s of CPU training (BENCHMARKS.md,
   * crossmodal); smaller models train more epochs in the same time but rank worse.
   */
  public static final int DEFAULT_WIDTH = 192;

  /** Default number of encoder layers (see {@link #DEFAULT_WIDTH}). */
  public static final int DEFAULT_LAYERS = 1;

  /** Default AdamW learning rate (see {@link #DEFAULT_WIDTH}). */
  public static final float DEFAULT_LEARNING_RATE = 2e-3f;

  private final Builder b;

  private CrossModalTrainer(Builder b) {
    this.b = b;
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs training.
   *
   * @return the model and the figures
   * @throws InputFormatException on bad pairs
   * @throws io.sightline.core.CancelledException when cancelled
   * @throws IncompatibleFormatException when resuming from a checkpoint of another vocabulary,
   *     width or embedder
   */
  public TrainingResult train() {
    return new TrainingRun(b).run();
  }

  /** Configures a training run. Required: pairs. Not thread-safe. */
  public static final class Builder {
    List<ImageTextPair> pairs;
    Path pairsFile;
    ImageEmbedder embedder;
    ObjectDetector detector;
    TextTokenizer tokenizer;
    ImageLoader loader = ImageLoader.defaults();
    SeedLibrary seedLibrary;
    boolean useSeedLibrary = true;
    boolean layoutAugmentation = true;
    CrossModalModel initialModel;
    int width = DEFAULT_WIDTH;
    int layers = DEFAULT_LAYERS;
    int heads = 4;
    int ffnSize = 0;
    int maxTextUnits = 16;
    int maxObjects = 6;
    int grid = 2;
    float dropout = 0.0f;
    float minDetectionScore = 0.3f;
    int minUnitCount = 1;
    int maxVocabulary = 30_000;
    int epochs = 10;
    int batchSize = 32;
    float learningRate = DEFAULT_LEARNING_RATE;
    long seed = 42;
    double negativesPerPositive = 1.0;
    NegativeSampling negatives = NegativeSampling.BOTH;
    MaskingMode maskingMode = MaskingMode.MIXED;
    ObjectMasking objectMasking = ObjectMasking.AUTO;
    double textMaskProbability = 0.3;
    double spanProbability = 0.5;
    boolean maskingTask = true;
    boolean matchingTask = true;
    double contrastiveWeight = 1.0;
    int contrastiveBatchSize = 0;
    double wordDropout = 0.35;
    EmbeddingPooling pooling = EmbeddingPooling.MEAN_AND_INPUTS;
    boolean hardNegatives = false;
    double contrastiveWarmup = 0.0;
    LearningRateSchedule schedule = LearningRateSchedule.WARMUP_COSINE;
    double warmupFraction = 0.05;
    double clipNorm = 1.0;
    double validationFraction = 0.0;
    int patience = 0;
    double minDelta = 1e-4;
    boolean restoreBest = true;
    Path checkpointDir;
    int checkpointEvery = 0;
    boolean resume = false;
    Device device;
    java.time.Duration maxDuration;
    Map<Path, ImageFeatures> featureCache;
    ProgressListener listener = ProgressListener.NONE;
    CancellationToken cancel = CancellationToken.NONE;

    private Builder() {}

    /** @param pairs the sample set @return this builder */
    public Builder pairs(List<ImageTextPair> pairs) {
      this.pairs = List.copyOf(Objects.requireNonNull(pairs, "pairs"));
      return this;
    }

    /** @param file a pairs.jsonl file (read and checked in build()) @return this builder */
    public Builder pairsFile(Path file) {
      this.pairsFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** @param embedder visual features of regions (default: GlobalDescriptorEmbedder) @return this builder */
    public Builder embedder(ImageEmbedder embedder) {
      this.embedder = embedder;
      return this;
    }

    /** @param detector object regions when pairs carry no boxes (default: none, grid) @return this builder */
    public Builder detector(ObjectDetector detector) {
      this.detector = detector;
      return this;
    }

    /** @param tokenizer text units (default: {@link WordTokenizer}) @return this builder */
    public Builder tokenizer(TextTokenizer tokenizer) {
      this.tokenizer = tokenizer;
      return this;
    }

    /** @param loader image decoding limits @return this builder */
    public Builder imageLoader(ImageLoader loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * Extra seed-library entries (claims 7, 9), merged with the labelled boxes of the pairs. Give
     * standard texts that name the objects themselves: a library of coarse category words (each
     * training drawing under its folder name) did not help retrieval on held-out openclipart pairs
     * (BENCHMARKS.md, crossmodal, fourteenth session).
     *
     * @param library the entries, or null for none
     * @return this builder
     */
    public Builder seedLibrary(SeedLibrary library) {
      this.seedLibrary = library;
      return this;
    }

    /** @param on whether to fuse seed-library content into the features (default true) @return this builder */
    public Builder useSeedLibrary(boolean on) {
      this.useSeedLibrary = on;
      return this;
    }

    /**
     * @param on for images with given boxes, also use the layout seen at query time (detector or
     *     grid) in half of the samples, so the model does not depend on hand-made boxes (default true)
     * @return this builder
     */
    public Builder layoutAugmentation(boolean on) {
      this.layoutAugmentation = on;
      return this;
    }

    /**
     * Fine-tunes an existing model instead of a new one: its architecture, vocabulary, seed
     * library and parameters are the starting point (unknown units of the new texts map to [UNK]).
     *
     * @param model the model to continue from
     * @return this builder
     */
    public Builder fineTune(CrossModalModel model) {
      this.initialModel = model;
      return this;
    }

    /** @param width model width (default {@value CrossModalTrainer#DEFAULT_WIDTH}) @return this builder */
    public Builder width(int width) {
      this.width = width;
      return this;
    }

    /** @param layers encoder layers (default {@value CrossModalTrainer#DEFAULT_LAYERS}) @return this builder */
    public Builder layers(int layers) {
      this.layers = layers;
      return this;
    }

    /** @param heads attention heads (default 4) @return this builder */
    public Builder heads(int heads) {
      this.heads = heads;
      return this;
    }

    /** @param size feed-forward hidden size (default 4 x width) @return this builder */
    public Builder ffnSize(int size) {
      this.ffnSize = size;
      return this;
    }

    /** @param n most text units per text (default 16) @return this builder */
    public Builder maxTextUnits(int n) {
      this.maxTextUnits = n;
      return this;
    }

    /** @param n most objects per image, whole image included (default 6) @return this builder */
    public Builder maxObjects(int n) {
      this.maxObjects = n;
      return this;
    }

    /** @param cells fallback grid cells per side (default 2) @return this builder */
    public Builder grid(int cells) {
      this.grid = cells;
      return this;
    }

    /** @param p dropout (default 0; raise it for large data sets) @return this builder */
    public Builder dropout(float p) {
      this.dropout = p;
      return this;
    }

    /** @param score least detection score kept (default 0.3) @return this builder */
    public Builder minDetectionScore(float score) {
      this.minDetectionScore = score;
      return this;
    }

    /** @param count units seen fewer times become [UNK] (default 1) @return this builder */
    public Builder minUnitCount(int count) {
      this.minUnitCount = count;
      return this;
    }

    /** @param epochs most epochs (default 10) @return this builder */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** @param size samples per batch (default 32) @return this builder */
    public Builder batchSize(int size) {
      this.batchSize = size;
      return this;
    }

    /** @param lr AdamW learning rate (default {@value CrossModalTrainer#DEFAULT_LEARNING_RATE}) @return this builder */
    public Builder learningRate(float lr) {
      this.learningRate = lr;
      return this;
    }

    /** @param seed seed of every random choice (default 42) @return this builder */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** @param ratio negative samples per positive, may be fractional (default 1) @return this builder */
    public Builder negativesPerPositive(double ratio) {
      this.negativesPerPositive = ratio;
      return this;
    }

    /** @param mode how negatives are made (default BOTH) @return this builder */
    public Builder negativeSampling(NegativeSampling mode) {
      this.negatives = Objects.requireNonNull(mode);
      return this;
    }

    /** @param mode what is masked (default MIXED) @return this builder */
    public Builder maskingMode(MaskingMode mode) {
      this.maskingMode = Objects.requireNonNull(mode);
      return this;
    }

    /** @param mode which objects are masked together (default AUTO) @return this builder */
    public Builder objectMasking(ObjectMasking mode) {
      this.objectMasking = Objects.requireNonNull(mode);
      return this;
    }

    /** @param p share of words masked (default 0.3, at least one word) @return this builder */
    public Builder textMaskProbability(double p) {
      this.textMaskProbability = p;
      return this;
    }

    /** @param p chance that masked words form one contiguous span (default 0.5) @return this builder */
    public Builder spanProbability(double p) {
      this.spanProbability = p;
      return this;
    }

    /** @param on train the masking task (default true) @return this builder */
    public Builder maskingTask(boolean on) {
      this.maskingTask = on;
      return this;
    }

    /** @param on train the matching task (default true) @return this builder */
    public Builder matchingTask(boolean on) {
      this.matchingTask = on;
      return this;
    }

    /**
     * @param weight weight of the image–text contrastive loss (text-only and image-only passes,
     *     in-batch negatives, learned temperature) added to the other losses; 0 turns it off, and
     *     retrieval's first stage then has no trained embedding (default 1)
     * @return this builder
     */
    public Builder contrastiveWeight(double weight) {
      this.contrastiveWeight = weight;
      return this;
    }

    /**
     * @param pooling how the text and image embeddings of retrieval's first stage are read from the
     *     transformer (default {@link EmbeddingPooling#MEAN_AND_INPUTS}; ignored when training continues from an
     *     initial model, which keeps its own)
     * @return this builder
     */
    public Builder embeddingPooling(EmbeddingPooling pooling) {
      this.pooling = java.util.Objects.requireNonNull(pooling, "pooling");
      return this;
    }

    /** @param pairs distinct pairs per contrastive batch (default: the batch size) @return this builder */
    public Builder contrastiveBatchSize(int pairs) {
      this.contrastiveBatchSize = pairs;
      return this;
    }

    /**
     * @param on give the matching head, per contrastive batch, each pair and its most similar
     *     non-matching image or text by the contrastive similarity (default false: at a 60 s budget it cost more than it gave, see BENCHMARKS.md; needs the
     *     contrastive loss and the matching task)
     * @return this builder
     */
    public Builder hardNegatives(boolean on) {
      this.hardNegatives = on;
      return this;
    }

    /**
     * Contrastive-only warm-up: for the first {@code fraction} of training (of the epochs, or of
     * the time budget when that ends training first, as for the learning-rate schedule) each step
     * runs only the contrastive loss on the text-only and image-only passes, which cost about half
     * of a full step; afterwards every step adds the joint pass with the masking and matching
     * losses as usual. The matching head is trained only after the warm-up, and the warm-up
     * epochs report NaN for the joint losses and accuracies and are never restored as the best
     * epoch. Needs the contrastive loss ({@code contrastiveWeight > 0}). Off by default: on an
     * openclipart validation split (BENCHMARKS.md, crossmodal) warm-ups of 0.3 and 0.6 lowered
     * the matching head's and the cosine's recall at 60 s and 180 s budgets (more epochs, but
     * fewer joint steps), and with the default width 192 and one layer no fraction from 0.3 to 0.9
     * was ahead of no warm-up; it may pay off where the contrastive loss is the bottleneck.
     *
     * @param fraction share of training spent on the contrastive loss alone, in [0, 1) (default 0:
     *     no warm-up)
     * @return this builder
     */
    public Builder contrastiveWarmup(double fraction) {
      this.contrastiveWarmup = fraction;
      return this;
    }

    /** @param s learning-rate schedule (default WARMUP_COSINE) @return this builder */
    public Builder learningRateSchedule(LearningRateSchedule s) {
      this.schedule = Objects.requireNonNull(s);
      return this;
    }

    /**
     * @param fraction share of training spent warming up (of the epochs, or of the time budget
     *     when that ends training first; default 0.05)
     * @return this builder
     */
    public Builder warmupFraction(double fraction) {
      this.warmupFraction = fraction;
      return this;
    }

    /** @param norm clip the gradients' global L2 norm to this; 0 never (default 1) @return this builder */
    public Builder gradientClipNorm(double norm) {
      this.clipNorm = norm;
      return this;
    }

    /**
     * @param fraction share of images held out, with all their pairs, to monitor early stopping and
     *     the best epoch ({@link #restoreBest}) by the validation loss: the joint losses on those
     *     pairs, or the contrastive loss in a run without joint tasks (default 0: the training loss
     *     is monitored)
     * @return this builder
     */
    public Builder validationFraction(double fraction) {
      this.validationFraction = fraction;
      return this;
    }

    /**
     * Word dropout for the contrastive passes: each word of a training text is left out of its
     * text-only pass with this chance, drawn anew at every step (at least one word stays; a word
     * made of several units goes as a whole). A regulariser for small training sets, where the
     * contrastive loss otherwise learns the few hundred texts by heart. Chosen on a validation
     * split of openclipart pairs (mean recall 0.27 to 0.30); on fresh held-out openclipart and icon
     * draws it added about 0.01 to the mean recall, at 5 and 10 results, not at the first
     * (BENCHMARKS.md, crossmodal, twentieth session). The joint (masking, matching) passes and
     * query time see the whole texts.
     *
     * @param p chance in [0, 1) (default 0.35; 0 keeps every word)
     * @return this builder
     */
    public Builder contrastiveWordDropout(double p) {
      this.wordDropout = p;
      return this;
    }

    /** @param epochs stop after this many epochs without gain; 0 never (default 0) @return this builder */
    public Builder earlyStoppingPatience(int epochs) {
      this.patience = epochs;
      return this;
    }

    /** @param on keep the parameters of the best monitored epoch (default true) @return this builder */
    public Builder restoreBest(boolean on) {
      this.restoreBest = on;
      return this;
    }

    /** @param dir folder for {@value #CHECKPOINT_FILE} (default none) @return this builder */
    public Builder checkpointDir(Path dir) {
      this.checkpointDir = dir;
      return this;
    }

    /** @param batches also checkpoint every this many batches inside an epoch; 0 only per epoch @return this builder */
    public Builder checkpointEvery(int batches) {
      this.checkpointEvery = batches;
      return this;
    }

    /** @param on continue from the checkpoint in the checkpoint folder when there is one @return this builder */
    public Builder resume(boolean on) {
      this.resume = on;
      return this;
    }

    /** @param device DJL device (default: first GPU if PyTorch sees one, else CPU) @return this builder */
    public Builder device(Device device) {
      this.device = device;
      return this;
    }

    /**
     * @param budget stop after the first epoch that ends past this training time (default: none)
     * @return this builder
     */
    public Builder maxDuration(java.time.Duration budget) {
      this.maxDuration = budget;
      return this;
    }

    /**
     * @param cache caller-owned map of image features for images without given boxes; read and
     *     filled by training (share it between runs on the same images and extractor settings)
     * @return this builder
     */
    public Builder featureCache(Map<Path, ImageFeatures> cache) {
      this.featureCache = cache;
      return this;
    }

    /** @param listener progress ("features", "train") @return this builder */
    public Builder progress(ProgressListener listener) {
      this.listener = listener == null ? ProgressListener.NONE : listener;
      return this;
    }

    /** @param token cancellation @return this builder */
    public Builder cancellation(CancellationToken token) {
      this.cancel = token == null ? CancellationToken.NONE : token;
      return this;
    }

    /**
     * @return the trainer
     * @throws IllegalStateException when pairs are missing or options are out of range
     * @throws InputFormatException when the pairs file has bad records
     */
    public CrossModalTrainer build() {
      TrainerOptions.check(this);
      return new CrossModalTrainer(this);
    }
  }
}
