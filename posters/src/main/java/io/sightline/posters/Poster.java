package io.sightline.posters;

import io.sightline.core.detect.Box;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One target image (poster) and all its evidence. The image is a fresh buffer owned by the caller;
 * it is null for posters dropped before layers were added (resolution or sharpness filter).
 *
 * @param sourceId id of the source image or video
 * @param template name of the template (platform / scenario) it was made for
 * @param width poster width
 * @param height poster height
 * @param image the rendered poster, or null when dropped before rendering
 * @param crop where and why the source was cropped
 * @param targetsOnPoster target boxes mapped into poster pixels (clipped)
 * @param salientOnPoster salient region mapped into poster pixels, or null
 * @param layers where each layer went
 * @param score the score and the thresholds' verdict
 * @param link the bound target link (e.g. the video page), or null
 * @param frameSeconds position in the source video, or NaN for a still image
 */
public record Poster(String sourceId, String template, int width, int height, BufferedImage image,
    CropDecision crop, List<Box> targetsOnPoster, Box salientOnPoster, List<PlacedLayer> layers,
    PosterScore score, String link, double frameSeconds) {
  /** Copies lists. */
  public Poster {
    targetsOnPoster = List.copyOf(targetsOnPoster);
    layers = List.copyOf(layers);
  }

  /**
   * @param newScore a re-computed score (for instance with user feedback)
   * @return this poster with the score replaced
   */
  public Poster withScore(PosterScore newScore) {
    return new Poster(sourceId, template, width, height, image, crop, targetsOnPoster, salientOnPoster, layers,
        newScore, link, frameSeconds);
  }
}
