package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: detection, crop, layers, scoring, writing. */
class PosterComposerTest {
  @TempDir
  static Path dir;
  static PosterTemplate story;
  static PosterComposer composer;

  @BeforeAll
  static void setUp() throws Exception {
    TestImages.logo(dir);
    story = PosterTemplate.load(TestImages.template(dir, TestImages.STORY));
    composer = PosterComposer.builder()
        .template(story)
        .template(story.withAspect(AspectRatio.LANDSCAPE_16_9))
        .build();
  }

  static boolean inside(Box outer, Box inner) {
    return inner.x() >= outer.x() - 1e-6 && inner.y() >= outer.y() - 1e-6
        && inner.x2() <= outer.x2() + 1e-6 && inner.y2() <= outer.y2() + 1e-6;
  }

  @Test
  void portraitAndLandscapePostersKeepTheFaceWholeAndLayersOffIt() {
    // a wide frame with a face far to the right: a centre crop would cut it off
    BufferedImage wide = TestImages.wideWithFaceAt(1600, 600, 1250, 150, 260);
    ComposeResult r = composer.compose(wide, "wide.png", "https://example.com/watch/1");
    assertThat(r.kept()).hasSize(2);
    assertThat(r.analyses().get(0).targets()).hasSize(1);
    Box face = r.analyses().get(0).targets().get(0).box();
    for (Poster p : r.kept()) {
      assertThat(p.link()).isEqualTo("https://example.com/watch/1");
      assertThat(p.image().getWidth()).isEqualTo(p.width());
      assertThat(p.image().getHeight()).isEqualTo(p.height());
      assertThat(inside(p.crop().crop(), face)).as(p.template() + " crop " + p.crop().crop() + " face " + face).isTrue();
      assertThat(p.crop().rule()).isIn(CenterRule.TARGET_CENTER, CenterRule.WEIGHTED_TARGET_AND_SALIENT);
      double aspect = p.crop().crop().w() / p.crop().crop().h();
      assertThat(aspect).isCloseTo(p.width() / (double) p.height(), org.assertj.core.api.Assertions.within(0.01));
      PlacedLayer title = p.layers().stream().filter(l -> l.name().equals("title")).findFirst().orElseThrow();
      assertThat(title.type()).isEqualTo("floating");
      Box faceOnPoster = p.targetsOnPoster().get(0);
      assertThat(title.box().intersects(faceOnPoster)).as(p.template()).isFalse();
      assertThat(p.score().kept()).isTrue();
      assertThat(p.score().expression()).isBetween(0.0, 1.0);
      assertThat(p.score().total()).isBetween(0.0, 1.0);
    }
    // ranked best first
    assertThat(r.kept().get(0).score().total()).isGreaterThanOrEqualTo(r.kept().get(1).score().total());
  }

  @Test
  void layersAreDrawnWithAlphaAndRealText() {
    BufferedImage src = TestImages.astronaut();
    Poster p = composer.compose(src, "astronaut.png", null).kept().stream()
        .filter(x -> x.template().equals("story")).findFirst().orElseThrow();
    BufferedImage plain = ImageOps.resize(ImageOps.crop(src, (int) p.crop().crop().x(), (int) p.crop().crop().y(),
        (int) p.crop().crop().w(), (int) p.crop().crop().h()), p.width(), p.height());
    PlacedLayer logo = p.layers().get(0);
    Box lb = logo.box();
    // the logo's transparent border leaves the photo as it was; its opaque centre is red
    int cornerX = (int) lb.x() + 3;
    int cornerY = (int) lb.y() + 3;
    assertThat(p.image().getRGB(cornerX, cornerY)).isEqualTo(plain.getRGB(cornerX, cornerY));
    int centre = p.image().getRGB((int) lb.cx(), (int) lb.cy());
    assertThat((centre >> 16) & 255).isGreaterThan(200);
    assertThat(centre & 0xFFFF).isLessThan(0x3030);
    // the text layers changed pixels inside their boxes
    for (PlacedLayer l : p.layers().subList(1, p.layers().size())) {
      int changed = 0;
      for (int y = (int) l.box().y(); y < l.box().y2(); y += 2) {
        for (int x = (int) l.box().x(); x < l.box().x2(); x += 2) {
          changed += p.image().getRGB(x, y) != plain.getRGB(x, y) ? 1 : 0;
        }
      }
      assertThat(changed).as(l.name()).isGreaterThan(20);
    }
  }

  @Test
  void writesPngAndJpegWithAJsonReport() throws Exception {
    Path out = dir.resolve("out");
    ComposeResult r = composer.compose(TestImages.astronaut(), "astronaut.png", "https://example.com/v/7");
    PosterWriter.Written png = PosterWriter.write(r.kept().get(0), out, PosterWriter.Format.PNG);
    PosterWriter.Written jpg = PosterWriter.write(r.kept().get(1), out, PosterWriter.Format.JPEG);
    BufferedImage back = ImageLoader.defaults().load(png.image());
    assertThat(back.getWidth()).isEqualTo(r.kept().get(0).width());
    assertThat(ImageLoader.defaults().load(jpg.image()).getHeight()).isEqualTo(r.kept().get(1).height());
    JsonNode report = new ObjectMapper().readTree(png.report().toFile());
    assertThat(report.get("image").asText()).isEqualTo("astronaut.png");
    assertThat(report.get("link").asText()).isEqualTo("https://example.com/v/7");
    assertThat(report.get("crop").get("w").asDouble()).isPositive();
    assertThat(report.get("faces")).hasSize(1);
    assertThat(report.get("layers")).hasSize(3);
    assertThat(report.get("score").get("total").asDouble()).isPositive();
    assertThat(report.get("output").asText()).isEqualTo(png.image().toString());
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.filter(f -> f.getFileName().toString().contains(".tmp"))).isEmpty();
    }
  }

  @Test
  void noFaceCropsAroundTheSalientObject() {
    BufferedImage img = DetectionTest.discOn(1200, 400, 1000, 200, 80);
    ComposeResult r = PosterComposer.builder().template(story).noExpressionScorer().build()
        .compose(img, "disc", null);
    Poster p = r.kept().get(0);
    assertThat(p.crop().rule()).isEqualTo(CenterRule.SALIENT_CENTER);
    assertThat(p.crop().crop().contains(1000, 200)).isTrue();
    assertThat(p.score().expression()).isNaN();
  }

  @Test
  void blurryAndLowResolutionCropsAreDroppedBeforeLayers() {
    BufferedImage small = ImageOps.resize(TestImages.astronaut(), 64, 64);
    ComposeResult r = PosterComposer.builder().template(story).build().compose(small, "small", null);
    assertThat(r.kept()).isEmpty();
    assertThat(r.dropped().get(0).score().reason()).contains("resolution");
    assertThat(r.dropped().get(0).image()).isNull();
    assertThatThrownBy(() -> PosterWriter.write(r.dropped().get(0), dir, PosterWriter.Format.PNG))
        .isInstanceOf(PosterException.class).hasMessageContaining("dropped");

    BufferedImage blurred = ImageOps.resize(ImageOps.resize(TestImages.photo("coffee.png"), 40, 27), 1200, 800);
    ComposeResult b = PosterComposer.builder().template(story).minResolution(0).minSharpness(0.3).build()
        .compose(blurred, "blurred", null);
    assertThat(b.kept()).isEmpty();
    assertThat(b.dropped().get(0).score().reason()).contains("sharpness");
  }

  @Test
  void expressionAndScoreThresholdsDropPostersAndFeedbackRescores() {
    PosterComposer strict = PosterComposer.builder().template(story).minExpression(0.99).build();
    ComposeResult r = strict.compose(TestImages.astronaut(), "astronaut.png", null);
    assertThat(r.kept()).isEmpty();
    assertThat(r.dropped().get(0).score().reason()).contains("expression");

    PosterComposer scored = PosterComposer.builder().template(story).minScore(0.5).build();
    Poster p = scored.compose(TestImages.astronaut(), "astronaut.png", null).kept().get(0);
    Poster bad = scored.rescore(p, new Feedback(0.0, 0.0));
    assertThat(bad.score().feedback()).isZero();
    assertThat(bad.score().total()).isLessThan(p.score().total());
    Poster good = scored.rescore(p, new Feedback(0.2, 0.9));
    assertThat(good.score().feedback()).isCloseTo(0.95, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(good.score().total()).isGreaterThan(bad.score().total());
    assertThat(good.score().kept()).isTrue();
  }

  @Test
  void anyObjectDetectorCanGiveTheTargetsAndExtractLayers() {
    // a detector of the user's: here OpenCV's full-body cascade stands in for "bodies";
    // the extract layer takes the astronaut's face as a layer via the face cascade
    ObjectDetector faces = CascadeFaceDetector.frontalFace();
    PosterTemplate t = PosterTemplate.parse("""
        {"name": "cut", "width": 400, "height": 400,
         "floating": [{"name": "face-inset", "extract": "face", "region": [0, 0, 1, 1], "size": [0.25, 0.25]}]}
        """, dir, null);
    PosterComposer c = PosterComposer.builder().template(t).targetDetector(faces).layerDetector(faces)
        .targetLabels(java.util.Set.of("face")).build();
    Poster p = c.compose(TestImages.astronaut(), "a", null).kept().get(0);
    PlacedLayer inset = p.layers().get(0);
    assertThat(inset.content()).isEqualTo("extracted");
    assertThat(inset.box()).isNotNull();
    assertThat(inset.overlap()).isZero();

    PosterComposer noDet = PosterComposer.builder().template(t).build();
    assertThatThrownBy(() -> noDet.compose(TestImages.astronaut(), "a", null))
        .isInstanceOf(PosterException.class).hasMessageContaining("layerDetector");
  }

  @Test
  void scenariosGiveOnePosterPerPlatformSize() {
    PosterComposer c = PosterComposer.builder()
        .scenarios(story, List.of(Scenario.STORY, Scenario.VIDEO_COVER, Scenario.FEED_SQUARE)).build();
    ComposeResult r = c.compose(TestImages.photo("chelsea.png"), "chelsea.png", null);
    assertThat(Stream.concat(r.kept().stream(), r.dropped().stream()).map(p -> p.width() + "x" + p.height()))
        .containsExactlyInAnyOrder("1080x1920", "1920x1080", "1080x1080");
  }

  @Test
  void builderNamesWhatIsMissing() {
    assertThatThrownBy(() -> PosterComposer.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("template");
    assertThatThrownBy(() -> PosterComposer.builder().template(story).saliencyThreshold(2).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("saliencyThreshold");
    assertThatThrownBy(() -> PosterComposer.builder().template(story).minScore(-1).build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void classifierAdapterSumsPositiveLabels() {
    io.sightline.core.classify.ImageClassifier fixed = new io.sightline.core.classify.ImageClassifier() {
      @Override
      public List<io.sightline.core.classify.Classification> classify(BufferedImage image) {
        // brightness-driven: a real function of the image, not a constant
        float[] g = ImageOps.toGray(image);
        double m = 0;
        for (float v : g) {
          m += v;
        }
        float bright = (float) (m / g.length);
        return List.of(new io.sightline.core.classify.Classification("happy", bright),
            new io.sightline.core.classify.Classification("sad", 1 - bright));
      }

      @Override
      public List<String> labels() {
        return List.of("happy", "sad");
      }

      @Override
      public String id() {
        return "brightness/1";
      }
    };
    ImageScorer s = ImageScorer.fromClassifier(fixed, java.util.Set.of("happy"));
    BufferedImage white = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    white.getGraphics().fillRect(0, 0, 4, 4);
    assertThat(s.score(white)).isGreaterThan(0.9);
    assertThat(s.score(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB))).isLessThan(0.1);
    assertThatThrownBy(() -> ImageScorer.fromClassifier(fixed, java.util.Set.of("angry")))
        .hasMessageContaining("angry");
  }

  @Test
  void severalFacesUseTheMergedBox() {
    // 600 px high: the 9:16 window (337 px wide) holds both faces; when it cannot, one face is kept
    // whole and the other left out rather than both cut (CropSearchTest)
    BufferedImage two = TestImages.wideWithFaceAt(1600, 600, 150, 100, 180);
    java.awt.Graphics2D g = two.createGraphics();
    g.drawImage(TestImages.astronaut().getSubimage(130, 20, 190, 190), 340, 120, 180, 180, null);
    g.dispose();
    // faces are ~100 px wide and ~190 px apart: merged with dilation 2.2, separate without dilation
    Poster p = PosterComposer.builder().template(story).dilation(2.2).build().compose(two, "two", null).kept().get(0);
    assertThat(p.crop().targets()).hasSize(2);
    assertThat(p.crop().rule()).isIn(CenterRule.MERGED_TARGETS_CENTER, CenterRule.WEIGHTED_TARGET_AND_SALIENT);
    assertThat(p.crop().mergedTargets()).hasSize(1);
    // the crop centres between the two faces, not on either one
    double c0 = p.crop().targets().get(0).cx();
    double c1 = p.crop().targets().get(1).cx();
    assertThat(p.crop().crop().cx()).isBetween(Math.min(c0, c1) + 40, Math.max(c0, c1) - 40);
    for (Box f : p.crop().targets()) {
      assertThat(inside(p.crop().crop(), f)).as(f + " in " + p.crop().crop()).isTrue();
    }
    Poster apart = PosterComposer.builder().template(story).dilation(1.0).build().compose(two, "two", null)
        .kept().get(0);
    assertThat(apart.crop().mergedTargets()).hasSize(2);
  }

  @Test
  void detectionsReportTimings() {
    ImageAnalysis a = composer.analyze(TestImages.astronaut());
    assertThat(a.detectMillis()).isPositive();
    assertThat(a.saliencyId()).contains("spectral_residual");
    assertThat(a.targets()).extracting(Detection::label).containsOnly("face");
  }
}
