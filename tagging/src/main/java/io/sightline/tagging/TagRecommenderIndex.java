package io.sightline.tagging;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nearest-neighbour index of a {@link TagRecommender}'s stock: built once under the shared
 * lock (at opening or training time when the strategy needs it, else on first use) and kept in
 * step as stock images are added or removed.
 */
final class TagRecommenderIndex {
  private final TagRecommenderState state;

  TagRecommenderIndex(TagRecommenderState state) {
    this.state = state;
  }

  HnswVectorIndex<String> ensureIndex() {
    HnswVectorIndex<String> idx = state.index;
    if (idx != null) {
      return idx;
    }
    synchronized (state.lock) {
      if (state.index == null) {
        TagStock.Snapshot snap = state.stock.snapshot();
        if (snap.rows().isEmpty()) {
          throw new InsufficientStockException("the stock is empty: nearest-neighbour propagation needs stock images");
        }
        HnswVectorIndex<String> built = HnswVectorIndex.builder().dimension(state.dimension)
            .embedderId(state.embedderId).metric(Metric.COSINE)
            .initialCapacity(Math.max(16, snap.rows().size() * 2)).build();
        List<IndexItem<String>> items = new ArrayList<>(snap.rows().size());
        for (int i = 0; i < snap.rows().size(); i++) {
          TagModel.Row r = snap.rows().get(i);
          String post = r.postKey().startsWith("post:") ? r.postKey().substring(5) : null;
          items.add(new IndexItem<>(r.id(), snap.vectors()[i], attributes(post, r.tags())));
        }
        built.addAll(items);
        state.index = built;
      }
      return state.index;
    }
  }

  static Map<String, String> attributes(String post, Set<String> tags) {
    Map<String, String> a = new HashMap<>();
    if (post != null) {
      a.put("post", post);
    }
    a.put("tags", String.join(String.valueOf(StockImage.SEPARATOR), tags));
    return a;
  }
}
