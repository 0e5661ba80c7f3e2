package io.sightline.tagging;

import io.sightline.core.DimensionMismatchException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InvalidVectorException;
import io.sightline.core.StoreException;
import io.sightline.core.index.Vectors;
import io.sightline.core.store.ChecksummedFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The trained tag system (seed [0052]-[0053], S210): the cluster centres, each cluster's tag
 * frequencies, the stock-wide tag frequencies, the id of the embedder whose vectors it was trained
 * on, and how it was trained.
 *
 * <p>Immutable and thread-safe. {@link #save(Path)} writes one checksummed, versioned file
 * atomically; {@link #load(Path, String)} refuses a model of another embedder.
 */
public final class TagModel {
  static final String KIND = "tag-model";
  static final int FORMAT_VERSION = 1;

  private final String embedderId;
  private final long generation;
  private final int dimension;
  private final ClusteringOptions options;
  private final TrainingReport report;
  private final float[][] centres;
  private final List<ClusterTags> clusters;
  private final ClusterTags overall;

  TagModel(String embedderId, long generation, int dimension, ClusteringOptions options,
      TrainingReport report, float[][] centres, List<ClusterTags> clusters, ClusterTags overall) {
    this.embedderId = Objects.requireNonNull(embedderId, "embedderId");
    this.generation = generation;
    this.dimension = dimension;
    this.options = options;
    this.report = report;
    this.centres = centres;
    this.clusters = List.copyOf(clusters);
    this.overall = overall;
    if (centres.length != clusters.size()) {
      throw new IllegalArgumentException("centres and cluster statistics differ in count");
    }
  }

  /**
   * A model from a clustering made elsewhere (e.g. on a cluster with Spark MLlib), in the form
   * {@link TagRecommender} reads once {@link #save saved} as its {@code tag-model.bin}: generation
   * 1, with no stock database beside it, so a recommender can suggest from it but not update it.
   *
   * @param embedderId the embedder whose vectors were clustered
   * @param dimension their dimension
   * @param options the clustering settings (recorded)
   * @param report what the clustering did (recorded)
   * @param centres one centre per cluster, in the recommender's prepared (unit-length) space
   * @param clusters tag statistics per cluster, parallel to {@code centres}, numbered 0..k-1
   * @param overall stock-wide statistics (cluster -1)
   * @return the model
   * @throws IllegalArgumentException when the centres and statistics disagree in count,
   *     numbering or dimension
   */
  public static TagModel of(String embedderId, int dimension, ClusteringOptions options, TrainingReport report,
      float[][] centres, List<ClusterTags> clusters, ClusterTags overall) {
    for (int c = 0; c < centres.length; c++) {
      if (centres[c].length != dimension) {
        throw new IllegalArgumentException("centre " + c + " has " + centres[c].length + " components, not " + dimension);
      }
      if (c < clusters.size() && clusters.get(c).cluster() != c) {
        throw new IllegalArgumentException("cluster statistics " + c + " are numbered " + clusters.get(c).cluster());
      }
    }
    float[][] copy = new float[centres.length][];
    for (int c = 0; c < centres.length; c++) {
      copy[c] = centres[c].clone();
    }
    return new TagModel(embedderId, 1, dimension, Objects.requireNonNull(options, "options"),
        Objects.requireNonNull(report, "report"), copy, clusters, Objects.requireNonNull(overall, "overall"));
  }

  /** A stock image as far as counting is concerned. */
  record Row(String id, String postKey, Set<String> tags, int cluster) {}

  /**
   * Builds a model from a clustering of the stock; clusters that ended up empty are dropped and
   * the rest renumbered.
   *
   * @param labels cluster of each row (parallel to {@code rows})
   * @return the model and, for each row, its cluster number in the model
   */
  static Built build(String embedderId, long generation, int dimension, ClusteringOptions options,
      TrainingReport report, double[][] centres, int[] labels, List<Row> rows) {
    int k = centres.length;
    int[] size = new int[k];
    for (int l : labels) {
      size[l]++;
    }
    int[] renumber = new int[k];
    List<float[]> kept = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      if (size[c] > 0) {
        renumber[c] = kept.size();
        float[] f = new float[dimension];
        for (int j = 0; j < dimension; j++) {
          f[j] = (float) centres[c][j];
        }
        kept.add(f);
      } else {
        renumber[c] = -1;
      }
    }
    int[] newLabels = new int[labels.length];
    List<List<Row>> byCluster = new ArrayList<>();
    for (int c = 0; c < kept.size(); c++) {
      byCluster.add(new ArrayList<>());
    }
    List<Row> relabelled = new ArrayList<>(rows.size());
    for (int i = 0; i < labels.length; i++) {
      newLabels[i] = renumber[labels[i]];
      Row r = rows.get(i);
      Row nr = new Row(r.id(), r.postKey(), r.tags(), newLabels[i]);
      byCluster.get(newLabels[i]).add(nr);
      relabelled.add(nr);
    }
    List<ClusterTags> stats = new ArrayList<>();
    for (int c = 0; c < kept.size(); c++) {
      stats.add(count(c, byCluster.get(c)));
    }
    TrainingReport r = new TrainingReport(report.method(), report.init(), report.warmStarted(),
        report.requestedClusters(), kept.size(), rows.size(), report.iterations(), report.converged(),
        report.deviations(), report.finalDeviation(), report.millis(), report.seed());
    TagModel model = new TagModel(embedderId, generation, dimension, options, r,
        kept.toArray(new float[0][]), stats, count(-1, rows));
    return new Built(model, newLabels);
  }

  /** A freshly built model and the cluster of each stock row. */
  record Built(TagModel model, int[] labels) {}

  /**
   * Counts tags once per post (seed [0066]).
   *
   * @param cluster cluster number (-1 for the whole stock)
   * @param rows the rows in it
   * @return the statistics
   */
  static ClusterTags count(int cluster, Collection<Row> rows) {
    Set<String> posts = new HashSet<>();
    Map<String, Set<String>> postsPerTag = new HashMap<>();
    for (Row r : rows) {
      posts.add(r.postKey());
      for (String t : r.tags()) {
        postsPerTag.computeIfAbsent(t, x -> new HashSet<>()).add(r.postKey());
      }
    }
    Map<String, Integer> counts = new TreeMap<>();
    postsPerTag.forEach((t, p) -> counts.put(t, p.size()));
    return new ClusterTags(cluster, rows.size(), posts.size(), counts);
  }

  /**
   * @param changed new statistics of some clusters, by cluster number
   * @param overall the new stock-wide statistics
   * @return a copy of this model with them
   */
  TagModel withCounts(Map<Integer, ClusterTags> changed, ClusterTags overall) {
    List<ClusterTags> c = new ArrayList<>(clusters);
    changed.forEach((i, t) -> c.set(i, t));
    return new TagModel(embedderId, generation, dimension, options, report, centres, c, overall);
  }

  /** @return id of the embedder whose vectors the model was trained on */
  public String embedderId() {
    return embedderId;
  }

  /**
   * @return number of the clustering this model holds; it grows with every (re)clustering and
   *     ties the model file to the cluster labels kept in the stock
   */
  public long generation() {
    return generation;
  }

  /** @return vector length */
  public int dimension() {
    return dimension;
  }

  /** @return the clustering options the model was trained with */
  public ClusteringOptions options() {
    return options;
  }

  /** @return how the clusters were made */
  public TrainingReport report() {
    return report;
  }

  /** @return the number of clusters */
  public int clusterCount() {
    return centres.length;
  }

  /** @return per-cluster tag statistics, indexed by cluster number */
  public List<ClusterTags> clusters() {
    return clusters;
  }

  /**
   * @param cluster cluster number
   * @return its tag statistics
   */
  public ClusterTags cluster(int cluster) {
    return clusters.get(cluster);
  }

  /** @return tag statistics of the whole stock (cluster number -1) */
  public ClusterTags overall() {
    return overall;
  }

  /**
   * @param cluster cluster number
   * @return a copy of its centre
   */
  public float[] centre(int cluster) {
    return centres[cluster].clone();
  }

  double[][] centresAsDoubles() {
    double[][] out = new double[centres.length][dimension];
    for (int c = 0; c < centres.length; c++) {
      for (int j = 0; j < dimension; j++) {
        out[c][j] = centres[c][j];
      }
    }
    return out;
  }

  /**
   * Validates a vector and brings it into the model's space (L2-normalised when the model is).
   *
   * @param vector a feature vector of the model's embedder
   * @return a prepared copy
   * @throws DimensionMismatchException on wrong length
   * @throws InvalidVectorException on NaN, infinite or (when normalising) zero vectors
   */
  public float[] prepare(float[] vector) {
    return prepare(vector, dimension, options.normalize());
  }

  static float[] prepare(float[] vector, int dimension, boolean normalize) {
    Vectors.check(vector, dimension);
    return normalize ? Vectors.normalized(vector) : vector.clone();
  }

  /**
   * Ranks clusters by distance to the centre (claim 5: the highest feature similarity first).
   *
   * @param prepared a vector from {@link #prepare}
   * @param m how many clusters
   * @return the m nearest clusters, nearest first, with weight 0
   */
  public List<ClusterMatch> nearest(float[] prepared, int m) {
    if (prepared.length != dimension) {
      throw new DimensionMismatchException(dimension, prepared.length);
    }
    int k = centres.length;
    double[] dist = new double[k];
    Integer[] order = new Integer[k];
    for (int c = 0; c < k; c++) {
      double s = 0;
      float[] centre = centres[c];
      for (int j = 0; j < dimension; j++) {
        double d = prepared[j] - centre[j];
        s += d * d;
      }
      dist[c] = Math.sqrt(s);
      order[c] = c;
    }
    java.util.Arrays.sort(order, Comparator.comparingDouble((Integer c) -> dist[c]).thenComparingInt(c -> c));
    List<ClusterMatch> out = new ArrayList<>(Math.min(m, k));
    for (int i = 0; i < Math.min(m, k); i++) {
      int c = order[i];
      out.add(new ClusterMatch(c, dist[c], Vectors.cosine(prepared, centres[c]), 0.0, clusters.get(c).posts()));
    }
    return out;
  }

  /**
   * Saves the model atomically to one checksummed file.
   *
   * @param file target file
   */
  public void save(Path file) {
    ChecksummedFile.write(file, new ChecksummedFile.Header(KIND, FORMAT_VERSION, embedderId), out -> {
      out.writeLong(generation);
      out.writeInt(dimension);
      writeOptions(out, options);
      writeReport(out, report);
      out.writeInt(centres.length);
      for (float[] c : centres) {
        for (float v : c) {
          out.writeFloat(v);
        }
      }
      for (ClusterTags ct : clusters) {
        writeTags(out, ct);
      }
      writeTags(out, overall);
    });
  }

  /**
   * Loads a model written by {@link #save}.
   *
   * @param file the model file
   * @param expectedEmbedderId the embedder whose vectors will be matched against it, or null to
   *     accept any
   * @return the model
   * @throws IncompatibleFormatException when it was trained with another embedder or written by a
   *     newer format
   * @throws StoreException when the file is missing, truncated or corrupt
   */
  public static TagModel load(Path file, String expectedEmbedderId) {
    return ChecksummedFile.read(file, KIND, FORMAT_VERSION, (header, in) -> {
      if (expectedEmbedderId != null && !expectedEmbedderId.equals(header.embedderId())) {
        throw new IncompatibleFormatException(file + ": tag model was trained on vectors of embedder '"
            + header.embedderId() + "', not '" + expectedEmbedderId + "'; retrain it with this embedder");
      }
      long generation = in.readLong();
      int dim = in.readInt();
      ClusteringOptions options = readOptions(in);
      TrainingReport report = readReport(in);
      int k = in.readInt();
      if (dim < 1 || k < 0 || (long) dim * k > Integer.MAX_VALUE) {
        throw new StoreException(file + ": implausible model shape " + k + " x " + dim);
      }
      float[][] centres = new float[k][dim];
      for (int c = 0; c < k; c++) {
        for (int j = 0; j < dim; j++) {
          centres[c][j] = in.readFloat();
        }
      }
      List<ClusterTags> clusters = new ArrayList<>(k);
      for (int c = 0; c < k; c++) {
        clusters.add(readTags(in));
      }
      ClusterTags overall = readTags(in);
      return new TagModel(header.embedderId(), generation, dim, options, report, centres, clusters, overall);
    });
  }

  private static void writeOptions(DataOutputStream out, ClusteringOptions o) throws IOException {
    out.writeUTF(o.method().name());
    out.writeInt(o.clusters());
    out.writeUTF(o.init().name());
    out.writeInt(o.batchSize());
    out.writeInt(o.maxIterations());
    out.writeDouble(o.tolerance());
    out.writeInt(o.patience());
    out.writeLong(o.seed());
    out.writeBoolean(o.normalize());
    out.writeDouble(o.radius());
    out.writeInt(o.minPoints());
  }

  private static ClusteringOptions readOptions(DataInputStream in) throws IOException {
    try {
      return new ClusteringOptions(ClusteringMethod.valueOf(in.readUTF()), in.readInt(),
          CentreInit.valueOf(in.readUTF()), in.readInt(), in.readInt(), in.readDouble(), in.readInt(),
          in.readLong(), in.readBoolean(), in.readDouble(), in.readInt());
    } catch (IllegalArgumentException e) {
      throw new IOException("bad clustering options: " + e.getMessage(), e);
    }
  }

  private static void writeReport(DataOutputStream out, TrainingReport r) throws IOException {
    out.writeUTF(r.method().name());
    out.writeUTF(r.init().name());
    out.writeBoolean(r.warmStarted());
    out.writeInt(r.requestedClusters());
    out.writeInt(r.clusters());
    out.writeInt(r.stockImages());
    out.writeInt(r.iterations());
    out.writeBoolean(r.converged());
    out.writeInt(r.deviations().size());
    for (double d : r.deviations()) {
      out.writeDouble(d);
    }
    out.writeDouble(r.finalDeviation());
    out.writeLong(r.millis());
    out.writeLong(r.seed());
  }

  private static TrainingReport readReport(DataInputStream in) throws IOException {
    try {
      ClusteringMethod method = ClusteringMethod.valueOf(in.readUTF());
      CentreInit init = CentreInit.valueOf(in.readUTF());
      boolean warm = in.readBoolean();
      int requested = in.readInt();
      int clusters = in.readInt();
      int images = in.readInt();
      int iterations = in.readInt();
      boolean converged = in.readBoolean();
      int nd = in.readInt();
      if (nd < 0 || nd > 10_000_000) {
        throw new IOException("implausible deviation count " + nd);
      }
      List<Double> devs = new ArrayList<>(nd);
      for (int i = 0; i < nd; i++) {
        devs.add(in.readDouble());
      }
      return new TrainingReport(method, init, warm, requested, clusters, images, iterations, converged,
          devs, in.readDouble(), in.readLong(), in.readLong());
    } catch (IllegalArgumentException e) {
      throw new IOException("bad training report: " + e.getMessage(), e);
    }
  }

  private static void writeTags(DataOutputStream out, ClusterTags t) throws IOException {
    out.writeInt(t.cluster());
    out.writeInt(t.images());
    out.writeInt(t.posts());
    out.writeInt(t.counts().size());
    for (Map.Entry<String, Integer> e : t.counts().entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue());
    }
  }

  private static ClusterTags readTags(DataInputStream in) throws IOException {
    int cluster = in.readInt();
    int images = in.readInt();
    int posts = in.readInt();
    int n = in.readInt();
    if (n < 0 || images < 0 || posts < 0) {
      throw new IOException("negative counts in tag statistics");
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      counts.put(in.readUTF(), in.readInt());
    }
    return new ClusterTags(cluster, images, posts, counts);
  }
}
