package io.sightline.crossmodal;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidate images for text-to-image retrieval: their object features (for the matching head)
 * and their contrastive image embeddings (the first stage), searched exactly for small
 * collections and through an HNSW index from {@value #HNSW_FROM} images on. Made by
 * {@link CrossModalModel#collection}. Immutable and thread-safe.
 */
public final class ImageCollection {
  /** Collections of at least this many images get an HNSW index for the first stage. */
  public static final int HNSW_FROM = 2000;
  private final Map<Path, ImageFeatures> features;
  private final List<Path> order;
  private final float[][] embeddings;
  private final HnswVectorIndex<String> index;

  ImageCollection(Map<Path, ImageFeatures> features, float[][] embeddings, String embedderId) {
    this(features, embeddings, embedderId, null);
  }

  /** With a saved first-stage index (null: built here when the collection is large enough). */
  ImageCollection(Map<Path, ImageFeatures> features, float[][] embeddings, String embedderId,
      HnswVectorIndex<String> saved) {
    this.features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    this.order = List.copyOf(features.keySet());
    this.embeddings = embeddings;
    if (saved != null) {
      index = saved;
    } else if (embeddings.length >= HNSW_FROM) {
      index = HnswVectorIndex.builder().dimension(embeddings[0].length).embedderId(embedderId)
          .metric(Metric.COSINE).initialCapacity(embeddings.length).build();
      for (int i = 0; i < embeddings.length; i++) {
        index.add(order.get(i).toString(), embeddings[i], Map.of());
      }
    } else {
      index = null;
    }
  }

  /** @return number of images */
  public int size() {
    return features.size();
  }

  /** @return the images, in insertion order */
  public List<Path> images() {
    return order;
  }

  /** The contrastive embedding of the i-th image (insertion order). */
  float[] embedding(int i) {
    return embeddings[i];
  }

  /** The first stage's HNSW index, or null for an exact scan. */
  HnswVectorIndex<String> index() {
    return index;
  }

  /** @return whether the first stage searches an HNSW index (else an exact scan) */
  public boolean approximate() {
    return index != null;
  }

  /**
   * @param image one of the images
   * @return its features
   */
  public ImageFeatures features(Path image) {
    ImageFeatures f = features.get(image);
    if (f == null) {
      throw new IllegalArgumentException("not in the collection: " + image);
    }
    return f;
  }

  /** First stage: the {@code k} images whose embeddings are nearest (cosine) to the query. */
  List<SearchResult<String>> search(float[] query, int k) {
    if (index != null) {
      return index.search(query, k);
    }
    float[] sims = similarities(query);
    List<SearchResult<String>> all = new ArrayList<>(embeddings.length);
    for (int i = 0; i < embeddings.length; i++) {
      all.add(new SearchResult<>(order.get(i).toString(), 1 - sims[i], sims[i], Map.of()));
    }
    all.sort((a, b) -> Float.compare(b.similarity(), a.similarity()));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** The cosine of a (unit) query with every image's (unit) embedding, in insertion order. */
  float[] similarities(float[] query) {
    float[] sims = new float[embeddings.length];
    for (int i = 0; i < embeddings.length; i++) {
      float dot = 0;
      for (int d = 0; d < query.length; d++) {
        dot += query[d] * embeddings[i][d];
      }
      sims[i] = dot;
    }
    return sims;
  }
}
