package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.DimensionMismatchException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Recommends tags for a new image from the tag frequencies of the image cluster it falls in
 * (CN110704657A).
 *
 * <p>Building the tag system: stock images with at least one tag (and optionally a post) are
 * added with {@link #addStock}, or read from {@code tags.csv} with {@link #importCsv}; their feature
 * vectors come from any {@link ImageEmbedder}. {@link #train} clusters them with K-means or
 * mini-batch K-means until the feature deviation converges and counts each cluster's tags once
 * per post. With a {@link Builder#directory(Path) directory} the stock lives in an H2 database and
 * the model (centres + frequencies) in a checksummed file beside it, and both reopen.
 *
 * <p>Recommending: {@link #suggest(BufferedImage)} finds the nearest cluster centre and returns
 * its tags by frequency — the top N, every tag above a threshold, or both ({@link TagSelection}).
 * {@link #annotate} labels an image with the suggestions and records it in the stock;
 * {@link #accept} records the tags a user chose (claim 7). {@link #update} refreshes the clusters
 * after the stock changed, warm-started from the current centres or from scratch (claim 8).
 * Besides the seed's {@link Strategy#NEAREST_CLUSTER}, {@link Strategy#SOFT_CLUSTERS},
 * {@link Strategy#NEAREST_NEIGHBOURS} and the {@link Strategy#MOST_POPULAR} baseline are available
 * behind the same API.
 *
 * <p>Thread-safe: suggestions run concurrently and lock-free against an immutable model
 * snapshot; changes to the stock and (re)training are serialised and publish a new snapshot when
 * complete. A cancelled or failed training leaves the stored model and stock as they were.
 */
public final class TagRecommender implements AutoCloseable {
  /** File name of the model inside the directory. */
  public static final String MODEL_FILE = "tag-model.bin";
  /** File name of the {@link Strategy#LINEAR_PROBE} weights inside the directory (written at training). */
  public static final String PROBE_FILE = "tag-probe.bin";
  /** Name stem of the stock database inside the directory. */
  public static final String STOCK_DB = "tag-stock";

  // The jobs live in package-private parts that share one state (the lock and the volatile model,
  // index and co-occurrence): opening and persistence (TagRecommenderStore), changes to the stock
  // (TagRecommenderStockUpdates), training (TagRecommenderTraining), recommending
  // (TagRecommenderStrategies) and the neighbour index (TagRecommenderIndex).
  private final TagRecommenderState state;
  private final TagRecommenderStockUpdates stockUpdates;
  private final TagRecommenderTraining training;
  private final TagRecommenderStrategies strategies;

  private TagRecommender(Builder b) {
    String embedderId = b.embedder != null ? b.embedder.id() : b.embedderId;
    int dimension = b.embedder != null ? b.embedder.dimension() : b.dimension;
    ZeroShotTags zeroShot = b.textEmbedder == null ? null : new ZeroShotTags(b.textEmbedder, b.promptTemplate);
    TagStock s = TagRecommenderStore.openStock(b.database, b.directory, b.readOnly);
    try {
      s.bindEmbedder(embedderId, dimension);
      this.state = new TagRecommenderState(b.embedder, embedderId, dimension, b.directory, s, b.clustering,
          b.strategy, b.selection, b.softClusters, b.neighbours, b.loader, zeroShot, b.fusion, b.minTagPosts,
          b.indexFactory);
      state.readOnly = b.readOnly;
      TagRecommenderStore store = new TagRecommenderStore(state);
      TagRecommenderIndex index = new TagRecommenderIndex(state);
      this.stockUpdates = new TagRecommenderStockUpdates(state, store);
      this.training = new TagRecommenderTraining(state, index);
      this.strategies = new TagRecommenderStrategies(state, index);
      state.model = store.openModel();
      if (state.model != null && TagRecommenderState.usesNeighbours(state.strategy) && s.size() > 0) {
        index.ensureIndex(); // when opening, so the first query does not build it under the lock
      }
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** @return a builder; an embedder (or {@code vectors(id, dimension)}) is required */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- stock

  /**
   * Adds stock images (or replaces those with the same id). All are validated before any is
   * stored. When a model exists each image joins its nearest cluster and that cluster's tag
   * frequencies are refreshed at once; the centres themselves move only on {@link #update}.
   *
   * @param images tagged images with vectors of this recommender's embedder
   * @return the number of images stored
   * @throws DimensionMismatchException when a vector has another length
   * @throws io.sightline.core.InvalidVectorException on NaN, infinite or zero vectors
   */
  public int addStock(Collection<StockImage> images) {
    checkWritable();
    return stockUpdates.addStock(images);
  }

  /**
   * Removes stock images; the frequencies of their clusters are refreshed at once.
   *
   * @param ids image ids
   * @return how many were removed
   */
  public int removeStock(Collection<String> ids) {
    checkWritable();
    return stockUpdates.removeStock(ids);
  }

  /**
   * @param id image id
   * @return the stock image stored under it
   */
  public Optional<StockImage> stockImage(String id) {
    return state.stock.get(id);
  }

  /** @return the number of stock images */
  public int stockSize() {
    return state.stock.size();
  }

  /**
   * Reads {@code tags.csv}, embeds every image and adds them to the stock in one transaction.
   * Nothing is stored when any row or image is bad, or when cancelled.
   *
   * @param csv the file (header {@code image,tags,post})
   * @param listener receives "embed" progress
   * @param token cancels between images
   * @return the number of images added
   * @throws InputFormatException naming the file and the line of every row without image or tags
   *     (the exception's line is the first), or the line of an image that cannot be read
   */
  public int importCsv(Path csv, ProgressListener listener, CancellationToken token) {
    return importCsv(csv, null, listener, token);
  }

  /**
   * Like {@link #importCsv(Path, ProgressListener, CancellationToken)}, with image paths confined
   * to {@code allowedRoot} instead of the file's folder (absolute paths are accepted inside it).
   *
   * @param csv the file (header {@code image,tags,post})
   * @param allowedRoot the folder image paths must stay inside, or null for the file's folder
   * @param listener receives "embed" progress
   * @param token cancels between images
   * @return the number of images added
   * @throws InputFormatException as {@link #importCsv(Path, ProgressListener, CancellationToken)}
   */
  public int importCsv(Path csv, Path allowedRoot, ProgressListener listener, CancellationToken token) {
    checkWritable();
    return stockUpdates.importCsv(csv, allowedRoot, listener, token);
  }

  // ---------------------------------------------------------------- training

  /**
   * Clusters the whole stock from new initial centres (seed S202-S210) and counts each cluster's
   * tags; saves the model when the recommender has a directory.
   *
   * @param listener receives D per iteration ("kmeans" / "mini-batch-kmeans")
   * @param token cancels between iterations; the previous model then stays in force
   * @return how the clusters were made
   * @throws InsufficientStockException when the stock is empty or smaller than K
   */
  public TrainingReport train(ProgressListener listener, CancellationToken token) {
    checkWritable();
    return training.train(listener, token);
  }

  /** @return {@link #train(ProgressListener, CancellationToken)} without progress or cancellation */
  public TrainingReport train() {
    return train(ProgressListener.NONE, CancellationToken.NONE);
  }

  /**
   * Refreshes the clusters after the stock changed (claim 8): {@link UpdateMode#WARM_START}
   * iterates again from the current centres ([0060]); {@link UpdateMode#RECLUSTER} starts over.
   * Frequencies are recounted either way. Without a model this is {@link #train}.
   *
   * @param mode warm start or from scratch
   * @param listener receives D per iteration
   * @param token cancels between iterations; the previous model then stays in force
   * @return how the clusters were made
   */
  public TrainingReport update(UpdateMode mode, ProgressListener listener, CancellationToken token) {
    checkWritable();
    return training.update(mode, listener, token);
  }

  // ---------------------------------------------------------------- recommending

  /**
   * Suggests tags with the configured strategy and selection.
   *
   * @param image the new image
   * @return the suggestion and its evidence
   */
  public TagSuggestion suggest(BufferedImage image) {
    return suggest(image, state.strategy, state.selection);
  }

  /**
   * @param image the new image
   * @param how strategy
   * @param which selection
   * @return the suggestion and its evidence
   */
  public TagSuggestion suggest(BufferedImage image, Strategy how, TagSelection which) {
    return suggestVector(state.requireEmbedder().embed(image), how, which);
  }

  /**
   * Suggests tags for an image a user has already started to tag (or titled): the configured
   * strategy's scores, each raised by how often the tag appears in stock posts together with a
   * typed tag — score + P(tag | typed tag), the largest over the typed tags. Typed tags are not
   * suggested again. Words of a title can be passed as typed tags.
   *
   * @param image the new image
   * @param typed tags (or title words) already given, lower case as in the stock; may be empty
   * @return the suggestion; its scores are the combined ones, capped at 1
   */
  public TagSuggestion suggest(BufferedImage image, Collection<String> typed) {
    return strategies.suggest(image, typed);
  }

  /**
   * Loads (with the decompression-bomb guard of {@link ImageLoader}) and suggests.
   *
   * @param imageFile the image file
   * @return the suggestion
   */
  public TagSuggestion suggest(Path imageFile) {
    return suggest(state.loader.load(imageFile), state.strategy, state.selection);
  }

  /**
   * @param vector feature vector of this recommender's embedder
   * @return the suggestion with the configured strategy and selection
   */
  public TagSuggestion suggestVector(float[] vector) {
    return suggestVector(vector, state.strategy, state.selection);
  }

  /**
   * Suggests tags for a feature vector of this recommender's embedder.
   *
   * @param vector the vector
   * @param how strategy
   * @param which selection
   * @return the suggestion and its evidence
   * @throws IllegalStateException when no model has been trained yet
   * @throws DimensionMismatchException when the vector has another length
   * @throws io.sightline.core.InvalidVectorException on NaN, infinite or zero vectors
   */
  public TagSuggestion suggestVector(float[] vector, Strategy how, TagSelection which) {
    return strategies.suggestVector(vector, how, which);
  }

  /**
   * Claim 7, first way: labels the image with the suggested tags and records it in the stock.
   * When the selection yields no tag nothing is recorded.
   *
   * @param imageId id for the new stock image
   * @param image the image
   * @param post its post, or null
   * @return the suggestion that was applied
   */
  public TagSuggestion annotate(String imageId, BufferedImage image, String post) {
    checkWritable();
    float[] v = state.requireEmbedder().embed(image);
    return annotateVector(imageId, v, post);
  }

  /**
   * Like {@link #annotate} for a precomputed vector of this recommender's embedder.
   *
   * @param imageId id for the new stock image
   * @param vector its vector
   * @param post its post, or null
   * @return the suggestion that was applied
   */
  public TagSuggestion annotateVector(String imageId, float[] vector, String post) {
    checkWritable();
    TagSuggestion s = suggestVector(vector, state.strategy, state.selection);
    if (!s.tags().isEmpty()) {
      addStock(List.of(new StockImage(imageId, vector, new LinkedHashSet<>(s.tagNames()), post)));
    }
    return s;
  }

  /**
   * Claim 7, second way: records the tags the user chose (from the suggestions or their own)
   * for a new image in the stock, where they count towards its cluster's frequencies at once.
   *
   * @param imageId id for the new stock image
   * @param image the image
   * @param chosenTags at least one tag
   * @param post its post, or null
   */
  public void accept(String imageId, BufferedImage image, Collection<String> chosenTags, String post) {
    checkWritable();
    acceptVector(imageId, state.requireEmbedder().embed(image), chosenTags, post);
  }

  /**
   * Like {@link #accept} for a precomputed vector of this recommender's embedder.
   *
   * @param imageId id for the new stock image
   * @param vector its vector
   * @param chosenTags at least one tag
   * @param post its post, or null
   */
  public void acceptVector(String imageId, float[] vector, Collection<String> chosenTags, String post) {
    checkWritable();
    addStock(List.of(new StockImage(imageId, vector, new LinkedHashSet<>(chosenTags), post)));
  }

  /** @return the current model, empty before the first training */
  public Optional<TagModel> model() {
    return Optional.ofNullable(state.model);
  }

  /** @return id of the embedder whose vectors this recommender uses */
  public String embedderId() {
    return state.embedderId;
  }

  /** @return vector length */
  public int dimension() {
    return state.dimension;
  }

  /** @return the default strategy */
  public Strategy strategy() {
    return state.strategy;
  }

  /** @return the default selection */
  public TagSelection selection() {
    return state.selection;
  }

  private void checkWritable() {
    if (state.readOnly) {
      throw new IllegalStateException(state.directory + ": the tag model was opened read-only (for suggestions"
          + " beside other processes); open it for writing to change it");
    }
  }

  /**
   * Closes the neighbour index (an on-disk one from {@link Builder#neighbourIndex} keeps what was
   * committed) and the stock database; not the embedder, which the caller owns.
   */
  @Override
  public void close() {
    try {
      io.sightline.core.index.VectorIndex<String> idx = state.index;
      if (idx != null) {
        idx.close();
      }
    } finally {
      state.stock.close();
    }
  }

  /** Fluent builder; {@link #build()} checks the required parts. */
  public static final class Builder {
    private boolean readOnly;
    private ImageEmbedder embedder;
    private String embedderId;
    private int dimension;
    private Path directory;
    private Database database;
    private ClusteringOptions clustering = ClusteringOptions.defaults();
    private Strategy strategy = Strategy.NEAREST_CLUSTER;
    private TagSelection selection = TagSelection.top(3);
    private int softClusters = 3;
    private int neighbours = 10;
    private io.sightline.core.index.VectorIndexFactory indexFactory;
    private ImageLoader loader = ImageLoader.defaults();
    private io.sightline.core.text.TextEmbedder textEmbedder;
    private String promptTemplate = "%s";
    private FusionWeights fusion = FusionWeights.defaults();
    private int minTagPosts = 2;

    private Builder() {}

    /**
     * Enables {@link Strategy#ZERO_SHOT} and the zero-shot part of {@link Strategy#FUSED}: tags
     * are also scored by the similarity of their words to the image. The text embedder must map
     * into the image embedder's space (e.g. {@code SightlineModels.textEmbedder()} with
     * {@code SightlineModels.clipartImageEmbedder()} from {@code sightline-models}); the caller
     * closes it.
     *
     * @param text the text embedder
     * @param promptTemplate how a tag is written before embedding, with {@code %s} for the tag
     *     (e.g. {@code "a drawing of %s"}; {@code "%s"} embeds the bare tag)
     * @return this
     */
    public Builder textEmbedder(io.sightline.core.text.TextEmbedder text, String promptTemplate) {
      this.textEmbedder = text;
      this.promptTemplate = promptTemplate;
      return this;
    }

    /**
     * @param weights how {@link Strategy#FUSED} weighs its evidence (default {@link FusionWeights#defaults()})
     * @return this
     */
    public Builder fusion(FusionWeights weights) {
      this.fusion = weights;
      return this;
    }

    /**
     * @param posts tags carried by fewer stock posts are left out of the zero-shot vocabulary
     *     (default 2: one-off words are mostly noise)
     * @return this
     */
    public Builder minTagPosts(int posts) {
      this.minTagPosts = posts;
      return this;
    }

    /**
     * @param embedder turns images into feature vectors (the seed uses VGG16; any
     *     {@link ImageEmbedder} works, e.g. the default global descriptor or an ONNX model)
     * @return this
     */
    public Builder embedder(ImageEmbedder embedder) {
      this.embedder = embedder;
      return this;
    }

    /**
     * For callers that compute vectors themselves: the recommender then works on vectors only.
     *
     * @param embedderId id of the embedder that makes the vectors
     * @param dimension their length
     * @return this
     */
    public Builder vectors(String embedderId, int dimension) {
      this.embedderId = embedderId;
      this.dimension = dimension;
      return this;
    }

    /**
     * Opens the model folder for suggestions only, side by side with other processes: several
     * processes may suggest tags from one folder at once, and beside one that trains or adds to
     * it; nothing is written, the folder must hold a stock, and the methods that change the stock
     * or the model fail with an {@link IllegalStateException}. A folder opened for writing (the
     * default) waits up to 30 s for other processes to close it, so one process writes at a time.
     *
     * @param readOnly whether to open for suggestions only (default false)
     * @return this
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * @param directory folder for the stock database and the model file (created when absent);
     *     without one everything lives in memory
     * @return this
     */
    public Builder directory(Path directory) {
      this.directory = directory;
      return this;
    }

    /**
     * @param database a database (any JDBC URL via {@link Database#open}) for the stock instead
     *     of the H2 file in the directory; the caller closes it
     * @return this
     */
    public Builder database(Database database) {
      this.database = database;
      return this;
    }

    /**
     * @param options how {@link TagRecommender#train} clusters the stock
     * @return this
     */
    public Builder clustering(ClusteringOptions options) {
      this.clustering = options;
      return this;
    }

    /**
     * @param strategy the default strategy (nearest cluster unless set)
     * @return this
     */
    public Builder strategy(Strategy strategy) {
      this.strategy = strategy;
      return this;
    }

    /**
     * @param selection the default selection (top 3 unless set)
     * @return this
     */
    public Builder selection(TagSelection selection) {
      this.selection = selection;
      return this;
    }

    /**
     * @param m clusters used by {@link Strategy#SOFT_CLUSTERS} (default 3)
     * @return this
     */
    public Builder softClusters(int m) {
      this.softClusters = m;
      return this;
    }

    /**
     * @param k neighbours used by {@link Strategy#NEAREST_NEIGHBOURS} (default 10)
     * @return this
     */
    public Builder neighbours(int k) {
      this.neighbours = k;
      return this;
    }

    /**
     * Where the nearest-neighbour index of the stock lives (strategies
     * {@link Strategy#NEAREST_NEIGHBOURS} and {@link Strategy#FUSED}). Default: an HNSW index in
     * the heap, built from the stock when the recommender is opened or trained, in every process.
     * A factory opening an on-disk index, e.g.
     * {@code LuceneVectorIndex.factory(dir.resolve("neighbours"))} (module {@code sightline-index-lucene}),
     * keeps it across processes: at opening it is only reconciled with the stock (entries the stock
     * no longer has removed, missing or changed ones written again), and stock changes reach it as
     * commits. The recommender closes the index on {@link TagRecommender#close()}. A
     * {@link #readOnly(boolean) read-only} recommender asks the factory for a read-only index
     * ({@link io.sightline.core.index.VectorIndexFactory#openReadOnly}) and uses it when it holds
     * exactly the stock; otherwise (none, or behind the stock) it builds its own in the heap.
     * {@code LuceneVectorIndex.factory(dir)} opens both ways.
     *
     * @param factory opens the index; null for the default
     * @return this
     */
    public Builder neighbourIndex(io.sightline.core.index.VectorIndexFactory factory) {
      this.indexFactory = factory;
      return this;
    }

    /**
     * @param loader image loader with the decoding limits to apply (default limits otherwise)
     * @return this
     */
    public Builder imageLoader(ImageLoader loader) {
      this.loader = loader;
      return this;
    }

    /**
     * Opens (or creates) the stock and, when the directory holds one, the model.
     *
     * @return the recommender
     * @throws IllegalStateException naming what is missing or inconsistent
     * @throws io.sightline.core.IncompatibleFormatException when the directory was built with
     *     another embedder or by a newer version
     */
    public TagRecommender build() {
      List<String> missing = new ArrayList<>();
      if (embedder == null && embedderId == null) {
        missing.add("embedder (or vectors(embedderId, dimension))");
      }
      if (clustering == null) {
        missing.add("clustering");
      }
      if (strategy == null) {
        missing.add("strategy");
      }
      if (selection == null) {
        missing.add("selection");
      }
      if (loader == null) {
        missing.add("imageLoader");
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("TagRecommender needs " + String.join(", ", missing));
      }
      if (embedder != null && embedderId != null) {
        throw new IllegalStateException("set either embedder(...) or vectors(...), not both");
      }
      if (embedder == null && (embedderId.isBlank() || dimension < 1)) {
        throw new IllegalStateException("vectors(...) needs a non-blank embedder id and a positive dimension");
      }
      if (softClusters < 1) {
        throw new IllegalStateException("softClusters must be at least 1: " + softClusters);
      }
      if (neighbours < 1) {
        throw new IllegalStateException("neighbours must be at least 1: " + neighbours);
      }
      if (fusion == null || minTagPosts < 1) {
        throw new IllegalStateException("fusion weights are required and minTagPosts must be at least 1");
      }
      if (textEmbedder != null) {
        if (promptTemplate == null || !promptTemplate.contains("%s")) {
          throw new IllegalStateException("the prompt template must contain %s where the tag goes: " + promptTemplate);
        }
        int imageDim = embedder != null ? embedder.dimension() : dimension;
        if (textEmbedder.dimension() != imageDim) {
          throw new IllegalStateException("the text embedder (" + textEmbedder.id() + ", " + textEmbedder.dimension()
              + " dimensions) is not in the image embedder's space (" + imageDim + " dimensions)");
        }
      }
      return new TagRecommender(this);
    }
  }
}
