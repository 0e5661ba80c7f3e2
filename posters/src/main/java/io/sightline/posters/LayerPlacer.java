package io.sightline.posters;

import io.sightline.core.detect.Box;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses where a floating layer goes (claims 1, 9 and 11). Works on summed-area tables of a
 * reduced copy of the poster (longer side at most {@value #WORK_SIDE} pixels): one of the grey
 * levels and their squares (pixel variance of any rectangle in O(1)) and one of the obstacle mask
 * (the merged face and salient regions, plus layers already placed when asked to).
 *
 * <p>Candidates are every position of the layer inside its region on a grid whose step is a
 * quarter of the layer's shorter side, plus the region's far edges. Not thread-safe (one per poster).
 */
public final class LayerPlacer {
  /** Longer side of the working copy. */
  public static final int WORK_SIDE = 640;

  /**
   * The chosen place and its evidence.
   *
   * @param box the place, in poster pixels
   * @param overlap poster pixels of obstacles (faces included) it covers
   * @param variance grey-level variance under it
   * @param candidates places compared
   * @param faceOverlap poster pixels of face obstacles it covers (0 unless no place avoids faces)
   */
  public record Placement(Box box, double overlap, double variance, int candidates, double faceOverlap) {
    /** A placement without face obstacles. */
    public Placement(Box box, double overlap, double variance, int candidates) {
      this(box, overlap, variance, candidates, 0);
    }
  }

  private final int width;
  private final int height;
  private final double scale;
  private final int sw;
  private final int sh;
  private final double[] sum;
  private final double[] sumSq;
  private final boolean[] mask;
  private int[] maskSum;
  private final boolean[] faceMask;
  private int[] faceSum;
  private boolean anyFace;

  /**
   * @param poster the cropped poster before any layer is drawn
   * @param obstacles face and salient boxes in poster pixels
   */
  public LayerPlacer(BufferedImage poster, List<Box> obstacles) {
    this.width = poster.getWidth();
    this.height = poster.getHeight();
    this.scale = Math.min(1.0, WORK_SIDE / (double) Math.max(width, height));
    BufferedImage small = scale < 1 ? ImageOps.resize(poster, Math.max(1, (int) Math.round(width * scale)),
        Math.max(1, (int) Math.round(height * scale))) : poster;
    this.sw = small.getWidth();
    this.sh = small.getHeight();
    float[] gray = ImageOps.toGray(small);
    sum = new double[(sw + 1) * (sh + 1)];
    sumSq = new double[(sw + 1) * (sh + 1)];
    for (int y = 0; y < sh; y++) {
      double row = 0;
      double rowSq = 0;
      for (int x = 0; x < sw; x++) {
        double v = gray[y * sw + x];
        row += v;
        rowSq += v * v;
        sum[(y + 1) * (sw + 1) + x + 1] = sum[y * (sw + 1) + x + 1] + row;
        sumSq[(y + 1) * (sw + 1) + x + 1] = sumSq[y * (sw + 1) + x + 1] + rowSq;
      }
    }
    mask = new boolean[sw * sh];
    faceMask = new boolean[sw * sh];
    for (Box b : obstacles) {
      addObstacle(b);
    }
  }

  /**
   * @param poster the cropped poster before any layer is drawn
   * @param faces face (head) boxes in poster pixels: a layer goes over one only when no place in
   *     its region avoids every face, whatever else it covers
   * @param obstacles subject boxes in poster pixels
   */
  public LayerPlacer(BufferedImage poster, List<Box> faces, List<Box> obstacles) {
    this(poster, obstacles);
    for (Box f : faces) {
      addFaceObstacle(f);
    }
  }

  /** @param b a face region layers must avoid before anything else, in poster pixels */
  public void addFaceObstacle(Box b) {
    addObstacle(b);
    fill(faceMask, b);
    anyFace = true;
    faceSum = null;
  }

  /** @param b a region layers should avoid from now on, in poster pixels */
  public void addObstacle(Box b) {
    fill(mask, b);
    maskSum = null;
  }

  private void fill(boolean[] m, Box b) {
    Box c = b.clamp(width, height);
    if (c.isEmpty()) {
      return;
    }
    int x0 = (int) Math.floor(c.x() * scale);
    int y0 = (int) Math.floor(c.y() * scale);
    int x1 = Math.min(sw, (int) Math.ceil(c.x2() * scale));
    int y1 = Math.min(sh, (int) Math.ceil(c.y2() * scale));
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        m[y * sw + x] = true;
      }
    }
  }

  private int[] table(boolean[] m) {
    int[] t = new int[(sw + 1) * (sh + 1)];
    for (int y = 0; y < sh; y++) {
      int row = 0;
      for (int x = 0; x < sw; x++) {
        row += m[y * sw + x] ? 1 : 0;
        t[(y + 1) * (sw + 1) + x + 1] = t[y * (sw + 1) + x + 1] + row;
      }
    }
    return t;
  }

  /**
   * @param b a box in poster pixels
   * @return poster pixels of the face obstacles inside {@code b}
   */
  public double faceOverlap(Box b) {
    if (!anyFace) {
      return 0;
    }
    if (faceSum == null) {
      faceSum = table(faceMask);
    }
    return count(faceSum, rect(b)) / (scale * scale);
  }

  private int count(int[] t, int[] r) {
    int s = sw + 1;
    return t[r[3] * s + r[2]] - t[r[1] * s + r[2]] - t[r[3] * s + r[0]] + t[r[1] * s + r[0]];
  }

  private int[] rect(Box b) {
    int x0 = Math.max(0, Math.min(sw - 1, (int) Math.floor(b.x() * scale)));
    int y0 = Math.max(0, Math.min(sh - 1, (int) Math.floor(b.y() * scale)));
    int x1 = Math.max(x0 + 1, Math.min(sw, (int) Math.round(b.x2() * scale)));
    int y1 = Math.max(y0 + 1, Math.min(sh, (int) Math.round(b.y2() * scale)));
    return new int[] {x0, y0, x1, y1};
  }

  private double rsum(double[] t, int[] r) {
    int s = sw + 1;
    return t[r[3] * s + r[2]] - t[r[1] * s + r[2]] - t[r[3] * s + r[0]] + t[r[1] * s + r[0]];
  }

  /**
   * @param b a box in poster pixels
   * @return poster pixels of the obstacle mask inside {@code b}
   */
  public double overlap(Box b) {
    if (maskSum == null) {
      maskSum = table(mask);
    }
    return count(maskSum, rect(b)) / (scale * scale);
  }

  /**
   * @param b a box in poster pixels
   * @return the variance of grey levels (0..1 units) inside {@code b}
   */
  public double variance(Box b) {
    int[] r = rect(b);
    double n = (double) (r[2] - r[0]) * (r[3] - r[1]);
    double m = rsum(sum, r) / n;
    return Math.max(0, rsum(sumSq, r) / n - m * m);
  }

  /**
   * @param region allowed region in poster pixels
   * @param lw layer width in pixels
   * @param lh layer height in pixels
   * @param strategy the selection rule
   * @return the chosen place
   * @throws PosterException when the layer does not fit in the region
   */
  public Placement place(Box region, double lw, double lh, PlacementStrategy strategy) {
    if (lw > region.w() + 0.5 || lh > region.h() + 0.5) {
      throw new PosterException("layer of " + Math.round(lw) + "x" + Math.round(lh) + " pixels does not fit its "
          + Math.round(region.w()) + "x" + Math.round(region.h()) + " region");
    }
    double step = Math.max(1, Math.min(lw, lh) / 4);
    List<Double> xs = positions(region.x(), region.x2() - lw, step);
    List<Double> ys = positions(region.y(), region.y2() - lh, step);
    Box best = null;
    double bestFace = Double.POSITIVE_INFINITY;
    double bestOverlap = Double.POSITIVE_INFINITY;
    double bestVar = Double.POSITIVE_INFINITY;
    double tol = 0.5 / (scale * scale);
    boolean avoid = strategy == PlacementStrategy.AVOID_SUBJECTS;
    for (double y : ys) {
      for (double x : xs) {
        Box c = new Box(x, y, lw, lh);
        double v = variance(c);
        double f = avoid ? faceOverlap(c) : 0;
        double o = avoid ? overlap(c) : 0;
        boolean better = f < bestFace - tol || (Math.abs(f - bestFace) <= tol
            && (o < bestOverlap - tol || (Math.abs(o - bestOverlap) <= tol && v < bestVar)));
        if (best == null || better) {
          best = c;
          bestFace = f;
          bestOverlap = o;
          bestVar = v;
        }
      }
    }
    return new Placement(best, overlap(best), bestVar, xs.size() * ys.size(), faceOverlap(best));
  }

  private static List<Double> positions(double from, double to, double step) {
    List<Double> out = new ArrayList<>();
    if (to <= from) {
      out.add(from);
      return out;
    }
    for (double p = from; p < to; p += step) {
      out.add((double) Math.round(p));
    }
    out.add((double) Math.round(to));
    return out;
  }
}
