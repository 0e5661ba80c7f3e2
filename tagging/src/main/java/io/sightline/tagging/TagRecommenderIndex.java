package io.sightline.tagging;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.VectorIndexFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nearest-neighbour index of a {@link TagRecommender}'s stock: opened once under the shared
 * lock (at opening or training time when the strategy needs it, else on first use) and kept in
 * step as stock images are added or removed.
 *
 * <p>By default it is an {@link HnswVectorIndex} built in the heap from the stock. With a
 * {@link io.sightline.core.index.VectorIndexFactory} (and not read-only) it is the index the
 * factory opens, which may have persisted from an earlier process: it is then reconciled with the
 * stock (entries the stock no longer has are removed, missing or changed ones written again), so
 * a process that stopped between a stock commit and the index write serves the stock as stored.
 * A read-only recommender uses the factory's read-only index only when it holds exactly the stock.
 */
final class TagRecommenderIndex {
  private static final Logger LOG = LoggerFactory.getLogger(TagRecommender.class);
  /** Largest per-component difference of two unit vectors still taken as the same vector. */

  private final TagRecommenderState state;

  TagRecommenderIndex(TagRecommenderState state) {
    this.state = state;
  }

  VectorIndex<String> ensureIndex() {
    VectorIndex<String> idx = state.index;
    if (idx != null) {
      return idx;
    }
    synchronized (state.lock) {
      if (state.index == null) {
        TagStock.Snapshot snap = state.stock.snapshot();
        if (snap.rows().isEmpty()) {
          throw new InsufficientStockException("the stock is empty: nearest-neighbour propagation needs stock images");
        }
        if (state.indexFactory == null) {
          state.index = buildInHeap(snap);
        } else if (!state.readOnly) {
          state.index = openReconciled(snap);
        } else {
          state.index = openForReading(snap).orElseGet(() -> buildInHeap(snap));
        }
      }
      return state.index;
    }
  }

  private HnswVectorIndex<String> buildInHeap(TagStock.Snapshot snap) {
    HnswVectorIndex<String> built = HnswVectorIndex.builder().dimension(state.dimension)
        .embedderId(state.embedderId).metric(Metric.COSINE)
        .initialCapacity(Math.max(16, snap.rows().size() * 2)).build();
    List<IndexItem<String>> items = new ArrayList<>(snap.rows().size());
    for (int i = 0; i < snap.rows().size(); i++) {
      items.add(item(snap.rows().get(i), snap.vectors()[i]));
    }
    built.addAll(items);
    return built;
  }

  private VectorIndex<String> openReconciled(TagStock.Snapshot snap) {
    VectorIndex<String> idx = state.indexFactory.open(state.dimension, Metric.COSINE, state.embedderId);
    try {
      Difference diff = compare(idx, snap);
      int removed = 0;
      for (String k : diff.extra()) {
        removed += idx.remove(k) ? 1 : 0;
      }
      if (!diff.stale().isEmpty()) {
        idx.addAll(diff.stale());
      }
      LOG.info("neighbour index {}: {} stock images, {} written to it, {} removed from it", idx, snap.rows().size(),
          diff.stale().size(), removed);
      return idx;
    } catch (RuntimeException e) {
      idx.close();
      throw e;
    }
  }

  /**
   * A read-only recommender uses the factory's read-only index only when it holds exactly the
   * stock (it cannot repair it); otherwise, or when there is none, it builds its own in the heap.
   */
  private java.util.Optional<VectorIndex<String>> openForReading(TagStock.Snapshot snap) {
    java.util.Optional<VectorIndex<String>> opened =
        state.indexFactory.openReadOnly(state.dimension, Metric.COSINE, state.embedderId);
    if (opened.isEmpty()) {
      return opened;
    }
    VectorIndex<String> idx = opened.get();
    try {
      Difference diff = compare(idx, snap);
      if (diff.extra().isEmpty() && diff.stale().isEmpty()) {
        LOG.info("neighbour index {} opened read-only: holds the {} stock images", idx, snap.rows().size());
        return opened;
      }
      LOG.warn("neighbour index {} is behind the stock ({} images to write, {} to remove; the writing process"
          + " repairs it when it opens); this read-only recommender builds its own in the heap", idx,
          diff.stale().size(), diff.extra().size());
    } catch (RuntimeException e) {
      idx.close();
      throw e;
    }
    idx.close();
    return java.util.Optional.empty();
  }

  /** What an index holds beyond the stock, and the stock images it lacks or holds differently. */
  record Difference(List<String> extra, List<IndexItem<String>> stale) {}

  private Difference compare(VectorIndex<String> idx, TagStock.Snapshot snap) {
    VectorIndexFactory.requireMatching(idx, state.dimension, Metric.COSINE, state.embedderId,
        "tag stock " + (state.directory != null ? state.directory : "in memory"));
    Set<String> ids = new HashSet<>();
    for (TagModel.Row r : snap.rows()) {
      ids.add(r.id());
    }
    List<String> extra = new ArrayList<>();
    for (String k : idx.keys()) {
      if (!ids.contains(k)) {
        extra.add(k);
      }
    }
    List<IndexItem<String>> stale = new ArrayList<>();
    for (int i = 0; i < snap.rows().size(); i++) {
      IndexItem<String> want = item(snap.rows().get(i), snap.vectors()[i]);
      if (!idx.holds(want)) {
        stale.add(want);
      }
    }
    return new Difference(extra, stale);
  }

  static IndexItem<String> item(TagModel.Row r, float[] vector) {
    String post = r.postKey().startsWith("post:") ? r.postKey().substring(5) : null;
    return new IndexItem<>(r.id(), vector, attributes(post, r.tags()));
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
