package io.sightline.posters.eval;

import io.sightline.core.CancellationToken;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.posters.AspectRatio;
import io.sightline.posters.ComposeResult;
import io.sightline.posters.CropPlanner;
import io.sightline.posters.ImageAnalysis;
import io.sightline.posters.PosterComposer;
import io.sightline.posters.PosterTemplate;
import io.sightline.posters.VideoFrames;
import io.sightline.posters.VideoWriterAccess;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Latency per 1080p image (detection, saliency, crop + layers + scoring) and per minute of video,
 * with a centre-crop baseline (crop + resize, no detection, no layers) measured in the same run.
 *
 * <p>Run: {@code java -cp posters/target/test-classes:posters/target/classes:<test classpath>
 * io.sightline.posters.eval.LatencyBenchmark --images 30 --video-seconds 60}.
 */
public final class LatencyBenchmark {
  public static void main(String[] args) throws Exception {
    int images = 30;
    int videoSeconds = 60;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--images" -> images = Integer.parseInt(args[++i]);
        case "--video-seconds" -> videoSeconds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path sk = EvalData.skimage();
    List<BufferedImage> bgs = EvalData.backgrounds(sk);
    BufferedImage head = ImageLoader.defaults().load(sk.resolve("astronaut.png")).getSubimage(130, 20, 190, 190);
    Random rnd = new Random(3);
    List<BufferedImage> frames = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      BufferedImage bg = bgs.get(i % bgs.size());
      BufferedImage img = ImageOps.resize(bg, 1920, 1080);
      Graphics2D g = img.createGraphics();
      int size = 250 + rnd.nextInt(250);
      g.drawImage(head, rnd.nextInt(1920 - size), rnd.nextInt(1080 - size), size, size, null);
      g.dispose();
      frames.add(img);
    }
    Path tmp = Files.createTempDirectory("posters-bench");
    Path logo = tmp.resolve("logo.png");
    javax.imageio.ImageIO.write(head, "png", logo.toFile());
    Files.writeString(tmp.resolve("t.json"), """
        {"name": "story", "width": 1080, "height": 1920,
         "fixed": [{"name": "logo", "image": "logo.png", "box": [0.05, 0.03, 0.20, 0.1125]},
                   {"name": "search", "text": "Search Sightline", "box": [0.10, 0.90, 0.80, 0.06],
                    "font": "SansSerif", "color": "#FFFFFF", "background": "#00000080"}],
         "floating": [{"name": "title", "text": "Drama title", "region": [0.0, 0.0, 1.0, 0.85],
                       "size": [0.60, 0.08], "font": "Serif", "color": "#FFFFFF"}]}
        """);
    PosterTemplate story = PosterTemplate.load(tmp.resolve("t.json"));
    PosterComposer composer = PosterComposer.builder().template(story)
        .template(story.withAspect(AspectRatio.LANDSCAPE_16_9)).build();
    // warm-up
    composer.compose(frames.get(0), "warm", null);

    double[] detect = new double[images];
    double[] saliency = new double[images];
    double[] rest = new double[images];
    double[] total = new double[images];
    double[] baseline = new double[images];
    for (int i = 0; i < images; i++) {
      long t0 = System.nanoTime();
      ComposeResult r = composer.compose(frames.get(i), "img" + i, null);
      long t1 = System.nanoTime();
      ImageAnalysis a = r.analyses().get(0);
      total[i] = (t1 - t0) / 1e6;
      detect[i] = a.detectMillis();
      saliency[i] = a.saliencyMillis();
      rest[i] = total[i] - detect[i] - saliency[i];
      long b0 = System.nanoTime();
      for (PosterTemplate t : composer.templates()) {
        var c = CropPlanner.window(1920, 1080, t.aspect(), 960, 540);
        ImageOps.resize(ImageOps.crop(frames.get(i), (int) c.x(), (int) c.y(), (int) c.w(), (int) c.h()), t.width(),
            t.height());
      }
      baseline[i] = (System.nanoTime() - b0) / 1e6;
    }
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Per 1920x1080 image, 2 posters (1080x1920 and 1080x608, 3 layers each), "
        + "%d images, median / p90 ms:%n%n", images));
    md.append("| stage | median ms | p90 ms |\n|---|---|---|\n");
    row(md, "face detection (alt2 cascade, 800 px)", detect);
    row(md, "saliency (spectral residual, 256 px) + region", saliency);
    row(md, "crop + resize + sharpness + layers + expression score (2 posters)", rest);
    row(md, "total compose()", total);
    row(md, "baseline: centre crop + resize only (2 posters)", baseline);

    // video: write a 1080p MJPG AVI, then compose one frame every 2 s
    Path video = tmp.resolve("minute.avi");
    long w0 = System.nanoTime();
    VideoWriterAccess.write(video, frames.subList(0, Math.min(10, frames.size())), 25, videoSeconds * 25);
    double writeS = (System.nanoTime() - w0) / 1e9;
    VideoFrames.Info info = VideoFrames.probe(video);
    long v0 = System.nanoTime();
    int[] n = {0};
    VideoFrames.sample(video, 2.0, 10_000, CancellationToken.NONE, f -> n[0]++);
    double decodeS = (System.nanoTime() - v0) / 1e9;
    long c0 = System.nanoTime();
    ComposeResult vr = composer.composeVideo(video, null, 2.0, 10_000, 3, (t, d, tt, m) -> { },
        CancellationToken.NONE);
    double composeS = (System.nanoTime() - c0) / 1e9;
    md.append(String.format(Locale.ROOT, "%nVideo: %.0f s of %dx%d MJPG at %.0f fps (%d frames, written in %.1f s), "
        + "one frame every 2 s (%d frames):%n%n", info.seconds(), info.width(), info.height(), info.fps(),
        info.frameCount(), writeS, n[0]));
    md.append("| work | seconds per minute of video |\n|---|---|\n");
    double perMinute = 60.0 / info.seconds();
    md.append(String.format(Locale.ROOT, "| decode + sample frames only | %.1f |%n", decodeS * perMinute));
    md.append(String.format(Locale.ROOT, "| composeVideo (decode, detect, saliency, 2 posters per frame, keep 3 best) | %.1f |%n",
        composeS * perMinute));
    md.append(String.format(Locale.ROOT, "%nKept %d posters, dropped %d.%n", vr.kept().size(), vr.dropped().size()));
    System.out.println(md);
    composer.close();
  }

  private static void row(StringBuilder md, String name, double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f |%n", name, s[s.length / 2],
        s[Math.min(s.length - 1, (int) Math.ceil(0.9 * s.length) - 1)]));
  }
}
