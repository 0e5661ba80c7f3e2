package io.sightline.commerce;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The training-free region proposer used when no garment detection model is plugged in:
 * foreground segmentation into connected parts. It implements the core {@link ObjectDetector}
 * SPI and labels every region {@code "region"}.
 *
 * <ol>
 *   <li>The image is scaled to at most {@code workingSize} pixels on its long side and converted
 *       to CIE Lab (OpenCV).</li>
 *   <li>Background model: the pixels of a frame along the border (3% of the short side) are
 *       binned into a coarse 8x8x8 Lab histogram; every bin holding at least 4% of the frame is a
 *       background colour (its mean Lab value). This handles plain studio backdrops and
 *       backgrounds of a few dominant colours.</li>
 *   <li>Each pixel's foreground strength is its Lab distance to the nearest background colour;
 *       the mask is that distance above the larger of Otsu's threshold and {@code minContrast}.</li>
 *   <li>A morphological closing (ellipse, about 2% of the working size) joins the parts of one
 *       object, an opening removes specks; OpenCV labels 8-connected components.</li>
 *   <li>Components smaller than {@code minAreaFraction} of the image are dropped; boxes that
 *       mostly overlap (intersection above 60% of the smaller one) are merged; the largest
 *       {@code maxRegions} are returned, scaled back to input pixels. Score = the component's
 *       share of its box (a compact object scores near 1).</li>
 * </ol>
 *
 * <p><b>Limits:</b> it needs the objects to differ in colour from the border of the photo. On a
 * cluttered or textured scene that runs under the objects it merges objects with the background
 * or splits them; touching garments of similar colour come out as one region. Plug a real
 * detector (e.g. an ONNX garment detector through the core SPI) where that matters.
 *
 * <p>Deterministic and thread-safe. Loads the OpenCV natives on first use.
 */
public final class ForegroundRegionProposer implements ObjectDetector {
  /** Id and version. */
  public static final String ID = "foreground-proposer/1";

  private final int workingSize;
  private final double minAreaFraction;
  private final double minContrast;
  private final int maxRegions;

  /** A proposer with the defaults: working size 256, min area 1%, min contrast 18, at most 8 regions. */
  public ForegroundRegionProposer() {
    this(256, 0.01, 18, 8);
  }

  /**
   * @param workingSize long side the image is scaled to before segmentation (64..2048)
   * @param minAreaFraction smallest component kept, as a share of the image (0..1)
   * @param minContrast smallest Lab distance from the background that counts as foreground
   * @param maxRegions most regions returned (at least 1)
   */
  public ForegroundRegionProposer(int workingSize, double minAreaFraction, double minContrast, int maxRegions) {
    if (workingSize < 64 || workingSize > 2048) {
      throw new IllegalArgumentException("workingSize must be in [64, 2048]: " + workingSize);
    }
    if (!(minAreaFraction >= 0 && minAreaFraction < 1)) {
      throw new IllegalArgumentException("minAreaFraction must be in [0, 1): " + minAreaFraction);
    }
    if (!(minContrast >= 0)) {
      throw new IllegalArgumentException("minContrast must be >= 0: " + minContrast);
    }
    if (maxRegions < 1) {
      throw new IllegalArgumentException("maxRegions must be >= 1");
    }
    this.workingSize = workingSize;
    this.minAreaFraction = minAreaFraction;
    this.minContrast = minContrast;
    this.maxRegions = maxRegions;
  }

  @Override
  public List<Detection> detect(BufferedImage image) {
    Objects.requireNonNull(image, "image");
    int ow = image.getWidth();
    int oh = image.getHeight();
    BufferedImage small = ImageOps.toRgb(ImageOps.fitWithin(image, workingSize));
    int w = small.getWidth();
    int h = small.getHeight();
    if (w < 8 || h < 8) {
      return List.of();
    }
    int[] argb = small.getRGB(0, 0, w, h, null, 0, w);
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < argb.length; i++) {
      rgb[3 * i] = (byte) (argb[i] >> 16);
      rgb[3 * i + 1] = (byte) (argb[i] >> 8);
      rgb[3 * i + 2] = (byte) argb[i];
    }
    byte[] lab = new byte[rgb.length];
    try (Mat src = new Mat(h, w, CV_8UC3); Mat labMat = new Mat()) {
      src.data().put(rgb);
      opencv_imgproc.cvtColor(src, labMat, opencv_imgproc.COLOR_RGB2Lab);
      labMat.data().get(lab);
    }
    double[][] palette = backgroundPalette(lab, w, h);
    byte[] dist = new byte[w * h];
    for (int i = 0; i < w * h; i++) {
      double l = (lab[3 * i] & 0xff) * 100.0 / 255.0;
      double a = (lab[3 * i + 1] & 0xff) - 128.0;
      double b = (lab[3 * i + 2] & 0xff) - 128.0;
      double best = Double.MAX_VALUE;
      for (double[] p : palette) {
        double dl = l - p[0];
        double da = a - p[1];
        double db = b - p[2];
        best = Math.min(best, dl * dl + da * da + db * db);
      }
      dist[i] = (byte) Math.min(255, (int) Math.round(Math.sqrt(best) * 2)); // 0.5 Lab unit per level
    }
    List<Detection> out = new ArrayList<>();
    try (Mat d = new Mat(h, w, CV_8UC1); Mat mask = new Mat(); Mat labels = new Mat(); Mat stats = new Mat();
        Mat centroids = new Mat()) {
      d.data().put(dist);
      double otsu = opencv_imgproc.threshold(d, mask, 0, 255, opencv_imgproc.THRESH_BINARY | opencv_imgproc.THRESH_OTSU);
      double thr = Math.max(otsu, minContrast * 2);
      if (thr > otsu) {
        opencv_imgproc.threshold(d, mask, thr, 255, opencv_imgproc.THRESH_BINARY);
      }
      int k = Math.max(3, (int) Math.round(Math.max(w, h) * 0.02) | 1);
      try (Size closeSize = new Size(k, k); Size openSize = new Size(3, 3);
          Mat close = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_ELLIPSE, closeSize);
          Mat open = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_ELLIPSE, openSize)) {
        opencv_imgproc.morphologyEx(mask, mask, opencv_imgproc.MORPH_CLOSE, close);
        opencv_imgproc.morphologyEx(mask, mask, opencv_imgproc.MORPH_OPEN, open);
      }
      int n = opencv_imgproc.connectedComponentsWithStats(mask, labels, stats, centroids);
      double sx = ow / (double) w;
      double sy = oh / (double) h;
      double minArea = minAreaFraction * w * h;
      try (IntIndexer s = stats.createIndexer()) {
        for (int c = 1; c < n; c++) { // 0 is the background
          int area = s.get(c, opencv_imgproc.CC_STAT_AREA);
          if (area < Math.max(4, minArea)) {
            continue;
          }
          int bx = s.get(c, opencv_imgproc.CC_STAT_LEFT);
          int by = s.get(c, opencv_imgproc.CC_STAT_TOP);
          int bw = s.get(c, opencv_imgproc.CC_STAT_WIDTH);
          int bh = s.get(c, opencv_imgproc.CC_STAT_HEIGHT);
          Box box = new Box(bx * sx, by * sy, bw * sx, bh * sy);
          out.add(new Detection(box, "region", (float) (area / (double) (bw * bh))));
        }
      }
    }
    return mergeAndRank(out, ow, oh);
  }

  private List<Detection> mergeAndRank(List<Detection> in, int ow, int oh) {
    List<Detection> boxes = new ArrayList<>(in);
    boolean merged = true;
    while (merged) {
      merged = false;
      outer:
      for (int i = 0; i < boxes.size(); i++) {
        for (int j = i + 1; j < boxes.size(); j++) {
          Box a = boxes.get(i).box();
          Box b = boxes.get(j).box();
          double inter = a.intersection(b).area();
          if (inter > 0.6 * Math.min(a.area(), b.area())) {
            Box u = a.union(b);
            double fill = (boxes.get(i).score() * a.area() + boxes.get(j).score() * b.area()) / u.area();
            boxes.set(i, new Detection(u, "region", (float) Math.min(1, fill)));
            boxes.remove(j);
            merged = true;
            break outer;
          }
        }
      }
    }
    boxes.sort(Comparator.comparingDouble((Detection d) -> -d.box().area()));
    List<Detection> out = new ArrayList<>();
    for (Detection d : boxes) {
      if (out.size() == maxRegions) {
        break;
      }
      out.add(new Detection(d.box().clamp(ow, oh), d.label(), d.score()));
    }
    return out;
  }

  /** Background colours from a histogram of the border frame, as Lab triples (L 0..100, a, b). */
  private static double[][] backgroundPalette(byte[] lab, int w, int h) {
    int frame = Math.max(2, (int) Math.round(Math.min(w, h) * 0.03));
    int bins = 8;
    long[] count = new long[bins * bins * bins];
    double[][] sum = new double[count.length][3];
    long total = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (x >= frame && x < w - frame && y >= frame && y < h - frame) {
          continue;
        }
        int i = y * w + x;
        int l = lab[3 * i] & 0xff;
        int a = lab[3 * i + 1] & 0xff;
        int b = lab[3 * i + 2] & 0xff;
        int bin = (l * bins / 256) * bins * bins + (a * bins / 256) * bins + (b * bins / 256);
        count[bin]++;
        sum[bin][0] += l * 100.0 / 255.0;
        sum[bin][1] += a - 128.0;
        sum[bin][2] += b - 128.0;
        total++;
      }
    }
    List<double[]> palette = new ArrayList<>();
    int best = 0;
    for (int i = 0; i < count.length; i++) {
      if (count[i] > count[best]) {
        best = i;
      }
      if (count[i] >= 0.04 * total) {
        palette.add(new double[] {sum[i][0] / count[i], sum[i][1] / count[i], sum[i][2] / count[i]});
      }
    }
    if (palette.isEmpty()) {
      palette.add(new double[] {sum[best][0] / count[best], sum[best][1] / count[best], sum[best][2] / count[best]});
    }
    return palette.toArray(new double[0][]);
  }

  @Override
  public String id() {
    return ID;
  }
}
