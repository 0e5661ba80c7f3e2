package io.sightline.commerce;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The main object of a photo from detected regions, shared by query and catalog so that both
 * are processed the same way. Evidence of a region = detector score &times; box area (for the
 * training-free {@link ForegroundRegionProposer}, its foreground pixels). The main object is
 * the box around the region with the most evidence and every region holding at least
 * {@value #DOMINANT_SHARE} of that evidence: the parts of a drawing stay together, and a stray
 * blob far smaller than the object no longer widens the crop to the whole photo (as the union
 * of all regions did). Package-private.
 */
final class MainObject {
  /** A region joins the main object when its evidence is at least this share of the best region's. */
  static final double DOMINANT_SHARE = 0.2;
  /** Each side of the main object is widened by this share of its size before cropping (as query regions are). */
  static final double PADDING = 0.05;

  private MainObject() {}

  /**
   * @param detections detected regions
   * @param width image width
   * @param height image height
   * @param union true for the union of every region (the former variant)
   * @return the main object's box, null when no region is left after clamping
   */
  static Box box(List<Detection> detections, int width, int height, boolean union) {
    double best = 0;
    for (Detection d : detections) {
      Box b = d.box().clamp(width, height);
      if (!b.isEmpty()) {
        best = Math.max(best, evidence(d, b));
      }
    }
    Box main = null;
    for (Detection d : detections) {
      Box b = d.box().clamp(width, height);
      if (!b.isEmpty() && (union || evidence(d, b) >= DOMINANT_SHARE * best)) {
        main = main == null ? b : main.union(b);
      }
    }
    return main;
  }

  private static double evidence(Detection d, Box clamped) {
    return Math.max(d.score(), 1e-6) * clamped.area();
  }

  /** @return the box widened by {@code padding} of its size on each side, clamped to the image */
  static Box padded(Box box, double padding, int width, int height) {
    Box b = box;
    if (padding > 0) {
      b = new Box(b.x() - b.w() * padding, b.y() - b.h() * padding, b.w() * (1 + 2 * padding),
          b.h() * (1 + 2 * padding));
    }
    return b.clamp(width, height);
  }

  /** @return the pixels of {@code b} (at least 1x1) */
  static BufferedImage crop(BufferedImage image, Box b) {
    int x = (int) Math.floor(b.x());
    int y = (int) Math.floor(b.y());
    int w = Math.max(1, Math.min(image.getWidth() - x, (int) Math.ceil(b.w())));
    int h = Math.max(1, Math.min(image.getHeight() - y, (int) Math.ceil(b.h())));
    return ImageOps.crop(image, x, y, w, h);
  }

  /**
   * The catalog side: the image cropped to its main object as the training-free proposer finds
   * it, padded like a query region; the whole image when nothing is found.
   */
  static BufferedImage cropCatalogImage(ForegroundRegionProposer proposer, BufferedImage image) {
    Box main = box(proposer.detect(image), image.getWidth(), image.getHeight(), false);
    return main == null ? image : crop(image, padded(main, PADDING, image.getWidth(), image.getHeight()));
  }
}
