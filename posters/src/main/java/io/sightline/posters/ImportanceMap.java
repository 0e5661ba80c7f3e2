package io.sightline.posters;

import io.sightline.core.detect.Box;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Where the picture matters, for the crop search (issue 13): a map, at least {@value #MIN_SIDE}
 * pixels on its shorter side (at most {@value #MAX_SIDE} on its longer), fusing
 *
 * <ul>
 *   <li>edge detail (Sobel gradient magnitude, OpenCV),</li>
 *   <li>colour saturation (HSV {@code S·V}),</li>
 *   <li>skin colour (YCrCb box rule),</li>
 *   <li>the spectral-residual saliency map of the analysis, and optionally OpenCV's fine-grained
 *       saliency,</li>
 *   <li>global colour contrast (histogram contrast),</li>
 *   <li>local contrast against the surround at three scales ({@link SurroundContrast}): CIELAB
 *       colour, and edge density (a compact subject differs from what lies around it; a smooth
 *       gradient or an even texture does not),</li>
 * </ul>
 *
 * <p>each expressed as contrast against the image's own median (a textured background is not
 * "important" everywhere), smoothed, fused by weights ({@link Weights#DEFAULT}) and raised to a
 * power; regions of the fused map that run along the image border are then damped
 * ({@link BorderPrior}, boundary connectivity), and the map is multiplied by a mild centre prior
 * ({@code 1 − 0.2·d²}, d = normalised distance from the centre). Values are in [0,1].
 * Verified faces are added later by the crop search as boosts.
 *
 * @param width map width
 * @param height map height
 * @param imageWidth width of the image the map describes
 * @param imageHeight height of that image
 * @param values importance per map pixel, row-major, in [0,1]
 */
public record ImportanceMap(int width, int height, int imageWidth, int imageHeight, float[] values) {
  /** Shorter side of the map (unless the longer would exceed {@link #MAX_SIDE}). */
  public static final int MIN_SIDE = 256;
  /** Longest side of the map. */
  public static final int MAX_SIDE = 512;

  /**
   * Weights of the fused components (any non-negative values; they are normalised), and the power
   * applied to the fused map (above 1 favours peaks over widespread texture).
   *
   * @param edge Sobel edge detail
   * @param saturation HSV saturation
   * @param skin skin colour
   * @param spectral spectral-residual saliency (the analysis' map)
   * @param fine OpenCV fine-grained saliency (computed only when asked for)
   * @param colour global colour contrast (histogram contrast: how far a pixel's colour is from the
   *     image's other colours, weighted by their frequency)
   * @param surround local colour contrast: how far the mean CIELAB colour around a pixel is from
   *     the mean of its wider surround, summed over three scales ({@link SurroundContrast})
   * @param edgeSurround local edge-density contrast: how much denser the edges around a pixel are
   *     than in its wider surround, over the same scales
   * @param border strength of the boundary-connectivity prior ({@link BorderPrior}): regions of
   *     the fused map that run along the image border are damped; 0 turns it off
   * @param power exponent applied to the fused value
   * @param uniqueness how strongly a component with one or a few peaks outweighs one with many
   *     similar peaks (Itti, Koch and Niebur 1998): each component's weight is multiplied by
   *     {@code (1 − m̄)^uniqueness}, m̄ the mean of its local maxima other than the highest (a
   *     single coloured object on a grey photo stands out in saturation, while the edges of a
   *     textured background are everywhere); 0 turns it off
   */
  public record Weights(double edge, double saturation, double skin, double spectral, double fine, double colour,
      double surround, double edgeSurround, double border, double power, double uniqueness, double focus) {
    /**
     * The map before the surround and border terms (issue 13's first two parts): edge, saturation,
     * skin, spectral residual, fine-grained (when asked for) and global colour contrast.
     */
    public static final Weights PLAIN = new Weights(0.10, 0.30, 0.10, 0.25, 0.10, 0.35, 4.0);
    /**
     * {@link #PLAIN} plus the surround colour and edge-density contrast (weight 1 each) and the
     * border prior (strength 8), chosen on the tune split (seed 7) of {@code MapTuning}: the
     * default of issue 13's third to fifth parts.
     */
    public static final Weights SURROUND = new Weights(0.10, 0.30, 0.10, 0.25, 0.10, 0.35, 1.0, 1.0, 8.0, 4.0);
    /**
     * {@link #SURROUND} with the uniqueness weighting at exponent 4 (chosen on the tune split of
     * {@code MapTuning} among 0, 1, 2, 4, 8 and 16, the other weights unchanged): the default of
     * issue 13's sixth and seventh parts.
     */
    public static final Weights UNIQUE = new Weights(0.10, 0.30, 0.10, 0.25, 0.10, 0.35, 1.0, 1.0, 8.0, 4.0, 4.0);
    /**
     * {@link #UNIQUE} plus the depth-of-field cue ({@link FocusMap}) at weight 0.25, chosen among 0,
     * 0.25, 0.5, 1, 2 and 4 on the tune split of {@code MapTuning} and the first set of real photos
     * (0.5 kept a few more pasted subjects but cut a cup that 0.25 keeps): the default of issue 13's
     * eighth and ninth parts.
     */
    public static final Weights FOCUSED = UNIQUE.withFocus(0.25);
    /**
     * The defaults: {@link #FOCUSED} with the local colour contrast ({@code surround}) at weight 0.3
     * instead of 1. Local colour contrast finds a drawing pasted on a photo very well but a real
     * photo's subject poorly (it also fires on colour patches of the background); on the 28
     * annotated photos used for tuning, weights 0 to 0.5 keep 2 more subjects whole at 9:16 and at
     * 1:1 than weight 1, while the generated scenes of the tune split change by at most 2 of 100.
     */
    public static final Weights DEFAULT = FOCUSED.withSurround(0.3);

    /** Validates. */
    public Weights {
      for (double v : new double[] {edge, saturation, skin, spectral, fine, colour, surround, edgeSurround, border,
          focus}) {
        if (!(v >= 0 && v < 1e6)) {
          throw new IllegalArgumentException("weights must be finite and non-negative");
        }
      }
      if (!(power > 0 && power <= 8)) {
        throw new IllegalArgumentException("power must be in (0,8]");
      }
      if (!(uniqueness >= 0 && uniqueness <= 16)) {
        throw new IllegalArgumentException("uniqueness must be in [0,16]");
      }
    }

    /**
     * Weights without the focus cue (as before it existed).
     *
     * @param edge Sobel edge detail
     * @param saturation HSV saturation
     * @param skin skin colour
     * @param spectral spectral-residual saliency
     * @param fine fine-grained saliency
     * @param colour global colour contrast
     * @param surround local colour contrast
     * @param edgeSurround local edge-density contrast
     * @param border strength of the boundary-connectivity prior
     * @param power exponent applied to the fused value
     * @param uniqueness how strongly a component with few peaks outweighs one with many
     */
    public Weights(double edge, double saturation, double skin, double spectral, double fine, double colour,
        double surround, double edgeSurround, double border, double power, double uniqueness) {
      this(edge, saturation, skin, spectral, fine, colour, surround, edgeSurround, border, power, uniqueness, 0);
    }

    /**
     * @param focus weight of the depth-of-field cue ({@link FocusMap}): fine detail where the rest
     *     of the frame is soft
     * @return these weights with that focus weight
     */
    public Weights withFocus(double focus) {
      return new Weights(edge, saturation, skin, spectral, fine, colour, surround, edgeSurround, border, power,
          uniqueness, focus);
    }

    /**
     * @param surround weight of the local colour contrast (how far the colour around a point is
     *     from its wider surround); higher values favour subjects whose colour stands out locally,
     *     such as drawings or products on a plain or contrasting background
     * @return these weights with that local colour contrast weight
     */
    public Weights withSurround(double surround) {
      return new Weights(edge, saturation, skin, spectral, fine, colour, surround, edgeSurround, border, power,
          uniqueness, focus);
    }

    /**
     * @param border strength of the border prior; 0 turns it off, which suits close-ups whose
     *     subject runs off the frame (on the tune split's drawings that touch the frame's edge,
     *     0.675 whole with 0 against 0.610 with the default 8; 0.755 against 0.775 of the others)
     * @return these weights with that border strength
     */
    public Weights withBorder(double border) {
      return new Weights(edge, saturation, skin, spectral, fine, colour, surround, edgeSurround, border, power,
          uniqueness, focus);
    }

    /**
     * Weights without the uniqueness weighting (as before it existed).
     *
     * @param edge Sobel edge detail
     * @param saturation HSV saturation
     * @param skin skin colour
     * @param spectral spectral-residual saliency
     * @param fine fine-grained saliency
     * @param colour global colour contrast
     * @param surround local colour contrast
     * @param edgeSurround local edge-density contrast
     * @param border strength of the boundary-connectivity prior
     * @param power exponent applied to the fused value
     */
    public Weights(double edge, double saturation, double skin, double spectral, double fine, double colour,
        double surround, double edgeSurround, double border, double power) {
      this(edge, saturation, skin, spectral, fine, colour, surround, edgeSurround, border, power, 0);
    }

    /**
     * Weights without the surround terms and the border prior (as before they existed).
     *
     * @param edge Sobel edge detail
     * @param saturation HSV saturation
     * @param skin skin colour
     * @param spectral spectral-residual saliency
     * @param fine fine-grained saliency
     * @param colour global colour contrast
     * @param power exponent applied to the fused value
     */
    public Weights(double edge, double saturation, double skin, double spectral, double fine, double colour,
        double power) {
      this(edge, saturation, skin, spectral, fine, colour, 0, 0, 0, power, 0);
    }
  }

  /** Validates sizes. */
  public ImportanceMap {
    if (width < 1 || height < 1 || values == null || values.length != width * height) {
      throw new IllegalArgumentException("importance map needs width*height values");
    }
  }

  /**
   * @param rgb the source image
   * @param spectral the spectral-residual (or any) saliency map of the image, or null
   * @param fineGrained also compute OpenCV's fine-grained saliency and fuse it
   * @return the map
   */
  public static ImportanceMap compute(BufferedImage rgb, SaliencyMap spectral, boolean fineGrained) {
    return compute(rgb, spectral, fineGrained, Weights.DEFAULT);
  }

  /**
   * @param rgb the source image
   * @param spectral the spectral-residual (or any) saliency map of the image, or null
   * @param fineGrained also compute OpenCV's fine-grained saliency and fuse it
   * @param wt component weights
   * @return the map
   */
  public static ImportanceMap compute(BufferedImage rgb, SaliencyMap spectral, boolean fineGrained, Weights wt) {
    return components(rgb, spectral, fineGrained,
        wt.surround() > 0 || wt.edgeSurround() > 0 ? SurroundContrast.SCALES : null, wt.focus() > 0).fuse(wt);
  }

  /**
   * The normalised components of the map at map size, before fusion (package-private so that
   * tuning can fuse one set of components with many weights).
   */
  record Components(int width, int height, int imageWidth, int imageHeight, float[] edge, float[] saturation,
      float[] skin, float[] spectral, float[] fine, float[] colour, float[] surround, float[] edgeSurround,
      float[] focus) {

    /** Components without the focus cue. */
    Components(int width, int height, int imageWidth, int imageHeight, float[] edge, float[] saturation,
        float[] skin, float[] spectral, float[] fine, float[] colour, float[] surround, float[] edgeSurround) {
      this(width, height, imageWidth, imageHeight, edge, saturation, skin, spectral, fine, colour, surround,
          edgeSurround, null);
    }

    /** A component's weight times its uniqueness factor; 0 for a component not computed or not weighted. */
    private double weigh(double weight, float[] component, double uniqueness) {
      return component == null || weight <= 0 ? 0 : weight * Uniqueness.factor(component, width, height, uniqueness);
    }

    /** Fuses the components by the weights, applies the power, the border prior and the centre prior. */
    ImportanceMap fuse(Weights wt) {
      int w = width;
      int h = height;
      float[] sp = spectral;
      float[] fg = fine;
      float[] cs = wt.surround() > 0 ? surround : null;
      float[] es = wt.edgeSurround() > 0 ? edgeSurround : null;
      if ((wt.surround() > 0 && cs == null) || (wt.edgeSurround() > 0 && es == null)) {
        throw new IllegalArgumentException("the surround components were not computed");
      }
      double u = wt.uniqueness();
      double we = weigh(wt.edge(), edge, u);
      double ws = weigh(wt.saturation(), saturation, u);
      double wk = weigh(wt.skin(), skin, u);
      double wc = weigh(wt.colour(), colour, u);
      double wp = weigh(wt.spectral(), sp, u);
      double wf = weigh(wt.fine(), fg, u);
      double wcs = weigh(wt.surround(), cs, u);
      double wes = weigh(wt.edgeSurround(), es, u);
      float[] fo = wt.focus() > 0 ? focus : null;
      if (wt.focus() > 0 && fo == null) {
        throw new IllegalArgumentException("the focus component was not computed");
      }
      double wfo = weigh(wt.focus(), fo, u);
      double wsum = we + ws + wk + wc + wp + wf + wcs + wes + wfo;
      if (u > 0 && wsum < 1e-6) {
        // every component has many peaks of one height (e.g. a regular pattern): none is more
        // distinctive than another, so they count by their weights alone
        return fuse(new Weights(wt.edge(), wt.saturation(), wt.skin(), wt.spectral(), wt.fine(), wt.colour(),
            wt.surround(), wt.edgeSurround(), wt.border(), wt.power(), 0, wt.focus()));
      }
      wsum = Math.max(wsum, 1e-9);
      float[] out = new float[w * h];
      // the default power 4 as two squarings (issue 13, fifth part: Math.pow cost about 2 ms per
      // map); within 2 ulp of Math.pow in double, so the same float in all but rare half-way cases
      boolean power4 = wt.power() == 4;
      double cx = (w - 1) / 2.0;
      double cy = (h - 1) / 2.0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          double v = we * edge[i] + ws * saturation[i] + wk * skin[i] + wc * colour[i];
          if (sp != null) {
            v += wp * sp[i];
          }
          if (fg != null) {
            v += wf * fg[i];
          }
          if (cs != null) {
            v += wcs * cs[i];
          }
          if (es != null) {
            v += wes * es[i];
          }
          if (fo != null) {
            v += wfo * fo[i];
          }
          v /= wsum;
          if (power4) {
            double v2 = v * v;
            v = v2 * v2;
          } else if (wt.power() != 1) {
            v = Math.pow(v, wt.power());
          }
          out[i] = (float) v;
        }
      }
      BorderPrior.apply(out, w, h, wt.border());
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double dxn = (x - cx) / Math.max(1, cx);
          double dyn = (y - cy) / Math.max(1, cy);
          double d2 = (dxn * dxn + dyn * dyn) / 2;
          out[y * w + x] *= (float) (1 - 0.2 * d2);
        }
      }
      return new ImportanceMap(w, h, imageWidth, imageHeight, out);
    }
  }

  /** Computes every component (the surround ones only when given their scales). */
  static Components components(BufferedImage rgb, SaliencyMap spectral, boolean fineGrained, double[] surround) {
    return components(rgb, spectral, fineGrained, surround, true);
  }

  /**
   * Computes the components: the surround ones only when given their scales, the focus cue only
   * when asked for (a map whose weights leave it out does not pay for it).
   */
  static Components components(BufferedImage rgb, SaliencyMap spectral, boolean fineGrained, double[] surround,
      boolean withFocus) {
    int iw = rgb.getWidth();
    int ih = rgb.getHeight();
    double s = Math.min(MIN_SIDE / (double) Math.min(iw, ih), MAX_SIDE / (double) Math.max(iw, ih));
    s = Math.min(1.0, s);
    int w = Math.max(1, (int) Math.round(iw * s));
    int h = Math.max(1, (int) Math.round(ih * s));
    int n = w * h;
    float[] edge;
    float[] sat = new float[n];
    float[] skin = new float[n];
    float[] colour = new float[n];
    float[] fine = null;
    float[] cs = null;
    float[] es = null;
    float[] focus = null;
    // large photos: a cheap Java2D reduction to about twice the map size first (toBgr copies pixels)
    BufferedImage src = Math.max(iw, ih) > 4 * Math.max(w, h) ? ImageOps.fitWithin(rgb, 2 * Math.max(w, h)) : rgb;
    try (Mat full = CvImages.toBgr(src); Mat bgr = new Mat()) {
      opencv_imgproc.resize(full, bgr, new Size(w, h), 0, 0, opencv_imgproc.INTER_AREA);
      if (withFocus) {
        focus = FocusMap.compute(full, w, h);
      }
      try (Mat gray = new Mat(); Mat dx = new Mat(); Mat dy = new Mat(); Mat mag = new Mat()) {
        opencv_imgproc.cvtColor(bgr, gray, opencv_imgproc.COLOR_BGR2GRAY);
        opencv_imgproc.Sobel(gray, dx, opencv_core.CV_32F, 1, 0);
        opencv_imgproc.Sobel(gray, dy, opencv_core.CV_32F, 0, 1);
        opencv_core.magnitude(dx, dy, mag);
        edge = CvImages.floats(mag);
        if (surround != null) {
          cs = SurroundContrast.colour(bgr, w, h, surround);
          es = SurroundContrast.edgeDensity(mag, w, h, surround);
        }
      }
      byte[] px = new byte[n * 3];
      bgr.data().get(px);
      MapOps.colourContrast(px, n, colour);
      for (int i = 0; i < n; i++) {
        int b = px[3 * i] & 255;
        int g = px[3 * i + 1] & 255;
        int r = px[3 * i + 2] & 255;
        int max = Math.max(r, Math.max(g, b));
        int min = Math.min(r, Math.min(g, b));
        sat[i] = max == 0 ? 0f : (max - min) / 255f;
        // YCrCb skin box (Chai & Ngan 1999)
        double y = 0.299 * r + 0.587 * g + 0.114 * b;
        double cr = (r - y) * 0.713 + 128;
        double cb = (b - y) * 0.564 + 128;
        skin[i] = cr >= 135 && cr <= 173 && cb >= 77 && cb <= 127 && y > 40 ? 1f : 0f;
      }
      if (fineGrained) {
        fine = new OpenCvSaliency(OpenCvSaliency.Algorithm.FINE_GRAINED, Math.max(w, h), 0.01)
            .compute(ImageOps.resize(rgb, w, h)).values();
      }
    }
    float[] spec = null;
    if (spectral != null) {
      spec = MapOps.resized(spectral.values(), spectral.width(), spectral.height(), w, h);
    }
    double sigma = 0.012 * Math.max(w, h);
    return new Components(w, h, iw, ih, MapOps.contrast(MapOps.blur(edge, w, h, sigma)), MapOps.contrast(MapOps.blur(sat, w, h, sigma)),
        MapOps.blur(skin, w, h, sigma), spec == null ? null : MapOps.contrast(spec),
        fine == null ? null : MapOps.contrast(MapOps.blur(fine, w, h, sigma)), MapOps.contrast(MapOps.blur(colour, w, h, sigma)),
        cs == null ? null : MapOps.contrast(MapOps.blur(cs, w, h, sigma)), es == null ? null : MapOps.contrast(MapOps.blur(es, w, h, sigma)),
        focus == null ? null : MapOps.contrast(MapOps.blur(focus, w, h, sigma)));
  }

  /** @return a copy of the values */
  @Override
  public float[] values() {
    return values.clone();
  }

  /** Package-private access without copying. */
  float[] raw() {
    return values;
  }

  /**
   * A copy with {@code amount} added inside each box (image pixels), clipped to 1 (the face boosts).
   *
   * @param boxes boxes in image pixels
   * @param amount value added
   * @return the boosted map
   */
  public ImportanceMap boosted(List<Box> boxes, float amount) {
    if (boxes.isEmpty()) {
      return this;
    }
    float[] out = values.clone();
    double sx = width / (double) imageWidth;
    double sy = height / (double) imageHeight;
    for (Box b : boxes) {
      Box c = b.clamp(imageWidth, imageHeight);
      int x0 = (int) Math.floor(c.x() * sx);
      int y0 = (int) Math.floor(c.y() * sy);
      int x1 = Math.min(width, (int) Math.ceil(c.x2() * sx));
      int y1 = Math.min(height, (int) Math.ceil(c.y2() * sy));
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          out[y * width + x] = Math.min(1f, out[y * width + x] + amount);
        }
      }
    }
    return new ImportanceMap(width, height, imageWidth, imageHeight, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImportanceMap m && m.width == width && m.height == height && m.imageWidth == imageWidth
        && m.imageHeight == imageHeight && Arrays.equals(m.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "ImportanceMap[" + width + "x" + height + " for " + imageWidth + "x" + imageHeight + "]";
  }
}
