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
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.FaceDetectorYN;

/**
 * Face detection with the YuNet ONNX model through OpenCV's {@code FaceDetectorYN}. The user
 * supplies the model file (for example {@code face_detection_yunet_2023mar.onnx} from the OpenCV
 * model zoo); nothing is downloaded. Images are reduced to at most {@code maxSide} pixels first.
 *
 * <p>Thread-safe: each thread gets its own OpenCV detector.
 */
public final class YuNetFaceDetector implements ObjectDetector {
  private final Path model;
  private final float scoreThreshold;
  private final float nmsThreshold;
  private final int maxSide;
  private final ThreadLocal<FaceDetectorYN> detectors;

  /**
   * @param model the YuNet ONNX file
   * @param scoreThreshold minimum face score in (0,1), e.g. 0.8
   * @param nmsThreshold non-maximum suppression IoU threshold in (0,1), e.g. 0.3
   * @param maxSide longer side the image is reduced to before detection
   * @throws ModelException when the file is missing or OpenCV cannot load it as YuNet
   */
  public YuNetFaceDetector(Path model, float scoreThreshold, float nmsThreshold, int maxSide) {
    if (model == null || !Files.isRegularFile(model)) {
      throw new ModelException("YuNet model " + model + " does not exist; expected an ONNX file such as "
          + "face_detection_yunet_2023mar.onnx from the OpenCV model zoo");
    }
    if (!(scoreThreshold > 0 && scoreThreshold < 1) || !(nmsThreshold > 0 && nmsThreshold < 1) || maxSide < 32) {
      throw new IllegalArgumentException("need thresholds in (0,1) and maxSide >= 32");
    }
    this.model = model;
    this.scoreThreshold = scoreThreshold;
    this.nmsThreshold = nmsThreshold;
    this.maxSide = maxSide;
    this.detectors = ThreadLocal.withInitial(this::load);
    detectors.get();
  }

  /**
   * @param model the YuNet ONNX file
   * @return a detector with score threshold 0.8, NMS 0.3, 960 pixels
   */
  public static YuNetFaceDetector of(Path model) {
    return new YuNetFaceDetector(model, 0.8f, 0.3f, 960);
  }

  private FaceDetectorYN load() {
    try {
      FaceDetectorYN d = FaceDetectorYN.create(model.toString(), "", new Size(320, 320), scoreThreshold,
          nmsThreshold, 5000, 0, 0);
      if (d == null || d.isNull()) {
        throw new ModelException("OpenCV could not load YuNet model " + model);
      }
      return d;
    } catch (RuntimeException e) {
      if (e instanceof ModelException me) {
        throw me;
      }
      throw new ModelException("OpenCV could not load YuNet model " + model + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<Detection> detect(BufferedImage image) {
    BufferedImage small = ImageOps.fitWithin(image, maxSide);
    double back = image.getWidth() / (double) small.getWidth();
    FaceDetectorYN d = detectors.get();
    List<Detection> out = new ArrayList<>();
    try (Mat bgr = CvImages.toBgr(small); Mat faces = new Mat()) {
      d.setInputSize(new Size(small.getWidth(), small.getHeight()));
      d.detect(bgr, faces);
      if (!faces.empty()) {
        float[] v = CvImages.floats(faces);
        int cols = faces.cols();
        for (int r = 0; r < faces.rows(); r++) {
          int o = r * cols;
          Box b = new Box(Math.max(0, v[o]) * back, Math.max(0, v[o + 1]) * back, Math.max(0, v[o + 2]) * back,
              Math.max(0, v[o + 3]) * back).clamp(image.getWidth(), image.getHeight());
          if (!b.isEmpty()) {
            out.add(new Detection(b, "face", v[o + cols - 1]));
          }
        }
      }
    }
    out.sort(Comparator.comparingDouble(Detection::score).reversed());
    return List.copyOf(out);
  }

  @Override
  public String id() {
    return "opencv-yunet:" + model.getFileName() + "/4.10";
  }
}
