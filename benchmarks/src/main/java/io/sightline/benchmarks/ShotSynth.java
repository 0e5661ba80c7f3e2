package io.sightline.benchmarks;

import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Synthesises a "new shot" of an object: the object (its alpha for clipart, the whole crop for a
 * photo object) scaled, rotated and seen in mild perspective, pasted on a crop of a background
 * photo, partly covered by a patch of another photo, with a colour and light change, Gaussian
 * blur and JPEG re-encoding. Every parameter is drawn from the given {@link Random} and recorded
 * in the shot's parameter map, so a query can be analysed and regenerated.
 */
public final class ShotSynth {
  private ShotSynth() {}

  /**
   * A named background photo.
   *
   * @param name where it comes from (package-relative path)
   * @param image its pixels (RGB)
   */
  public record Photo(String name, BufferedImage image) {}

  /**
   * A synthesised query.
   *
   * @param jpeg the encoded image, exactly as a camera or a client would send it
   * @param params the drawn parameters (insertion-ordered)
   */
  public record Shot(byte[] jpeg, Map<String, Object> params) {}

  /**
   * Ranges of the random parameters of a new shot.
   *
   * @param width canvas width
   * @param height canvas height
   * @param minScale smallest longest side of the object, as a fraction of the canvas's shorter side
   * @param maxScale largest such fraction
   * @param maxAngleDeg rotation is uniform in ±this
   * @param maxPerspective each corner moves by up to this fraction of the object's longest side
   * @param maxOcclusion covered share of the object is uniform in [0, this]
   * @param maxBlurSigma Gaussian blur sigma is uniform in [0, this]
   * @param minJpeg smallest JPEG quality
   * @param maxJpeg largest JPEG quality
   */
  public record Ranges(int width, int height, double minScale, double maxScale, double maxAngleDeg,
      double maxPerspective, double maxOcclusion, double maxBlurSigma, double minJpeg, double maxJpeg) {
    /** @return 640 x 480, scale 0.3-0.9, ±30°, 8 % perspective, ≤ 30 % occluded, σ ≤ 1.5, JPEG 0.5-0.9 */
    public static Ranges defaults() {
      return new Ranges(640, 480, 0.3, 0.9, 30, 0.08, 0.3, 1.5, 0.5, 0.9);
    }
  }

  /**
   * @param object the object, any image type (transparency is kept)
   * @param backgrounds background photos (at least one)
   * @param r parameter ranges
   * @param rnd the random source; the shot depends on nothing else
   * @return the shot
   */
  public static Shot newShot(BufferedImage object, List<Photo> backgrounds, Ranges r, Random rnd) {
    Map<String, Object> p = new LinkedHashMap<>();
    int w = r.width();
    int h = r.height();
    int bgIndex = rnd.nextInt(backgrounds.size());
    int[] canvas = ShotOps.pixels(ImageOps.copy(photoCrop(backgrounds.get(bgIndex), w, h, 0, rnd, p, "bg")));

    double scale = uniform(rnd, r.minScale(), r.maxScale());
    double longSide = scale * Math.min(w, h);
    double f = longSide / Math.max(object.getWidth(), object.getHeight());
    BufferedImage obj = ShotOps.resizeArgb(object, (int) Math.max(1, Math.round(object.getWidth() * f)),
        (int) Math.max(1, Math.round(object.getHeight() * f)));
    double angle = uniform(rnd, -r.maxAngleDeg(), r.maxAngleDeg());
    double persp = uniform(rnd, 0, r.maxPerspective());
    int ow = obj.getWidth();
    int oh = obj.getHeight();
    double[][] src = {{0, 0}, {ow, 0}, {ow, oh}, {0, oh}};
    double[][] dst = new double[4][2];
    double cos = Math.cos(Math.toRadians(angle));
    double sin = Math.sin(Math.toRadians(angle));
    double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
    for (int i = 0; i < 4; i++) { // rotate about the centre, then move each corner a little
      double x = src[i][0] - ow / 2.0;
      double y = src[i][1] - oh / 2.0;
      dst[i][0] = cos * x - sin * y + uniform(rnd, -1, 1) * persp * longSide;
      dst[i][1] = sin * x + cos * y + uniform(rnd, -1, 1) * persp * longSide;
      minX = Math.min(minX, dst[i][0]);
      maxX = Math.max(maxX, dst[i][0]);
      minY = Math.min(minY, dst[i][1]);
      maxY = Math.max(maxY, dst[i][1]);
    }
    // centre so that the object stays in the frame where it fits, else a little off-centre
    double cx = maxX - minX <= w ? uniform(rnd, -minX, w - maxX) : w / 2.0 + uniform(rnd, -0.1, 0.1) * w;
    double cy = maxY - minY <= h ? uniform(rnd, -minY, h - maxY) : h / 2.0 + uniform(rnd, -0.1, 0.1) * h;
    for (double[] d : dst) {
      d[0] += cx;
      d[1] += cy;
    }
    double[] hinv = ShotOps.invert3(ShotOps.homography(src, dst));
    int[] box = {(int) Math.floor(minX + cx) - 1, (int) Math.floor(minY + cy) - 1,
        (int) Math.ceil(maxX + cx) + 1, (int) Math.ceil(maxY + cy) + 1};
    float[] mask = new float[w * h];
    double total = ShotOps.warp(canvas, w, h, obj, hinv, box, mask);
    double visible = 0;
    for (float m : mask) {
      visible += m;
    }
    p.put("scale", round(scale));
    p.put("angle_deg", round(angle));
    p.put("perspective", round(persp));
    p.put("centre", List.of(round(cx), round(cy)));
    p.put("in_frame", round(total <= 0 ? 0 : visible / total));

    double occ = uniform(rnd, 0, r.maxOcclusion());
    p.put("occlusion_target", round(occ));
    double covered = 0;
    if (occ >= 0.02 && visible > 0) {
      int[] rect = occluder(mask, w, h, visible, occ, rnd);
      int oi = backgrounds.size() > 1 ? (bgIndex + 1 + rnd.nextInt(backgrounds.size() - 1)) % backgrounds.size() : 0;
      int[] patch = ShotOps.pixels(ImageOps.copy(photoCrop(backgrounds.get(oi), rect[2], rect[3], 2.5, rnd, p, "occluder")));
      for (int y = Math.max(0, rect[1]); y < Math.min(h, rect[1] + rect[3]); y++) {
        for (int x = Math.max(0, rect[0]); x < Math.min(w, rect[0] + rect[2]); x++) {
          covered += mask[y * w + x];
          canvas[y * w + x] = patch[(y - rect[1]) * rect[2] + (x - rect[0])];
        }
      }
      p.put("occluder_rect", List.of(rect[0], rect[1], rect[2], rect[3]));
    }
    p.put("occlusion", round(visible > 0 ? covered / visible : 0));

    ShotOps.Colour c = new ShotOps.Colour(uniform(rnd, 0.75, 1.25), uniform(rnd, 0.75, 1.25),
        uniform(rnd, 0.6, 1.3), uniform(rnd, -15, 15), uniform(rnd, 0.92, 1.08), uniform(rnd, 0.92, 1.08),
        uniform(rnd, 0, 0.3), uniform(rnd, 0, 2 * Math.PI));
    ShotOps.colour(canvas, w, h, c);
    p.put("brightness", round(c.brightness()));
    p.put("contrast", round(c.contrast()));
    p.put("saturation", round(c.saturation()));
    p.put("hue_deg", round(c.hueDeg()));
    p.put("white_balance", List.of(round(c.redGain()), round(c.blueGain())));
    p.put("light_gradient", round(c.gradient()));
    double sigma = uniform(rnd, 0, r.maxBlurSigma());
    ShotOps.blur(canvas, w, h, sigma);
    p.put("blur_sigma", round(sigma));
    double q = uniform(rnd, r.minJpeg(), r.maxJpeg());
    p.put("jpeg_quality", round(q));
    return new Shot(Distortions.jpegBytes(ShotOps.toImage(canvas, w, h), (float) q), p);
  }

  /**
   * The old kind of query: the reference itself, cut by up to 5 % per side, resized to 0.8x and
   * re-encoded as JPEG quality 0.8.
   *
   * @param reference the stored image
   * @param rnd random source
   * @return the shot
   */
  public static Shot nearCopy(BufferedImage reference, Random rnd) {
    Map<String, Object> p = new LinkedHashMap<>();
    int w = reference.getWidth();
    int h = reference.getHeight();
    double[] cut = {uniform(rnd, 0, 0.05), uniform(rnd, 0, 0.05), uniform(rnd, 0, 0.05), uniform(rnd, 0, 0.05)};
    int x0 = (int) (cut[0] * w);
    int y0 = (int) (cut[1] * h);
    int x1 = w - (int) (cut[2] * w);
    int y1 = h - (int) (cut[3] * h);
    BufferedImage img = Distortions.rescale(ImageOps.crop(reference, x0, y0, x1 - x0, y1 - y0), 0.8);
    p.put("crop_ltrb", List.of(round(cut[0]), round(cut[1]), round(cut[2]), round(cut[3])));
    p.put("resize", 0.8);
    p.put("jpeg_quality", 0.8);
    return new Shot(Distortions.jpegBytes(img, 0.8f), p);
  }

  /**
   * A random region of a photo with the aspect of {@code w x h}, 35-100 % as wide as the largest
   * such region (but at least 0.6 w where the photo allows), at most {@code maxZoomOut} times
   * {@code w} wide when that is positive, resized to {@code w x h}; its name and rectangle go
   * into the parameters.
   */
  static BufferedImage photoCrop(Photo photo, int w, int h, double maxZoomOut, Random rnd,
      Map<String, Object> p, String key) {
    BufferedImage img = photo.image();
    double maxW = Math.min(img.getWidth(), img.getHeight() * (double) w / h);
    double want = Math.max(maxW * uniform(rnd, 0.35, 1.0), Math.min(maxW, 0.6 * w));
    if (maxZoomOut > 0) {
      want = Math.min(want, w * uniform(rnd, 1, maxZoomOut));
    }
    int rw = (int) Math.max(1, Math.min(maxW, want));
    int rh = Math.max(1, Math.min(img.getHeight(), (int) Math.round(rw * (double) h / w)));
    int rx = rnd.nextInt(img.getWidth() - rw + 1);
    int ry = rnd.nextInt(img.getHeight() - rh + 1);
    p.put(key, photo.name());
    p.put(key + "_region", List.of(rx, ry, rw, rh));
    return ImageOps.resize(ImageOps.crop(img, rx, ry, rw, rh), w, h);
  }

  /**
   * Picks the rectangle that covers closest to {@code target} of the object's visible coverage:
   * twelve tries, each entering the object's bounding box from a random side, the size corrected
   * after each try.
   *
   * @return {x, y, w, h} in canvas pixels (may extend past the canvas)
   */
  static int[] occluder(float[] mask, int w, int h, double visible, double target, Random rnd) {
    double[] sat = new double[(w + 1) * (h + 1)]; // summed-area table of the mask
    int bx0 = w, by0 = h, bx1 = 0, by1 = 0;
    for (int y = 0; y < h; y++) {
      double row = 0;
      for (int x = 0; x < w; x++) {
        float m = mask[y * w + x];
        row += m;
        sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
        if (m > 0.5f) {
          bx0 = Math.min(bx0, x);
          by0 = Math.min(by0, y);
          bx1 = Math.max(bx1, x + 1);
          by1 = Math.max(by1, y + 1);
        }
      }
    }
    if (bx1 <= bx0 || by1 <= by0) {
      return new int[] {0, 0, 1, 1};
    }
    int bw = bx1 - bx0;
    int bh = by1 - by0;
    double area = target * bw * bh; // first guess: the box is full
    int[] best = null;
    double bestErr = Double.MAX_VALUE;
    for (int t = 0; t < 12; t++) {
      double aspect = Math.exp(uniform(rnd, Math.log(0.5), Math.log(2)));
      int rw = (int) Math.max(4, Math.min(w, Math.sqrt(area * aspect)));
      int rh = (int) Math.max(4, Math.min(h, area / rw));
      int side = rnd.nextInt(4);
      int rx = bx0 + rnd.nextInt(Math.max(1, bw - rw / 2)) - rw / 4;
      int ry = by0 + rnd.nextInt(Math.max(1, bh - rh / 2)) - rh / 4;
      switch (side) { // push it against one side of the object's box
        case 0 -> rx = bx0 - rw / 3;
        case 1 -> rx = bx1 - 2 * rw / 3;
        case 2 -> ry = by0 - rh / 3;
        default -> ry = by1 - 2 * rh / 3;
      }
      int x0 = Math.max(0, rx), y0 = Math.max(0, ry);
      int x1 = Math.min(w, rx + rw), y1 = Math.min(h, ry + rh);
      double cov = x1 <= x0 || y1 <= y0 ? 0 : sat[y1 * (w + 1) + x1] - sat[y0 * (w + 1) + x1]
          - sat[y1 * (w + 1) + x0] + sat[y0 * (w + 1) + x0];
      double frac = cov / visible;
      if (Math.abs(frac - target) < bestErr) {
        bestErr = Math.abs(frac - target);
        best = new int[] {rx, ry, rw, rh};
      }
      area *= Math.max(0.5, Math.min(2, frac <= 0 ? 2 : target / frac));
    }
    return best;
  }

  static double uniform(Random rnd, double lo, double hi) {
    return lo + (hi - lo) * rnd.nextDouble();
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
