package io.sightline.models.train;

import io.sightline.core.onnx.Preset;
import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The drawings decoded once into small ARGB thumbnails (longer side {@value #SIDE} px, alpha kept,
 * cached in one file), and the views the trainer shows the network: as stored (on white) for
 * validation, or as a new shot for training — scaled, turned, flipped, on a white, plain or photo
 * background, with light and colour changed. Every view is packed with
 * {@link Preset#SIGHTLINE_CLIPART}, the preprocessing of the shipped embedder.
 */
final class ClipartImages {
  static final int SIDE = 96;
  static final Preset PRESET = Preset.SIGHTLINE_CLIPART;

  private final int[][] pixels;
  private final int[] widths;
  private final int[] heights;
  private final List<BufferedImage> backgrounds;

  private ClipartImages(int[][] pixels, int[] widths, int[] heights, List<BufferedImage> backgrounds) {
    this.pixels = pixels;
    this.widths = widths;
    this.heights = heights;
    this.backgrounds = backgrounds;
  }

  /**
   * Decodes every file (two threads), or reads the cache written by an earlier run on the same
   * file list.
   */
  static ClipartImages load(List<Path> files, Path cache, List<BufferedImage> backgrounds) throws Exception {
    int n = files.size();
    int[][] px = new int[n][];
    int[] w = new int[n];
    int[] h = new int[n];
    if (Files.isRegularFile(cache)) {
      try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
          new GZIPInputStream(Files.newInputStream(cache), 1 << 16)))) {
        if (in.readInt() == n && in.readInt() == SIDE && in.readInt() == files.hashCode()) {
          for (int i = 0; i < n; i++) {
            w[i] = in.readInt();
            h[i] = in.readInt();
            px[i] = new int[w[i] * h[i]];
            for (int k = 0; k < px[i].length; k++) {
              px[i][k] = in.readInt();
            }
          }
          return new ClipartImages(px, w, h, backgrounds);
        }
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<BufferedImage>> fs = new ArrayList<>();
      for (Path f : files) {
        fs.add(pool.submit(() -> thumbnail(f)));
      }
      for (int i = 0; i < n; i++) {
        BufferedImage t;
        try {
          t = fs.get(i).get();
        } catch (java.util.concurrent.ExecutionException e) {
          // undecodable or over the loader's limits: kept as an empty entry, left out by usable()
          System.err.println("skipped " + files.get(i) + ": " + e.getCause().getMessage());
          px[i] = new int[0];
          continue;
        }
        w[i] = t.getWidth();
        h[i] = t.getHeight();
        px[i] = t.getRGB(0, 0, w[i], h[i], null, 0, w[i]);
        if ((i + 1) % 1000 == 0) {
          System.err.printf("decoded %d / %d%n", i + 1, n);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    Files.createDirectories(cache.toAbsolutePath().getParent());
    try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
        new GZIPOutputStream(Files.newOutputStream(cache), 1 << 16)))) {
      out.writeInt(n);
      out.writeInt(SIDE);
      out.writeInt(files.hashCode());
      for (int i = 0; i < n; i++) {
        out.writeInt(w[i]);
        out.writeInt(h[i]);
        for (int v : px[i]) {
          out.writeInt(v);
        }
      }
    }
    return new ClipartImages(px, w, h, backgrounds);
  }

  /** Decodes a PNG keeping alpha and scales it (halving, then bilinear) to fit SIDE x SIDE. */
  static BufferedImage thumbnail(Path file) throws IOException {
    BufferedImage src = io.sightline.core.image.ImageLoader.defaults().loadRaw(file);
    BufferedImage cur = toArgb(src);
    while (Math.max(cur.getWidth(), cur.getHeight()) >= 2 * SIDE) {
      cur = scaled(cur, Math.max(1, cur.getWidth() / 2), Math.max(1, cur.getHeight() / 2));
    }
    double s = Math.min(1.0, SIDE / (double) Math.max(cur.getWidth(), cur.getHeight()));
    return scaled(cur, Math.max(1, (int) Math.round(cur.getWidth() * s)),
        Math.max(1, (int) Math.round(cur.getHeight() * s)));
  }

  private static BufferedImage toArgb(BufferedImage src) {
    BufferedImage a = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = a.createGraphics();
    g.drawImage(src, 0, 0, null);
    g.dispose();
    return a;
  }

  private static BufferedImage scaled(BufferedImage src, int w, int h) {
    BufferedImage d = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = d.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setComposite(AlphaComposite.Src);
    g.drawImage(src, 0, 0, w, h, null);
    g.dispose();
    return d;
  }

  /** @return the same drawings with other background photos for new shots */
  ClipartImages withBackgrounds(List<BufferedImage> photos) {
    return new ClipartImages(pixels, widths, heights, photos);
  }

  /** @return whether drawing {@code i} could be decoded */
  boolean usable(int i) {
    return widths[i] > 0;
  }

  int size() {
    return pixels.length;
  }

  BufferedImage argb(int i) {
    BufferedImage b = new BufferedImage(widths[i], heights[i], BufferedImage.TYPE_INT_ARGB);
    b.setRGB(0, 0, widths[i], heights[i], pixels[i], 0, widths[i]);
    return b;
  }

  /** @return drawing {@code i} on white, as stored */
  BufferedImage onWhite(int i) {
    BufferedImage rgb = new BufferedImage(widths[i], heights[i], BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
    g.drawImage(argb(i), 0, 0, null);
    g.dispose();
    return rgb;
  }

  /** @return the tensor of drawing {@code i} on white */
  float[] plain(int i) {
    return PRESET.tensor(onWhite(i));
  }

  /** @return the tensor of a new shot of drawing {@code i} */
  float[] augmented(int i, Random rnd) {
    return PRESET.tensor(newShot(i, rnd));
  }

  /**
   * A new shot: canvas of a random aspect (3:4 to 4:3), background white (40 %), a plain colour
   * (25 %) or a crop of a photo (35 %); the drawing scaled to 55–100 % of the canvas, turned
   * ±15°, mirrored half the time, placed anywhere it fits; then brightness, contrast and
   * saturation changed and, one time in ten, grey.
   */
  BufferedImage newShot(int i, Random rnd) {
    double aspect = Math.exp((rnd.nextDouble() * 2 - 1) * Math.log(4 / 3.0));
    int cw = aspect >= 1 ? SIDE : (int) Math.round(SIDE * aspect);
    int ch = aspect >= 1 ? (int) Math.round(SIDE / aspect) : SIDE;
    BufferedImage canvas = new BufferedImage(cw, ch, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    double bg = rnd.nextDouble();
    if (bg < 0.40 || backgrounds.isEmpty()) {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, cw, ch);
    } else if (bg < 0.65) {
      g.setColor(Color.getHSBColor(rnd.nextFloat(), rnd.nextFloat() * 0.6f, 0.3f + rnd.nextFloat() * 0.7f));
      g.fillRect(0, 0, cw, ch);
    } else {
      BufferedImage photo = backgrounds.get(rnd.nextInt(backgrounds.size()));
      int x = rnd.nextInt(Math.max(1, photo.getWidth() - cw));
      int y = rnd.nextInt(Math.max(1, photo.getHeight() - ch));
      g.drawImage(photo, 0, 0, cw, ch, x, y, x + Math.min(cw, photo.getWidth()), y + Math.min(ch, photo.getHeight()),
          null);
    }
    BufferedImage obj = argb(i);
    double fit = Math.min(cw / (double) obj.getWidth(), ch / (double) obj.getHeight());
    double s = fit * (0.55 + 0.45 * rnd.nextDouble());
    double ow = obj.getWidth() * s;
    double oh = obj.getHeight() * s;
    double cx = ow / 2 + rnd.nextDouble() * Math.max(0, cw - ow);
    double cy = oh / 2 + rnd.nextDouble() * Math.max(0, ch - oh);
    AffineTransform t = new AffineTransform();
    t.translate(cx, cy);
    t.rotate(Math.toRadians((rnd.nextDouble() * 2 - 1) * 15));
    t.scale(rnd.nextBoolean() ? -s : s, s);
    t.translate(-obj.getWidth() / 2.0, -obj.getHeight() / 2.0);
    g.drawImage(obj, t, null);
    g.dispose();
    jitter(canvas, rnd);
    return canvas;
  }

  private static void jitter(BufferedImage img, Random rnd) {
    double bright = (rnd.nextDouble() * 2 - 1) * 0.15 * 255;
    double contrast = 0.8 + 0.4 * rnd.nextDouble();
    double sat = rnd.nextDouble() < 0.1 ? 0 : 0.7 + 0.6 * rnd.nextDouble();
    int w = img.getWidth();
    int h = img.getHeight();
    int[] px = img.getRGB(0, 0, w, h, null, 0, w);
    for (int k = 0; k < px.length; k++) {
      int p = px[k];
      double r = (p >> 16) & 255;
      double gg = (p >> 8) & 255;
      double b = p & 255;
      double grey = 0.299 * r + 0.587 * gg + 0.114 * b;
      r = grey + (r - grey) * sat;
      gg = grey + (gg - grey) * sat;
      b = grey + (b - grey) * sat;
      r = (r - 128) * contrast + 128 + bright;
      gg = (gg - 128) * contrast + 128 + bright;
      b = (b - 128) * contrast + 128 + bright;
      px[k] = 0xFF000000 | (clamp(r) << 16) | (clamp(gg) << 8) | clamp(b);
    }
    img.setRGB(0, 0, w, h, px, 0, w);
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }
}
