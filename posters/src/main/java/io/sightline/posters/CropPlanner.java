package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cropping rules of the seed, (34)–(51) and claims 2–4, as pure geometry:
 *
 * <ul>
 *   <li>Window (seed (36)–(39)): a source wider than the target aspect {@code w'/h'} keeps its
 *       height {@code h} and gets width {@code w'h/h'}; a taller one keeps its width {@code w} and
 *       gets height {@code wh'/w'}; an equal aspect is not cropped. The window is centred on the
 *       crop centre and then shifted (clamped) to lie inside the image.</li>
 *   <li>Centre (claims 2–4): no target → centre of the salient region; one target → its centre;
 *       several targets → each box dilated by {@link #dilation()}, dilated boxes that intersect are
 *       merged (transitively), and the centre of the largest merged box is taken. When that first
 *       centre lies inside the salient region, the crop centre is the weighted sum
 *       {@code t·first + (1−t)·salientCentre} with {@code t = }{@link #targetWeight()}; outside it,
 *       the first centre is used as is.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class CropPlanner {
  /** Relative tolerance under which two aspect ratios count as equal. */
  public static final double ASPECT_TOLERANCE = 1e-3;

  private final double dilation;
  private final double targetWeight;
  private final boolean keepTargetsWhole;

  /**
   * @param dilation factor by which each target box grows about its centre before merging
   *     (1 = no dilation); at least 1
   * @param targetWeight weight of the target centre in the weighted sum, in [0,1]
   */
  public CropPlanner(double dilation, double targetWeight) {
    this(dilation, targetWeight, true);
  }

  /**
   * @param dilation factor by which each target box grows about its centre before merging
   *     (1 = no dilation); at least 1
   * @param targetWeight weight of the target centre in the weighted sum, in [0,1]
   * @param keepTargetsWhole after centring, shift the window as little as needed so that it holds
   *     every target whole (or, when they do not fit together, the box that gave the centre) —
   *     the weighted sum of claim 4 can otherwise push part of a face out of the crop
   */
  public CropPlanner(double dilation, double targetWeight, boolean keepTargetsWhole) {
    this.keepTargetsWhole = keepTargetsWhole;
    if (!(dilation >= 1 && Double.isFinite(dilation))) {
      throw new IllegalArgumentException("dilation must be a finite factor >= 1, got " + dilation);
    }
    if (!(targetWeight >= 0 && targetWeight <= 1)) {
      throw new IllegalArgumentException("targetWeight must be in [0,1], got " + targetWeight);
    }
    this.dilation = dilation;
    this.targetWeight = targetWeight;
  }

  /** A planner with dilation 1.5 and target weight 0.7. */
  public CropPlanner() {
    this(1.5, 0.7);
  }

  /** @return whether the window is shifted to keep targets whole */
  public boolean keepTargetsWhole() {
    return keepTargetsWhole;
  }

  /** @return the dilation coefficient for several targets */
  public double dilation() {
    return dilation;
  }

  /** @return the target-centre weight in the weighted sum */
  public double targetWeight() {
    return targetWeight;
  }

  /**
   * Decides the crop of a {@code width x height} image.
   *
   * @param width source width in pixels
   * @param height source height in pixels
   * @param aspect target aspect
   * @param targets target (face) boxes in source pixels; may be empty
   * @param salient salient region in source pixels, or null when none was found
   * @return the crop with its evidence
   * @throws PosterException when the crop would be less than one pixel wide or high
   */
  public CropDecision plan(int width, int height, AspectRatio aspect, List<Box> targets, Box salient) {
    if (width < 1 || height < 1) {
      throw new PosterException("cannot crop a " + width + "x" + height + " image: it has no pixels");
    }
    List<Box> ts = new ArrayList<>();
    for (Box t : targets) {
      Box c = t.clamp(width, height);
      if (!c.isEmpty()) {
        ts.add(c);
      }
    }
    Box sal = salient == null ? null : salient.clamp(width, height);
    if (sal != null && sal.isEmpty()) {
      sal = null;
    }
    List<Box> merged = List.of();
    Box centerBox = null;
    double cx;
    double cy;
    CenterRule rule;
    if (ts.isEmpty()) {
      if (sal != null) {
        cx = sal.cx();
        cy = sal.cy();
        rule = CenterRule.SALIENT_CENTER;
      } else {
        cx = width / 2.0;
        cy = height / 2.0;
        rule = CenterRule.IMAGE_CENTER;
      }
    } else {
      if (ts.size() == 1) {
        centerBox = ts.get(0);
        rule = CenterRule.TARGET_CENTER;
      } else {
        merged = mergeDilated(ts, dilation);
        centerBox = merged.stream().max(Comparator.comparingDouble(Box::area)).orElseThrow();
        rule = CenterRule.MERGED_TARGETS_CENTER;
      }
      cx = centerBox.cx();
      cy = centerBox.cy();
      if (sal != null && sal.contains(cx, cy)) {
        cx = targetWeight * cx + (1 - targetWeight) * sal.cx();
        cy = targetWeight * cy + (1 - targetWeight) * sal.cy();
        rule = CenterRule.WEIGHTED_TARGET_AND_SALIENT;
      }
    }
    Box window = window(width, height, aspect, cx, cy);
    boolean shifted = false;
    if (keepTargetsWhole && centerBox != null) {
      Box all = ts.get(0);
      for (Box t : ts) {
        all = all.union(t);
      }
      Box keep = all.w() <= window.w() && all.h() <= window.h() ? all
          : centerBox.clamp(width, height).w() <= window.w() && centerBox.clamp(width, height).h() <= window.h()
              ? centerBox.clamp(width, height) : null;
      if (keep != null) {
        double x = Math.min(window.x(), Math.floor(keep.x()));
        x = Math.max(x, Math.ceil(keep.x2()) - window.w());
        double y = Math.min(window.y(), Math.floor(keep.y()));
        y = Math.max(y, Math.ceil(keep.y2()) - window.h());
        x = Math.max(0, Math.min(width - window.w(), x));
        y = Math.max(0, Math.min(height - window.h(), y));
        shifted = x != window.x() || y != window.y();
        window = new Box(x, y, window.w(), window.h());
      }
    }
    boolean cropped = window.w() != width || window.h() != height;
    return new CropDecision(window, cx, cy, rule, ts, merged, centerBox, sal, cropped, shifted);
  }

  /**
   * The crop window of the seed (36)–(39), centred on {@code (cx, cy)} and clamped into the image.
   *
   * @param width source width
   * @param height source height
   * @param aspect target aspect {@code w'/h'}
   * @param cx crop centre x
   * @param cy crop centre y
   * @return the window in whole pixels; the full image when the aspects are equal
   * @throws PosterException when the window would be less than one pixel in a side
   */
  public static Box window(int width, int height, AspectRatio aspect, double cx, double cy) {
    double src = width / (double) height;
    double dst = aspect.value();
    if (Math.abs(src - dst) <= ASPECT_TOLERANCE * dst) {
      return new Box(0, 0, width, height);
    }
    int cw;
    int ch;
    if (src > dst) {
      ch = height;
      cw = (int) Math.round(dst * height);
    } else {
      cw = width;
      ch = (int) Math.round(width / dst);
    }
    if (cw < 1 || ch < 1) {
      throw new PosterException("cropping a " + width + "x" + height + " image to aspect " + aspect
          + " gives a zero-size crop (" + (dst * height) + " x " + (width / dst) + " pixels)");
    }
    cw = Math.min(cw, width);
    ch = Math.min(ch, height);
    double x = Math.max(0, Math.min(width - cw, Math.round(cx - cw / 2.0)));
    double y = Math.max(0, Math.min(height - ch, Math.round(cy - ch / 2.0)));
    return new Box(x, y, cw, ch);
  }

  /**
   * Dilates every box about its centre and merges, transitively, the dilated boxes that
   * intersect (seed (48): "communicated" face frames) into their bounding box.
   *
   * @param boxes boxes to merge
   * @param factor dilation factor
   * @return the merged boxes (one per connected group)
   */
  public static List<Box> mergeDilated(List<Box> boxes, double factor) {
    List<Box> cur = new ArrayList<>();
    for (Box b : boxes) {
      cur.add(b.scaleAboutCenter(factor));
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      outer:
      for (int i = 0; i < cur.size(); i++) {
        for (int j = i + 1; j < cur.size(); j++) {
          if (cur.get(i).intersects(cur.get(j))) {
            Box u = cur.get(i).union(cur.get(j));
            cur.remove(j);
            cur.set(i, u);
            changed = true;
            break outer;
          }
        }
      }
    }
    return cur;
  }
}
