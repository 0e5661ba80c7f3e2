package io.sightline.posters;

import java.util.List;

/**
 * The posters made from one image or one video.
 *
 * @param analyses detection results, one per processed image or frame
 * @param kept posters that passed every threshold, best score first
 * @param dropped posters that did not, each with its reason in {@link PosterScore#reason()}
 */
public record ComposeResult(List<ImageAnalysis> analyses, List<Poster> kept, List<Poster> dropped) {
  /** Copies lists. */
  public ComposeResult {
    analyses = List.copyOf(analyses);
    kept = List.copyOf(kept);
    dropped = List.copyOf(dropped);
  }
}
