package io.sightline.posters;

import io.sightline.core.ModelException;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_objdetect;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * Face (or other target) detection with an OpenCV Haar/LBP cascade. The default cascades ship
 * inside the OpenCV natives jar ({@link #frontalFace()}, {@link #profileFace()}, ...); any other
 * cascade XML file can be given with {@link #fromFile}. Images are reduced to {@code maxSide}
 * pixels on their longer side (a panorama's shorter side is kept at 9/16 of that) before detection
 * and boxes are mapped back.
 *
 * <p>Thread-safe: each thread gets its own {@link CascadeClassifier} (OpenCV's is not
 * thread-safe). Scores are not calibrated probabilities: a detection's score is
 * {@code neighbours / (neighbours + minNeighbours)}, from OpenCV's reject levels.
 */
public final class CascadeFaceDetector implements ObjectDetector {
  /**
   * Longer side the bundled cascades work at (issue 13: 480 instead of 800 took a 1080p photo's
   * detection from about 250 to about 95 ms on one core but missed more faces; 560 found as many
   * faces as 800 on the tuning scenes for about 25 % more time than 480; faces under about 6 % of
   * a 16:9 photo's height are missed).
   */
  public static final int DEFAULT_MAX_SIDE = 560;

  /**
   * Pyramid step of {@link #frontalFace()} (issue 13: 1.15 instead of 1.10 cut the detection time
   * by about a third and lost 1 of 132 faces on the tuning scenes; 1.20 lost more).
   */
  public static final double DEFAULT_SCALE_STEP = 1.15;

  /** Grouping tolerance of OpenCV's {@code detectMultiScale} ({@code GROUP_EPS}). */
  private static final double GROUP_EPS = 0.2;
  private final Path cascade;
  private final String label;
  private final double scaleFactor;
  private final int minNeighbors;
  private final double minSizeFraction;
  private final int maxSide;
  private final int largeScaleLevels;
  private final ThreadLocal<CascadeClassifier> classifiers;

  private CascadeFaceDetector(Path cascade, String label, double scaleFactor, int minNeighbors,
      double minSizeFraction, int maxSide, int largeScaleLevels) {
    this.cascade = cascade;
    this.label = label;
    this.scaleFactor = scaleFactor;
    this.minNeighbors = minNeighbors;
    this.minSizeFraction = minSizeFraction;
    this.maxSide = maxSide;
    this.largeScaleLevels = largeScaleLevels;
    this.classifiers = ThreadLocal.withInitial(this::load);
    // fail now, not on first detect, when the file is not a cascade
    classifiers.get();
  }

  private CascadeFaceDetector(Path cascade, String label, double scaleFactor, int minNeighbors,
      double minSizeFraction, int maxSide) {
    this(cascade, label, scaleFactor, minNeighbors, minSizeFraction, maxSide, 0);
  }

  /**
   * The default face detector: the bundled {@code haarcascade_frontalface_alt2.xml} on a copy
   * reduced to {@value #DEFAULT_MAX_SIDE} px, pyramid step 1.15, 3 neighbours (the composer's
   * {@link FaceVerifier} then drops hits without an eye or skin). On the posters tune scenes (seed
   * 7) it found and verified 123 of 132 faces against 124 with the step 1.10 used before, in about
   * two thirds of the detection time (the cheapest setting tried that lost at most one face; see
   * BENCHMARKS.md, issue 13); before that, 560 px was chosen over 800 px (92% vs 95% of faces in
   * 40% of the time) and alt2 over {@code haarcascade_frontalface_default.xml} (98% vs 82% recall,
   * 0.04 vs 0.38 false positives per image).
   *
   * @return frontal faces
   */
  public static CascadeFaceDetector frontalFace() {
    return new CascadeFaceDetector(CvImages.bundled("haarcascades/haarcascade_frontalface_alt2.xml"), "face",
        DEFAULT_SCALE_STEP, 3, 0.04, DEFAULT_MAX_SIDE);
  }

  /** @return frontal faces with the fast bundled LBP cascade {@code lbpcascade_frontalface_improved.xml} */
  public static CascadeFaceDetector frontalFaceLbp() {
    return bundled("lbpcascades/lbpcascade_frontalface_improved.xml", "face");
  }

  /** @return profile faces with the bundled {@code haarcascade_profileface.xml} */
  public static CascadeFaceDetector profileFace() {
    return bundled("haarcascades/haarcascade_profileface.xml", "face");
  }

  /** @return full bodies with the bundled {@code haarcascade_fullbody.xml} */
  public static CascadeFaceDetector fullBody() {
    return bundled("haarcascades/haarcascade_fullbody.xml", "body");
  }

  /**
   * @param resource path under {@code share/opencv4/} in the OpenCV jar, e.g.
   *     {@code "lbpcascades/lbpcascade_frontalface_improved.xml"}
   * @param label label given to detections
   * @return a detector with default parameters (scale 1.1, 5 neighbours, images reduced to
   *     {@value #DEFAULT_MAX_SIDE} px on the longer side; the smallest face is the cascade's 20 px
   *     window there, about 7% of the shorter side of a 16:9 photo, 4% of a square one)
   */
  public static CascadeFaceDetector bundled(String resource, String label) {
    return new CascadeFaceDetector(CvImages.bundled(resource), label, 1.1, 5, 0.04, DEFAULT_MAX_SIDE);
  }

  /**
   * @param resource path under {@code share/opencv4/} in the OpenCV jar
   * @param label label given to detections
   * @param maxSide longer side the image is reduced to before detection, at least 32
   * @return a detector with the default scale, neighbours and minimum size
   */
  public static CascadeFaceDetector bundled(String resource, String label, int maxSide) {
    if (maxSide < 32) {
      throw new IllegalArgumentException("maxSide must be at least 32, got " + maxSide);
    }
    return new CascadeFaceDetector(CvImages.bundled(resource), label, 1.1, 5, 0.04, maxSide);
  }

  /**
   * @param resource path under {@code share/opencv4/} in the OpenCV jar
   * @return the cascade file, extracted from the jar (for {@link #fromFile})
   */
  public static Path bundledPath(String resource) {
    return CvImages.bundled(resource);
  }

  /**
   * A copy whose pyramid, from twice the cascade's window on (scale 2), has {@code perOctave}
   * levels per doubling of the object size (step {@code 2^(1/perOctave)}) instead of the
   * detector's own step; below scale 2 the pyramid is unchanged. OpenCV's cascade moves its window
   * by 2 pixels of each level below scale 2 but by 1 pixel from scale 2 on, so each of those levels
   * tries about four times as many positions per object size; with the step 1.15 they take about
   * half the detection time. The two pyramids run as two scans whose raw candidates are grouped
   * together ({@code groupRectangles}, as {@code detectMultiScale} does), so a detection's score
   * still counts its neighbours at every scale (two scans with the same levels give exactly the
   * one scan's detections).
   *
   * <p>A speed/recall trade-off, off by default: on the posters tune scenes (issue 13, fifth part)
   * 4, 3 and 2 levels per octave found and verified 120, 118 and 106 of 132 faces against 123 for
   * the one scan, for about 8, 17 and 27 % less detection time (mean of two runs). (Scanning the levels from scale 2
   * on a half-size copy instead, i.e. with a 2-pixel step there too, found 87.)
   *
   * @param perOctave levels per octave from scale 2, at least 1; 0 for one scan with the
   *     detector's step at every scale
   * @return the detector with that pyramid (the same cascade, label, step below 2 and sizes)
   */
  public CascadeFaceDetector withLargeScaleLevels(int perOctave) {
    if (perOctave < 0 || perOctave > 64) {
      throw new IllegalArgumentException("perOctave must be in [0,64], got " + perOctave);
    }
    return perOctave == largeScaleLevels ? this
        : new CascadeFaceDetector(cascade, label, scaleFactor, minNeighbors, minSizeFraction, maxSide, perOctave);
  }

  /** @return pyramid levels per octave from scale 2 on, 0 when one scan uses the step everywhere */
  public int largeScaleLevels() {
    return largeScaleLevels;
  }

  /** @return the longer side images are reduced to before detection */
  public int maxSide() {
    return maxSide;
  }

  /**
   * @param cascadeXml an OpenCV cascade file
   * @param label label given to detections
   * @param scaleFactor pyramid step, greater than 1
   * @param minNeighbors neighbours a candidate needs, at least 1
   * @param minSizeFraction smallest object as a fraction of the shorter image side, in (0,1)
   * @param maxSide longer side the image is reduced to before detection
   * @return the detector
   * @throws ModelException when the file is missing or is not a cascade
   */
  public static CascadeFaceDetector fromFile(Path cascadeXml, String label, double scaleFactor,
      int minNeighbors, double minSizeFraction, int maxSide) {
    if (cascadeXml == null || !Files.isRegularFile(cascadeXml)) {
      throw new ModelException("cascade file " + cascadeXml + " does not exist; expected an OpenCV cascade XML");
    }
    if (!(scaleFactor > 1) || minNeighbors < 1 || !(minSizeFraction > 0 && minSizeFraction < 1) || maxSide < 32) {
      throw new IllegalArgumentException("need scaleFactor > 1, minNeighbors >= 1, minSizeFraction in (0,1), "
          + "maxSide >= 32; got " + scaleFactor + ", " + minNeighbors + ", " + minSizeFraction + ", " + maxSide);
    }
    return new CascadeFaceDetector(cascadeXml, label, scaleFactor, minNeighbors, minSizeFraction, maxSide);
  }

  private CascadeClassifier load() {
    CascadeClassifier c = new CascadeClassifier();
    boolean ok;
    try {
      ok = c.load(cascade.toString()) && !c.empty();
    } catch (RuntimeException e) {
      c.close();
      throw new ModelException("cannot load OpenCV cascade " + cascade + ": " + e.getMessage(), e);
    }
    if (!ok) {
      c.close();
      throw new ModelException("cannot load OpenCV cascade " + cascade + ": not a Haar/LBP cascade XML");
    }
    return c;
  }

  @Override
  public List<Detection> detect(BufferedImage image) {
    BufferedImage small = CvImages.reduced(image, maxSide);
    double back = image.getWidth() / (double) small.getWidth();
    int minSide = Math.max(12, (int) Math.round(Math.min(small.getWidth(), small.getHeight()) * minSizeFraction));
    List<Detection> out = new ArrayList<>();
    try (Mat gray = CvImages.toGray(small); RectVector rects = new RectVector();
        IntPointer neighbours = new IntPointer()) {
      opencv_imgproc.equalizeHist(gray, gray);
      if (largeScaleLevels > 0) {
        scanTwoPyramids(classifiers.get(), gray, minSide, rects, neighbours);
      } else {
        classifiers.get().detectMultiScale2(gray, rects, neighbours, scaleFactor, minNeighbors, 0,
            new Size(minSide, minSide), new Size());
      }
      for (long i = 0; i < rects.size(); i++) {
        Rect r = rects.get(i);
        int n = i < neighbours.limit() ? neighbours.get(i) : minNeighbors;
        float score = (float) (n / (double) (n + minNeighbors));
        out.add(new Detection(new Box(r.x() * back, r.y() * back, r.width() * back, r.height() * back)
            .clamp(image.getWidth(), image.getHeight()), label, score));
      }
    }
    out.sort(Comparator.comparingDouble(Detection::score).reversed());
    return List.copyOf(out);
  }

  /**
   * Scales below 2 with the detector's step, scales from 2 with {@link #largeScaleLevels} levels
   * per octave; the raw candidates of both scans (no grouping, {@code minNeighbors} 0) are grouped
   * together as {@code detectMultiScale2} groups them.
   */
  private void scanTwoPyramids(CascadeClassifier c, Mat gray, int minSide, RectVector out, IntPointer neighbours) {
    Size win = c.getOriginalWindowSize();
    int ww = win.width();
    int wh = win.height();
    win.close();
    // a hair above 2^(1/k), so that the k-th level is at scale 2 or just above (OpenCV's 1-pixel step)
    double step = Math.pow(2, 1.0 / largeScaleLevels) * (1 + 1e-9);
    try (RectVector small = new RectVector(); RectVector big = new RectVector()) {
      c.detectMultiScale(gray, small, scaleFactor, 0, 0, new Size(minSide, minSide), new Size(2 * ww - 1, 2 * wh - 1));
      c.detectMultiScale(gray, big, step, 0, 0, new Size(Math.max(minSide, 2 * ww), Math.max(minSide, 2 * wh)),
          new Size());
      out.resize(0);
      for (long i = 0; i < small.size(); i++) {
        out.push_back(small.get(i));
      }
      for (long i = 0; i < big.size(); i++) {
        out.push_back(big.get(i));
      }
    }
    opencv_objdetect.groupRectangles(out, neighbours, minNeighbors, GROUP_EPS);
  }

  @Override
  public String id() {
    return "opencv-cascade:" + cascade.getFileName() + ":" + label
        + (largeScaleLevels > 0 ? ":large-levels-" + largeScaleLevels : "") + "/4.10";
  }
}
