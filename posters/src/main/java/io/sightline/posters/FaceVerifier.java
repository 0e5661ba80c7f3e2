package io.sightline.posters;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * Checks a face detection before it may steer the crop (issue 13): its detector score must reach
 * {@link #minScore()}, and either OpenCV's bundled eye cascade ({@code haarcascade_eye.xml}, the
 * one {@link CascadeExpressionScorer} uses) finds an eye in the upper part of the box, or at least
 * {@link #minSkin()} of the box's central part has skin colour (YCrCb rule) <em>and</em> the score
 * reaches {@link #minSkinOnlyScore()}: skin-like colours are common (wood, sand, fur, a lamp), so a
 * weak detection with skin colour but no eye is not enough. A Haar hit on a leaf, a brick wall or
 * a clip-art drawing usually has neither. Works the same for any face detector (Haar, YuNet):
 * only the box and score are used.
 *
 * <p>Thread-safe: each thread gets its own cascade.
 */
public final class FaceVerifier {
  /**
   * Score a detection without an eye needs before skin colour alone verifies it (issue 13, seventh
   * part: with the bundled frontal cascade, 4 neighbours give 0.571 and 5 give 0.625; the tune
   * scenes' one false face was a 4-neighbour hit on skin-coloured background with no eye, and every
   * true face there had an eye).
   */
  public static final double DEFAULT_SKIN_ONLY_SCORE = 0.6;
  private final double minScore;
  private final double minSkin;
  private final double minSkinOnlyScore;
  private final ThreadLocal<CascadeClassifier> eyes = ThreadLocal.withInitial(() -> {
    CascadeClassifier c = new CascadeClassifier();
    if (!c.load(CvImages.bundled("haarcascades/haarcascade_eye.xml").toString())) {
      throw new io.sightline.core.ModelException("cannot load bundled cascade haarcascades/haarcascade_eye.xml");
    }
    return c;
  });

  /**
   * @param minScore smallest detector score accepted
   * @param minSkin share of skin-coloured pixels in the central part of the box that verifies a
   *     face without eyes, in [0,1]
   */
  public FaceVerifier(double minScore, double minSkin) {
    this(minScore, minSkin, Math.max(minScore, DEFAULT_SKIN_ONLY_SCORE));
  }

  /**
   * @param minScore smallest detector score accepted
   * @param minSkin share of skin-coloured pixels in the central part of the box that verifies a
   *     face without eyes, in [0,1]
   * @param minSkinOnlyScore smallest detector score at which skin alone (no eye found) verifies a
   *     face, in [0,1]; {@code minScore} gives the behaviour before issue 13's seventh part
   */
  public FaceVerifier(double minScore, double minSkin, double minSkinOnlyScore) {
    if (!(minScore >= 0 && minScore <= 1) || !(minSkin >= 0 && minSkin <= 1)
        || !(minSkinOnlyScore >= 0 && minSkinOnlyScore <= 1)) {
      throw new IllegalArgumentException("minScore, minSkin and minSkinOnlyScore must be in [0,1]");
    }
    this.minScore = minScore;
    this.minSkin = minSkin;
    this.minSkinOnlyScore = minSkinOnlyScore;
  }

  /**
   * Score 0.5 (a cascade hit with its minimum neighbours), skin 0.3, skin alone from score
   * {@value #DEFAULT_SKIN_ONLY_SCORE}.
   */
  public FaceVerifier() {
    this(0.5, 0.3);
  }

  /** @return the score from which skin colour alone (no eye) verifies a face */
  public double minSkinOnlyScore() {
    return minSkinOnlyScore;
  }

  /** @return the smallest detector score accepted */
  public double minScore() {
    return minScore;
  }

  /** @return the skin share that verifies a face without eyes */
  public double minSkin() {
    return minSkin;
  }

  /**
   * @param rgb the source image
   * @param d a face detection on it
   * @return whether it counts as a face
   */
  public boolean verify(BufferedImage rgb, Detection d) {
    if (d.score() < minScore) {
      return false;
    }
    Box b = d.box().clamp(rgb.getWidth(), rgb.getHeight());
    if (b.w() < 4 || b.h() < 4) {
      return false;
    }
    BufferedImage face = ImageOps.crop(rgb, (int) b.x(), (int) b.y(), (int) Math.max(1, Math.floor(b.w())),
        (int) Math.max(1, Math.floor(b.h())));
    return d.score() >= minSkinOnlyScore && skinShare(face) >= minSkin || eyes(face) > 0;
  }

  /**
   * @param face a face crop
   * @return eyes found by the eye cascade in its upper 60%
   */
  public int eyes(BufferedImage face) {
    BufferedImage f = ImageOps.resize(face, 120, Math.max(16, (int) Math.round(120.0 * face.getHeight() / face.getWidth())));
    int h = f.getHeight();
    try (Mat gray = CvImages.toGray(f)) {
      opencv_imgproc.equalizeHist(gray, gray);
      try (Mat upper = gray.rowRange(0, h * 3 / 5).clone(); RectVector e = new RectVector()) {
        eyes.get().detectMultiScale(upper, e, 1.1, 3, 0, new Size(12, 12), new Size(60, 60));
        return (int) e.size();
      }
    }
  }

  /**
   * @param face a face crop
   * @return share of skin-coloured pixels in its central 60% x 60%
   */
  public static double skinShare(BufferedImage face) {
    int w = face.getWidth();
    int h = face.getHeight();
    int x0 = w / 5;
    int y0 = h / 5;
    int x1 = Math.max(x0 + 1, w - w / 5);
    int y1 = Math.max(y0 + 1, h - h / 5);
    int skin = 0;
    int n = 0;
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        if (isSkin(face.getRGB(x, y))) {
          skin++;
        }
        n++;
      }
    }
    return n == 0 ? 0 : skin / (double) n;
  }
  /**
   * The skin rule of {@link #skinShare}: YCrCb chroma in Cr [135, 173], Cb [77, 127] and luma
   * above 40.
   */
  static boolean isSkin(int rgb) {
    int r = (rgb >> 16) & 255;
    int g = (rgb >> 8) & 255;
    int b = rgb & 255;
    double yy = 0.299 * r + 0.587 * g + 0.114 * b;
    double cr = (r - yy) * 0.713 + 128;
    double cb = (b - yy) * 0.564 + 128;
    return cr >= 135 && cr <= 173 && cb >= 77 && cb <= 127 && yy > 40;
  }

}
