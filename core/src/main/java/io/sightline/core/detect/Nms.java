package io.sightline.core.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Greedy non-maximum suppression: detections are visited best score first, and one is dropped
 * when its IoU with an already kept detection (of the same label, for class-wise NMS) exceeds the
 * threshold. Pure Java, stateless, thread-safe.
 */
public final class Nms {
  private Nms() {}

  /**
   * @param detections candidates in any order
   * @param iouThreshold drop a candidate whose IoU with a kept one is above this, in [0,1]
   * @param classWise true: only detections with the same label suppress each other; false: any
   * @param maxDetections keep at most this many (the best)
   * @return the kept detections, best score first (ties keep their input order)
   */
  public static List<Detection> apply(List<Detection> detections, double iouThreshold,
      boolean classWise, int maxDetections) {
    if (iouThreshold < 0 || iouThreshold > 1 || Double.isNaN(iouThreshold)) {
      throw new IllegalArgumentException("IoU threshold must be in [0,1]: " + iouThreshold);
    }
    if (maxDetections < 0) {
      throw new IllegalArgumentException("maxDetections must be >= 0: " + maxDetections);
    }
    List<Detection> sorted = new ArrayList<>(detections);
    sorted.sort(Comparator.comparingDouble((Detection d) -> d.score()).reversed());
    List<Detection> kept = new ArrayList<>();
    for (Detection d : sorted) {
      if (kept.size() >= maxDetections) {
        break;
      }
      boolean suppressed = false;
      for (Detection k : kept) {
        if ((!classWise || k.label().equals(d.label())) && k.box().iou(d.box()) > iouThreshold) {
          suppressed = true;
          break;
        }
      }
      if (!suppressed) {
        kept.add(d);
      }
    }
    return kept;
  }

  /**
   * Class-wise NMS without a limit.
   *
   * @param detections candidates
   * @param iouThreshold IoU above which the lower-scored of two same-label boxes is dropped
   * @return the kept detections, best first
   */
  public static List<Detection> classWise(List<Detection> detections, double iouThreshold) {
    return apply(detections, iouThreshold, true, Integer.MAX_VALUE);
  }
}
