package io.sightline.core.instance;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instance search on local features: finds the stored images that show the same object as a
 * query photo, and says when none does.
 *
 * <ol>
 *   <li><b>Features</b>: RootSIFT keypoints ({@link RootSiftExtractor}; default 640 px, 600
 *       keypoints).</li>
 *   <li><b>Quantisation</b>: each keypoint gets a visual word and a 64-bit Hamming-embedding
 *       signature from a {@link VisualVocabulary} (default: the bundled 16k-word vocabulary);
 *       query keypoints get {@link Builder#multipleAssignment(int) 3 words} each.</li>
 *   <li><b>Shortlist</b>: an inverted file votes for stored images whose keypoints share a word and
 *       a close signature (≤ {@link Builder#hammingThreshold(int) 16} of 64 bits), idf-weighted and
 *       burst-bounded (see {@link InstanceSearch}); the {@link Builder#shortlist(int) 50} best go on.</li>
 *   <li><b>Verification</b>: an affine transform is fitted by RANSAC to each shortlisted image's
 *       correspondences; degenerate fits are refused and inliers are counted as distinct points
 *       that also agree in keypoint scale and orientation.</li>
 *   <li><b>Score</b>: the inlier count is mapped to a probability ({@link ScoreCalibration}); an
 *       image is {@linkplain InstanceMatch#verified() verified} at
 *       {@link Builder#threshold(double) 0.5} and above. A query showing nothing stored gets
 *       candidates, but none verified.</li>
 * </ol>
 *
 * <p><b>Storage.</b> Without a folder the index lives in memory. With
 * {@link Builder#directory(Path)} it is durable: {@code instances.log} is an append-only,
 * checksummed log (see {@link InstanceJournal}) — adding or removing a reference appends one
 * record and fsyncs, a crash loses at most the write in progress, and the index records the
 * extractor and vocabulary ids and refuses to open with others ({@link IncompatibleFormatException}).
 * A vocabulary other than the bundled one is saved beside it as {@code vocabulary.bin}.
 *
 * <p><b>Memory.</b> About 30 bytes per stored keypoint (≈ 18 KB per image at 600 keypoints) plus
 * the vocabulary (≈ 12 MB). See {@link #memoryBytes()}.
 *
 * <p>Thread-safe: any number of searches run together; a write blocks searches only while it
 * updates the in-memory lists (features are extracted before the lock is taken).
 *
 * <pre>{@code
 * try (InstanceIndex index = InstanceIndex.builder().directory(Path.of("instances")).build()) {
 *   index.add("eiffel-1", ImageIO.read(new File("eiffel.jpg")));
 *   for (InstanceMatch m : index.match(ImageIO.read(new File("photo.jpg")), 5)) {
 *     if (m.verified()) System.out.println(m.id() + " " + m.inliers() + " inliers");
 *   }
 * }
 * }</pre>
 */
public final class InstanceIndex implements InstanceMatcher, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceIndex.class);
  /** File name of the log inside an index folder. */
  public static final String LOG_FILE = "instances.log";
  /** File name of a custom vocabulary inside an index folder. */
  public static final String VOCABULARY_FILE = "vocabulary.bin";

  private final RootSiftExtractor extractor;
  private final VisualVocabulary vocabulary;
  private final int multipleAssignment;
  private final int minFeatures;
  private final double threshold;
  private final InvertedFile file;
  private final InstanceSearch search;
  private final InstanceJournal journal;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ReentrantLock writer = new ReentrantLock();
  private final String id;
  private final boolean readOnly;
  private volatile boolean closed;

  private InstanceIndex(Builder b, VisualVocabulary vocabulary) {
    this.extractor = b.extractor;
    this.vocabulary = vocabulary;
    this.multipleAssignment = b.multipleAssignment;
    this.minFeatures = b.minFeatures;
    this.threshold = b.threshold;
    this.file = new InvertedFile(vocabulary.size());
    this.search = new InstanceSearch(file, b.hammingThreshold, b.shortlist,
        new GeometricVerifier(b.ransacThreshold), b.calibration, b.threshold);
    this.id = extractor.id() + "+" + vocabulary.id();
    this.readOnly = b.readOnly;
    if (b.directory != null) {
      Map<String, EncodedFeatures> live = new LinkedHashMap<>();
      this.journal = InstanceJournal.open(b.directory.resolve(LOG_FILE), extractor.id(), vocabulary.id(), live,
          b.readOnly);
      for (Map.Entry<String, EncodedFeatures> e : live.entrySet()) {
        file.add(e.getKey(), e.getValue());
      }
      LOG.debug("opened instance index {} with {} images", b.directory, live.size());
    } else {
      this.journal = null;
    }
  }

  /** @return a builder with the documented defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return an in-memory index with the defaults */
  public static InstanceIndex inMemory() {
    return builder().build();
  }

  @Override
  public String id() {
    return id;
  }

  /** @return the feature extractor */
  public RootSiftExtractor extractor() {
    return extractor;
  }

  /** @return the vocabulary */
  public VisualVocabulary vocabulary() {
    return vocabulary;
  }

  @Override
  public int size() {
    lock.readLock().lock();
    try {
      return file.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * @param id an image id
   * @return whether it is stored
   */
  public boolean contains(String id) {
    lock.readLock().lock();
    try {
      return file.contains(id);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** @return the stored ids, in no particular order */
  public List<String> ids() {
    lock.readLock().lock();
    try {
      return file.ids();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Extracts an image's features with this index's extractor (to add or match them later, or
   * to time extraction apart).
   *
   * @param image the image
   * @return its features
   */
  public LocalFeatureSet extract(BufferedImage image) {
    return extractor.extract(image);
  }

  /**
   * Adds (or replaces) one image.
   *
   * @param id its id (1..2000 characters)
   * @param image the image
   * @throws NoFeaturesException when it has fewer than {@link Builder#minFeatures(int)} keypoints
   */
  public void add(String id, BufferedImage image) {
    addFeatures(id, extract(image));
  }

  /**
   * Adds (or replaces) one image from features made by {@link #extract}.
   *
   * @param id its id
   * @param features its features
   * @throws NoFeaturesException when there are fewer than {@link Builder#minFeatures(int)} keypoints
   */
  public void addFeatures(String id, LocalFeatureSet features) {
    Map<String, LocalFeatureSet> one = new LinkedHashMap<>();
    one.put(checkId(id), Objects.requireNonNull(features, "features"));
    addAllFeatures(one);
  }

  /**
   * Adds (or replaces) many images: extracts their features, then appends them in one durable
   * batch. An image without enough features fails the whole batch before anything is stored.
   *
   * @param images id to image
   * @param listener progress (task "extract", one unit per image)
   * @param cancel checked between images; nothing is stored when cancelled
   */
  public void addAll(Map<String, BufferedImage> images, ProgressListener listener, CancellationToken cancel) {
    Map<String, LocalFeatureSet> feats = new LinkedHashMap<>();
    int done = 0;
    for (Map.Entry<String, BufferedImage> e : images.entrySet()) {
      cancel.throwIfCancelled();
      feats.put(checkId(e.getKey()), extract(e.getValue()));
      listener.onProgress("extract", ++done, images.size(), e.getKey());
    }
    addAllFeatures(feats);
  }

  /**
   * Adds (or replaces) many images from their features, in one durable batch.
   *
   * @param features id to features
   * @throws NoFeaturesException when one has fewer than {@link Builder#minFeatures(int)} keypoints
   *     (nothing is stored then)
   */
  public void addAllFeatures(Map<String, LocalFeatureSet> features) {
    Map<String, EncodedFeatures> enc = new LinkedHashMap<>();
    for (Map.Entry<String, LocalFeatureSet> e : features.entrySet()) {
      String key = checkId(e.getKey());
      LocalFeatureSet f = e.getValue();
      if (f.count() < minFeatures) {
        throw new NoFeaturesException("image '" + key + "' has " + f.count() + " local features, fewer than the "
            + minFeatures + " needed to match it by instance (flat, tiny or empty picture?)");
      }
      enc.put(key, EncodedFeatures.encode(f, vocabulary));
    }
    addEncoded(enc);
  }

  /** Stores encoded features durably, then in memory (package-private: benchmarks use it directly). */
  void addEncoded(Map<String, EncodedFeatures> enc) {
    writer.lock();
    try {
      ensureOpen();
      ensureWritable();
      if (journal != null) {
        journal.append(enc, List.of());
      }
      lock.writeLock().lock();
      try {
        for (Map.Entry<String, EncodedFeatures> e : enc.entrySet()) {
          file.add(e.getKey(), e.getValue());
        }
      } finally {
        lock.writeLock().unlock();
      }
    } finally {
      writer.unlock();
    }
  }

  /**
   * Removes an image.
   *
   * @param id its id
   * @return whether it was stored
   */
  public boolean remove(String id) {
    writer.lock();
    try {
      ensureOpen();
      ensureWritable();
      if (!contains(id)) {
        return false;
      }
      if (journal != null) {
        journal.append(Map.of(), List.of(id));
      }
      lock.writeLock().lock();
      try {
        return file.remove(id);
      } finally {
        lock.writeLock().unlock();
      }
    } finally {
      writer.unlock();
    }
  }

  @Override
  public List<InstanceMatch> match(BufferedImage query, int k) {
    return matchFeatures(extract(query), k);
  }

  /**
   * Matches features made by {@link #extract}.
   *
   * @param query the query's features
   * @param k most results (1..10,000)
   * @return up to k candidates, best first (see {@link InstanceMatcher#match})
   * @throws NoFeaturesException when the query has fewer than {@link Builder#minFeatures(int)} keypoints
   */
  public List<InstanceMatch> matchFeatures(LocalFeatureSet query, int k) {
    if (k < 1 || k > 10_000) {
      throw new IllegalArgumentException("k must be in 1..10000: " + k);
    }
    if (query.count() < minFeatures) {
      throw new NoFeaturesException("the query has " + query.count() + " local features, fewer than the "
          + minFeatures + " needed to match it by instance (flat, tiny or empty picture?)");
    }
    QueryFeatures q = QueryFeatures.encode(query, vocabulary, multipleAssignment);
    lock.readLock().lock();
    try {
      ensureOpen();
      return search.run(q, k);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** @return the threshold on {@link InstanceMatch#score()} for {@link InstanceMatch#verified()} */
  public double threshold() {
    return threshold;
  }

  /** @return approximate heap bytes of the stored features and inverted lists (not the vocabulary) */
  public long memoryBytes() {
    lock.readLock().lock();
    try {
      return file.bytes();
    } finally {
      lock.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("instance index is closed");
    }
  }

  private static String checkId(String id) {
    if (id == null || id.isEmpty() || id.length() > 2000) {
      throw new IllegalArgumentException("image id must have 1..2000 characters");
    }
    return id;
  }

  /** @return whether the index was opened {@linkplain Builder#readOnly(boolean) read-only} */
  public boolean readOnly() {
    return readOnly;
  }

  private void ensureWritable() {
    if (readOnly) {
      throw new IllegalStateException("this instance index was opened read-only");
    }
  }

  @Override
  public void close() {
    writer.lock();
    try {
      closed = true;
      if (journal != null) {
        journal.close();
      }
    } finally {
      writer.unlock();
    }
  }

  /** Settings of an index; not thread-safe. */
  public static final class Builder {
    private Path directory;
    private VisualVocabulary vocabulary;
    private RootSiftExtractor extractor = RootSiftExtractor.defaults();
    private int multipleAssignment = 3;
    private int hammingThreshold = 16;
    private int shortlist = 50;
    private int minFeatures = 8;
    private double ransacThreshold = 0.015;
    private ScoreCalibration calibration = ScoreCalibration.DEFAULT;
    private double threshold = 0.5;
    private boolean readOnly;

    private Builder() {}

    /**
     * Opens a durable index without writing to its folder, for a process that only searches
     * while another one may be adding images: the folder is not created, the log is replayed up
     * to its last complete record (a record another process is appending right now is skipped,
     * not cut off) and never compacted, and {@code add}/{@code remove} fail with an
     * {@link IllegalStateException}. The index shows the log as it was when opened.
     *
     * @param readOnly whether to open read-only (default false)
     * @return this
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * @param dir folder of a durable index (created when missing); without one the index lives in memory
     * @return this
     */
    public Builder directory(Path dir) {
      this.directory = dir;
      return this;
    }

    /**
     * @param v the vocabulary (default: the one saved in the folder, else {@link VisualVocabulary#bundled()})
     * @return this
     */
    public Builder vocabulary(VisualVocabulary v) {
      this.vocabulary = Objects.requireNonNull(v, "vocabulary");
      return this;
    }

    /**
     * @param e the feature extractor (default {@link RootSiftExtractor#defaults()})
     * @return this
     */
    public Builder extractor(RootSiftExtractor e) {
      this.extractor = Objects.requireNonNull(e, "extractor");
      return this;
    }

    /**
     * @param m words per query keypoint, 1..8 (default 3)
     * @return this
     */
    public Builder multipleAssignment(int m) {
      if (m < 1 || m > 8) {
        throw new IllegalArgumentException("multipleAssignment must be in 1..8: " + m);
      }
      this.multipleAssignment = m;
      return this;
    }

    /**
     * @param bits largest signature distance that still votes, 0..64 (default 16, chosen on the tune split of the new-shot evaluation among 16, 20, 24, 28)
     * @return this
     */
    public Builder hammingThreshold(int bits) {
      if (bits < 0 || bits > 64) {
        throw new IllegalArgumentException("hammingThreshold must be in 0..64: " + bits);
      }
      this.hammingThreshold = bits;
      return this;
    }

    /**
     * @param n images verified per query, 1..10,000 (default 50)
     * @return this
     */
    public Builder shortlist(int n) {
      if (n < 1 || n > 10_000) {
        throw new IllegalArgumentException("shortlist must be in 1..10000: " + n);
      }
      this.shortlist = n;
      return this;
    }

    /**
     * @param n fewest keypoints an image needs to be stored or queried (default 8)
     * @return this
     */
    public Builder minFeatures(int n) {
      if (n < 3) {
        throw new IllegalArgumentException("minFeatures must be at least 3: " + n);
      }
      this.minFeatures = n;
      return this;
    }

    /**
     * @param fraction RANSAC reprojection threshold as a fraction of the stored image's longer
     *     working side (default 0.015, about 10 px at 640)
     * @return this
     */
    public Builder ransacThreshold(double fraction) {
      if (!(fraction > 0 && fraction < 0.5)) {
        throw new IllegalArgumentException("ransacThreshold must be in (0, 0.5): " + fraction);
      }
      this.ransacThreshold = fraction;
      return this;
    }

    /**
     * @param c inlier-count calibration (default {@link ScoreCalibration#DEFAULT})
     * @return this
     */
    public Builder calibration(ScoreCalibration c) {
      this.calibration = Objects.requireNonNull(c, "calibration");
      return this;
    }

    /**
     * @param t calibrated score at which a candidate counts as verified, in (0, 1) (default 0.5)
     * @return this
     */
    public Builder threshold(double t) {
      if (!(t > 0 && t < 1)) {
        throw new IllegalArgumentException("threshold must be in (0, 1): " + t);
      }
      this.threshold = t;
      return this;
    }

    /**
     * @return the index (a durable one replays its log here)
     * @throws IncompatibleFormatException when the folder was built with another extractor or vocabulary
     * @throws StoreException when its files are corrupt
     */
    public InstanceIndex build() {
      VisualVocabulary v = vocabulary;
      if (directory != null) {
        try {
          if (!readOnly) {
            Files.createDirectories(directory);
          }
        } catch (java.io.IOException e) {
          throw new StoreException(directory + ": cannot create index folder: " + e.getMessage(), e);
        }
        Path saved = directory.resolve(VOCABULARY_FILE);
        if (Files.exists(saved)) {
          VisualVocabulary s = VisualVocabulary.read(saved);
          if (v != null && !v.id().equals(s.id())) {
            throw new IncompatibleFormatException(directory + ": the index was built with vocabulary '" + s.id()
                + "', not '" + v.id() + "'");
          }
          v = s;
        } else if (v != null && !readOnly && !Files.exists(directory.resolve(LOG_FILE))) {
          if (!v.id().equals(VisualVocabulary.bundled().id())) {
            v.write(saved);
          }
        }
      }
      if (v == null) {
        v = VisualVocabulary.bundled();
      }
      return new InstanceIndex(this, v);
    }
  }
}
