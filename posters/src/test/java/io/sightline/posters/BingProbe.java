package io.sightline.posters;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Issue 13, tenth part (tried, not kept): BING objectness (Cheng et al. 2014; the trained files
 * OpenCV's saliency module ships, learned on PASCAL VOC 2007 photos) as a cue for the importance
 * map. Scores windows of the trained sizes by the 8x8 linear filter over normed (MAXBGR) gradients,
 * calibrates each size's score, keeps the best windows after non-maximum suppression and
 * accumulates them into a map. Written here rather than calling OpenCV's {@code ObjectnessBING}
 * because that class prints to stdout and writes a results file on every call. Used by
 * {@code eval.ObjectnessEval}; figures in BENCHMARKS.md.
 */
public final class BingProbe {
  private static final int W = 8;
  private static final int MIN_T = 4; // ceil(log2(10))
  private static final int NUM_T = 6; // ceil(log2(500)) - MIN_T + 1
  private final float[] filter;
  private final int[] sizes;
  private final float[][] calib;

  public BingProbe(Path dir, String colour) throws IOException {
    filter = matrix(dir.resolve("ObjNessB2W8" + colour + ".wS1.yml.gz"));
    float[] idx = matrix(dir.resolve("ObjNessB2W8" + colour + ".idx.yml.gz"));
    float[] c = matrix(dir.resolve("ObjNessB2W8" + colour + ".wS2.yml.gz"));
    sizes = new int[idx.length];
    calib = new float[idx.length][2];
    for (int i = 0; i < idx.length; i++) {
      sizes[i] = (int) idx[i];
      calib[i][0] = c[2 * i];
      calib[i][1] = c[2 * i + 1];
    }
  }

  private static float[] matrix(Path p) throws IOException {
    String s;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
      s = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
    }
    Matcher m = Pattern.compile("data:\\s*\\[([^\\]]*)\\]").matcher(s);
    if (!m.find()) {
      throw new IOException("no data in " + p);
    }
    String[] parts = m.group(1).trim().split("[,\\s]+");
    float[] out = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Float.parseFloat(parts[i]);
    }
    return out;
  }

  /** A scored window in image pixels. */
  public record Window(double score, int x0, int y0, int x1, int y1) {}

  /**
   * @param bgr 8-bit BGR image
   * @param perSize windows kept per size after non-maximum suppression
   * @return windows, best first
   */
  public List<Window> windows(Mat bgr, int perSize) {
    int imgW = bgr.cols();
    int imgH = bgr.rows();
    List<Window> out = new ArrayList<>();
    for (int ir = sizes.length - 1; ir >= 0; ir--) {
      int r = sizes[ir];
      int height = (int) Math.round(Math.pow(2, r / NUM_T + MIN_T));
      int width = (int) Math.round(Math.pow(2, r % NUM_T + MIN_T));
      if (height > imgH * 2 || width > imgW * 2) {
        continue;
      }
      height = Math.min(height, imgH);
      width = Math.min(width, imgW);
      int rw = (int) Math.round(W * imgW * 1.0 / width);
      int rh = (int) Math.round(W * imgH * 1.0 / height);
      if (rw < W || rh < W) {
        continue;
      }
      int[] mag;
      try (Mat small = new Mat()) {
        opencv_imgproc.resize(bgr, small, new Size(rw, rh), 0, 0, opencv_imgproc.INTER_LINEAR_EXACT);
        byte[] px = new byte[rw * rh * 3];
        Mat c = small.isContinuous() ? small : small.clone();
        c.data().get(px);
        mag = gradient(px, rw, rh);
      }
      int cw = rw - W + 1;
      int ch = rh - W + 1;
      float[] cost = new float[cw * ch];
      for (int y = 0; y < ch; y++) {
        for (int x = 0; x < cw; x++) {
          double s = 0;
          for (int dy = 0; dy < W; dy++) {
            int row = (y + dy) * rw + x;
            for (int dx = 0; dx < W; dx++) {
              s += filter[dy * W + dx] * mag[row + dx];
            }
          }
          cost[y * cw + x] = (float) s;
        }
      }
      // non-maximum suppression in a 5x5 neighbourhood, best first
      Integer[] order = new Integer[cost.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Float.compare(cost[b], cost[a]));
      boolean[] off = new boolean[cost.length];
      int kept = 0;
      int ratioX = width / W;
      int ratioY = height / W;
      for (int k = 0; k < order.length && kept < perSize; k++) {
        int i = order[k];
        if (off[i]) {
          continue;
        }
        int px = i % cw;
        int py = i / cw;
        for (int dy = -2; dy <= 2; dy++) {
          for (int dx = -2; dx <= 2; dx++) {
            int nx = px + dx;
            int ny = py + dy;
            if (nx >= 0 && ny >= 0 && nx < cw && ny < ch) {
              off[ny * cw + nx] = true;
            }
          }
        }
        int x0 = px * ratioX;
        int y0 = py * ratioY;
        double score = cost[i] * calib[ir][0] + calib[ir][1];
        out.add(new Window(score, x0, y0, Math.min(x0 + width, imgW), Math.min(y0 + height, imgH)));
        kept++;
      }
    }
    out.sort((a, b) -> Double.compare(b.score(), a.score()));
    return out;
  }

  /** MAXBGR normed gradient: per pixel the largest channel difference, x plus y, capped at 255. */
  private static int[] gradient(byte[] px, int w, int h) {
    int[] ix = new int[w * h];
    int[] iy = new int[w * h];
    for (int y = 0; y < h; y++) {
      ix[y * w] = dist(px, y * w + 1, y * w) * 2;
      ix[y * w + w - 1] = dist(px, y * w + w - 1, y * w + w - 2) * 2;
      for (int x = 2; x < w; x++) {
        ix[y * w + x - 1] = dist(px, y * w + x - 2, y * w + x);
      }
    }
    for (int x = 0; x < w; x++) {
      iy[x] = dist(px, w + x, x) * 2;
      iy[(h - 1) * w + x] = dist(px, (h - 1) * w + x, (h - 2) * w + x) * 2;
    }
    for (int y = 1; y < h - 1; y++) {
      for (int x = 0; x < w; x++) {
        iy[y * w + x] = dist(px, (y - 1) * w + x, (y + 1) * w + x);
      }
    }
    int[] mag = new int[w * h];
    for (int i = 0; i < mag.length; i++) {
      mag[i] = Math.min(ix[i] + iy[i], 255);
    }
    return mag;
  }

  private static int dist(byte[] px, int a, int b) {
    int d0 = Math.abs((px[3 * a] & 255) - (px[3 * b] & 255));
    int d1 = Math.abs((px[3 * a + 1] & 255) - (px[3 * b + 1] & 255));
    int d2 = Math.abs((px[3 * a + 2] & 255) - (px[3 * b + 2] & 255));
    return Math.max(d0, Math.max(d1, d2));
  }

  /**
   * Objectness map at the importance map's size: the top {@code top} windows, each adding
   * {@code exp((score - best) / temperature)} over its area.
   */
  public float[] map(BufferedImage image, int side, int mapW, int mapH, int top, double temperature,
      boolean perArea) {
    BufferedImage work = CvImages.reduced(image, side);
    List<Window> ws;
    try (Mat bgr = CvImages.toBgr(work)) {
      ws = windows(bgr, 50);
    }
    double sx = mapW / (double) work.getWidth();
    double sy = mapH / (double) work.getHeight();
    double[] acc = new double[(mapW + 1) * (mapH + 1)];
    double best = ws.isEmpty() ? 0 : ws.get(0).score();
    for (int k = 0; k < Math.min(top, ws.size()); k++) {
      Window wi = ws.get(k);
      int x0 = (int) Math.floor(wi.x0() * sx);
      int y0 = (int) Math.floor(wi.y0() * sy);
      int x1 = Math.min(mapW, (int) Math.ceil(wi.x1() * sx));
      int y1 = Math.min(mapH, (int) Math.ceil(wi.y1() * sy));
      double v = Math.exp((wi.score() - best) / temperature);
      if (perArea) {
        v /= Math.max(1, (x1 - x0) * (y1 - y0)) / (double) (mapW * mapH);
      }
      acc[y0 * (mapW + 1) + x0] += v;
      acc[y0 * (mapW + 1) + x1] -= v;
      acc[y1 * (mapW + 1) + x0] -= v;
      acc[y1 * (mapW + 1) + x1] += v;
    }
    float[] out = new float[mapW * mapH];
    double[] row = new double[mapW + 1];
    double max = 0;
    for (int y = 0; y < mapH; y++) {
      double run = 0;
      for (int x = 0; x < mapW; x++) {
        run += acc[y * (mapW + 1) + x];
        row[x] += run;
        out[y * mapW + x] = (float) row[x];
        max = Math.max(max, row[x]);
      }
    }
    if (max > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= (float) max;
      }
    }
    return out;
  }
}
