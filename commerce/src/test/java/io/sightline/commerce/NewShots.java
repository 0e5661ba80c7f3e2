package io.sightline.commerce;

import io.sightline.core.detect.Box;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * "New shots" of catalog products for tests: the product's PNG (alpha kept) scaled, rotated and
 * pasted on a cluttered photo background, then JPEG-compressed, the way a shopper's photo differs
 * from the catalog image.
 */
public final class NewShots {
  static final Path CLIPART = Fixtures.TESTDATA.resolve("clipart");
  static final Path PHOTOS = Fixtures.TESTDATA.resolve("photos");
  private static final ImageLoader LOADER = ImageLoader.defaults();

  private NewShots() {}

  /** A product shot with the box where the product landed. */
  record Shot(BufferedImage image, Box box) {}

  /** @return a {@code w x h} background cut from a bundled photo (x, y: top-left of the cut, in photo pixels) */
  static BufferedImage background(String photo, int x, int y, int cw, int ch, int w, int h) {
    BufferedImage p = LOADER.load(PHOTOS.resolve(photo));
    return ImageOps.toRgb(ImageOps.resize(ImageOps.crop(p, x, y, cw, ch), w, h));
  }

  /**
   * Pastes a product on a canvas (modified in place).
   *
   * @param canvas the background
   * @param product the product's PNG (alpha is kept: only the product itself is pasted)
   * @param scale size relative to the product image's own size
   * @param degrees rotation
   * @param cx centre x on the canvas
   * @param cy centre y on the canvas
   * @return the box of the pasted pixels
   */
  public static Box paste(BufferedImage canvas, Path product, double scale, double degrees, double cx, double cy) {
    BufferedImage raw = LOADER.loadRaw(product);
    BufferedImage argb = new BufferedImage(raw.getWidth(), raw.getHeight(), BufferedImage.TYPE_INT_ARGB);
    Graphics2D g0 = argb.createGraphics();
    g0.drawImage(raw, 0, 0, null);
    g0.dispose();
    BufferedImage layer = new BufferedImage(canvas.getWidth(), canvas.getHeight(), BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = layer.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    AffineTransform t = new AffineTransform();
    t.translate(cx, cy);
    t.rotate(Math.toRadians(degrees));
    t.scale(scale, scale);
    t.translate(-argb.getWidth() / 2.0, -argb.getHeight() / 2.0);
    g.drawImage(argb, t, null);
    g.dispose();
    int x0 = Integer.MAX_VALUE;
    int y0 = Integer.MAX_VALUE;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < layer.getHeight(); y++) {
      for (int x = 0; x < layer.getWidth(); x++) {
        if ((layer.getRGB(x, y) >>> 24) > 64) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    Graphics2D gc = canvas.createGraphics();
    gc.drawImage(layer, 0, 0, null);
    gc.dispose();
    return x1 < 0 ? new Box(cx, cy, 0, 0) : Box.ofCorners(x0, y0, x1 + 1, y1 + 1);
  }

  /**
   * One product, scaled, rotated and pasted at the centre of a cluttered photo background, JPEG 0.8.
   *
   * @param product the product's PNG
   * @param scale size relative to the product image's own size
   * @param degrees rotation
   * @return the shot
   */
  static Shot shot(Path product, double scale, double degrees) {
    BufferedImage bg = background("astronaut.png", 40, 20, 440, 380, 520, 440);
    Box box = paste(bg, product, scale, degrees, 270, 215);
    return new Shot(Distortions.jpeg(bg, 0.8f), box);
  }

  /**
   * @param m a result
   * @param pasted where the product was pasted
   * @return whether the result's query region (the product's extent mapped into the photo through
   *     the verified transform) overlaps the pasted product by IoU &ge; 0.5
   */
  static boolean locates(ProductMatch m, Box pasted) {
    return region(m).iou(pasted) >= 0.5;
  }

  /** @return the box of a verified result's query region, or an empty box */
  static Box region(ProductMatch m) {
    return m.queryRegion() == null ? new Box(0, 0, 0, 0) : m.queryRegion();
  }
}
