package io.sightline.tagging;

import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import java.nio.file.Path;

/**
 * What the parts of a {@link TagRecommender} share: its configuration, the stock, the one lock
 * that serialises changes to the stock and (re)training, and the volatile fields through which a
 * new model snapshot (and the structures derived from the stock) are published to lock-free readers.
 */
final class TagRecommenderState {
  final ImageEmbedder embedder;
  final String embedderId;
  final int dimension;
  final Path directory;
  /** Opened for suggestions beside other processes: nothing is written. */
  boolean readOnly;
  final TagStock stock;
  final ClusteringOptions clustering;
  final Strategy strategy;
  final TagSelection selection;
  final int softClusters;
  final int neighbours;
  final ImageLoader loader;
  final ZeroShotTags zeroShot;
  final FusionWeights fusion;
  final int minTagPosts;
  /** Opens the neighbour index; null: an in-heap HNSW index built from the stock. */
  final VectorIndexFactory indexFactory;
  final Object lock = new Object();
  volatile TagModel model;
  volatile VectorIndex<String> index;
  /** Tag co-occurrence of the stock's posts, built on first use and dropped when the stock changes. */
  volatile TagCooccurrence cooccurrence;
  /** The {@link Strategy#LINEAR_PROBE} scorer of the current model, fitted at training or on first use. */
  volatile TagProbe probe;
  /** The model was opened from a file whose stock is not here: its counts cannot be recounted. */
  volatile boolean detachedModel;

  TagRecommenderState(ImageEmbedder embedder, String embedderId, int dimension, Path directory, TagStock stock,
      ClusteringOptions clustering, Strategy strategy, TagSelection selection, int softClusters, int neighbours,
      ImageLoader loader, ZeroShotTags zeroShot, FusionWeights fusion, int minTagPosts, VectorIndexFactory indexFactory) {
    this.embedder = embedder;
    this.embedderId = embedderId;
    this.dimension = dimension;
    this.directory = directory;
    this.stock = stock;
    this.clustering = clustering;
    this.strategy = strategy;
    this.selection = selection;
    this.softClusters = softClusters;
    this.neighbours = neighbours;
    this.loader = loader;
    this.zeroShot = zeroShot;
    this.fusion = fusion;
    this.minTagPosts = minTagPosts;
    this.indexFactory = indexFactory;
  }

  static boolean usesNeighbours(Strategy s) {
    return s == Strategy.NEAREST_NEIGHBOURS || s == Strategy.FUSED;
  }

  void requireAttached() {
    if (detachedModel) {
      throw new IllegalStateException("this model was opened without its stock database (only "
          + TagRecommender.MODEL_FILE + " is in " + directory + "); it can suggest, but changing the stock needs the "
          + TagRecommender.STOCK_DB + " database it was trained from");
    }
  }

  TagModel requireModel() {
    TagModel m = model;
    if (m == null) {
      throw new IllegalStateException("no tag model yet: add tagged stock images and call train()");
    }
    return m;
  }

  ImageEmbedder requireEmbedder() {
    if (embedder == null) {
      throw new IllegalStateException("this recommender was built for vectors only (vectors(id, dimension)); "
          + "build it with embedder(...) to work on images");
    }
    return embedder;
  }
}
