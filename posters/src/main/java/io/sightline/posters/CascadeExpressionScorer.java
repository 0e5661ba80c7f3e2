package io.sightline.posters;

import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * A training-free proxy for the seed's expression score (an undistorted, clear facial expression
 * scores high): on a face crop it checks with OpenCV's bundled cascades that the eyes are visible
 * in the upper half (0, 1 or 2 eyes), whether a smile is found in the lower half, and how sharp
 * the face is. Score = {@code 0.45·eyes/2 + 0.25·smile + 0.30·sharpness}. This is a heuristic,
 * not a trained expression model; plug a model with {@link ImageScorer#fromClassifier}.
 *
 * <p>Thread-safe: each thread gets its own cascades.
 */
public final class CascadeExpressionScorer implements ImageScorer {
  private final ThreadLocal<CascadeClassifier[]> cascades = ThreadLocal.withInitial(() -> new CascadeClassifier[] {
      load("haarcascades/haarcascade_eye.xml"), load("haarcascades/haarcascade_smile.xml")});

  private static CascadeClassifier load(String resource) {
    CascadeClassifier c = new CascadeClassifier();
    if (!c.load(CvImages.bundled(resource).toString())) {
      throw new io.sightline.core.ModelException("cannot load bundled cascade " + resource);
    }
    return c;
  }

  @Override
  public double score(BufferedImage face) {
    BufferedImage f = ImageOps.resize(face, 160, Math.max(16, (int) Math.round(160.0 * face.getHeight() / face.getWidth())));
    CascadeClassifier[] cs = cascades.get();
    int h = f.getHeight();
    int eyes;
    int smiles;
    try (Mat gray = CvImages.toGray(f)) {
      opencv_imgproc.equalizeHist(gray, gray);
      try (Mat upper = gray.rowRange(0, h * 11 / 20).clone(); Mat lower = gray.rowRange(h / 2, h).clone();
          RectVector e = new RectVector(); RectVector s = new RectVector()) {
        cs[0].detectMultiScale(upper, e, 1.1, 6, 0, new Size(16, 16), new Size(80, 80));
        cs[1].detectMultiScale(lower, s, 1.15, 20, 0, new Size(30, 12), new Size());
        eyes = (int) Math.min(2, e.size());
        smiles = s.size() > 0 ? 1 : 0;
      }
    }
    double sharp = Sharpness.normalise(Sharpness.laplacianVariance(f), Sharpness.DEFAULT_HALF_POINT);
    return 0.45 * eyes / 2.0 + 0.25 * smiles + 0.30 * sharp;
  }

  @Override
  public String id() {
    return "opencv-cascade-expression-proxy/1";
  }
}
