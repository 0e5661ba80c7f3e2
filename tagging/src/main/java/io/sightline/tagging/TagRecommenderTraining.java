package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training of a {@link TagRecommender}: clustering the stock from scratch or warm-started from
 * the current centres, building the model with its tag frequencies, saving and publishing it.
 * Both run under the shared lock.
 */
final class TagRecommenderTraining {
  private static final Logger LOG = LoggerFactory.getLogger(TagRecommender.class);

  private final TagRecommenderState state;
  private final TagRecommenderIndex index;

  TagRecommenderTraining(TagRecommenderState state, TagRecommenderIndex index) {
    this.state = state;
    this.index = index;
  }

  /** {@link TagRecommender#train(ProgressListener, CancellationToken)}. */
  TrainingReport train(ProgressListener listener, CancellationToken token) {
    synchronized (state.lock) {
      return recluster(state.clustering, null, listener, token);
    }
  }

  /** {@link TagRecommender#update}. */
  TrainingReport update(UpdateMode mode, ProgressListener listener, CancellationToken token) {
    ClusteringOptions clustering = state.clustering;
    synchronized (state.lock) {
      TagModel m = state.model;
      if (m == null || mode == UpdateMode.RECLUSTER || clustering.method() == ClusteringMethod.DBSCAN
          || clustering.method() == ClusteringMethod.GAUSSIAN_MIXTURE) {
        return recluster(clustering, null, listener, token);
      }
      ClusteringOptions opts = clustering.withClusters(m.clusterCount()).withInit(m.report().init())
          .withNormalize(m.options().normalize());
      return recluster(opts, m.centresAsDoubles(), listener, token);
    }
  }

  /** Clusters the stock (from {@code warm} centres when given) and publishes the model; under the lock. */
  private TrainingReport recluster(ClusteringOptions opts, double[][] warm, ProgressListener listener,
      CancellationToken token) {
    TagStock stock = state.stock;
    int dimension = state.dimension;
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
    TagModel previous = state.model;
    long generation = Math.max(stock.generation(), previous == null ? 0 : previous.generation()) + 1;
    TagModel.Built built = TagModel.build(state.embedderId, generation, dimension, opts, report,
        run.centres(), run.labels(), snap.rows());
    token.throwIfCancelled();
    if (state.directory != null) {
      built.model().save(state.directory.resolve(TagRecommender.MODEL_FILE));
    }
    List<String> ids = snap.rows().stream().map(TagModel.Row::id).toList();
    stock.setClusters(ids, built.labels(), generation);
    state.model = built.model();
    listener.onProgress("tag-frequencies", built.model().clusterCount(), built.model().clusterCount(),
        n + " images in " + built.model().clusterCount() + " clusters");
    // the linear probe belongs to the model: fitted and saved with it (seconds even for 100k images,
    // against minutes of clustering), so no query fits it under the lock
    TagProbe probe = TagProbe.fit(state, built.model(), snap);
    if (state.directory != null) {
      probe.save(state.directory.resolve(TagRecommender.PROBE_FILE), state.embedderId);
    }
    state.probe = probe;
    if (TagRecommenderState.usesNeighbours(state.strategy)) {
      index.ensureIndex(); // at training time, so the first query does not build it under the lock
    }
    LOG.info("tag model {}: {} images, {} clusters, {} iterations, D={}", generation, n,
        built.model().clusterCount(), run.iterations(), String.format(java.util.Locale.ROOT, "%.4g", run.finalDeviation()));
    return built.model().report();
  }
}
