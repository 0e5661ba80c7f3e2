package io.sightline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.benchmarks.InstanceEvaluation.Outcome;
import io.sightline.benchmarks.InstanceEvaluation.Run;
import io.sightline.benchmarks.NewShotDataset.Kind;
import io.sightline.benchmarks.NewShotDataset.Query;
import io.sightline.core.image.ImageLoader;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the new-shot data set and evaluation that need no downloaded data. */
class NewShotDatasetTest {
  private static BufferedImage redDisc() {
    BufferedImage img = new BufferedImage(200, 160, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(220, 20, 20));
    g.fillOval(10, 10, 180, 140);
    g.dispose();
    return img;
  }

  private static List<ShotSynth.Photo> greyNoise() {
    Random r = new Random(1);
    BufferedImage img = new BufferedImage(900, 700, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int v = 60 + r.nextInt(80);
        img.setRGB(x, y, v << 16 | v << 8 | v);
      }
    }
    return List.of(new ShotSynth.Photo("noise-a", img), new ShotSynth.Photo("noise-b", img));
  }

  @Test
  void homographyMapsTheFourCorners() {
    double[][] src = {{0, 0}, {100, 0}, {100, 50}, {0, 50}};
    double[][] dst = {{10, 12}, {120, 5}, {115, 70}, {3, 66}};
    double[] h = ShotOps.homography(src, dst);
    double[] hi = ShotOps.invert3(h);
    for (int i = 0; i < 4; i++) {
      double w = h[6] * src[i][0] + h[7] * src[i][1] + h[8];
      assertThat((h[0] * src[i][0] + h[1] * src[i][1] + h[2]) / w).isCloseTo(dst[i][0], within(1e-9));
      assertThat((h[3] * src[i][0] + h[4] * src[i][1] + h[5]) / w).isCloseTo(dst[i][1], within(1e-9));
      double wi = hi[6] * dst[i][0] + hi[7] * dst[i][1] + hi[8];
      assertThat((hi[0] * dst[i][0] + hi[1] * dst[i][1] + hi[2]) / wi).isCloseTo(src[i][0], within(1e-9));
    }
  }

  @Test
  void newShotsAreDeterministicWithinRangesAndShowTheObject() {
    ShotSynth.Ranges ranges = ShotSynth.Ranges.defaults();
    for (int seed = 0; seed < 12; seed++) {
      ShotSynth.Shot a = ShotSynth.newShot(redDisc(), greyNoise(), ranges, new Random(seed));
      ShotSynth.Shot b = ShotSynth.newShot(redDisc(), greyNoise(), ranges, new Random(seed));
      assertThat(a.jpeg()).isEqualTo(b.jpeg());
      assertThat(a.params().toString()).isEqualTo(b.params().toString());
      Map<String, Object> p = a.params();
      assertThat((double) p.get("scale")).isBetween(0.3, 0.9);
      assertThat(Math.abs((double) p.get("angle_deg"))).isLessThanOrEqualTo(30);
      assertThat((double) p.get("perspective")).isBetween(0.0, 0.08);
      assertThat((double) p.get("blur_sigma")).isBetween(0.0, 1.5);
      assertThat((double) p.get("jpeg_quality")).isBetween(0.5, 0.9);
      assertThat((double) p.get("occlusion")).isLessThan(0.45);
      BufferedImage img = ImageLoader.defaults().load(a.jpeg());
      assertThat(img.getWidth()).isEqualTo(640);
      assertThat(img.getHeight()).isEqualTo(480);
      long reddish = 0;
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          int c = img.getRGB(x, y);
          int red = (c >> 16) & 255;
          int green = (c >> 8) & 255;
          if (red > green + 40) {
            reddish++;
          }
        }
      }
      double disc = Math.PI / 4 * 180 * 140 / (200.0 * 200.0); // disc share of its square at scale 1
      double expected = disc * Math.pow((double) p.get("scale") * 480, 2) * (1 - (double) p.get("occlusion"));
      assertThat((double) reddish).as("seed %d: red pixels", seed).isBetween(0.5 * expected, 1.5 * expected);
    }
  }

  @Test
  void thresholdIsTunedBetweenRightKnownAndUnknownScores() {
    List<Outcome> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      out.add(outcome(Kind.KNOWN, "r" + i, "r" + i, 0.8 + i * 0.01));
      out.add(outcome(Kind.UNKNOWN, null, "r" + i, 0.5 + i * 0.01));
    }
    out.add(outcome(Kind.KNOWN, "r1", "r2", 0.6)); // wrong top hit, below the threshold
    Run run = new Run("m", "tune", 10, 1, out);
    double t = InstanceScores.tuneThreshold(run);
    assertThat(t).isBetween(0.59, 0.8);
    InstanceScores.Figures f = InstanceScores.figures(run, t, 10);
    assertThat(f.acceptedRight()).isCloseTo(10 / 11.0, within(1e-3));
    assertThat(f.acceptedWrong()).isZero();
    assertThat(f.falseAccept()).isZero();

    List<Outcome> hopeless = List.of(outcome(Kind.KNOWN, "r1", "r2", 0.9), outcome(Kind.UNKNOWN, null, "r1", 0.4));
    assertThat(InstanceScores.tuneThreshold(new Run("m", "tune", 2, 1, hopeless))).isInfinite();
  }

  private static Outcome outcome(Kind kind, String expected, String top, double score) {
    Query q = new Query("q", kind, expected, expected == null ? "x" : expected, Map.of(), new byte[0]);
    return new Outcome(q, List.of(top), score, 1.0);
  }

  @Test
  void aSplitSurvivesWriteAndRead(@TempDir Path dir) throws Exception {
    BufferedImage ref = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    ref.setRGB(3, 4, 0xff0000);
    ShotSynth.Shot shot = ShotSynth.nearCopy(ref, new Random(3));
    NewShotDataset.Split s = new NewShotDataset.Split("test",
        List.of(new NewShotDataset.Reference("clip:a/b", "clipart", true, ref)),
        List.of(new Query("test-near-copy-0000", Kind.NEAR_COPY, "clip:a/b", "clip:a/b", shot.params(), shot.jpeg()),
            new Query("test-unknown-0000", Kind.UNKNOWN, null, "clip:c/d", Map.of("scale", 0.5), shot.jpeg())),
        1.5);
    NewShotDatasetIo.write(s, dir.resolve("test"));
    NewShotDataset.Split back = NewShotDatasetIo.read(dir.resolve("test"));
    assertThat(back.name()).isEqualTo("test");
    assertThat(back.refs()).hasSize(1);
    assertThat(back.refs().get(0).id()).isEqualTo("clip:a/b");
    assertThat(back.refs().get(0).image().getRGB(3, 4) & 0xffffff).isEqualTo(0xff0000);
    assertThat(back.queries()).extracting(Query::id).containsExactly("test-near-copy-0000", "test-unknown-0000");
    assertThat(back.queries().get(1).expected()).isNull();
    assertThat(back.queries().get(1).params()).containsEntry("scale", 0.5);
    assertThat(back.queries().get(0).jpeg()).isEqualTo(shot.jpeg());
  }
}
