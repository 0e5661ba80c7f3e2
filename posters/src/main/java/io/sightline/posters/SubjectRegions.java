package io.sightline.posters;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Subject extent from the importance map (issue 13, second part): the map is thresholded at
 * {@code level} times its maximum, closed (so a subject's parts join), split into connected
 * regions, and every region holding at least {@code minShare} of the map's importance is a
 * subject region. The crop search subtracts {@code weight · share} from a window that slices a
 * region it could hold whole (partly inside, partly outside). Sliding-window scores alone only see
 * the importance in a thin band at the window edge; a subject with a quiet middle (a horse's
 * flank, a motorcycle between its wheels) was cut there.
 *
 * @param level threshold as a fraction of the map's maximum, in (0,1)
 * @param minShare smallest share of the total importance a region must hold, in [0,1]
 * @param close closing kernel as a fraction of the map's shorter side, in [0,0.5]
 * @param margin map pixels added around each region's box (the map is coarser than the image)
 * @param weight penalty for slicing a region, times its share; 0 turns the term off
 */
public record SubjectRegions(double level, double minShare, double close, int margin, double weight) {
  /** Off: no subject regions (the first part of issue 13). */
  public static final SubjectRegions OFF = new SubjectRegions(0.3, 0.05, 0.03, 1, 0);
  /**
   * The settings chosen on the tune split (seed 7) of {@code SubjectTuning}; not the default (see
   * {@link CropSearch#withSubjectRegions()}): on the held-out split they moved one or two scenes of
   * 150 either way and, with full-size analysis, cut one more face scene.
   */
  public static final SubjectRegions TUNED = new SubjectRegions(0.3, 0.05, 0.03, 1, 1);

  /** Validates. */
  public SubjectRegions {
    if (!(level > 0 && level < 1) || !(minShare >= 0 && minShare <= 1) || !(close >= 0 && close <= 0.5)
        || margin < 0 || margin > 64 || !(weight >= 0 && weight < 1e6)) {
      throw new IllegalArgumentException("need level in (0,1), minShare in [0,1], close in [0,0.5], margin in "
          + "[0,64], weight >= 0");
    }
  }

  /**
   * A subject region in map pixels, half-open ({@code x1}, {@code y1} exclusive).
   *
   * @param x0 left
   * @param y0 top
   * @param x1 right
   * @param y1 bottom
   * @param share share of the map's importance inside the box
   */
  public record Region(int x0, int y0, int x1, int y1, double share) {}

  /**
   * @param map the (face-boosted) importance map
   * @return its subject regions, largest share first; empty when the term is off
   */
  public List<Region> find(ImportanceMap map) {
    double total = 0;
    for (float f : map.raw()) {
      total += f;
    }
    return find(map, null, total);
  }

  List<Region> find(ImportanceMap map, double[] sat, double total) {
    List<Region> out = new ArrayList<>();
    if (weight <= 0 || total <= 1e-9) {
      return out;
    }
    float[] v = map.raw();
    int w = map.width();
    int h = map.height();
    float max = 0;
    for (float f : v) {
      max = Math.max(max, f);
    }
    if (max <= 0) {
      return out;
    }
    float t = (float) (level * max);
    byte[] bin = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      bin[i] = v[i] >= t ? (byte) 255 : 0;
    }
    try (Mat m = CvImages.fromBytes(bin, w, h); Mat labels = new Mat(); Mat stats = new Mat();
        Mat centroids = new Mat()) {
      int k = Math.max(1, (int) Math.round(close * Math.min(w, h))) | 1;
      if (k > 1) {
        try (Mat kernel = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_ELLIPSE, new Size(k, k))) {
          opencv_imgproc.morphologyEx(m, m, opencv_imgproc.MORPH_CLOSE, kernel);
        }
      }
      int n = opencv_imgproc.connectedComponentsWithStats(m, labels, stats, centroids, 8, opencv_core.CV_32S);
      int cols = stats.cols();
      int[] st = new int[stats.rows() * cols];
      new IntPointer(stats.data()).get(st);
      int stride = w + 1;
      for (int c = 1; c < n; c++) {
        int x0 = Math.max(0, st[c * cols] - margin);
        int y0 = Math.max(0, st[c * cols + 1] - margin);
        int x1 = Math.min(w, st[c * cols] + st[c * cols + 2] + margin);
        int y1 = Math.min(h, st[c * cols + 1] + st[c * cols + 3] + margin);
        double mass;
        if (sat != null) {
          mass = sat[y1 * stride + x1] - sat[y0 * stride + x1] - sat[y1 * stride + x0] + sat[y0 * stride + x0];
        } else {
          mass = 0;
          for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
              mass += v[y * w + x];
            }
          }
        }
        double share = mass / total;
        if (share >= minShare) {
          out.add(new Region(x0, y0, x1, y1, share));
        }
      }
    }
    out.sort((a, b) -> Double.compare(b.share(), a.share()));
    return out;
  }
}
