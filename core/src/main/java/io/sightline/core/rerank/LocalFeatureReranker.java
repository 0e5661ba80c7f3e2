package io.sightline.core.rerank;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_calib3d;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_features2d;
import org.bytedeco.opencv.opencv_core.DMatch;
import org.bytedeco.opencv.opencv_core.DMatchVector;
import org.bytedeco.opencv.opencv_core.DMatchVectorVector;
import org.bytedeco.opencv.opencv_core.KeyPoint;
import org.bytedeco.opencv.opencv_core.KeyPointVector;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_features2d.BFMatcher;
import org.bytedeco.opencv.opencv_features2d.ORB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instance-level re-ranking with local features and geometric verification, for the
 * same-object-different-shot case that global embeddings miss (background clutter, rotation,
 * scale, partial views).
 *
 * <p>Each image is reduced to grey, scaled so its longer side is at most
 * {@link Builder#maxSide(int)} (default 640), and described by up to
 * {@link Builder#maxFeatures(int)} ORB keypoints (default 1000). A query is matched to a candidate
 * with a brute-force Hamming matcher and Lowe's ratio test ({@link Builder#ratio(double)}, default
 * 0.75); the surviving matches go to RANSAC homography estimation ({@code findHomography}, default
 * reprojection threshold 5 px at working scale) and the inliers are counted.
 *
 * <p><b>Score.</b> A candidate is <em>verified</em> when it has at least
 * {@link Builder#minInliers(int)} inliers (default 12). Its re-ranked score is
 * <pre>
 *   score = priorScore + geometricWeight · (verified ? min(1, inliers / inlierSaturation) : 0)
 * </pre>
 * with geometricWeight 1 and inlierSaturation 60 by default: geometric evidence dominates when
 * there is some, and candidates without it keep the order of their prior (search) similarity.
 * Ties keep the original order. Each result carries its matches and inliers as evidence.
 *
 * <p>Reference features are computed once with {@link #computeFeatures} and passed back as
 * {@link Candidate#features()}, so references are not re-processed per query.
 *
 * <p>OpenCV natives (bytedeco) load on first use of this class only; every native object is
 * freed inside a {@link PointerScope}. Thread-safe: each call creates its own detector and
 * matcher. Deterministic for a given image (OpenCV's RANSAC uses a fixed seed).
 */
public final class LocalFeatureReranker {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFeatureReranker.class);

  private final int maxFeatures;
  private final int maxSide;
  private final double ratio;
  private final double ransacThreshold;
  private final int minInliers;
  private final double inlierSaturation;
  private final double geometricWeight;

  /**
   * A candidate to re-rank: an image, or its precomputed features.
   *
   * @param <K> id type
   * @param id the candidate's id, returned unchanged
   * @param image the image (null when {@code features} is given)
   * @param features precomputed features (null when {@code image} is given)
   * @param priorScore similarity from the first-stage search (higher is better)
   */
  public record Candidate<K>(K id, BufferedImage image, LocalFeatures features, double priorScore) {
    /** Validates fields. */
    public Candidate {
      if ((image == null) == (features == null)) {
        throw new IllegalArgumentException("candidate " + id + " needs exactly one of image and features");
      }
      if (!Double.isFinite(priorScore)) {
        throw new IllegalArgumentException("candidate " + id + " prior score must be finite: " + priorScore);
      }
    }

    /**
     * @param <K> id type
     * @param id id
     * @param image image
     * @param priorScore first-stage similarity
     * @return a candidate described by its image
     */
    public static <K> Candidate<K> of(K id, BufferedImage image, double priorScore) {
      return new Candidate<>(id, image, null, priorScore);
    }

    /**
     * @param <K> id type
     * @param id id
     * @param features features from {@link LocalFeatureReranker#computeFeatures}
     * @param priorScore first-stage similarity
     * @return a candidate described by cached features
     */
    public static <K> Candidate<K> of(K id, LocalFeatures features, double priorScore) {
      return new Candidate<>(id, null, features, priorScore);
    }
  }

  /**
   * Geometric evidence between two images.
   *
   * @param matches descriptor matches passing the ratio test
   * @param inliers matches consistent with the RANSAC homography (0 when fewer than 4 matches)
   */
  public record Verification(int matches, int inliers) {}

  /**
   * One re-ranked candidate with its evidence.
   *
   * @param <K> id type
   * @param id the candidate's id
   * @param score combined score (see the class documentation)
   * @param priorScore the first-stage similarity it came with
   * @param matches ratio-test matches with the query
   * @param inliers RANSAC homography inliers
   * @param verified whether {@code inliers >= minInliers}
   * @param originalRank 0-based position in the input list
   */
  public record Reranked<K>(K id, double score, double priorScore, int matches, int inliers,
      boolean verified, int originalRank) {}

  private LocalFeatureReranker(Builder b) {
    this.maxFeatures = b.maxFeatures;
    this.maxSide = b.maxSide;
    this.ratio = b.ratio;
    this.ransacThreshold = b.ransacThreshold;
    this.minInliers = b.minInliers;
    this.inlierSaturation = b.inlierSaturation;
    this.geometricWeight = b.geometricWeight;
  }

  /** @return a builder with the documented defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return a re-ranker with the default settings */
  public static LocalFeatureReranker defaults() {
    return builder().build();
  }

  /** Loads the OpenCV natives once, on first use. */
  private static final class Natives {
    static {
      Loader.load(opencv_core.class);
      Loader.load(opencv_features2d.class);
      Loader.load(opencv_calib3d.class);
      LOG.debug("OpenCV natives loaded");
    }

    static void ensure() {
      // class initialisation does the work
    }
  }

  /**
   * Detects ORB keypoints and descriptors.
   *
   * @param image any decoded image
   * @return its features, in pixel coordinates of {@code image}
   * @throws ImageDecodeException on a null or empty image
   */
  public LocalFeatures computeFeatures(BufferedImage image) {
    if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
      throw new ImageDecodeException("image is null or empty");
    }
    Natives.ensure();
    BufferedImage work = ImageOps.fitWithin(image, maxSide);
    double back = image.getWidth() / (double) work.getWidth();
    int w = work.getWidth();
    int h = work.getHeight();
    byte[] pixels = ImageOps.toGray8(work);
    try (PointerScope scope = new PointerScope()) {
      Mat mat = new Mat(h, w, opencv_core.CV_8UC1);
      mat.data().put(pixels);
      ORB orb = ORB.create(maxFeatures, 1.2f, 8, 31, 0, 2, ORB.HARRIS_SCORE, 31, 20);
      KeyPointVector kps = new KeyPointVector();
      Mat desc = new Mat();
      orb.detectAndCompute(mat, new Mat(), kps, desc);
      int n = (int) kps.size();
      if (n == 0 || desc.rows() == 0) {
        return new LocalFeatures(image.getWidth(), image.getHeight(), new float[0], new float[0], new byte[0], 32);
      }
      int bytesPer = desc.cols();
      float[] xs = new float[n];
      float[] ys = new float[n];
      for (int i = 0; i < n; i++) {
        KeyPoint kp = kps.get(i);
        xs[i] = (float) (kp.pt().x() * back);
        ys[i] = (float) (kp.pt().y() * back);
      }
      byte[] d = new byte[n * bytesPer];
      Mat cont = desc.isContinuous() ? desc : desc.clone();
      cont.data().get(d);
      return new LocalFeatures(image.getWidth(), image.getHeight(), xs, ys, d, bytesPer);
    }
  }

  /**
   * Matches two feature sets and verifies them geometrically.
   *
   * @param query features of the query
   * @param reference features of a candidate
   * @return matches and RANSAC inliers
   */
  public Verification verify(LocalFeatures query, LocalFeatures reference) {
    if (query == null || reference == null) {
      throw new IllegalArgumentException("query and reference features are required");
    }
    if (query.count() < 2 || reference.count() < 2) {
      return new Verification(0, 0);
    }
    if (query.descriptorBytes() != reference.descriptorBytes()) {
      throw new IllegalArgumentException("descriptor sizes differ: " + query.descriptorBytes() + " vs "
          + reference.descriptorBytes());
    }
    Natives.ensure();
    try (PointerScope scope = new PointerScope()) {
      Mat q = descriptors(query);
      Mat r = descriptors(reference);
      BFMatcher matcher = new BFMatcher(opencv_core.NORM_HAMMING, false);
      DMatchVectorVector knn = new DMatchVectorVector();
      matcher.knnMatch(q, r, knn, 2);
      List<int[]> good = new ArrayList<>();
      for (long i = 0; i < knn.size(); i++) {
        DMatchVector pair = knn.get(i);
        if (pair.size() < 2) {
          continue;
        }
        DMatch best = pair.get(0);
        DMatch second = pair.get(1);
        if (best.distance() < ratio * second.distance()) {
          good.add(new int[] {best.queryIdx(), best.trainIdx()});
        }
      }
      int matches = good.size();
      if (matches < 4) {
        return new Verification(matches, 0);
      }
      // RANSAC runs at working scale so the pixel threshold means the same for any image size
      double qs = workScale(query);
      double rs = workScale(reference);
      float[] src = new float[2 * matches];
      float[] dst = new float[2 * matches];
      for (int i = 0; i < matches; i++) {
        int[] m = good.get(i);
        src[2 * i] = (float) (query.xs()[m[0]] * qs);
        src[2 * i + 1] = (float) (query.ys()[m[0]] * qs);
        dst[2 * i] = (float) (reference.xs()[m[1]] * rs);
        dst[2 * i + 1] = (float) (reference.ys()[m[1]] * rs);
      }
      Mat srcMat = new Mat(matches, 1, opencv_core.CV_32FC2);
      new FloatPointer(srcMat.data()).put(src);
      Mat dstMat = new Mat(matches, 1, opencv_core.CV_32FC2);
      new FloatPointer(dstMat.data()).put(dst);
      Mat mask = new Mat();
      Mat hmat = opencv_calib3d.findHomography(srcMat, dstMat, opencv_calib3d.RANSAC, ransacThreshold,
          mask, 2000, 0.995);
      if (hmat == null || hmat.empty() || mask.empty()) {
        return new Verification(matches, 0);
      }
      byte[] flags = new byte[(int) mask.total()];
      new BytePointer(mask.data()).get(flags);
      int inliers = 0;
      for (byte f : flags) {
        if (f != 0) {
          inliers++;
        }
      }
      return new Verification(matches, inliers);
    }
  }

  private double workScale(LocalFeatures f) {
    int longer = Math.max(f.width(), f.height());
    return longer <= maxSide ? 1.0 : maxSide / (double) longer;
  }

  private static Mat descriptors(LocalFeatures f) {
    Mat m = new Mat(f.count(), f.descriptorBytes(), opencv_core.CV_8UC1);
    m.data().put(f.descriptors());
    return m;
  }

  /**
   * Re-ranks candidates for a query image.
   *
   * @param <K> id type
   * @param query the query image
   * @param candidates the first-stage results with their prior similarity
   * @return the candidates re-ordered by combined score, best first
   */
  public <K> List<Reranked<K>> rerank(BufferedImage query, List<Candidate<K>> candidates) {
    return rerank(computeFeatures(query), candidates);
  }

  /**
   * Re-ranks candidates for query features.
   *
   * @param <K> id type
   * @param query the query's features
   * @param candidates the first-stage results with their prior similarity
   * @return the candidates re-ordered by combined score, best first
   */
  public <K> List<Reranked<K>> rerank(LocalFeatures query, List<Candidate<K>> candidates) {
    if (query == null || candidates == null) {
      throw new IllegalArgumentException("query features and candidates are required");
    }
    List<Reranked<K>> out = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      Candidate<K> c = candidates.get(i);
      LocalFeatures f = c.features() != null ? c.features() : computeFeatures(c.image());
      Verification v = verify(query, f);
      boolean verified = v.inliers() >= minInliers;
      double geo = verified ? Math.min(1.0, v.inliers() / inlierSaturation) : 0.0;
      out.add(new Reranked<>(c.id(), c.priorScore() + geometricWeight * geo, c.priorScore(),
          v.matches(), v.inliers(), verified, i));
    }
    out.sort(Comparator.comparingDouble((Reranked<K> r) -> r.score()).reversed()
        .thenComparingInt(Reranked::originalRank));
    return List.copyOf(out);
  }

  /** Settings; not thread-safe. */
  public static final class Builder {
    private int maxFeatures = 1000;
    private int maxSide = 640;
    private double ratio = 0.75;
    private double ransacThreshold = 5.0;
    private int minInliers = 12;
    private double inlierSaturation = 60;
    private double geometricWeight = 1.0;

    private Builder() {}

    /**
     * @param n most ORB keypoints per image (default 1000)
     * @return this
     */
    public Builder maxFeatures(int n) {
      if (n < 10) {
        throw new IllegalArgumentException("maxFeatures must be at least 10: " + n);
      }
      this.maxFeatures = n;
      return this;
    }

    /**
     * @param side longest image side used for detection (default 640)
     * @return this
     */
    public Builder maxSide(int side) {
      if (side < 64) {
        throw new IllegalArgumentException("maxSide must be at least 64: " + side);
      }
      this.maxSide = side;
      return this;
    }

    /**
     * @param r Lowe's ratio: keep a match when best distance &lt; r × second best (default 0.75)
     * @return this
     */
    public Builder ratio(double r) {
      if (!(r > 0 && r <= 1)) {
        throw new IllegalArgumentException("ratio must be in (0,1]: " + r);
      }
      this.ratio = r;
      return this;
    }

    /**
     * @param px RANSAC reprojection threshold at working scale (default 5)
     * @return this
     */
    public Builder ransacThreshold(double px) {
      if (!(px > 0)) {
        throw new IllegalArgumentException("ransacThreshold must be positive: " + px);
      }
      this.ransacThreshold = px;
      return this;
    }

    /**
     * @param n inliers needed to count as verified (default 12)
     * @return this
     */
    public Builder minInliers(int n) {
      if (n < 4) {
        throw new IllegalArgumentException("minInliers must be at least 4: " + n);
      }
      this.minInliers = n;
      return this;
    }

    /**
     * @param n inlier count at which the geometric term reaches its maximum (default 60)
     * @return this
     */
    public Builder inlierSaturation(double n) {
      if (!(n >= 1)) {
        throw new IllegalArgumentException("inlierSaturation must be >= 1: " + n);
      }
      this.inlierSaturation = n;
      return this;
    }

    /**
     * @param w weight of the geometric term against the prior score (default 1)
     * @return this
     */
    public Builder geometricWeight(double w) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("geometricWeight must be finite and >= 0: " + w);
      }
      this.geometricWeight = w;
      return this;
    }

    /** @return the re-ranker (natives load on first use, not here) */
    public LocalFeatureReranker build() {
      return new LocalFeatureReranker(this);
    }
  }
}
