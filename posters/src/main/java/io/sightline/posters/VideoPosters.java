package io.sightline.posters;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The composer's video job (seed (24), (65), FIG. 12): samples frames, composes each with the
 * composer's still-image path and keeps the best posters per template. Stateless.
 */
final class VideoPosters {
  /** Composes one frame: image, source id, link, seconds into the video. */
  @FunctionalInterface
  interface FrameComposer {
    ComposeResult compose(BufferedImage image, String sourceId, String link, double seconds);
  }

  private VideoPosters() {}

  /** See {@link PosterComposer#composeVideo}. */
  static ComposeResult compose(FrameComposer frames, Path video, String link, double everySeconds, int maxFrames,
      int keepBest, ProgressListener progress, CancellationToken cancel) {
    if (keepBest < 1) {
      throw new IllegalArgumentException("keepBest must be at least 1");
    }
    String id = video.getFileName().toString();
    List<ImageAnalysis> analyses = new ArrayList<>();
    List<Poster> kept = new ArrayList<>();
    List<Poster> dropped = new ArrayList<>();
    VideoFrames.Info info = VideoFrames.probe(video);
    long step = Math.max(1, Math.round(everySeconds * info.fps()));
    long total = info.frameCount() < 0 ? -1 : Math.min(maxFrames, (info.frameCount() + step - 1) / step);
    int[] n = {0};
    VideoFrames.sample(video, everySeconds, maxFrames, cancel, f -> {
      ComposeResult r = frames.compose(f.image(), id, link, f.seconds());
      analyses.addAll(r.analyses());
      kept.addAll(r.kept());
      dropped.addAll(r.dropped());
      progress.onProgress("video", ++n[0], total, String.format(Locale.ROOT, "t=%.1fs", f.seconds()));
    });
    return keepBest(analyses, kept, dropped, keepBest);
  }

  /** Keeps the {@code keepBest} best kept posters per template; the rest join the dropped ones. */
  static ComposeResult keepBest(List<ImageAnalysis> analyses, List<Poster> kept, List<Poster> dropped, int keepBest) {
    List<Poster> sorted = new ArrayList<>(kept);
    List<Poster> rest = new ArrayList<>(dropped);
    sorted.sort(Comparator.comparingDouble((Poster p) -> p.score().total()).reversed());
    Map<String, Integer> perTemplate = new HashMap<>();
    List<Poster> best = new ArrayList<>();
    for (Poster p : sorted) {
      int c = perTemplate.merge(p.template(), 1, Integer::sum);
      if (c <= keepBest) {
        best.add(p);
      } else {
        rest.add(p.withScore(PosterScoring.drop(p.score(), "not among the " + keepBest
            + " best posters for template " + p.template())));
      }
    }
    return new ComposeResult(analyses, best, rest);
  }
}
