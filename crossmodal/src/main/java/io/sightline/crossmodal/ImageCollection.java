package io.sightline.crossmodal;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidate images for text-to-image retrieval, with their object features and an HNSW index of
 * their whole-image embeddings (the first stage for large collections). Made by
 * {@link CrossModalModel#collection}. Immutable and thread-safe.
 */
public final class ImageCollection {
  private final Map<Path, ImageFeatures> features;
  private final HnswVectorIndex<String> index;

  ImageCollection(Map<Path, ImageFeatures> features, String embedderId, int dim) {
    this.features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    this.index = HnswVectorIndex.builder().dimension(dim).embedderId(embedderId)
        .metric(Metric.COSINE).initialCapacity(Math.max(16, features.size())).build();
    for (Map.Entry<Path, ImageFeatures> e : features.entrySet()) {
      index.add(e.getKey().toString(), e.getValue().global(), Map.of());
    }
  }

  /** @return number of images */
  public int size() {
    return features.size();
  }

  /** @return the images, in insertion order */
  public List<Path> images() {
    return List.copyOf(features.keySet());
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

  List<SearchResult<String>> search(float[] query, int k) {
    return index.search(query, k);
  }
}
