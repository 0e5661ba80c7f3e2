package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 13: the crop search on importance maps, and face verification. */
class CropSearchTest {
  private final CropSearch search = new CropSearch();
  private final CropPlanner seed = new CropPlanner();

  /** A map of the given image size with importance 1 inside the boxes (image pixels), 0.02 elsewhere. */
  private static ImportanceMap map(int w, int h, Box... hot) {
    int mw = 320;
    int mh = (int) Math.round(320.0 * h / w);
    float[] v = new float[mw * mh];
    java.util.Arrays.fill(v, 0.02f);
    ImportanceMap m = new ImportanceMap(mw, mh, w, h, v);
    return m.boosted(List.of(hot), 1f);
  }

  private static boolean inside(Box outer, Box inner) {
    return PosterComposerTest.inside(outer, inner);
  }

  @Test
  void keepsAnOffCentreSubjectWholeWhereTheSalientCentreWouldCutIt() {
    Box subject = new Box(1000, 300, 250, 300);
    // an Otsu blob that also took in a bright spot on the far left: its centre lies left of the subject
    Box salient = new Box(500, 300, 750, 300);
    CropDecision old = seed.plan(1280, 720, AspectRatio.PORTRAIT_9_16, List.of(), salient);
    assertThat(inside(old.crop(), subject)).isFalse();
    CropDecision d = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, map(1280, 720, subject), List.of(), salient,
        seed);
    assertThat(d.searched()).isTrue();
    assertThat(inside(d.crop(), subject)).as(d.crop().toString()).isTrue();
    assertThat(d.rule()).isEqualTo(CenterRule.SALIENT_CENTER); // the seed's evidence stays
  }

  @Test
  void windowEdgesDoNotSliceASecondObjectWhenTheyNeedNot() {
    // main subject left of centre and a second object just right of it: the window holds both
    Box a = new Box(500, 200, 150, 300);
    Box b = new Box(700, 250, 80, 200);
    CropDecision d = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, map(1280, 720, a, b), List.of(), null,
        seed);
    assertThat(inside(d.crop(), a) && inside(d.crop(), b)).as(d.crop().toString()).isTrue();
  }

  @Test
  void equalAspectIsNotCroppedAndZeroImportanceFallsBackToTheSeedRules() {
    CropDecision same = search.search(1280, 720, AspectRatio.LANDSCAPE_16_9, map(1280, 720), List.of(), null, seed);
    assertThat(same.cropped()).isFalse();
    ImportanceMap zero = new ImportanceMap(16, 9, 1280, 720, new float[16 * 9]);
    CropDecision z = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, zero, List.of(), null, seed);
    assertThat(z.searched()).isFalse();
    assertThat(z.crop()).isEqualTo(seed.plan(1280, 720, AspectRatio.PORTRAIT_9_16, List.of(), null).crop());
  }

  @Test
  void aVerifiedFaceStaysWholeWithItsHeadEvenAgainstAStrongerSubject() {
    Box face = new Box(60, 200, 120, 120);
    Box subject = new Box(800, 100, 400, 500); // far more importance than the face
    CropDecision d = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, map(1280, 720, subject), List.of(face),
        subject, seed);
    assertThat(inside(d.crop(), CropSearch.head(face).clamp(1280, 720))).as(d.crop().toString()).isTrue();
    assertThat(d.rule()).isEqualTo(CenterRule.TARGET_CENTER);
  }

  @Test
  void severalFacesFollowTheLargestMergedBoxWhenTheyDoNotAllFit() {
    // claim 3 through the search: a pair of close faces (merged) and a lone face far away; the
    // window cannot hold all, so it holds the merged pair, not the lone (bigger) face
    Box a = new Box(200, 300, 60, 60);
    Box b = new Box(280, 300, 60, 60); // 20 px apart: joined once dilated by 1.5
    Box lone = new Box(1100, 300, 70, 70);
    CropDecision d = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, map(1280, 720), List.of(a, b, lone), null,
        seed);
    assertThat(d.rule()).isEqualTo(CenterRule.MERGED_TARGETS_CENTER);
    assertThat(inside(d.crop(), a) && inside(d.crop(), b)).as(d.crop().toString()).isTrue();
    assertThat(d.crop().intersects(lone)).isFalse();
  }

  @Test
  void twoFacesThatFitTogetherStayTogetherAgainstATighterWindowAroundOne() {
    // the faces fit together in the largest 9:16 window (405 px wide here), their heads do not;
    // a strong subject beside the larger face makes a tighter window around that face and the
    // subject score higher on the map: the smaller window must not get a laxer keep rule
    Box left = new Box(710, 300, 100, 100);
    Box right = new Box(1000, 300, 110, 110);
    Box subject = new Box(1110, 150, 170, 400);
    CropDecision d = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, map(1280, 720, subject),
        List.of(left, right), subject, seed);
    assertThat(inside(d.crop(), left) && inside(d.crop(), right)).as(d.crop().toString()).isTrue();
  }

  @Test
  void aFaceThatCannotBeKeptIsLeftOutWholeNotCutInHalf() {
    // two faces too far apart for one 9:16 window (405 px wide here); a subject between them pulls
    // the window towards the right-hand face, whose left part the window would otherwise take in
    Box left = new Box(300, 300, 120, 120);
    Box right = new Box(640, 320, 80, 80);
    Box subject = new Box(450, 250, 180, 300);
    CropDecision d = search.search(1280, 720, AspectRatio.PORTRAIT_9_16, map(1280, 720, subject),
        List.of(left, right), null, seed);
    assertThat(inside(d.crop(), left)).as(d.crop().toString()).isTrue();
    assertThat(d.crop().intersection(right).area()).as(d.crop().toString()).isZero();
  }

  @Test
  void badParametersAreRejected() {
    assertThatThrownBy(() -> new CropSearch(new double[] {1.2}, 1, 0, 0, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(new double[0], 1, 0, 0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImportanceMap.Weights(-1, 0, 0, 0, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void importanceMapIsAtLeast256PixelsAndPeaksOnTheSubject() {
    BufferedImage img = DesignerRulesTest.sceneWithSubject(new Box(930, 380, 260, 220));
    ImportanceMap m = ImportanceMap.compute(img, OpenCvSaliency.spectralResidual().compute(img), true);
    assertThat(Math.min(m.width(), m.height())).isGreaterThanOrEqualTo(256);
    float[] v = m.values();
    double in = 0;
    double out = 0;
    int nIn = 0;
    int nOut = 0;
    for (int y = 0; y < m.height(); y++) {
      for (int x = 0; x < m.width(); x++) {
        double ix = (x + 0.5) * 1280 / m.width();
        double iy = (y + 0.5) * 720 / m.height();
        if (new Box(930, 380, 260, 220).contains(ix, iy)) {
          in += v[y * m.width() + x];
          nIn++;
        } else {
          out += v[y * m.width() + x];
          nOut++;
        }
      }
    }
    assertThat(in / nIn).isGreaterThan(5 * out / nOut);
  }

  @Test
  void faceVerifierNeedsEyesOrSkinAndAScore() {
    FaceVerifier v = new FaceVerifier();
    BufferedImage astro = TestImages.astronaut();
    Box face = new Box(TestImages.ASTRONAUT_FACE[0], TestImages.ASTRONAUT_FACE[1], TestImages.ASTRONAUT_FACE[2],
        TestImages.ASTRONAUT_FACE[3]);
    assertThat(v.verify(astro, new Detection(face, "face", 0.9f))).isTrue();
    assertThat(v.verify(astro, new Detection(face, "face", 0.3f))).isFalse(); // score too low
    // grey noise: no eye, no skin
    BufferedImage noise = new BufferedImage(200, 200, BufferedImage.TYPE_INT_RGB);
    java.util.Random r = new java.util.Random(1);
    for (int y = 0; y < 200; y++) {
      for (int x = 0; x < 200; x++) {
        int g = r.nextInt(256);
        noise.setRGB(x, y, (g << 16) | (g << 8) | g);
      }
    }
    assertThat(v.verify(noise, new Detection(new Box(20, 20, 160, 160), "face", 0.95f))).isFalse();
    assertThat(FaceVerifier.skinShare(astro.getSubimage(177, 67, 93, 93))).isGreaterThan(0.3);
  }

  @Test
  void aWeakDetectionNeedsAnEyeSkinColourAloneIsNotEnough() {
    // a skin-coloured patch with a little texture and no eye: 4 neighbours (0.571) are too weak for
    // skin alone, 5 (0.625) are enough; the old rule (skin alone at any accepted score) on request
    BufferedImage skin = new BufferedImage(160, 160, BufferedImage.TYPE_INT_RGB);
    java.util.Random r = new java.util.Random(3);
    for (int y = 0; y < 160; y++) {
      for (int x = 0; x < 160; x++) {
        int d = r.nextInt(9) - 4;
        skin.setRGB(x, y, ((224 + d) << 16) | ((172 + d) << 8) | (140 + d));
      }
    }
    Box box = new Box(10, 10, 140, 140);
    FaceVerifier v = new FaceVerifier();
    assertThat(v.minSkinOnlyScore()).isEqualTo(FaceVerifier.DEFAULT_SKIN_ONLY_SCORE);
    assertThat(v.eyes(skin.getSubimage(10, 10, 140, 140))).isZero();
    assertThat(FaceVerifier.skinShare(skin.getSubimage(10, 10, 140, 140))).isGreaterThan(0.9);
    assertThat(v.verify(skin, new Detection(box, "face", 4f / 7))).isFalse();
    assertThat(v.verify(skin, new Detection(box, "face", 5f / 8))).isTrue();
    assertThat(new FaceVerifier(0.5, 0.3, 0.5).verify(skin, new Detection(box, "face", 4f / 7))).isTrue();
    // an eye verifies a weak detection without any skin colour (a grey photo)
    BufferedImage astro = TestImages.astronaut();
    BufferedImage grey = new BufferedImage(astro.getWidth(), astro.getHeight(), BufferedImage.TYPE_INT_RGB);
    grey.getGraphics().drawImage(new java.awt.image.ColorConvertOp(
        java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), null).filter(astro, null), 0, 0, null);
    Box face = new Box(TestImages.ASTRONAUT_FACE[0], TestImages.ASTRONAUT_FACE[1], TestImages.ASTRONAUT_FACE[2],
        TestImages.ASTRONAUT_FACE[3]);
    assertThat(FaceVerifier.skinShare(grey.getSubimage((int) face.x(), (int) face.y(), (int) face.w(), (int) face.h())))
        .isZero();
    assertThat(v.verify(grey, new Detection(face, "face", 4f / 7))).isTrue();
  }

  @Test
  void zoomsInOnlyWhenItPaysTheLargestWindowKeepsThePairOnTheRight() {
    // a large subject on the left that a 1:1 window of full height would graze its right neighbour
    // to hold, and two subjects on the right that fit together in the largest window
    Box left = new Box(37, 7, 442, 504);
    Box right1 = new Box(715, 85, 208, 474);
    Box right2 = new Box(926, 36, 157, 604);
    ImportanceMap m = map(1280, 720, right1, right2, left);
    CropDecision d = search.search(1280, 720, AspectRatio.SQUARE, m, List.of(), null, seed);
    assertThat(search.scalePenalty()).isEqualTo(CropSearch.DEFAULT_SCALE_PENALTY).isEqualTo(0.5);
    assertThat(d.crop().h()).as(d.crop().toString()).isEqualTo(720);
    assertThat(inside(d.crop(), right1) && inside(d.crop(), right2)).as(d.crop().toString()).isTrue();
    // the earlier, cheaper zoom (0.1 per unit of scale) took a smaller window around the left subject
    Box cheap = search.withScalePenalty(0.1).search(1280, 720, AspectRatio.SQUARE, m, List.of(), null, seed).crop();
    assertThat(cheap.h()).as(cheap.toString()).isLessThan(720);
    assertThat(search.withScalePenalty(0).scalePenalty()).isZero(); // no cost at all is allowed
    assertThat(search.scalePenalty()).isEqualTo(0.5); // copies: the original is unchanged
    assertThatThrownBy(() -> search.withScalePenalty(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> search.withScalePenalty(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
