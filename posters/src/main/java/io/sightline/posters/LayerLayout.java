package io.sightline.posters;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composer's layer job (claims 1, 6, 8, 9, 11): draws a template's fixed layers in their
 * boxes and places each floating layer where it least covers the faces, heads and subject (each
 * grown by a margin), never on a face, inside a safe area along the canvas edges, then draws it.
 * Works in poster pixels. Immutable and thread-safe.
 */
final class LayerLayout {
  private static final Logger LOG = LoggerFactory.getLogger(LayerLayout.class);

  private final PlacementStrategy placement;
  private final boolean avoidPlacedLayers;
  private final double safeMargin;
  private final double obstacleMargin;
  private final boolean hasLayerDetector;

  /**
   * @param placement how floating layers are placed
   * @param avoidPlacedLayers whether floating layers avoid layers placed before them
   * @param safeMargin safe area along the canvas edges, share of the canvas's shorter side
   * @param obstacleMargin margin around faces, heads and subject, share of the shorter side
   * @param hasLayerDetector whether the composer has a detector for "extract" layers
   */
  LayerLayout(PlacementStrategy placement, boolean avoidPlacedLayers, double safeMargin, double obstacleMargin,
      boolean hasLayerDetector) {
    this.placement = placement;
    this.avoidPlacedLayers = avoidPlacedLayers;
    this.safeMargin = safeMargin;
    this.obstacleMargin = obstacleMargin;
    this.hasLayerDetector = hasLayerDetector;
  }

  /**
   * Places and draws the template's layers on the poster.
   *
   * @param poster the resized crop; the layers are drawn on it
   * @param t the template
   * @param faces the faces on the poster (hard obstacles)
   * @param heads the whole heads on the poster (avoided where possible)
   * @param salient the salient region on the poster, or null
   * @param src the source image ("extract" layers are cut from it)
   * @param a the source's analysis (its layer detections)
   * @return every layer with its box (null when left out) and placement evidence
   */
  List<PlacedLayer> layOut(BufferedImage poster, PosterTemplate t, List<Box> faces, List<Box> heads, Box salient,
      BufferedImage src, ImageAnalysis a) {
    // faces (plus a margin) are hard obstacles: a floating layer never covers one; the whole head
    // (hair, chin) and the subject, each plus a margin, are avoided whenever a place allows
    double margin = obstacleMargin * Math.min(t.width(), t.height());
    List<Box> faceObstacles = new ArrayList<>();
    List<Box> obstacles = new ArrayList<>();
    for (Box f : faces) {
      faceObstacles.add(grow(f, margin).clamp(t.width(), t.height()));
    }
    for (Box h : heads) {
      obstacles.add(grow(h, margin).clamp(t.width(), t.height()));
    }
    if (salient != null) {
      obstacles.add(grow(salient, margin).clamp(t.width(), t.height()));
    }
    LayerPlacer placer = new LayerPlacer(poster, faceObstacles, obstacles);
    List<PlacedLayer> placed = new ArrayList<>();
    // decide every place on the clean crop first, then draw, so layers never influence variance
    List<Runnable> draws = new ArrayList<>();
    for (FixedLayer f : t.fixed()) {
      Box box = f.box().scale(t.width(), t.height());
      BufferedImage ext = extracted(src, a, f.content());
      if (f.content() instanceof LayerContent.Extracted && ext == null) {
        placed.add(new PlacedLayer(f.name(), "fixed", f.content().kind(), null, box, 0, 0, 0));
        continue;
      }
      placed.add(new PlacedLayer(f.name(), "fixed", f.content().kind(), box, box, placer.overlap(box),
          placer.variance(box), 1));
      draws.add(() -> LayerRenderer.draw(poster, f.content(), box, ext));
    }
    if (avoidPlacedLayers) {
      for (PlacedLayer p : placed) {
        if (p.box() != null) {
          placer.addObstacle(p.box());
        }
      }
    }
    for (FloatingLayer f : t.floating()) {
      Box region = f.region().scale(t.width(), t.height());
      BufferedImage ext = extracted(src, a, f.content());
      if (f.content() instanceof LayerContent.Extracted && ext == null) {
        placed.add(new PlacedLayer(f.name(), "floating", f.content().kind(), null, region, 0, 0, 0));
        continue;
      }
      double lw = Math.max(1, Math.round(f.width() * t.width()));
      double lh = Math.max(1, Math.round(f.height() * t.height()));
      Box safe = safeRegion(region, t, lw, lh);
      LayerPlacer.Placement pl = placer.place(safe, Math.min(lw, safe.w()), Math.min(lh, safe.h()), placement);
      if (placement == PlacementStrategy.AVOID_SUBJECTS && pl.faceOverlap() > 0) {
        LOG.info("floating layer '{}' of {} fits nowhere in its region without covering a face; left out",
            f.name(), t.name());
        placed.add(new PlacedLayer(f.name(), "floating", f.content().kind(), null, region, pl.overlap(),
            pl.variance(), pl.candidates()));
        continue;
      }
      placed.add(new PlacedLayer(f.name(), "floating", f.content().kind(), pl.box(), region, pl.overlap(),
          pl.variance(), pl.candidates()));
      if (avoidPlacedLayers) {
        placer.addObstacle(pl.box());
      }
      draws.add(() -> LayerRenderer.draw(poster, f.content(), pl.box(), ext));
    }
    draws.forEach(Runnable::run);
    return placed;
  }

  private BufferedImage extracted(BufferedImage src, ImageAnalysis a, LayerContent content) {
    if (!(content instanceof LayerContent.Extracted e)) {
      return null;
    }
    if (!hasLayerDetector) {
      throw new PosterException("a template layer extracts '" + e.label()
          + "' from the image, but the composer has no layerDetector; set one with Builder.layerDetector(...)");
    }
    for (Detection d : a.layerDetections()) {
      if (d.label().equals(e.label())) {
        Box b = d.box().clamp(src.getWidth(), src.getHeight());
        if (b.w() >= 1 && b.h() >= 1) {
          return ImageOps.crop(src, (int) b.x(), (int) b.y(), (int) Math.ceil(b.w()), (int) Math.ceil(b.h()));
        }
      }
    }
    LOG.info("layer '{}' not found in the image; the layer is left out", e.label());
    return null;
  }

  private static Box grow(Box b, double m) {
    return new Box(b.x() - m, b.y() - m, b.w() + 2 * m, b.h() + 2 * m);
  }

  /** The region less a safe margin along every canvas edge it touches, when the layer still fits. */
  private Box safeRegion(Box region, PosterTemplate t, double lw, double lh) {
    double m = safeMargin * Math.min(t.width(), t.height());
    if (m <= 0) {
      return region;
    }
    double x0 = Math.max(region.x(), m);
    double y0 = Math.max(region.y(), m);
    double x1 = Math.min(region.x2(), t.width() - m);
    double y1 = Math.min(region.y2(), t.height() - m);
    if (x1 - x0 + 0.5 < lw || y1 - y0 + 0.5 < lh) {
      return region;
    }
    return new Box(x0, y0, x1 - x0, y1 - y0);
  }
}
