package io.sightline.core.detect;

/**
 * An axis-aligned rectangle in pixel (or fractional) coordinates: left {@code x}, top {@code y},
 * width {@code w}, height {@code h}.
 *
 * @param x left
 * @param y top
 * @param w width (non-negative)
 * @param h height (non-negative)
 */
public record Box(double x, double y, double w, double h) {
  /** Rejects negative or non-finite sizes. */
  public Box {
    if (!(Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(w) && Double.isFinite(h))) {
      throw new IllegalArgumentException("box coordinates must be finite: " + x + "," + y + "," + w + "," + h);
    }
    if (w < 0 || h < 0) {
      throw new IllegalArgumentException("box size must be non-negative: " + w + "x" + h);
    }
  }

  /**
   * @param x0 left
   * @param y0 top
   * @param x1 right
   * @param y1 bottom
   * @return the box spanning these corners
   */
  public static Box ofCorners(double x0, double y0, double x1, double y1) {
    return new Box(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
  }

  /** @return right edge */
  public double x2() {
    return x + w;
  }

  /** @return bottom edge */
  public double y2() {
    return y + h;
  }

  /** @return centre x */
  public double cx() {
    return x + w / 2;
  }

  /** @return centre y */
  public double cy() {
    return y + h / 2;
  }

  /** @return area */
  public double area() {
    return w * h;
  }

  /** @return whether the area is zero */
  public boolean isEmpty() {
    return w <= 0 || h <= 0;
  }

  /**
   * @param o another box
   * @return the overlap (empty box at the nearest point when they do not overlap)
   */
  public Box intersection(Box o) {
    double x0 = Math.max(x, o.x);
    double y0 = Math.max(y, o.y);
    double x1 = Math.min(x2(), o.x2());
    double y1 = Math.min(y2(), o.y2());
    return new Box(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
  }

  /**
   * @param o another box
   * @return whether the two overlap with positive area
   */
  public boolean intersects(Box o) {
    return !intersection(o).isEmpty();
  }

  /**
   * @param o another box
   * @return the smallest box containing both
   */
  public Box union(Box o) {
    return ofCorners(Math.min(x, o.x), Math.min(y, o.y), Math.max(x2(), o.x2()), Math.max(y2(), o.y2()));
  }

  /**
   * @param o another box
   * @return intersection over union, 0 when both are empty
   */
  public double iou(Box o) {
    double inter = intersection(o).area();
    double uni = area() + o.area() - inter;
    return uni <= 0 ? 0 : inter / uni;
  }

  /**
   * @param px point x
   * @param py point y
   * @return whether the point lies inside (edges included)
   */
  public boolean contains(double px, double py) {
    return px >= x && px <= x2() && py >= y && py <= y2();
  }

  /**
   * Grows the box about its centre.
   *
   * @param factor 1 keeps the size, 1.5 makes it 50% wider and taller
   * @return the scaled box
   */
  public Box scaleAboutCenter(double factor) {
    double nw = w * factor;
    double nh = h * factor;
    return new Box(cx() - nw / 2, cy() - nh / 2, nw, nh);
  }

  /**
   * @param width frame width
   * @param height frame height
   * @return this box clipped to {@code [0,width] x [0,height]}
   */
  public Box clamp(double width, double height) {
    return intersection(new Box(0, 0, width, height));
  }

  /**
   * @param sx factor for x and w
   * @param sy factor for y and h
   * @return the scaled box (e.g. fractions to pixels)
   */
  public Box scale(double sx, double sy) {
    return new Box(x * sx, y * sy, w * sx, h * sy);
  }
}
