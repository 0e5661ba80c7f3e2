package io.sightline.posters;

import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** Conversions between Java images and OpenCV matrices, and access to resources in the OpenCV jar. */
final class CvImages {
  private static final ConcurrentHashMap<String, Path> EXTRACTED = new ConcurrentHashMap<>();

  private CvImages() {}

  /**
   * Scale of the reduced analysis copy: the longer side to {@code side}, but the shorter side kept
   * at least {@code 9/16 · side} (a panorama is not squeezed to a strip), never enlarged.
   */
  static double analysisScale(int w, int h, int side) {
    return Math.min(1.0, Math.max(side / (double) Math.max(w, h), 0.5625 * side / Math.min(w, h)));
  }

  /**
   * @return {@code img} reduced by {@link #analysisScale}, or itself (as RGB) when not reduced;
   *     the same pixels as {@link ImageOps#resize} gives
   */
  static BufferedImage reduced(BufferedImage img, int side) {
    double s = analysisScale(img.getWidth(), img.getHeight(), side);
    if (s >= 1.0) {
      return ImageOps.toRgb(img);
    }
    int tw = Math.max(1, (int) Math.round(img.getWidth() * s));
    int th = Math.max(1, (int) Math.round(img.getHeight() * s));
    BufferedImage halved = halved(ImageOps.toRgb(img), tw, th);
    if (halved.getWidth() == tw && halved.getHeight() == th) {
      return halved;
    }
    return ImageOps.resize(halved, tw, th);
  }

  /**
   * The successive halvings {@link ImageOps#resize} starts with (while both sides stay at least the
   * target), done by OpenCV while both sides are even: a bilinear halving by Java2D is the mean of
   * each 2x2 block, rounded, which OpenCV's {@code INTER_LINEAR_EXACT} computes bit for bit (issue
   * 13: 1920x1080 to 960x540 in about 2 instead of 7 ms on one core). Stops at an odd side; the
   * rest, if any, is left to {@link ImageOps#resize}.
   *
   * @return {@code rgb} itself when no halving applies, else a new INT_RGB image
   */
  static BufferedImage halved(BufferedImage rgb, int tw, int th) {
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    if (w / 2 < tw || h / 2 < th || w % 2 != 0 || h % 2 != 0) {
      return rgb;
    }
    int[] packed = packedPixels(rgb);
    if (packed == null) {
      return rgb;
    }
    Mat cur = new Mat(h, w, opencv_core.CV_8UC4);
    try {
      new IntPointer(cur.data()).put(packed, 0, w * h);
      while (w / 2 >= tw && h / 2 >= th && w % 2 == 0 && h % 2 == 0) {
        w /= 2;
        h /= 2;
        Mat next = new Mat();
        opencv_imgproc.resize(cur, next, new Size(w, h), 0, 0, opencv_imgproc.INTER_LINEAR_EXACT);
        cur.close();
        cur = next;
      }
      BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      // back to 0xXXRRGGBB ints (an INT_RGB image ignores the top byte)
      new IntPointer(cur.data()).get(((DataBufferInt) out.getRaster().getDataBuffer()).getData(), 0, w * h);
      return out;
    } finally {
      cur.close();
    }
  }

  /** @return an 8-bit 3-channel BGR matrix with the pixels of {@code img} */
  static Mat toBgr(BufferedImage img) {
    BufferedImage rgb = ImageOps.toRgb(img);
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    int[] packed = packedPixels(rgb);
    if (packed != null) {
      // one copy of the raster (0xXXRRGGBB little-endian is B, G, R, X in memory) and one OpenCV
      // conversion instead of a per-pixel loop in Java: the same bytes
      try (Mat bgra = new Mat(h, w, opencv_core.CV_8UC4)) {
        new IntPointer(bgra.data()).put(packed, 0, w * h);
        Mat m = new Mat();
        opencv_imgproc.cvtColor(bgra, m, opencv_imgproc.COLOR_BGRA2BGR);
        return m;
      }
    }
    int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
    byte[] bytes = new byte[w * h * 3];
    for (int i = 0; i < px.length; i++) {
      int p = px[i];
      bytes[3 * i] = (byte) (p & 255);
      bytes[3 * i + 1] = (byte) ((p >> 8) & 255);
      bytes[3 * i + 2] = (byte) ((p >> 16) & 255);
    }
    Mat m = new Mat(h, w, opencv_core.CV_8UC3);
    m.data().put(bytes);
    return m;
  }

  /**
   * The INT_RGB image's own pixel array (not a copy; reading it makes Java2D stop caching the image
   * in video memory, which a server-side composer does not use).
   *
   * @return the array when it holds exactly the image's pixels, row by row from index 0 (not a
   *     sub-image), on a little-endian machine; otherwise null
   */
  private static int[] packedPixels(BufferedImage rgb) {
    if (rgb.getType() != BufferedImage.TYPE_INT_RGB || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      return null;
    }
    WritableRaster r = rgb.getRaster();
    if (!(r.getDataBuffer() instanceof DataBufferInt db) || db.getNumBanks() != 1 || db.getOffset() != 0
        || !(r.getSampleModel() instanceof SinglePixelPackedSampleModel sm)
        || sm.getScanlineStride() != rgb.getWidth() || r.getSampleModelTranslateX() != 0
        || r.getSampleModelTranslateY() != 0 || db.getSize() < rgb.getWidth() * rgb.getHeight()) {
      return null;
    }
    return db.getData();
  }

  /** @return an 8-bit single-channel grey matrix of {@code img} */
  static Mat toGray(BufferedImage img) {
    try (Mat bgr = toBgr(img)) {
      Mat g = new Mat();
      opencv_imgproc.cvtColor(bgr, g, opencv_imgproc.COLOR_BGR2GRAY);
      return g;
    }
  }

  /** @return an INT_RGB image of an 8-bit BGR (3 channels) or grey (1 channel) matrix */
  static BufferedImage toImage(Mat m) {
    Mat src = m.isContinuous() ? m : m.clone();
    int w = src.cols();
    int h = src.rows();
    int ch = src.channels();
    byte[] bytes = new byte[w * h * ch];
    src.data().get(bytes);
    int[] px = new int[w * h];
    for (int i = 0; i < px.length; i++) {
      if (ch == 1) {
        int v = bytes[i] & 255;
        px[i] = (v << 16) | (v << 8) | v;
      } else {
        int b = bytes[ch * i] & 255;
        int g = bytes[ch * i + 1] & 255;
        int r = bytes[ch * i + 2] & 255;
        px[i] = (r << 16) | (g << 8) | b;
      }
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    out.setRGB(0, 0, w, h, px, 0, w);
    if (src != m) {
      src.close();
    }
    return out;
  }

  /** @return the values of a single-channel float matrix, row-major */
  static float[] floats(Mat m) {
    Mat f = new Mat();
    m.convertTo(f, opencv_core.CV_32F);
    Mat c = f.isContinuous() ? f : f.clone();
    float[] out = new float[c.rows() * c.cols()];
    new FloatPointer(c.data()).get(out);
    if (c != f) {
      c.close();
    }
    f.close();
    return out;
  }

  /** @return a CV_32F matrix holding {@code values} (row-major) */
  static Mat fromFloats(float[] values, int width, int height) {
    Mat m = new Mat(height, width, opencv_core.CV_32F);
    new FloatPointer(m.data()).put(values);
    return m;
  }

  /**
   * The 8-connected regions of a mask.
   *
   * @param count how many labels, the background (0) included, as OpenCV counts them
   * @param of the label of each pixel, row-major
   */
  record Labels(int count, int[] of) {}

  /**
   * @param mask row-major, non-zero = foreground
   * @param width mask width
   * @param height mask height
   * @return its 8-connected regions (OpenCV {@code connectedComponents})
   */
  static Labels labels(byte[] mask, int width, int height) {
    try (Mat m = fromBytes(mask, width, height); Mat labels = new Mat()) {
      int n = opencv_imgproc.connectedComponents(m, labels, 8, opencv_core.CV_32S);
      int[] of = new int[width * height];
      new IntPointer(labels.data()).get(of);
      return new Labels(n, of);
    }
  }

  /** @return a CV_8U matrix holding {@code values} (row-major) */
  static Mat fromBytes(byte[] values, int width, int height) {
    Mat m = new Mat(height, width, opencv_core.CV_8U);
    BytePointer p = m.data();
    p.put(values);
    return m;
  }

  /**
   * Extracts a file bundled in the OpenCV natives jar (cascade XML) to a temp file once per JVM.
   *
   * @param resource the path under {@code org/bytedeco/opencv/<platform>/share/opencv4/}
   * @return the extracted file
   */
  static Path bundled(String resource) {
    return EXTRACTED.computeIfAbsent(resource, r -> {
      String platform = org.bytedeco.javacpp.Loader.getPlatform();
      String full = "/org/bytedeco/opencv/" + platform + "/share/opencv4/" + r;
      try (InputStream in = org.bytedeco.opencv.opencv_objdetect.CascadeClassifier.class.getResourceAsStream(full)) {
        if (in == null) {
          throw new PosterException("OpenCV resource " + full + " is not on the class path; add the "
              + "org.bytedeco:opencv jar for platform " + platform);
        }
        Path tmp = Files.createTempFile("sightline-" + r.replace('/', '-'), ".xml");
        tmp.toFile().deleteOnExit();
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        return tmp;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot extract " + full, e);
      }
    });
  }
}
