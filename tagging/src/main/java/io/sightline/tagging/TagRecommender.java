package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.DimensionMismatchException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.store.Database;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  /** Name stem of the stock database inside the directory. */
  public static final String STOCK_DB = "tag-stock";
  private static final Logger LOG = LoggerFactory.getLogger(TagRecommender.class);

  private final ImageEmbedder embedder;
  private final String embedderId;
  private final int dimension;
  private final Path directory;
  private final TagStock stock;
  private final ClusteringOptions clustering;
  private final Strategy strategy;
  private final TagSelection selection;
  private final int softClusters;
  private final int neighbours;
  private final ImageLoader loader;
  private final ZeroShotTags zeroShot;
  private final FusionWeights fusion;
  private final int minTagPosts;
  private final Object lock = new Object();
  private volatile TagModel model;
  private volatile HnswVectorIndex<String> index;
  /** Tag co-occurrence of the stock's posts, built on first use and dropped when the stock changes. */
  private volatile TagCooccurrence cooccurrence;
  /** The model was opened from a file whose stock is not here: its counts cannot be recounted. */
  private volatile boolean detachedModel;

  private TagRecommender(Builder b) {
    this.embedder = b.embedder;
    this.embedderId = b.embedder != null ? b.embedder.id() : b.embedderId;
    this.dimension = b.embedder != null ? b.embedder.dimension() : b.dimension;
    this.directory = b.directory;
    this.clustering = b.clustering;
    this.strategy = b.strategy;
    this.selection = b.selection;
    this.softClusters = b.softClusters;
    this.neighbours = b.neighbours;
    this.loader = b.loader;
    this.zeroShot = b.textEmbedder == null ? null : new ZeroShotTags(b.textEmbedder, b.promptTemplate);
    this.fusion = b.fusion;
    this.minTagPosts = b.minTagPosts;
    Database db = b.database != null ? b.database
        : directory != null ? Database.openFile(directory, STOCK_DB)
        : Database.inMemory("tagging-" + UUID.randomUUID());
    TagStock s = new TagStock(db, b.database == null);
    try {
      s.bindEmbedder(embedderId, dimension);
      this.stock = s;
      this.model = openModel();
      if (model != null && usesNeighbours(strategy) && stock.size() > 0) {
        ensureIndex(); // when opening, so the first query does not build it under the lock
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

  private TagModel openModel() {
    if (directory == null || !Files.exists(directory.resolve(MODEL_FILE))) {
      return null;
    }
    TagModel m = TagModel.load(directory.resolve(MODEL_FILE), embedderId);
    if (m.dimension() != dimension) {
      throw new DimensionMismatchException(dimension, m.dimension());
    }
    if (stock.size() == 0) {
      detachedModel = m.report().stockImages() > 0;
      return m; // a model shipped without its stock: use its saved frequencies
    }
    if (stock.generation() != m.generation()) {
      LOG.warn("{}: stock cluster labels belong to clustering {} but the model is {}; reassigning",
          directory, stock.generation(), m.generation());
      TagStock.Snapshot snap = stock.snapshot();
      int[] labels = new int[snap.rows().size()];
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < labels.length; i++) {
        labels[i] = m.nearest(m.prepare(snap.vectors()[i]), 1).get(0).cluster();
        ids.add(snap.rows().get(i).id());
      }
      stock.setClusters(ids, labels, m.generation());
    }
    return recount(m, null);
  }

  /**
   * Updates the stock-wide statistics for a change that touched only {@code postKeys}: each
   * touched post's old contribution is taken out and its new one put in, so no full scan is needed.
   */
  private ClusterTags overallAfter(TagModel m, Set<String> postKeys, Map<String, Set<String>> before) {
    Map<String, Set<String>> after = stock.tagsOfPosts(postKeys);
    ClusterTags o = m.overall();
    Map<String, Integer> counts = new java.util.TreeMap<>(o.counts());
    int posts = o.posts();
    for (String key : postKeys) {
      Set<String> b = before.get(key);
      Set<String> a = after.get(key);
      if (b != null) {
        posts--;
        b.forEach(t -> counts.merge(t, -1, Integer::sum));
      }
      if (a != null) {
        posts++;
        a.forEach(t -> counts.merge(t, 1, Integer::sum));
      }
    }
    counts.values().removeIf(v -> v <= 0);
    return new ClusterTags(-1, stock.size(), posts, counts);
  }

  private TagModel recount(TagModel m, Set<Integer> clusters, ClusterTags overall) {
    Map<Integer, ClusterTags> counts = new HashMap<>();
    for (int c : clusters) {
      if (c >= 0 && c < m.clusterCount()) {
        counts.put(c, TagModel.count(c, stock.rowsOfCluster(c)));
      }
    }
    return m.withCounts(counts, overall);
  }

  /** Recounts the given clusters (all when null) and the stock-wide statistics from the stock. */
  private TagModel recount(TagModel m, Set<Integer> clusters) {
    List<TagModel.Row> rows = stock.rows();
    Map<Integer, List<TagModel.Row>> by = new HashMap<>();
    for (int c = 0; c < m.clusterCount(); c++) {
      if (clusters == null || clusters.contains(c)) {
        by.put(c, new ArrayList<>());
      }
    }
    for (TagModel.Row r : rows) {
      List<TagModel.Row> list = by.get(r.cluster());
      if (list != null) {
        list.add(r);
      }
    }
    Map<Integer, ClusterTags> counts = new HashMap<>();
    by.forEach((c, list) -> counts.put(c, TagModel.count(c, list)));
    return m.withCounts(counts, TagModel.count(-1, rows));
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
    List<StockImage> list = List.copyOf(images);
    Set<String> ids = new HashSet<>();
    for (StockImage img : list) {
      try {
        TagModel.prepare(img.vectorRef(), dimension, true);
      } catch (SightlineException e) {
        throw rethrow(e, "stock image '" + img.id() + "': ");
      }
      if (!ids.add(img.id())) {
        throw new InputFormatException(null, 0, "stock image '" + img.id() + "' given twice");
      }
    }
    synchronized (lock) {
      requireAttached();
      TagModel m = model;
      int[] labels = new int[list.size()];
      Set<Integer> touched = new TreeSet<>();
      for (int i = 0; i < labels.length; i++) {
        labels[i] = m == null ? -1 : m.nearest(m.prepare(list.get(i).vectorRef()), 1).get(0).cluster();
        touched.add(labels[i]);
      }
      Set<String> postKeys = new HashSet<>();
      for (StockImage img : list) {
        postKeys.add(img.postKey());
      }
      postKeys.addAll(stock.postKeysOf(ids).values());
      Map<String, Set<String>> before = m == null ? Map.of() : stock.tagsOfPosts(postKeys);
      List<Integer> replaced = stock.upsert(list, labels);
      cooccurrence = null;
      touched.addAll(replaced);
      if (m != null) {
        publish(recount(m, touched, overallAfter(m, postKeys, before)));
      }
      HnswVectorIndex<String> idx = index;
      if (idx != null) {
        for (StockImage img : list) {
          idx.add(img.id(), img.vectorRef(), attributes(img.post(), img.tags()));
        }
      }
      LOG.debug("added {} stock images ({} replaced)", list.size(), replaced.size());
      return list.size();
    }
  }

  /**
   * Removes stock images; the frequencies of their clusters are refreshed at once.
   *
   * @param ids image ids
   * @return how many were removed
   */
  public int removeStock(Collection<String> ids) {
    synchronized (lock) {
      requireAttached();
      TagModel m = model;
      Set<String> postKeys = new HashSet<>(stock.postKeysOf(List.copyOf(ids)).values());
      Map<String, Set<String>> before = m == null ? Map.of() : stock.tagsOfPosts(postKeys);
      List<Integer> clusters = stock.remove(List.copyOf(ids));
      cooccurrence = null;
      if (m != null && !clusters.isEmpty()) {
        publish(recount(m, new TreeSet<>(clusters), overallAfter(m, postKeys, before)));
      }
      HnswVectorIndex<String> idx = index;
      if (idx != null) {
        ids.forEach(idx::remove);
      }
      return clusters.size();
    }
  }

  /**
   * @param id image id
   * @return the stock image stored under it
   */
  public Optional<StockImage> stockImage(String id) {
    return stock.get(id);
  }

  /** @return the number of stock images */
  public int stockSize() {
    return stock.size();
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
    ImageEmbedder e = requireEmbedder();
    List<InputFormatException> bad = new ArrayList<>();
    List<TagsCsv.Row> rows = TagsCsv.read(csv, allowedRoot, bad::add);
    if (!bad.isEmpty()) {
      StringBuilder msg = new StringBuilder(bad.size() + " bad row(s): ");
      for (int i = 0; i < Math.min(20, bad.size()); i++) {
        msg.append(i == 0 ? "" : "; ").append("line ").append(bad.get(i).line()).append(": ")
            .append(bad.get(i).getMessage().substring(bad.get(i).getMessage().indexOf(": ") + 2));
      }
      if (bad.size() > 20) {
        msg.append("; ...");
      }
      throw new InputFormatException(csv, bad.get(0).line(), msg.toString(), bad.get(0));
    }
    if (rows.isEmpty()) {
      throw new InsufficientStockException(csv + ": no stock images listed");
    }
    List<StockImage> images = new ArrayList<>(rows.size());
    int done = 0;
    for (TagsCsv.Row row : rows) {
      token.throwIfCancelled();
      float[] v;
      try {
        v = e.embed(loader.load(row.image()));
      } catch (SightlineException ex) {
        throw new InputFormatException(csv, row.line(), "image '" + row.id() + "': " + ex.getMessage(), ex);
      }
      try {
        images.add(new StockImage(row.id(), v, row.tags(), row.post()));
        TagModel.prepare(v, dimension, true);
      } catch (SightlineException ex) {
        throw new InputFormatException(csv, row.line(), "image '" + row.id() + "': " + ex.getMessage(), ex);
      }
      listener.onProgress("embed", ++done, rows.size(), row.id());
    }
    token.throwIfCancelled();
    return addStock(images);
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
    synchronized (lock) {
      return recluster(clustering, null, listener, token);
    }
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
    synchronized (lock) {
      TagModel m = model;
      if (m == null || mode == UpdateMode.RECLUSTER || clustering.method() == ClusteringMethod.DBSCAN
          || clustering.method() == ClusteringMethod.GAUSSIAN_MIXTURE) {
        return recluster(clustering, null, listener, token);
      }
      ClusteringOptions opts = clustering.withClusters(m.clusterCount()).withInit(m.report().init())
          .withNormalize(m.options().normalize());
      return recluster(opts, m.centresAsDoubles(), listener, token);
    }
  }

  private TrainingReport recluster(ClusteringOptions opts, double[][] warm, ProgressListener listener,
      CancellationToken token) {
    TagStock.Snapshot snap = stock.snapshot();
    int n = snap.rows().size();
    if (n == 0) {
      throw new InsufficientStockException("the stock is empty: add tagged images before training");
    }
    if (opts.clusters() == ClusteringOptions.AUTO) {
      opts = opts.withClusters(opts.clustersFor(n));
    }
    if (warm == null && opts.method() != ClusteringMethod.DBSCAN && opts.clusters() > n) {
      throw new InsufficientStockException("cannot make " + opts.clusters() + " clusters from "
          + n + " stock images; use at most " + n + " clusters or add images");
    }
    double[][] data = new double[n][];
    for (int i = 0; i < n; i++) {
      float[] v = TagModel.prepare(snap.vectors()[i], dimension, opts.normalize());
      double[] d = new double[dimension];
      for (int j = 0; j < dimension; j++) {
        d[j] = v[j];
      }
      data[i] = d;
    }
    long t0 = System.nanoTime();
    StockClusterer.Run run = StockClusterer.cluster(data, opts, warm, listener, token);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    List<Double> devs = new ArrayList<>();
    for (double d : run.deviations()) {
      devs.add(d);
    }
    TrainingReport report = new TrainingReport(opts.method(), opts.init(), warm != null,
        warm != null ? warm.length : opts.method() == ClusteringMethod.DBSCAN ? run.centres().length : opts.clusters(),
        run.centres().length, n, run.iterations(),
        run.converged(), devs, run.finalDeviation(), millis, opts.seed());
    TagModel previous = model;
    long generation = Math.max(stock.generation(), previous == null ? 0 : previous.generation()) + 1;
    TagModel.Built built = TagModel.build(embedderId, generation, dimension, opts, report,
        run.centres(), run.labels(), snap.rows());
    token.throwIfCancelled();
    if (directory != null) {
      built.model().save(directory.resolve(MODEL_FILE));
    }
    List<String> ids = snap.rows().stream().map(TagModel.Row::id).toList();
    stock.setClusters(ids, built.labels(), generation);
    model = built.model();
    listener.onProgress("tag-frequencies", built.model().clusterCount(), built.model().clusterCount(),
        n + " images in " + built.model().clusterCount() + " clusters");
    if (usesNeighbours(strategy)) {
      ensureIndex(); // at training time, so the first query does not build it under the lock
    }
    LOG.info("tag model {}: {} images, {} clusters, {} iterations, D={}", generation, n,
        built.model().clusterCount(), run.iterations(), run.finalDeviation());
    return built.model().report();
  }

  private void publish(TagModel m) {
    if (directory != null) {
      m.save(directory.resolve(MODEL_FILE));
    }
    model = m;
  }

  // ---------------------------------------------------------------- recommending

  /**
   * Suggests tags with the configured strategy and selection.
   *
   * @param image the new image
   * @return the suggestion and its evidence
   */
  public TagSuggestion suggest(BufferedImage image) {
    return suggest(image, strategy, selection);
  }

  /**
   * @param image the new image
   * @param how strategy
   * @param which selection
   * @return the suggestion and its evidence
   */
  public TagSuggestion suggest(BufferedImage image, Strategy how, TagSelection which) {
    return suggestVector(requireEmbedder().embed(image), how, which);
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
    TagSuggestion base = suggestVector(requireEmbedder().embed(image), strategy, TagSelection.top(Integer.MAX_VALUE));
    Set<String> given = new HashSet<>();
    for (String t : typed) {
      given.add(t.toLowerCase(java.util.Locale.ROOT).trim());
    }
    Map<String, Double> co = cooccurrence().given(given);
    Map<String, TagScore> merged = new HashMap<>();
    for (TagScore t : base.tags()) {
      if (!given.contains(t.tag())) {
        merged.put(t.tag(), new TagScore(t.tag(), Math.min(1.0, t.frequency() + co.getOrDefault(t.tag(), 0.0)),
            t.count()));
      }
    }
    Map<String, Integer> counts = requireModel().overall().counts();
    co.forEach((t, p) -> merged.putIfAbsent(t, new TagScore(t, Math.min(1.0, p), counts.getOrDefault(t, 0))));
    List<TagScore> ranked = new ArrayList<>(merged.values());
    ranked.sort(order(requireModel().overall()));
    return new TagSuggestion(base.strategy(), base.cluster(), base.clusters(), base.neighbours(),
        select(ranked, selection), selection);
  }

  private TagCooccurrence cooccurrence() {
    TagCooccurrence c = cooccurrence;
    if (c == null) {
      synchronized (lock) {
        if (cooccurrence == null) {
          cooccurrence = new TagCooccurrence(stock.rows());
        }
        c = cooccurrence;
      }
    }
    return c;
  }

  /**
   * Loads (with the decompression-bomb guard of {@link ImageLoader}) and suggests.
   *
   * @param imageFile the image file
   * @return the suggestion
   */
  public TagSuggestion suggest(Path imageFile) {
    return suggest(loader.load(imageFile), strategy, selection);
  }

  /**
   * @param vector feature vector of this recommender's embedder
   * @return the suggestion with the configured strategy and selection
   */
  public TagSuggestion suggestVector(float[] vector) {
    return suggestVector(vector, strategy, selection);
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
    TagModel m = requireModel();
    float[] q = m.prepare(vector);
    return switch (how) {
      case NEAREST_CLUSTER -> nearestCluster(m, q, which);
      case SOFT_CLUSTERS -> softClusters(m, q, which);
      case NEAREST_NEIGHBOURS -> neighbours(m, q, which);
      case MOST_POPULAR -> new TagSuggestion(how, -1, List.of(), List.of(),
          select(scores(m.overall(), m.overall()), which), which);
      case ZERO_SHOT -> zeroShot(m, q, which);
      case FUSED -> fused(m, q, which);
    };
  }

  /** Tags of the stock with at least {@code minTagPosts} posts: the zero-shot vocabulary. */
  private List<String> vocabulary(TagModel m) {
    List<String> v = new ArrayList<>();
    m.overall().counts().forEach((t, c) -> {
      if (c >= minTagPosts) {
        v.add(t);
      }
    });
    return v;
  }

  private ZeroShotTags requireZeroShot() {
    if (zeroShot == null) {
      throw new IllegalStateException("the ZERO_SHOT strategy needs builder().textEmbedder(...) in the image"
          + " embedder's space (e.g. SightlineModels.textEmbedder() with SightlineModels.clipartImageEmbedder())");
    }
    return zeroShot;
  }

  private TagSuggestion zeroShot(TagModel m, float[] q, TagSelection which) {
    Map<String, Double> cos = requireZeroShot().cosines(q, vocabulary(m));
    Map<String, Integer> counts = m.overall().counts();
    List<TagScore> out = new ArrayList<>();
    cos.forEach((t, c) -> out.add(new TagScore(t, Math.max(0, c), counts.getOrDefault(t, 0))));
    out.sort(order(m.overall()));
    ClusterMatch near = m.nearest(q, 1).get(0);
    return new TagSuggestion(Strategy.ZERO_SHOT, near.cluster(), List.of(near), List.of(), select(out, which), which);
  }

  private TagSuggestion fused(TagModel m, float[] q, TagSelection which) {
    TagSelection all = TagSelection.top(Integer.MAX_VALUE);
    TagSuggestion nn = neighbours(m, q, all);
    TagSuggestion soft = softClusters(m, q, all);
    Map<String, Double> score = new HashMap<>();
    for (TagScore t : nn.tags()) {
      score.merge(t.tag(), fusion.neighbours() * t.frequency(), Double::sum);
    }
    for (TagScore t : soft.tags()) {
      score.merge(t.tag(), fusion.clusters() * t.frequency(), Double::sum);
    }
    if (zeroShot != null && fusion.zeroShot() > 0) {
      ZeroShotTags.softmax(zeroShot.cosines(q, vocabulary(m)), fusion.temperature())
          .forEach((t, s) -> score.merge(t, fusion.zeroShot() * s, Double::sum));
    }
    ClusterTags overall = m.overall();
    double posts = Math.max(1, overall.posts());
    Map<String, Integer> counts = overall.counts();
    List<TagScore> out = new ArrayList<>();
    score.forEach((t, s) -> {
      double prior = Math.max(1, counts.getOrDefault(t, 0)) / posts;
      out.add(new TagScore(t, Math.min(1.0, s / Math.pow(prior, fusion.liftExponent())),
          counts.getOrDefault(t, 0)));
    });
    out.sort(Comparator.comparingDouble(TagScore::frequency).reversed().thenComparing(TagScore::tag));
    return new TagSuggestion(Strategy.FUSED, soft.cluster(), soft.clusters(), nn.neighbours(), select(out, which),
        which);
  }

  private TagSuggestion nearestCluster(TagModel m, float[] q, TagSelection which) {
    ClusterMatch best = m.nearest(q, 1).get(0);
    ClusterMatch match = new ClusterMatch(best.cluster(), best.distance(), best.similarity(), 1.0, best.posts());
    return new TagSuggestion(Strategy.NEAREST_CLUSTER, match.cluster(), List.of(match), List.of(),
        select(scores(m.cluster(match.cluster()), m.overall()), which), which);
  }

  private TagSuggestion softClusters(TagModel m, float[] q, TagSelection which) {
    List<ClusterMatch> near = m.nearest(q, softClusters);
    double total = 0;
    for (ClusterMatch c : near) {
      total += Math.max(0, c.similarity());
    }
    List<ClusterMatch> weighted = new ArrayList<>();
    Map<String, double[]> acc = new HashMap<>();
    for (ClusterMatch c : near) {
      double w = total > 0 ? Math.max(0, c.similarity()) / total : 1.0 / near.size();
      weighted.add(new ClusterMatch(c.cluster(), c.distance(), c.similarity(), w, c.posts()));
      ClusterTags ct = m.cluster(c.cluster());
      for (Map.Entry<String, Integer> e : ct.counts().entrySet()) {
        double[] a = acc.computeIfAbsent(e.getKey(), x -> new double[2]);
        a[0] += w * ct.frequency(e.getKey());
        a[1] += e.getValue();
      }
    }
    return new TagSuggestion(Strategy.SOFT_CLUSTERS, near.get(0).cluster(), weighted, List.of(),
        select(toScores(acc, m.overall()), which), which);
  }

  private TagSuggestion neighbours(TagModel m, float[] q, TagSelection which) {
    HnswVectorIndex<String> idx = ensureIndex();
    List<SearchResult<String>> hits = idx.search(q, neighbours);
    Map<String, SearchResult<String>> bestPerPost = new LinkedHashMap<>();
    for (SearchResult<String> h : hits) {
      String post = h.attributes().get("post");
      String key = post == null ? "image:" + h.id() : "post:" + post;
      bestPerPost.merge(key, h, (a, b) -> a.similarity() >= b.similarity() ? a : b);
    }
    double total = 0;
    for (SearchResult<String> h : bestPerPost.values()) {
      total += Math.max(0, h.similarity());
    }
    Map<String, double[]> acc = new HashMap<>();
    List<NeighbourMatch> evidence = new ArrayList<>();
    for (SearchResult<String> h : hits) {
      evidence.add(new NeighbourMatch(h.id(), h.attributes().get("post"), h.similarity(),
          List.copyOf(TagStock.splitTags(h.attributes().get("tags")))));
    }
    for (SearchResult<String> h : bestPerPost.values()) {
      double w = total > 0 ? Math.max(0, h.similarity()) / total : 1.0 / bestPerPost.size();
      for (String t : TagStock.splitTags(h.attributes().get("tags"))) {
        double[] a = acc.computeIfAbsent(t, x -> new double[2]);
        a[0] += w;
        a[1] += 1;
      }
    }
    ClusterMatch near = m.nearest(q, 1).get(0);
    return new TagSuggestion(Strategy.NEAREST_NEIGHBOURS, near.cluster(), List.of(near), evidence,
        select(toScores(acc, m.overall()), which), which);
  }

  /** Ranks by frequency; ties go to the tag more popular in the whole stock, then by name. */
  private static List<TagScore> scores(ClusterTags ct, ClusterTags overall) {
    List<TagScore> out = new ArrayList<>();
    for (TagCount t : ct.ranked()) {
      out.add(new TagScore(t.tag(), t.frequency(), t.count()));
    }
    out.sort(order(overall));
    return out;
  }

  private static List<TagScore> toScores(Map<String, double[]> acc, ClusterTags overall) {
    List<TagScore> out = new ArrayList<>();
    acc.forEach((t, a) -> out.add(new TagScore(t, Math.min(1.0, a[0]), (int) Math.round(a[1]))));
    out.sort(order(overall));
    return out;
  }

  private static Comparator<TagScore> order(ClusterTags overall) {
    Map<String, Integer> popularity = overall.counts();
    return Comparator.comparingDouble(TagScore::frequency).reversed()
        .thenComparing(Comparator.comparingInt(TagScore::count).reversed())
        .thenComparing(Comparator.comparingInt((TagScore t) -> popularity.getOrDefault(t.tag(), 0)).reversed())
        .thenComparing(TagScore::tag);
  }

  private static List<TagScore> select(List<TagScore> ranked, TagSelection which) {
    List<TagScore> out = new ArrayList<>();
    for (TagScore s : ranked) {
      if (out.size() >= which.top()) {
        break;
      }
      if (s.frequency() + 1e-12 >= which.minFrequency() && s.frequency() > 0) {
        out.add(s);
      }
    }
    return out;
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
    float[] v = requireEmbedder().embed(image);
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
    TagSuggestion s = suggestVector(vector, strategy, selection);
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
    acceptVector(imageId, requireEmbedder().embed(image), chosenTags, post);
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
    addStock(List.of(new StockImage(imageId, vector, new LinkedHashSet<>(chosenTags), post)));
  }

  /** @return the current model, empty before the first training */
  public Optional<TagModel> model() {
    return Optional.ofNullable(model);
  }

  /** @return id of the embedder whose vectors this recommender uses */
  public String embedderId() {
    return embedderId;
  }

  /** @return vector length */
  public int dimension() {
    return dimension;
  }

  /** @return the default strategy */
  public Strategy strategy() {
    return strategy;
  }

  /** @return the default selection */
  public TagSelection selection() {
    return selection;
  }

  private static boolean usesNeighbours(Strategy s) {
    return s == Strategy.NEAREST_NEIGHBOURS || s == Strategy.FUSED;
  }

  private HnswVectorIndex<String> ensureIndex() {
    HnswVectorIndex<String> idx = index;
    if (idx != null) {
      return idx;
    }
    synchronized (lock) {
      if (index == null) {
        TagStock.Snapshot snap = stock.snapshot();
        if (snap.rows().isEmpty()) {
          throw new InsufficientStockException("the stock is empty: nearest-neighbour propagation needs stock images");
        }
        HnswVectorIndex<String> built = HnswVectorIndex.builder().dimension(dimension)
            .embedderId(embedderId).metric(Metric.COSINE)
            .initialCapacity(Math.max(16, snap.rows().size() * 2)).build();
        List<IndexItem<String>> items = new ArrayList<>(snap.rows().size());
        for (int i = 0; i < snap.rows().size(); i++) {
          TagModel.Row r = snap.rows().get(i);
          String post = r.postKey().startsWith("post:") ? r.postKey().substring(5) : null;
          items.add(new IndexItem<>(r.id(), snap.vectors()[i], attributes(post, r.tags())));
        }
        built.addAll(items);
        index = built;
      }
      return index;
    }
  }

  private static Map<String, String> attributes(String post, Set<String> tags) {
    Map<String, String> a = new HashMap<>();
    if (post != null) {
      a.put("post", post);
    }
    a.put("tags", String.join(String.valueOf(StockImage.SEPARATOR), tags));
    return a;
  }

  private void requireAttached() {
    if (detachedModel) {
      throw new IllegalStateException("this model was opened without its stock database (only "
          + MODEL_FILE + " is in " + directory + "); it can suggest, but changing the stock needs the "
          + STOCK_DB + " database it was trained from");
    }
  }

  private TagModel requireModel() {
    TagModel m = model;
    if (m == null) {
      throw new IllegalStateException("no tag model yet: add tagged stock images and call train()");
    }
    return m;
  }

  private ImageEmbedder requireEmbedder() {
    if (embedder == null) {
      throw new IllegalStateException("this recommender was built for vectors only (vectors(id, dimension)); "
          + "build it with embedder(...) to work on images");
    }
    return embedder;
  }

  private static SightlineException rethrow(SightlineException e, String prefix) {
    if (e instanceof DimensionMismatchException) {
      return e;
    }
    if (e instanceof io.sightline.core.InvalidVectorException) {
      return new io.sightline.core.InvalidVectorException(prefix + e.getMessage(), e);
    }
    return e;
  }

  /** Closes the stock database (not the embedder, which the caller owns). */
  @Override
  public void close() {
    stock.close();
  }

  /** Fluent builder; {@link #build()} checks the required parts. */
  public static final class Builder {
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
