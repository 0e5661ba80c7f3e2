package io.sightline.tagging;

import io.sightline.core.CancellationToken;
import io.sightline.core.DimensionMismatchException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.SightlineException;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.VectorIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to a {@link TagRecommender}'s stock — added and removed images, {@code tags.csv}
 * imports, and so accepted suggestions and user-chosen tags — with the incremental update of the
 * touched clusters' tag frequencies and the stock-wide statistics, the neighbour index and the
 * co-occurrence cache. All changes run under the shared lock.
 */
final class TagRecommenderStockUpdates {
  private static final Logger LOG = LoggerFactory.getLogger(TagRecommender.class);

  private final TagRecommenderState state;
  private final TagRecommenderStore store;

  TagRecommenderStockUpdates(TagRecommenderState state, TagRecommenderStore store) {
    this.state = state;
    this.store = store;
  }

  /** {@link TagRecommender#addStock}. */
  int addStock(Collection<StockImage> images) {
    TagStock stock = state.stock;
    List<StockImage> list = List.copyOf(images);
    Set<String> ids = new HashSet<>();
    for (StockImage img : list) {
      try {
        TagModel.prepare(img.vectorRef(), state.dimension, true);
      } catch (SightlineException e) {
        throw rethrow(e, "stock image '" + img.id() + "': ");
      }
      if (!ids.add(img.id())) {
        throw new InputFormatException(null, 0, "stock image '" + img.id() + "' given twice");
      }
    }
    synchronized (state.lock) {
      state.requireAttached();
      TagModel m = state.model;
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
      state.cooccurrence = null;
      touched.addAll(replaced);
      if (m != null) {
        store.publish(recount(m, touched, overallAfter(m, postKeys, before)));
      }
      VectorIndex<String> idx = state.index;
      if (idx != null) {
        List<IndexItem<String>> items = new ArrayList<>(list.size());
        for (StockImage img : list) {
          items.add(new IndexItem<>(img.id(), img.vectorRef(), TagRecommenderIndex.attributes(img.post(), img.tags())));
        }
        idx.addAll(items); // one commit for an on-disk index
      }
      LOG.debug("added {} stock images ({} replaced)", list.size(), replaced.size());
      return list.size();
    }
  }

  /** {@link TagRecommender#removeStock}. */
  int removeStock(Collection<String> ids) {
    TagStock stock = state.stock;
    synchronized (state.lock) {
      state.requireAttached();
      TagModel m = state.model;
      Set<String> postKeys = new HashSet<>(stock.postKeysOf(List.copyOf(ids)).values());
      Map<String, Set<String>> before = m == null ? Map.of() : stock.tagsOfPosts(postKeys);
      List<Integer> clusters = stock.remove(List.copyOf(ids));
      state.cooccurrence = null;
      if (m != null && !clusters.isEmpty()) {
        store.publish(recount(m, new TreeSet<>(clusters), overallAfter(m, postKeys, before)));
      }
      VectorIndex<String> idx = state.index;
      if (idx != null) {
        ids.forEach(idx::remove);
      }
      return clusters.size();
    }
  }

  /** {@link TagRecommender#importCsv(Path, Path, ProgressListener, CancellationToken)}. */
  int importCsv(Path csv, Path allowedRoot, ProgressListener listener, CancellationToken token) {
    ImageEmbedder e = state.requireEmbedder();
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
        v = e.embed(state.loader.load(row.image()));
      } catch (SightlineException ex) {
        throw new InputFormatException(csv, row.line(), "image '" + row.id() + "': " + ex.getMessage(), ex);
      }
      try {
        images.add(new StockImage(row.id(), v, row.tags(), row.post()));
        TagModel.prepare(v, state.dimension, true);
      } catch (SightlineException ex) {
        throw new InputFormatException(csv, row.line(), "image '" + row.id() + "': " + ex.getMessage(), ex);
      }
      listener.onProgress("embed", ++done, rows.size(), row.id());
    }
    token.throwIfCancelled();
    return addStock(images);
  }

  /**
   * Updates the stock-wide statistics for a change that touched only {@code postKeys}: each
   * touched post's old contribution is taken out and its new one put in, so no full scan is needed.
   */
  private ClusterTags overallAfter(TagModel m, Set<String> postKeys, Map<String, Set<String>> before) {
    TagStock stock = state.stock;
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

  /** Recounts the given clusters from the stock, with the stock-wide statistics given. */
  private TagModel recount(TagModel m, Set<Integer> clusters, ClusterTags overall) {
    Map<Integer, ClusterTags> counts = new HashMap<>();
    for (int c : clusters) {
      if (c >= 0 && c < m.clusterCount()) {
        counts.put(c, TagModel.count(c, state.stock.rowsOfCluster(c)));
      }
    }
    return m.withCounts(counts, overall);
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
}
