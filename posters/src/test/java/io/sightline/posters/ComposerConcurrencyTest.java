package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@link PosterComposer} shared by several threads (as a service would share it): every
 * concurrent result equals the single-threaded result for the same image, pixel for pixel, and
 * concurrent writers of the same poster files leave one whole file, never a mix or a temp file.
 * Bounded by a timeout, so a deadlock fails the test instead of hanging the build.
 */
class ComposerConcurrencyTest {
  private static final int THREADS = 4;
  private static final int ROUNDS = 3;

  @TempDir
  Path dir;

  /** Everything a poster reports, plus a hash of its pixels; equal strings mean equal posters. */
  static String signature(Poster p) {
    BufferedImage img = p.image();
    int pixels = img == null ? 0
        : Arrays.hashCode(img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()));
    return p.template() + "|" + p.width() + "x" + p.height() + "|" + p.crop() + "|" + p.targetsOnPoster()
        + "|" + p.salientOnPoster() + "|" + p.layers() + "|" + p.score() + "|" + pixels;
  }

  static List<String> signatures(ComposeResult r) {
    List<String> out = new ArrayList<>();
    r.kept().forEach(p -> out.add("kept " + signature(p)));
    r.dropped().forEach(p -> out.add("dropped " + signature(p)));
    for (ImageAnalysis a : r.analyses()) { // everything but the timings
      out.add("analysis " + a.width() + "x" + a.height() + "|" + a.targets() + "|" + a.salient() + "|"
          + a.saliencyMean() + "|" + a.layerDetections() + "|" + a.detectorId() + "|" + a.saliencyId());
    }
    return out;
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void sharedComposerGivesTheSingleThreadedResultUnderConcurrency() throws Exception {
    TestImages.logo(dir);
    PosterTemplate story = PosterTemplate.load(TestImages.template(dir, TestImages.STORY));
    try (PosterComposer composer = PosterComposer.builder()
        .template(story)
        .template(story.withAspect(AspectRatio.LANDSCAPE_16_9))
        .build()) {
      Map<String, BufferedImage> images = new HashMap<>();
      images.put("astronaut", TestImages.astronaut());
      images.put("coffee", TestImages.photo("coffee.png"));
      images.put("chelsea", TestImages.photo("chelsea.png"));
      images.put("wide", TestImages.wideWithFaceAt(1200, 500, 900, 120, 220));
      Map<String, List<String>> expected = new HashMap<>();
      for (Map.Entry<String, BufferedImage> e : images.entrySet()) {
        expected.put(e.getKey(), signatures(composer.compose(e.getValue(), e.getKey(), null)));
      }
      List<String> names = new ArrayList<>(images.keySet());

      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      Set<String> mismatches = ConcurrentHashMap.newKeySet();
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int offset = t;
        futures.add(pool.submit(() -> {
          start.await();
          int done = 0;
          for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < names.size(); i++) {
              String name = names.get((i + offset) % names.size());
              ComposeResult res = composer.compose(images.get(name), name, null);
              if (!signatures(res).equals(expected.get(name))) {
                mismatches.add(name + " in thread " + offset);
              }
              // every thread writes the same files: the last rename wins, whole
              for (Poster p : res.kept()) {
                PosterWriter.write(p, dir.resolve("out"), PosterWriter.Format.PNG);
              }
              done++;
            }
          }
          return done;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get(7, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();

      assertThat(total).isEqualTo(THREADS * ROUNDS * names.size());
      assertThat(mismatches).as("results that differ from the single-threaded run").isEmpty();
      try (Stream<Path> files = Files.list(dir.resolve("out"))) {
        List<Path> all = files.toList();
        assertThat(all).noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
        for (Path f : all) {
          if (f.toString().endsWith(".png")) {
            BufferedImage back = ImageIO.read(f.toFile());
            assertThat(back).as(f.toString()).isNotNull();
          } else {
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile()).has("template"))
                .as(f.toString()).isTrue();
          }
        }
      }
    }
  }
}
