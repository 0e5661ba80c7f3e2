package io.sightline.core.instance;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.KeyPoint;
import org.bytedeco.opencv.opencv_core.KeyPointVector;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_features2d.SIFT;

/**
 * Local features for instance matching: OpenCV's SIFT keypoints with RootSIFT descriptors
 * (Arandjelović &amp; Zisserman 2012: L1-normalise each SIFT vector, then take the square root, so
 * that Euclidean distance compares descriptors like the Hellinger kernel).
 *
 * <p>The image is converted to grey and scaled so its longer side is at most
 * {@link #maxSide()} (default 640: the object of a phone photo still has hundreds of keypoints
 * there, and extraction stays near 100 ms on one core); images smaller than that are used as
 * they are. At most {@link #maxFeatures()} keypoints are kept (default 600, strongest first), which
 * bounds memory per reference (about 30 bytes per keypoint in an {@link InstanceIndex}).
 *
 * <p>{@link #id()} names the extractor and its settings; an index records it and refuses features
 * from another. Thread-safe: each call creates its own native detector. OpenCV natives load on
 * first use.
 */
public final class RootSiftExtractor {
  /** Default longest side of the working image. */
  public static final int DEFAULT_MAX_SIDE = 640;
  /** Default cap on keypoints per image. */
  public static final int DEFAULT_MAX_FEATURES = 600;

  private final int maxSide;
  private final int maxFeatures;

  private RootSiftExtractor(int maxSide, int maxFeatures) {
    this.maxSide = maxSide;
    this.maxFeatures = maxFeatures;
  }

  /** @return an extractor with the default settings */
  public static RootSiftExtractor defaults() {
    return new RootSiftExtractor(DEFAULT_MAX_SIDE, DEFAULT_MAX_FEATURES);
  }

  /**
   * @param maxSide longest side of the working image, 128..4096
   * @param maxFeatures most keypoints kept, 16..65535
   * @return an extractor with these settings
   */
  public static RootSiftExtractor of(int maxSide, int maxFeatures) {
    if (maxSide < 128 || maxSide > 4096) {
      throw new IllegalArgumentException("maxSide must be in 128..4096: " + maxSide);
    }
    if (maxFeatures < 16 || maxFeatures > 65535) {
      throw new IllegalArgumentException("maxFeatures must be in 16..65535: " + maxFeatures);
    }
    return new RootSiftExtractor(maxSide, maxFeatures);
  }

  /**
   * Parses an id written by {@link #id()}.
   *
   * @param id e.g. {@code rootsift-v1:640:600}
   * @return the extractor it names
   * @throws IllegalArgumentException when the id is not one of this class
   */
  public static RootSiftExtractor fromId(String id) {
    String[] p = id == null ? new String[0] : id.split(":");
    if (p.length != 3 || !p[0].equals("rootsift-v1")) {
      throw new IllegalArgumentException("not a RootSIFT extractor id: " + id);
    }
    try {
      return of(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a RootSIFT extractor id: " + id, e);
    }
  }

  /** @return id and settings, e.g. {@code rootsift-v1:640:600} */
  public String id() {
    return "rootsift-v1:" + maxSide + ":" + maxFeatures;
  }

  /** @return longest side of the working image */
  public int maxSide() {
    return maxSide;
  }

  /** @return most keypoints kept per image */
  public int maxFeatures() {
    return maxFeatures;
  }

  /**
   * Detects keypoints and computes RootSIFT descriptors.
   *
   * @param image any decoded image
   * @return its features (possibly none, e.g. for a flat image)
   * @throws ImageDecodeException on a null or empty image
   */
  public LocalFeatureSet extract(BufferedImage image) {
    if (image == null || image.getWidth() < 1 || image.getHeight() < 1) {
      throw new ImageDecodeException("image is null or empty");
    }
    OpenCvNatives.ensure();
    BufferedImage work = ImageOps.fitWithin(image, maxSide);
    int w = work.getWidth();
    int h = work.getHeight();
    byte[] pixels = ImageOps.toGray8(work);
    try (PointerScope scope = new PointerScope()) {
      Mat mat = new Mat(h, w, opencv_core.CV_8UC1);
      mat.data().put(pixels);
      SIFT sift = SIFT.create(maxFeatures, 3, 0.04, 10, 1.6, false);
      KeyPointVector kps = new KeyPointVector();
      Mat desc = new Mat();
      sift.detectAndCompute(mat, new Mat(), kps, desc);
      int n = (int) Math.min(kps.size(), desc.rows());
      // SIFT may return a few more than asked (ties at the cut); the cap is a memory bound
      n = Math.min(n, maxFeatures);
      float[] xs = new float[n];
      float[] ys = new float[n];
      float[] sizes = new float[n];
      float[] angles = new float[n];
      float[] d = new float[n * LocalFeatureSet.DIMENSION];
      if (n > 0) {
        Mat cont = desc.isContinuous() ? desc : desc.clone();
        float[] all = new float[desc.rows() * LocalFeatureSet.DIMENSION];
        new FloatPointer(cont.data()).get(all);
        System.arraycopy(all, 0, d, 0, d.length);
      }
      for (int i = 0; i < n; i++) {
        KeyPoint kp = kps.get(i);
        xs[i] = kp.pt().x();
        ys[i] = kp.pt().y();
        sizes[i] = kp.size();
        float a = kp.angle();
        angles[i] = a < 0 ? 0 : a % 360f;
        rootSift(d, i * LocalFeatureSet.DIMENSION);
      }
      return new LocalFeatureSet(w, h, xs, ys, sizes, angles, d);
    }
  }

  /** L1-normalise then square-root one descriptor in place (its L2 norm becomes 1). */
  static void rootSift(float[] d, int off) {
    double l1 = 0;
    for (int j = 0; j < LocalFeatureSet.DIMENSION; j++) {
      l1 += Math.abs(d[off + j]);
    }
    if (l1 <= 0) {
      return;
    }
    for (int j = 0; j < LocalFeatureSet.DIMENSION; j++) {
      d[off + j] = (float) Math.sqrt(Math.abs(d[off + j]) / l1);
    }
  }
}
