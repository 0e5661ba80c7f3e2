package io.sightline.tagging;

import io.sightline.core.DimensionMismatchException;
import io.sightline.core.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening and persistence of a {@link TagRecommender}: the stock database, the model file beside
 * it, reconciling the stock's cluster labels with the model's generation, and publishing a new
 * model snapshot (saved first when there is a directory).
 */
final class TagRecommenderStore {
  private static final Logger LOG = LoggerFactory.getLogger(TagRecommender.class);

  private final TagRecommenderState state;

  TagRecommenderStore(TagRecommenderState state) {
    this.state = state;
  }

  /**
   * Opens the stock: the given database (which the caller closes), else the H2 file in the
   * directory, else an in-memory database.
   */
  static TagStock openStock(Database database, Path directory, boolean readOnly) {
    if (readOnly && (directory == null || database != null)) {
      throw new IllegalStateException("TagRecommender: readOnly applies to a model folder (directory)");
    }
    if (readOnly && !Files.isRegularFile(directory.resolve(TagRecommender.STOCK_DB + ".mv.db"))) {
      throw new io.sightline.core.StoreException(directory + ": no tag stock here (no " + TagRecommender.STOCK_DB
          + ".mv.db); train one with 'sightline tag train' or TagRecommender.train");
    }
    Database db = database != null ? database
        : directory != null ? Database.openFile(directory, TagRecommender.STOCK_DB,
            readOnly ? Database.Access.READ : Database.Access.WRITE)
        : Database.inMemory("tagging-" + UUID.randomUUID());
    return new TagStock(db, database == null);
  }

  TagModel openModel() {
    Path directory = state.directory;
    TagStock stock = state.stock;
    if (directory == null || !Files.exists(directory.resolve(TagRecommender.MODEL_FILE))) {
      return null;
    }
    TagModel m = TagModel.load(directory.resolve(TagRecommender.MODEL_FILE), state.embedderId);
    if (m.dimension() != state.dimension) {
      throw new DimensionMismatchException(state.dimension, m.dimension());
    }
    if (stock.size() == 0) {
      state.detachedModel = m.report().stockImages() > 0;
      return m; // a model shipped without its stock: use its saved frequencies
    }
    if (stock.generation() != m.generation() && state.readOnly) {
      // another process is re-clustering: its model and its stock labels do not agree yet
      LOG.warn("{}: stock cluster labels belong to clustering {} but the model is {} (opened read-only: using the"
          + " model's saved tag counts)", directory, stock.generation(), m.generation());
      return m;
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

  /** Recounts the given clusters (all when null) and the stock-wide statistics from the stock. */
  TagModel recount(TagModel m, Set<Integer> clusters) {
    List<TagModel.Row> rows = state.stock.rows();
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

  /** Saves the model when there is a directory, then makes it the current snapshot. */
  void publish(TagModel m) {
    if (state.directory != null && !state.readOnly) {
      m.save(state.directory.resolve(TagRecommender.MODEL_FILE));
    }
    state.model = m;
  }
}
