package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.util.ArrayList;
import java.util.List;

/**
 * Crop search (issue 13): instead of centring the window on one box, every window of the target
 * aspect at several scales and positions is scored on an {@link ImportanceMap} with summed-area
 * tables (each score is O(1)):
 *
 * <pre>
 * score = kept − cutWeight·cut − thirdsWeight·thirds − eyeWeight·eyeLine − priorWeight·prior − scalePenalty·(1 − scale)
 * </pre>
 *
 * <ul>
 *   <li>{@code kept}: share of the image's importance inside the window;</li>
 *   <li>{@code cut}: share of the importance in a band straddling each window edge that is not
 *       the image border — what the window would slice through;</li>
 *   <li>{@code thirds}: distance of the importance centroid inside the window to the nearest of
 *       the lines at 1/3, 1/2, 2/3 (rule of thirds, centred subjects allowed);</li>
 *   <li>{@code eyeLine}: with faces, distance of their eye line to the upper third of the window;</li>
 *   <li>{@code prior}: distance of the window centre to the seed's crop centre ({@link CropPlanner}
 *       claims 2–4: salient centre, face centre, weighted sum, largest merged dilated box), in
 *       window sizes — weight 2 with faces (the seed's face rules lead; the search only moves the
 *       window as needed to keep heads whole and not slice the subject), 0.05 without.</li>
 * </ul>
 *
 * <p>Faces (verified ones: the composer verifies before they count) are dilated to the whole head
 * ({@link #head(Box)}) and added to the map as boosts; a window must hold the heads whole when
 * they fit in the largest window tried, else the faces, else the seed's centre box (the largest
 * merged dilated box) — windows that do not, smaller ones included, are only taken when none does
 * (so two people who fit together stay together, even where a tighter window around one of them
 * would score higher). A window that holds part of a face, neither all of it
 * nor none, loses {@value #FACE_SLICE_PENALTY} per face: when the faces cannot all be kept, the
 * ones left over are left out whole rather than cut in half. An equal aspect is never cropped
 * (seed (39)).
 *
 * <p>Optionally ({@link #withSubjectRegions()}, off by default) a window that slices a
 * {@link SubjectRegions subject region} the largest window could hold whole loses
 * {@code weight · share}.
 *
 * <p>Immutable and thread-safe.
 */
public final class CropSearch {
  /** Score lost for each face a window holds only in part (below the keep rule's 10, above every soft term). */
  static final double FACE_SLICE_PENALTY = 5.0;
  /**
   * Score lost per unit of window size below the largest window (see {@link #withScalePenalty(double)}):
   * 0.5, so a window at scale 0.8 must gain 0.1 (a tenth of the image's importance) over the best
   * largest window. Until 2026-12-04 it was 0.1, and on real photos the search zoomed in to avoid
   * grazing a neighbour and cut the subject (a plant pot at 1:1); chosen on the tune split and the
   * first three sets of real photos, checked on a fourth (BENCHMARKS, issue 13, ninth part).
   */
  public static final double DEFAULT_SCALE_PENALTY = 0.5;
  private final double[] scales;
  private final double cutWeight;
  private final double thirdsWeight;
  private final double eyeWeight;
  private final double faceBoost;
  private final SubjectRegions regions;
  private final double scalePenalty;

  /**
   * The defaults: scales 1, 0.9, 0.8 at {@link #DEFAULT_SCALE_PENALTY}; weights tuned on the
   * pasted-subject tune split; no subject-region term (see {@link #withSubjectRegions()}).
   */
  public CropSearch() {
    this(new double[] {1.0, 0.9, 0.8}, 6.0, 0.05, 0.1, 0.6, SubjectRegions.OFF);
  }

  /** @return the search as the first part of issue 13 left it (the default with the old scale penalty 0.1) */
  public static CropSearch firstPart() {
    return new CropSearch().withScalePenalty(0.1);
  }

  /**
   * @return the default search plus the subject-region term ({@link SubjectRegions#TUNED}): a
   *     window that slices a subject region it could hold whole loses score
   */
  public static CropSearch withSubjectRegions() {
    return new CropSearch(new double[] {1.0, 0.9, 0.8}, 6.0, 0.05, 0.1, 0.6, SubjectRegions.TUNED);
  }

  /**
   * Same weights as given, without the subject-region term.
   *
   * @param scales window sizes tried, as fractions of the largest window of the aspect, in (0,1]
   * @param cutWeight weight of the importance sliced by the window edges
   * @param thirdsWeight weight of the rule-of-thirds term
   * @param eyeWeight weight of the eye-line term
   * @param faceBoost importance added inside each head box, in [0,1]
   */
  public CropSearch(double[] scales, double cutWeight, double thirdsWeight, double eyeWeight, double faceBoost) {
    this(scales, cutWeight, thirdsWeight, eyeWeight, faceBoost, SubjectRegions.OFF);
  }

  /**
   * @param scales window sizes tried, as fractions of the largest window of the aspect, in (0,1]
   * @param cutWeight weight of the importance sliced by the window edges
   * @param thirdsWeight weight of the rule-of-thirds term
   * @param eyeWeight weight of the eye-line term
   * @param faceBoost importance added inside each head box, in [0,1]
   * @param regions how subject regions are found and how much cutting one costs
   */
  public CropSearch(double[] scales, double cutWeight, double thirdsWeight, double eyeWeight, double faceBoost,
      SubjectRegions regions) {
    if (scales == null || scales.length == 0) {
      throw new IllegalArgumentException("need at least one scale");
    }
    for (double s : scales) {
      if (!(s > 0 && s <= 1)) {
        throw new IllegalArgumentException("scales must be in (0,1], got " + s);
      }
    }
    if (!(cutWeight >= 0) || !(thirdsWeight >= 0) || !(eyeWeight >= 0) || !(faceBoost >= 0 && faceBoost <= 1)) {
      throw new IllegalArgumentException("weights must be non-negative and faceBoost in [0,1]");
    }
    this.scales = scales.clone();
    this.cutWeight = cutWeight;
    this.thirdsWeight = thirdsWeight;
    this.eyeWeight = eyeWeight;
    this.faceBoost = faceBoost;
    this.regions = java.util.Objects.requireNonNull(regions, "regions");
    this.scalePenalty = DEFAULT_SCALE_PENALTY;
  }

  private CropSearch(CropSearch base, double scalePenalty) {
    this.scales = base.scales;
    this.cutWeight = base.cutWeight;
    this.thirdsWeight = base.thirdsWeight;
    this.eyeWeight = base.eyeWeight;
    this.faceBoost = base.faceBoost;
    this.regions = base.regions;
    this.scalePenalty = scalePenalty;
  }

  /**
   * A copy with another cost for windows smaller than the largest: a window of scale {@code s}
   * loses {@code penalty · (1 − s)}. Higher values make the search zoom in only when a smaller
   * window keeps clearly more of what matters.
   *
   * @param penalty score lost per unit of scale below 1, at least 0
   * @return the copy
   */
  public CropSearch withScalePenalty(double penalty) {
    if (!(penalty >= 0) || Double.isInfinite(penalty)) {
      throw new IllegalArgumentException("scale penalty must be a finite number >= 0, got " + penalty);
    }
    return new CropSearch(this, penalty);
  }

  /** @return the score lost per unit of window size below the largest window */
  public double scalePenalty() {
    return scalePenalty;
  }

  /** @return the subject-region settings */
  public SubjectRegions regions() {
    return regions;
  }

  /**
   * The whole head around a face box: 25% of its width on each side, 45% of its height above
   * (hair) and 25% below (chin and neck).
   *
   * @param face a face box
   * @return the head box (not clamped)
   */
  public static Box head(Box face) {
    return new Box(face.x() - 0.25 * face.w(), face.y() - 0.45 * face.h(), 1.5 * face.w(), 1.7 * face.h());
  }

  /**
   * @param width source width
   * @param height source height
   * @param aspect target aspect
   * @param map importance of the source image
   * @param targets verified target (face) boxes in source pixels
   * @param salient salient region, or null
   * @param seedRules the seed's centre rules, giving the prior centre and the evidence
   * @return the crop and its evidence; {@link CropDecision#searchScore()} holds the winning score
   */
  public CropDecision search(int width, int height, AspectRatio aspect, ImportanceMap map, List<Box> targets,
      Box salient, CropPlanner seedRules) {
    CropDecision seed = seedRules.plan(width, height, aspect, targets, salient);
    if (!seed.cropped()) {
      return seed;
    }
    Box full = CropPlanner.window(width, height, aspect, width / 2.0, height / 2.0);
    List<Box> heads = new ArrayList<>();
    Box faceUnion = null;
    Box headUnion = null;
    double eyeY = 0;
    for (Box t : seed.targets()) {
      Box hd = head(t).clamp(width, height);
      heads.add(hd);
      faceUnion = faceUnion == null ? t : faceUnion.union(t);
      headUnion = headUnion == null ? hd : headUnion.union(hd);
      eyeY += t.y() + 0.4 * t.h();
    }
    boolean faces = !heads.isEmpty();
    eyeY = faces ? eyeY / heads.size() : 0;
    ImportanceMap m = faces ? map.boosted(heads, (float) faceBoost) : map;
    int mw = m.width();
    int mh = m.height();
    float[] v = m.raw();
    int stride = mw + 1;
    double[] sat = new double[stride * (mh + 1)];
    double[] satX = new double[stride * (mh + 1)];
    double[] satY = new double[stride * (mh + 1)];
    for (int y = 0; y < mh; y++) {
      double r = 0;
      double rx = 0;
      double ry = 0;
      for (int x = 0; x < mw; x++) {
        double a = v[y * mw + x];
        r += a;
        rx += a * (x + 0.5);
        ry += a * (y + 0.5);
        int i = (y + 1) * stride + x + 1;
        sat[i] = sat[i - stride] + r;
        satX[i] = satX[i - stride] + rx;
        satY[i] = satY[i - stride] + ry;
      }
    }
    double total = sat[mh * stride + mw];
    if (total <= 1e-9) {
      return seed;
    }
    double sx = mw / (double) width;
    double sy = mh / (double) height;
    List<SubjectRegions.Region> subj = regions.find(m, sat, total);
    double fullW = full.w() * sx + 1;
    double fullH = full.h() * sy + 1;
    double priorWeight = faces ? 2.0 : 0.05;
    // what must be kept is decided once, by the largest window tried: a smaller window that cannot
    // hold it is penalised like any other window that leaves it out (it gets no laxer rule)
    double largest = 0;
    for (double s : scales) {
      largest = Math.max(largest, s);
    }
    int lw = Math.max(1, (int) Math.round(full.w() * largest));
    int lh = Math.max(1, (int) Math.round(full.h() * largest));
    Box keep = null;
    for (Box k : new Box[] {headUnion, faceUnion, seed.targetCenterBox()}) {
      if (k != null) {
        Box kc = k.clamp(width, height);
        if (kc.w() <= lw && kc.h() <= lh) {
          keep = kc;
          break;
        }
      }
    }
    Box best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (double s : scales) {
      int cw = Math.max(1, (int) Math.round(full.w() * s));
      int ch = Math.max(1, (int) Math.round(full.h() * s));
      double stepX = Math.max(1, 1 / sx);
      double stepY = Math.max(1, 1 / sy);
      for (double yy : positions(height - ch, stepY)) {
        for (double xx : positions(width - cw, stepX)) {
          int rx0 = clampI((int) Math.round(xx * sx), 0, mw - 1);
          int ry0 = clampI((int) Math.round(yy * sy), 0, mh - 1);
          int rx1 = clampI((int) Math.round((xx + cw) * sx), rx0 + 1, mw);
          int ry1 = clampI((int) Math.round((yy + ch) * sy), ry0 + 1, mh);
          double mass = rect(sat, stride, rx0, ry0, rx1, ry1);
          double score = mass / total;
          int bw = Math.max(1, (int) Math.round(0.03 * Math.min(rx1 - rx0, ry1 - ry0)));
          double cut = 0;
          if (xx > 0.5) {
            cut += rect(sat, stride, Math.max(0, rx0 - bw), ry0, Math.min(mw, rx0 + bw), ry1);
          }
          if (xx + cw < width - 0.5) {
            cut += rect(sat, stride, Math.max(0, rx1 - bw), ry0, Math.min(mw, rx1 + bw), ry1);
          }
          if (yy > 0.5) {
            cut += rect(sat, stride, rx0, Math.max(0, ry0 - bw), rx1, Math.min(mh, ry0 + bw));
          }
          if (yy + ch < height - 0.5) {
            cut += rect(sat, stride, rx0, Math.max(0, ry1 - bw), rx1, Math.min(mh, ry1 + bw));
          }
          score -= cutWeight * cut / total;
          for (SubjectRegions.Region r : subj) {
            // a region that the largest window could hold whole and that is partly inside this one
            // is being sliced (smaller windows get no pass for it)
            if (r.x1() - r.x0() <= fullW && r.y1() - r.y0() <= fullH) {
              int ix = Math.min(rx1, r.x1()) - Math.max(rx0, r.x0());
              int iy = Math.min(ry1, r.y1()) - Math.max(ry0, r.y0());
              if (ix > 0 && iy > 0 && (ix < r.x1() - r.x0() || iy < r.y1() - r.y0())) {
                score -= regions.weight() * r.share();
              }
            }
          }
          if (mass > 1e-9) {
            double u = (rect(satX, stride, rx0, ry0, rx1, ry1) / mass - rx0) / (rx1 - rx0);
            double w = (rect(satY, stride, rx0, ry0, rx1, ry1) / mass - ry0) / (ry1 - ry0);
            score -= thirdsWeight * (thirds(u) + thirds(w));
          }
          if (faces) {
            score -= eyeWeight * Math.abs((eyeY - yy) / ch - 1.0 / 3);
          }
          double dx = (xx + cw / 2.0 - seed.centerX()) / cw;
          double dy = (yy + ch / 2.0 - seed.centerY()) / ch;
          score -= priorWeight * Math.min(1, Math.hypot(dx, dy));
          score -= scalePenalty * (1 - s);
          Box win = new Box(xx, yy, cw, ch);
          for (Box t : seed.targets()) {
            double in = inside(win, t);
            if (in > 0.001 && in < 0.999) {
              score -= FACE_SLICE_PENALTY;
            }
          }
          if (keep != null) {
            double in = inside(win, keep);
            if (in < 0.999) {
              score -= 10 + 10 * (1 - in);
            }
          }
          if (score > bestScore) {
            bestScore = score;
            best = win;
          }
        }
      }
    }
    boolean shifted = faces && (best.x() != seed.crop().x() || best.y() != seed.crop().y()
        || best.w() != seed.crop().w());
    return new CropDecision(best, seed.centerX(), seed.centerY(), seed.rule(), seed.targets(), seed.mergedTargets(),
        seed.targetCenterBox(), seed.salient(), true, shifted, bestScore);
  }

  /** @return the share of {@code b}'s area inside {@code win} */
  private static double inside(Box win, Box b) {
    return win.intersection(b).area() / Math.max(1e-9, b.area());
  }

  private static double thirds(double u) {
    return Math.min(Math.abs(u - 0.5), Math.min(Math.abs(u - 1.0 / 3), Math.abs(u - 2.0 / 3)));
  }

  private static int clampI(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double rect(double[] t, int stride, int x0, int y0, int x1, int y1) {
    if (x1 <= x0 || y1 <= y0) {
      return 0;
    }
    return t[y1 * stride + x1] - t[y0 * stride + x1] - t[y1 * stride + x0] + t[y0 * stride + x0];
  }

  private static List<Double> positions(double to, double step) {
    List<Double> out = new ArrayList<>();
    if (to <= 0) {
      out.add(0.0);
      return out;
    }
    for (double p = 0; p < to; p += step) {
      out.add((double) Math.round(p));
    }
    out.add((double) Math.round(to));
    return out;
  }
}
