package io.sightline.crossmodal;

import io.sightline.core.index.Vectors;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The seed library of claims 7 and 9: a one-to-many mapping from standard texts ("basket",
 * "baseball bat") to standard images (visual vectors of image regions that show the object).
 *
 * <p>The model uses it in both directions: each object's feature is fused with the vector of its
 * standard text (found by the object's label, or as the standard text whose images are nearest
 * to the object), and each text unit's feature is fused with the mean content of the standard
 * images of the standard texts that contain the unit. Both fusions keep the feature dimension.
 *
 * <p>Build it from labelled boxes ({@link Builder#add}) or from a pairs file through
 * {@link CrossModalTrainer}. Immutable and thread-safe.
 */
public final class SeedLibrary {
  private final int dimension;
  private final Map<String, List<float[]>> images;
  private final Map<String, float[]> centroids;

  private SeedLibrary(int dimension, Map<String, List<float[]>> images) {
    this.dimension = dimension;
    Map<String, List<float[]>> copy = new TreeMap<>();
    Map<String, float[]> cents = new TreeMap<>();
    for (Map.Entry<String, List<float[]>> e : images.entrySet()) {
      copy.put(e.getKey(), List.copyOf(e.getValue()));
      float[] mean = new float[dimension];
      for (float[] v : e.getValue()) {
        for (int i = 0; i < dimension; i++) {
          mean[i] += v[i];
        }
      }
      cents.put(e.getKey(), Vectors.normalized(mean));
    }
    this.images = Collections.unmodifiableMap(copy);
    this.centroids = Collections.unmodifiableMap(cents);
  }

  /**
   * @param dimension visual vector length (the embedder's dimension)
   * @return an empty builder
   */
  public static Builder builder(int dimension) {
    return new Builder(dimension);
  }

  /**
   * @param dimension visual vector length
   * @return a library without entries (the fusions then add nothing)
   */
  public static SeedLibrary empty(int dimension) {
    return new SeedLibrary(dimension, Map.of());
  }

  /** @return visual vector length */
  public int dimension() {
    return dimension;
  }

  /** @return the standard texts, sorted */
  public List<String> standardTexts() {
    return List.copyOf(images.keySet());
  }

  /** @return number of standard texts */
  public int size() {
    return images.size();
  }

  /** @return whether there are no entries */
  public boolean isEmpty() {
    return images.isEmpty();
  }

  /**
   * @param standardText a standard text
   * @return its standard images' vectors (empty when unknown)
   */
  public List<float[]> standardImages(String standardText) {
    return images.getOrDefault(normalise(standardText), List.of());
  }

  /**
   * @param standardText a standard text
   * @return the L2-normalised mean of its standard images, if the text is in the library
   */
  public Optional<float[]> standardImage(String standardText) {
    return Optional.ofNullable(centroids.get(normalise(standardText)));
  }

  /**
   * Finds the standard text that describes an object (claim 7), by the object's label when it has
   * one, else by the nearest standard-image centroid.
   *
   * @param label the object's label, or null
   * @param visual the object's visual vector
   * @param minSimilarity least cosine similarity for a nearest-centroid match
   * @return the standard text, if any
   */
  public Optional<String> standardTextFor(String label, float[] visual, double minSimilarity) {
    if (label != null && images.containsKey(normalise(label))) {
      return Optional.of(normalise(label));
    }
    if (visual == null || centroids.isEmpty()) {
      return Optional.empty();
    }
    String best = null;
    double bestSim = minSimilarity;
    for (Map.Entry<String, float[]> e : centroids.entrySet()) {
      double s = Vectors.cosine(visual, e.getValue());
      if (s >= bestSim) {
        bestSim = s;
        best = e.getKey();
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Finds the standard images of a text unit (claim 9): the mean content of the standard images
   * of every standard text that contains the unit.
   *
   * @param unit a text unit token
   * @param tokenizer the tokenizer that splits standard texts into units
   * @return the mean vector, if some standard text contains the unit
   */
  public Optional<float[]> standardImageForUnit(String unit, TextTokenizer tokenizer) {
    float[] sum = null;
    for (Map.Entry<String, float[]> e : centroids.entrySet()) {
      boolean has = false;
      for (TextUnit u : tokenizer.tokenize(e.getKey())) {
        if (u.token().equals(unit)) {
          has = true;
          break;
        }
      }
      if (has) {
        if (sum == null) {
          sum = new float[dimension];
        }
        for (int i = 0; i < dimension; i++) {
          sum[i] += e.getValue()[i];
        }
      }
    }
    return sum == null ? Optional.empty() : Optional.of(Vectors.normalized(sum));
  }

  static String normalise(String text) {
    return text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ");
  }

  void write(DataOutputStream out) throws IOException {
    out.writeInt(dimension);
    out.writeInt(images.size());
    for (Map.Entry<String, List<float[]>> e : images.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue().size());
      for (float[] v : e.getValue()) {
        for (float f : v) {
          out.writeFloat(f);
        }
      }
    }
  }

  static SeedLibrary read(DataInputStream in) throws IOException {
    int dim = in.readInt();
    int n = in.readInt();
    if (dim <= 0 || n < 0) {
      throw new IOException("bad seed library header");
    }
    Map<String, List<float[]>> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String key = in.readUTF();
      int c = in.readInt();
      List<float[]> vs = new ArrayList<>(c);
      for (int j = 0; j < c; j++) {
        float[] v = new float[dim];
        for (int k = 0; k < dim; k++) {
          v[k] = in.readFloat();
        }
        vs.add(v);
      }
      m.put(key, vs);
    }
    return new SeedLibrary(dim, m);
  }

  /** Collects standard text to standard image entries. Not thread-safe. */
  public static final class Builder {
    private final int dimension;
    private final Map<String, List<float[]>> images = new TreeMap<>();
    private int maxImagesPerText = 64;

    private Builder(int dimension) {
      if (dimension <= 0) {
        throw new IllegalArgumentException("dimension must be positive");
      }
      this.dimension = dimension;
    }

    /**
     * @param max keep at most this many standard images per standard text (default 64)
     * @return this builder
     */
    public Builder maxImagesPerText(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("max must be at least 1");
      }
      this.maxImagesPerText = max;
      return this;
    }

    /**
     * @param standardText the text describing the object
     * @param visual the visual vector of a region showing the object
     * @return this builder
     */
    public Builder add(String standardText, float[] visual) {
      Objects.requireNonNull(standardText, "standardText");
      if (standardText.isBlank()) {
        throw new IllegalArgumentException("standard text is empty");
      }
      Vectors.check(visual, dimension);
      List<float[]> l = images.computeIfAbsent(normalise(standardText), k -> new ArrayList<>());
      if (l.size() < maxImagesPerText) {
        l.add(visual.clone());
      }
      return this;
    }

    /** @return the library */
    public SeedLibrary build() {
      return new SeedLibrary(dimension, images);
    }
  }
}
