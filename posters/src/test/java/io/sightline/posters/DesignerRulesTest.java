package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: rules a designer expects, on images built so that breaking a rule changes the result —
 * the flattest spot of the picture IS on the face (or the fixed layer, or the subject), so a placer
 * that forgets an obstacle puts the title there; a face-like false positive sits away from the real
 * subject, so a composer that trusts it loses the subject.
 */
class DesignerRulesTest {
  private static final int W = 960;
  private static final int H = 540;

  /** A detector that always reports the given boxes, as a face model might. */
  private static ObjectDetector fixed(String label, float score, Box... boxes) {
    return new ObjectDetector() {
      @Override
      public List<Detection> detect(BufferedImage image) {
        return java.util.Arrays.stream(boxes).map(b -> new Detection(b, label, score)).toList();
      }

      @Override
      public String id() {
        return "fixed";
      }
    };
  }

  /** A saliency model that finds nothing: only faces and layers are obstacles then. */
  private static final SaliencyDetector NO_SALIENCY = new SaliencyDetector() {
    @Override
    public SaliencyMap compute(BufferedImage image) {
      return new SaliencyMap(16, 9, new float[16 * 9]);
    }

    @Override
    public String id() {
      return "none";
    }
  };

  /** Grey noise everywhere (high variance) and a flat patch of the given colour. */
  private static BufferedImage noiseWithFlat(Box flat, Color colour) {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(11);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int v = 40 + r.nextInt(180);
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    Graphics2D g = img.createGraphics();
    g.setColor(colour);
    g.fillRect((int) flat.x(), (int) flat.y(), (int) flat.w(), (int) flat.h());
    g.dispose();
    return img;
  }

  private static PosterTemplate titleOnly(int w, int h) {
    return new PosterTemplate("t", w, h, List.of(), List.of(new FloatingLayer("title",
        new LayerContent.Text("Title", new java.awt.Font("SansSerif", java.awt.Font.BOLD, 12), Color.WHITE, null),
        new Box(0, 0, 1, 1), 0.25, 0.12)));
  }

  private static PlacedLayer title(Poster p) {
    return p.layers().stream().filter(l -> l.name().equals("title")).findFirst().orElseThrow();
  }

  @Test
  void titleStaysOffTheWholeHeadEvenWhereTheHeadIsTheFlattestSpot() {
    // skin-coloured flat head region: face box in the middle, hair/forehead above it equally flat
    // and wide enough for the title: only the whole head as obstacle keeps the title off it
    Box face = new Box(380, 170, 200, 200);
    Box head = CropSearch.head(face);
    BufferedImage img = noiseWithFlat(head, new Color(224, 172, 140));
    PosterComposer c = PosterComposer.builder().template(titleOnly(W, H)).targetDetector(fixed("face", 0.9f, face))
        .saliency(NO_SALIENCY).noExpressionScorer().build();
    Poster p = c.compose(img, "flat-face", null).kept().get(0);
    assertThat(p.crop().targets()).containsExactly(face); // verified by skin colour
    PlacedLayer t = title(p);
    assertThat(t.box()).isNotNull();
    assertThat(t.box().intersects(head)).as("title " + t.box() + " head " + head).isFalse();
    assertThat(t.overlap()).isZero();
  }

  @Test
  void withoutTheFaceAsObstacleTheSameImageWouldPutTheTitleOnTheFace() {
    // the control that shows the test above bites: the placer alone, no obstacles, picks the face
    Box face = new Box(380, 170, 200, 200);
    Box head = CropSearch.head(face);
    BufferedImage img = noiseWithFlat(head, new Color(224, 172, 140));
    LayerPlacer.Placement bare = new LayerPlacer(img, List.of()).place(new Box(0, 0, W, H), 240, 65,
        PlacementStrategy.AVOID_SUBJECTS);
    assertThat(bare.box().intersects(head)).isTrue();
  }

  @Test
  void titleAvoidsAFixedLayerLyingOnTheFlattestSpot() {
    Box flat = new Box(60, 380, 360, 120);
    BufferedImage img = noiseWithFlat(flat, new Color(30, 60, 200));
    PosterTemplate t = new PosterTemplate("t", W, H,
        List.of(new FixedLayer("badge", new LayerContent.Text("Badge", new java.awt.Font("SansSerif", java.awt.Font.PLAIN, 12),
            Color.WHITE, null), new Box(60.0 / W, 380.0 / H, 360.0 / W, 120.0 / H))),
        titleOnly(W, H).floating());
    PosterComposer c = PosterComposer.builder().template(t).targetDetector(fixed("face", 0.9f))
        .saliency(NO_SALIENCY).noExpressionScorer().build();
    Poster p = c.compose(img, "fixed", null).kept().get(0);
    assertThat(title(p).box().intersects(flat)).as("title " + title(p).box()).isFalse();
  }

  @Test
  void titleKeepsASafeMarginFromTheCanvasEdge() {
    // a flat canvas: every place ties, and without a safe area the first one (the corner) wins
    BufferedImage img = TestImages.gradient(W, H);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(new Color(90, 90, 90));
    g.fillRect(0, 0, W, H);
    g.dispose();
    PosterComposer c = PosterComposer.builder().template(titleOnly(W, H)).targetDetector(fixed("face", 0.9f))
        .saliency(NO_SALIENCY).noExpressionScorer().minSharpness(0).build();
    Box b = title(c.compose(img, "edge", null).kept().get(0)).box();
    double m = 0.04 * H;
    assertThat(b.x()).isGreaterThanOrEqualTo(m - 1);
    assertThat(b.y()).isGreaterThanOrEqualTo(m - 1);
    assertThat(b.x2()).isLessThanOrEqualTo(W - m + 1);
    assertThat(b.y2()).isLessThanOrEqualTo(H - m + 1);
  }

  @Test
  void titleIsLeftOutRatherThanDrawnOverAFace() {
    // the face fills the canvas: no place avoids it
    Box face = new Box(0, 0, W, H);
    BufferedImage img = noiseWithFlat(face, new Color(224, 172, 140));
    PosterComposer c = PosterComposer.builder().template(titleOnly(W, H)).targetDetector(fixed("face", 0.9f, face))
        .noExpressionScorer().minSharpness(0).build();
    Poster p = c.compose(img, "all-face", null).kept().get(0);
    assertThat(title(p).box()).isNull();
  }

  /** 16:9 photo-like background (smooth gradient + mild noise) with a small saturated subject. */
  static BufferedImage sceneWithSubject(Box subject) {
    BufferedImage img = TestImages.gradient(1280, 720);
    Random r = new Random(5);
    for (int y = 0; y < 720; y++) {
      for (int x = 0; x < 1280; x++) {
        int p = img.getRGB(x, y);
        int d = r.nextInt(17) - 8;
        int rr = Math.max(0, Math.min(255, ((p >> 16) & 255) + d));
        int gg = Math.max(0, Math.min(255, ((p >> 8) & 255) + d));
        int bb = Math.max(0, Math.min(255, (p & 255) + d));
        img.setRGB(x, y, (rr << 16) | (gg << 8) | bb);
      }
    }
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(250, 200, 0));
    g.fillOval((int) subject.x(), (int) subject.y(), (int) subject.w(), (int) subject.h());
    g.setColor(new Color(200, 20, 20));
    g.fillRect((int) (subject.x() + subject.w() * 0.3), (int) (subject.y() + subject.h() * 0.3),
        (int) (subject.w() * 0.4), (int) (subject.h() * 0.4));
    g.dispose();
    return img;
  }

  @Test
  void smallOffCentreSubjectIsKeptWholeIn916() {
    // subject near the right edge, wider than a centred window would allow
    Box subject = new Box(930, 380, 260, 220);
    BufferedImage img = sceneWithSubject(subject);
    PosterComposer c = PosterComposer.builder().template(titleOnly(540, 960)).noExpressionScorer().build();
    Poster p = c.compose(img, "subject", null).kept().get(0);
    assertThat(p.crop().searched()).isTrue();
    assertThat(PosterComposerTest.inside(p.crop().crop(), subject)).as("crop " + p.crop().crop()).isTrue();
  }

  @Test
  void anUnverifiedFaceDoesNotMoveTheCrop() {
    // a "face" reported on grey noise far left (no eye, no skin): the subject on the right must win
    Box subject = new Box(930, 380, 260, 220);
    BufferedImage img = sceneWithSubject(subject);
    Graphics2D g = img.createGraphics();
    Random r = new Random(2);
    for (int y = 100; y < 260; y++) {
      for (int x = 60; x < 220; x++) {
        int v = 60 + r.nextInt(120);
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    g.dispose();
    Box falseFace = new Box(60, 100, 160, 160);
    PosterTemplate t = titleOnly(540, 960);
    PosterComposer verified = PosterComposer.builder().template(t).targetDetector(fixed("face", 0.9f, falseFace))
        .noExpressionScorer().build();
    ComposeResult r1 = verified.compose(img, "false-face", null);
    assertThat(r1.analyses().get(0).rejectedTargets()).hasSize(1);
    assertThat(r1.analyses().get(0).targets()).isEmpty();
    Poster p = r1.kept().get(0);
    assertThat(PosterComposerTest.inside(p.crop().crop(), subject)).as("crop " + p.crop().crop()).isTrue();
    // control: trusting every hit, the false face takes the crop away from the subject
    PosterComposer trusting = PosterComposer.builder().template(t).targetDetector(fixed("face", 0.9f, falseFace))
        .verifyFaces(false).noExpressionScorer().build();
    Poster q = trusting.compose(img, "false-face", null).kept().get(0);
    assertThat(PosterComposerTest.inside(q.crop().crop(), falseFace)).isTrue();
    assertThat(q.crop().crop().intersects(subject)).isFalse();
  }
}
