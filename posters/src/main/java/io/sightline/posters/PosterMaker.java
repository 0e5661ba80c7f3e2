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
 * The composer's per-template job: from an analysed image, decides the crop ({@link CropSearch} on
 * the importance map, or {@link CropPlanner} alone), filters it by resolution and sharpness, resizes
 * it to the template, lays out the layers ({@link LayerLayout}) and scores the poster
 * ({@link PosterScoring}). Immutable and thread-safe when its parts are.
 */
final class PosterMaker {
  private static final Logger LOG = LoggerFactory.getLogger(PosterMaker.class);

  private final CropPlanner planner;
  private final CropSearch search;
  private final LayerLayout layout;
  private final PosterScoring scoring;

  /**
   * @param planner the seed's centre rules
   * @param search the crop search, or null for the planner alone
   * @param layout the layer layout
   * @param scoring the filters and scores
   */
  PosterMaker(CropPlanner planner, CropSearch search, LayerLayout layout, PosterScoring scoring) {
    this.planner = planner;
    this.search = search;
    this.layout = layout;
    this.scoring = scoring;
  }

  /** Decides the crop of the source for the template's aspect. */
  CropDecision crop(int width, int height, PosterTemplate t, ImageAnalysis a) {
    List<Box> targetBoxes = a.targets().stream().map(Detection::box).toList();
    return search != null && a.importance() != null
        ? search.search(width, height, t.aspect(), a.importance(), targetBoxes, a.salient(), planner)
        : planner.plan(width, height, t.aspect(), targetBoxes, a.salient());
  }

  /**
   * Makes the template's poster from the source image and its analysis.
   *
   * @param src the source image (RGB)
   * @param a its analysis
   * @param t the template
   * @param sourceId id reported with the poster
   * @param link bound target link, or null
   * @param seconds video time of the frame, NaN for a still
   * @return the poster, kept or dropped with its reason
   */
  Poster make(BufferedImage src, ImageAnalysis a, PosterTemplate t, String sourceId, String link, double seconds) {
    CropDecision crop = crop(src.getWidth(), src.getHeight(), t, a);
    Box c = crop.crop();
    BufferedImage cropped = ImageOps.crop(src, (int) c.x(), (int) c.y(), (int) c.w(), (int) c.h());
    double sx = t.width() / c.w();
    double sy = t.height() / c.h();
    List<Box> targetsOnPoster = new ArrayList<>();
    List<Box> headsOnPoster = new ArrayList<>();
    for (Box b : crop.targets()) {
      Box m = toPoster(b, c, sx, sy, t);
      if (!m.isEmpty()) {
        targetsOnPoster.add(m);
      }
      Box h = toPoster(CropSearch.head(b), c, sx, sy, t);
      if (!h.isEmpty()) {
        headsOnPoster.add(h);
      }
    }
    Box salientOnPoster = crop.salient() == null ? null : toPoster(crop.salient(), c, sx, sy, t);
    if (salientOnPoster != null && salientOnPoster.isEmpty()) {
      salientOnPoster = null;
    }
    PosterScoring.Quality q = scoring.quality(c, cropped, t);
    PosterScore rejected = scoring.rejected(q, c, t);
    if (rejected != null) {
      return new Poster(sourceId, t.name(), t.width(), t.height(), null, crop, targetsOnPoster, salientOnPoster,
          List.of(), rejected, link, seconds);
    }
    BufferedImage poster = ImageOps.resize(cropped, t.width(), t.height());
    List<PlacedLayer> placed = layout.layOut(poster, t, targetsOnPoster, headsOnPoster, salientOnPoster, src, a);
    PosterScore score = scoring.score(q, src, a.targets(), c, poster);
    LOG.debug("poster {} / {}: crop {} rule {} score {}", sourceId, t.name(), c, crop.rule(), score.total());
    return new Poster(sourceId, t.name(), t.width(), t.height(), poster, crop, targetsOnPoster, salientOnPoster,
        placed, score, link, seconds);
  }

  private static Box toPoster(Box b, Box crop, double sx, double sy, PosterTemplate t) {
    return new Box((b.x() - crop.x()) * sx, (b.y() - crop.y()) * sy, b.w() * sx, b.h() * sy).clamp(t.width(), t.height());
  }
}
