package io.sightline.core.onnx;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.ModelException;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.Nms;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.Layout;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An {@link ObjectDetector} backed by an ONNX detection model run by DJL's ONNX Runtime engine.
 *
 * <h2>Supported output formats</h2>
 *
 * <dl>
 *   <dt>{@link Format#YOLO_V5} — raw YOLOv5/v7-style output</dt>
 *   <dd>One output {@code [1, N, 5 + C]}: per candidate {@code cx, cy, w, h, objectness}, then C
 *       class scores. Score = objectness × best class score.</dd>
 *   <dt>{@link Format#YOLO_V8} — raw YOLOv8/v11-style output</dt>
 *   <dd>One output {@code [1, 4 + C, N]} (the Ultralytics export) or its transpose
 *       {@code [1, N, 4 + C]}: per candidate {@code cx, cy, w, h}, then C class scores (no
 *       objectness). Score = best class score. When both dimensions equal 4 + C, the Ultralytics
 *       layout {@code [1, 4 + C, N]} is assumed.</dd>
 *   <dt>{@link Format#BOXES_SCORES_LABELS} — post-NMS outputs (SSD, Faster R-CNN, RetinaNet and
 *       TF Object Detection exports)</dt>
 *   <dd>Three outputs, named by {@link Builder#boxesOutput}, {@link Builder#scoresOutput},
 *       {@link Builder#labelsOutput} (default {@code boxes}, {@code scores}, {@code labels}):
 *       boxes {@code [1, K, 4]} or {@code [K, 4]}, scores {@code [1, K]} or {@code [K]}, labels
 *       {@code [1, K]} or {@code [K]} (int or float class indices, minus
 *       {@link Builder#labelOffset}, e.g. 1 when index 0 is the background). Box corners are
 *       encoded as {@link BoxEncoding} (default XYXY).</dd>
 * </dl>
 *
 * <p>For every format, boxes are in model-input pixels unless
 * {@link Builder#normalizedBoxes(boolean)} says they are fractions of the input size. Candidates
 * under the confidence threshold are dropped; YOLO outputs then go through class-wise (or, if asked,
 * class-agnostic) greedy NMS ({@link Nms}); post-NMS formats skip NMS unless asked. Boxes are
 * mapped back through the resize (default {@link ResizeMode#LETTERBOX}, as YOLO is trained) to
 * pixels of the caller's image and clamped to it.
 *
 * <p>{@link Builder#build()} loads the model and runs a probe inference that checks the output
 * names and shapes against the format and the number of labels, so a mismatched model fails with
 * a {@link ModelException} naming the file and the expected shape.
 *
 * <p>Thread-safe (pooled DJL predictors); close it to release native memory.
 */
public final class OnnxObjectDetector implements ObjectDetector {
  /** Output format of the model; see the class documentation. */
  public enum Format {
    /** {@code [1, N, 5 + C]}: cx, cy, w, h, objectness, class scores. */
    YOLO_V5,
    /** {@code [1, 4 + C, N]} or {@code [1, N, 4 + C]}: cx, cy, w, h, class scores. */
    YOLO_V8,
    /** Separate boxes, scores and labels outputs, already non-max-suppressed. */
    BOXES_SCORES_LABELS
  }

  /** How four box numbers are ordered in {@link Format#BOXES_SCORES_LABELS}. */
  public enum BoxEncoding {
    /** x1, y1, x2, y2 (torchvision, most ONNX exports). */
    XYXY,
    /** y1, x1, y2, x2 (TensorFlow Object Detection API). */
    YXYX,
    /** x, y (top-left), width, height. */
    XYWH,
    /** centre x, centre y, width, height. */
    CXCYWH
  }

  private final OnnxModel model;
  private final Settings s;

  private record Settings(Format format, List<String> labels, String output, String boxes,
      String scores, String labelsName, BoxEncoding encoding, boolean normalized, int labelOffset,
      float confidence, double iou, boolean classWise, boolean nms, int maxDetections) {}

  private OnnxObjectDetector(OnnxModel model, Settings s) {
    this.model = model;
    this.s = s;
  }

  /** @return a new builder */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public List<Detection> detect(BufferedImage image) {
    OnnxImageEmbedder.checkImage(image, 0);
    ModelOutputs out = model.run(List.of(image));
    List<Detection> candidates = decode(out, image.getWidth(), image.getHeight());
    if (s.nms()) {
      return List.copyOf(Nms.apply(candidates, s.iou(), s.classWise(), s.maxDetections()));
    }
    candidates.sort((a, b) -> Float.compare(b.score(), a.score()));
    return List.copyOf(candidates.subList(0, Math.min(candidates.size(), s.maxDetections())));
  }

  private List<Detection> decode(ModelOutputs out, int origW, int origH) {
    return s.format() == Format.BOXES_SCORES_LABELS
        ? decodeBsl(out, origW, origH) : decodeYolo(out, origW, origH);
  }

  private List<Detection> decodeYolo(ModelOutputs out, int origW, int origH) {
    OutputTensor t = model.select(out, s.output(), 0);
    int c = s.labels().size();
    int attrs = s.format() == Format.YOLO_V5 ? 5 + c : 4 + c;
    long[] sh = t.shape();
    if (sh.length != 3 || sh[0] != 1 || (sh[2] != attrs && (s.format() == Format.YOLO_V5 || sh[1] != attrs))) {
      throw new ModelException("ONNX model " + model.file() + " output '" + t.name() + "' has shape "
          + Arrays.toString(sh) + "; " + s.format() + " with " + c + " labels expects "
          + (s.format() == Format.YOLO_V5 ? "[1, N, " + attrs + "]"
              : "[1, " + attrs + ", N] or [1, N, " + attrs + "]"));
    }
    boolean transposed = s.format() == Format.YOLO_V8 && sh[1] == attrs;
    int n = (int) (transposed ? sh[2] : sh[1]);
    float[] d = t.data();
    Preprocessor pre = model.preprocessor();
    double fx = s.normalized() ? pre.width() : 1;
    double fy = s.normalized() ? pre.height() : 1;
    List<Detection> dets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      final int row = i;
      java.util.function.IntToDoubleFunction at = transposed
          ? k -> d[k * n + row] : k -> d[row * attrs + k];
      int first = s.format() == Format.YOLO_V5 ? 5 : 4;
      double obj = s.format() == Format.YOLO_V5 ? at.applyAsDouble(4) : 1.0;
      if (obj < s.confidence()) {
        continue;
      }
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        double v = at.applyAsDouble(first + k);
        if (v > bestScore) {
          bestScore = v;
          best = k;
        }
      }
      double score = obj * bestScore;
      if (!(score >= s.confidence())) {
        continue;
      }
      double cx = at.applyAsDouble(0) * fx;
      double cy = at.applyAsDouble(1) * fy;
      double w = Math.abs(at.applyAsDouble(2) * fx);
      double h = Math.abs(at.applyAsDouble(3) * fy);
      if (!(Double.isFinite(cx) && Double.isFinite(cy) && Double.isFinite(w) && Double.isFinite(h))) {
        continue;
      }
      Box inInput = new Box(cx - w / 2, cy - h / 2, w, h);
      Box mapped = pre.toOriginal(inInput, origW, origH);
      if (!mapped.isEmpty()) {
        dets.add(new Detection(mapped, s.labels().get(best), (float) Math.min(1.0, score)));
      }
    }
    return dets;
  }

  private List<Detection> decodeBsl(ModelOutputs out, int origW, int origH) {
    OutputTensor boxes = model.select(out, s.boxes(), -1);
    OutputTensor scores = model.select(out, s.scores(), -1);
    OutputTensor labels = model.select(out, s.labelsName(), -1);
    int k = scores.data().length;
    if (boxes.data().length != 4 * k || labels.data().length != k) {
      throw new ModelException("ONNX model " + model.file() + " outputs boxes "
          + Arrays.toString(boxes.shape()) + ", scores " + Arrays.toString(scores.shape()) + ", labels "
          + Arrays.toString(labels.shape()) + "; expected boxes [1, K, 4], scores [1, K], labels [1, K]");
    }
    Preprocessor pre = model.preprocessor();
    double fx = s.normalized() ? pre.width() : 1;
    double fy = s.normalized() ? pre.height() : 1;
    float[] b = boxes.data();
    List<Detection> dets = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      float score = scores.data()[i];
      if (!(score >= s.confidence())) {
        continue;
      }
      int cls = Math.round(labels.data()[i]) - s.labelOffset();
      if (cls < 0 || cls >= s.labels().size()) {
        throw new ModelException("ONNX model " + model.file() + " output '" + labels.name()
            + "' gives class index " + Math.round(labels.data()[i]) + " (label offset " + s.labelOffset()
            + ") outside the " + s.labels().size() + " labels given");
      }
      double v0 = b[4 * i];
      double v1 = b[4 * i + 1];
      double v2 = b[4 * i + 2];
      double v3 = b[4 * i + 3];
      Box inInput;
      try {
        inInput = switch (s.encoding()) {
          case XYXY -> Box.ofCorners(v0 * fx, v1 * fy, v2 * fx, v3 * fy);
          case YXYX -> Box.ofCorners(v1 * fx, v0 * fy, v3 * fx, v2 * fy);
          case XYWH -> new Box(v0 * fx, v1 * fy, Math.abs(v2 * fx), Math.abs(v3 * fy));
          case CXCYWH -> new Box((v0 - Math.abs(v2) / 2) * fx, (v1 - Math.abs(v3) / 2) * fy,
              Math.abs(v2 * fx), Math.abs(v3 * fy));
        };
      } catch (IllegalArgumentException e) {
        continue; // non-finite coordinates
      }
      Box mapped = pre.toOriginal(inInput, origW, origH);
      if (!mapped.isEmpty()) {
        dets.add(new Detection(mapped, s.labels().get(cls), Math.min(1f, score)));
      }
    }
    return dets;
  }

  @Override
  public String id() {
    return model.id();
  }

  /** @return the labels, in class-index order */
  public List<String> labels() {
    return s.labels();
  }

  @Override
  public void close() {
    model.close();
  }

  /** Fluent builder; not thread-safe. */
  public static final class Builder extends OnnxModelBuilder<Builder> {
    private Format format;
    private List<String> labels;
    private Path labelsFile;
    private String output;
    private String boxes = "boxes";
    private String scores = "scores";
    private String labelsOutput = "labels";
    private BoxEncoding encoding = BoxEncoding.XYXY;
    private boolean normalized;
    private int labelOffset;
    private float confidence = 0.25f;
    private double iou = 0.45;
    private boolean classWise = true;
    private Boolean nms;
    private int maxDetections = 100;

    private Builder() {
      super(ResizeMode.LETTERBOX);
    }

    /**
     * @param format the output format (required)
     * @return this
     */
    public Builder format(Format format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /**
     * @param labels class names in class-index order (required, or {@link #labelsFile})
     * @return this
     */
    public Builder labels(List<String> labels) {
      this.labels = List.copyOf(labels);
      return this;
    }

    /**
     * @param file UTF-8 file, one class name per line in class-index order
     * @return this
     */
    public Builder labelsFile(Path file) {
      this.labelsFile = file;
      return this;
    }

    /**
     * @param name the YOLO output (default: the first output)
     * @return this
     */
    public Builder outputName(String name) {
      this.output = name;
      return this;
    }

    /**
     * @param name boxes output for BOXES_SCORES_LABELS (default "boxes")
     * @return this
     */
    public Builder boxesOutput(String name) {
      this.boxes = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * @param name scores output for BOXES_SCORES_LABELS (default "scores")
     * @return this
     */
    public Builder scoresOutput(String name) {
      this.scores = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * @param name labels output for BOXES_SCORES_LABELS (default "labels")
     * @return this
     */
    public Builder labelsOutput(String name) {
      this.labelsOutput = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * @param encoding corner order of BOXES_SCORES_LABELS boxes (default XYXY)
     * @return this
     */
    public Builder boxEncoding(BoxEncoding encoding) {
      this.encoding = Objects.requireNonNull(encoding, "encoding");
      return this;
    }

    /**
     * @param normalized whether box numbers are fractions of the input size (default false:
     *     input pixels)
     * @return this
     */
    public Builder normalizedBoxes(boolean normalized) {
      this.normalized = normalized;
      return this;
    }

    /**
     * @param offset subtracted from BOXES_SCORES_LABELS class indices (1 when 0 is background)
     * @return this
     */
    public Builder labelOffset(int offset) {
      this.labelOffset = offset;
      return this;
    }

    /**
     * @param threshold minimum score kept, in [0,1] (default 0.25)
     * @return this
     */
    public Builder confidenceThreshold(float threshold) {
      if (!(threshold >= 0 && threshold <= 1)) {
        throw new IllegalArgumentException("confidence threshold must be in [0,1]: " + threshold);
      }
      this.confidence = threshold;
      return this;
    }

    /**
     * @param threshold NMS IoU threshold in [0,1] (default 0.45)
     * @return this
     */
    public Builder iouThreshold(double threshold) {
      if (!(threshold >= 0 && threshold <= 1)) {
        throw new IllegalArgumentException("IoU threshold must be in [0,1]: " + threshold);
      }
      this.iou = threshold;
      return this;
    }

    /**
     * @param classWise true (default): NMS only between boxes of the same label
     * @return this
     */
    public Builder classWiseNms(boolean classWise) {
      this.classWise = classWise;
      return this;
    }

    /**
     * @param apply whether to run NMS (default: true for YOLO formats, false for post-NMS outputs)
     * @return this
     */
    public Builder applyNms(boolean apply) {
      this.nms = apply;
      return this;
    }

    /**
     * @param max most detections returned per image (default 100)
     * @return this
     */
    public Builder maxDetections(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxDetections must be positive: " + max);
      }
      this.maxDetections = max;
      return this;
    }

    /**
     * Loads the model and checks its outputs with a probe inference.
     *
     * @return the detector
     * @throws IllegalStateException when modelPath, inputSize, format or labels are missing
     * @throws ModelException when the model is missing, malformed or its outputs do not fit the
     *     declared format and labels
     */
    public OnnxObjectDetector build() {
      Preprocessor pre = opts.preprocessor("OnnxObjectDetector");
      if (format == null) {
        throw new IllegalStateException("OnnxObjectDetector: format is required (YOLO_V5, YOLO_V8 or BOXES_SCORES_LABELS)");
      }
      List<String> names = resolveLabels();
      Settings settings = new Settings(format, names, output, boxes, scores, labelsOutput, encoding,
          normalized, labelOffset, confidence, iou, classWise,
          nms != null ? nms : format != Format.BOXES_SCORES_LABELS, maxDetections);
      OnnxModel model = OnnxModel.load(opts.modelPath, pre, opts.engineOptions);
      try {
        OnnxObjectDetector det = new OnnxObjectDetector(model, settings);
        BufferedImage probe = OnnxImageEmbedder.probeImage(pre);
        ModelOutputs out = model.run(List.of(probe));
        if (format == Format.BOXES_SCORES_LABELS) {
          // shape checks only: a probe image may legitimately give class indices of padding rows
          OutputTensor b = model.select(out, boxes, -1);
          OutputTensor sc = model.select(out, scores, -1);
          OutputTensor l = model.select(out, labelsOutput, -1);
          int k = sc.data().length;
          if (b.data().length != 4 * k || l.data().length != k) {
            throw new ModelException("ONNX model " + model.file() + " outputs boxes "
                + Arrays.toString(b.shape()) + ", scores " + Arrays.toString(sc.shape()) + ", labels "
                + Arrays.toString(l.shape()) + "; expected boxes [1, K, 4], scores [1, K], labels [1, K]");
          }
        } else {
          det.decodeYolo(out, pre.width(), pre.height());
        }
        return det;
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }

    private List<String> resolveLabels() {
      return Labels.resolve("OnnxObjectDetector", labels, labelsFile);
    }
  }
}
