package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every cropping rule of the seed, (34)–(51) and claims 2–4, one by one. */
class CropPlannerTest {
  private final CropPlanner planner = new CropPlanner(1.5, 0.7);

  @Test
  void widerSourceKeepsHeightAndTakesWidthWPrimeHOverHPrime() {
    // (36): w/h = 2 > w'/h' = 9/16 -> height h, width w'h/h'
    Box b = CropPlanner.window(800, 400, AspectRatio.PORTRAIT_9_16, 400, 200);
    assertThat(b.h()).isEqualTo(400);
    assertThat(b.w()).isEqualTo(Math.round(9.0 * 400 / 16));
    assertThat(b.cx()).isCloseTo(400, within(1.0));
  }

  @Test
  void tallerSourceKeepsWidthAndTakesHeightWHPrimeOverWPrime() {
    // (38): w/h = 0.5 < 16/9 -> width w, height wh'/w'
    Box b = CropPlanner.window(400, 800, AspectRatio.LANDSCAPE_16_9, 200, 400);
    assertThat(b.w()).isEqualTo(400);
    assertThat(b.h()).isEqualTo(Math.round(400 * 9.0 / 16));
    assertThat(b.cy()).isCloseTo(400, within(1.0));
  }

  @Test
  void equalAspectIsNotCropped() {
    // (39)
    CropDecision d = planner.plan(640, 360, AspectRatio.LANDSCAPE_16_9, List.of(new Box(10, 10, 20, 20)), null);
    assertThat(d.cropped()).isFalse();
    assertThat(d.crop()).isEqualTo(new Box(0, 0, 640, 360));
  }

  @Test
  void windowIsClampedInsideTheImage() {
    Box left = CropPlanner.window(1000, 500, AspectRatio.SQUARE, 10, 250);
    assertThat(left.x()).isEqualTo(0);
    assertThat(left.w()).isEqualTo(500);
    Box right = CropPlanner.window(1000, 500, AspectRatio.SQUARE, 990, 250);
    assertThat(right.x2()).isEqualTo(1000);
    Box bottom = CropPlanner.window(500, 1000, AspectRatio.SQUARE, 250, 5000);
    assertThat(bottom.y2()).isEqualTo(1000);
  }

  @Test
  void noFaceUsesTheSalientCentre() {
    // (46), claim 2 second branch
    Box sal = new Box(600, 100, 200, 200);
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(), sal);
    assertThat(d.rule()).isEqualTo(CenterRule.SALIENT_CENTER);
    assertThat(d.centerX()).isEqualTo(700);
    assertThat(d.crop().cx()).isEqualTo(700);
  }

  @Test
  void noFaceAndNoSalientRegionUsesTheImageCentre() {
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(), null);
    assertThat(d.rule()).isEqualTo(CenterRule.IMAGE_CENTER);
    assertThat(d.crop().cx()).isEqualTo(500);
  }

  @Test
  void oneFaceOutsideTheSalientRegionUsesTheFaceCentre() {
    // (41), (44) first branch, claim 4
    Box face = new Box(100, 100, 60, 60);
    Box sal = new Box(700, 100, 200, 300);
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(face), sal);
    assertThat(d.rule()).isEqualTo(CenterRule.TARGET_CENTER);
    assertThat(d.centerX()).isEqualTo(130);
    assertThat(d.centerY()).isEqualTo(130);
    assertThat(d.crop().x()).isEqualTo(0); // clamped
    assertThat(d.crop().contains(face.x(), face.y()) && d.crop().contains(face.x2(), face.y2())).isTrue();
  }

  @Test
  void faceCentreInsideTheSalientRegionGivesTheWeightedSum() {
    // (45), claim 4 second branch
    Box face = new Box(400, 100, 100, 100); // centre (450,150)
    Box sal = new Box(300, 50, 400, 400);   // centre (500,250), contains (450,150)
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(face), sal);
    assertThat(d.rule()).isEqualTo(CenterRule.WEIGHTED_TARGET_AND_SALIENT);
    assertThat(d.centerX()).isCloseTo(0.7 * 450 + 0.3 * 500, within(1e-9));
    assertThat(d.centerY()).isCloseTo(0.7 * 150 + 0.3 * 250, within(1e-9));
  }

  @Test
  void weightIsConfigurable() {
    CropPlanner p = new CropPlanner(1.5, 0.0);
    Box face = new Box(400, 100, 100, 100);
    Box sal = new Box(300, 50, 400, 400);
    assertThat(p.plan(1000, 500, AspectRatio.SQUARE, List.of(face), sal).centerX()).isEqualTo(500);
  }

  @Test
  void severalFacesAreDilatedMergedAndTheLargestMergedBoxGivesTheCentre() {
    // (47)-(49), claim 3: two faces close together merge once dilated; a third far away does not
    Box a = new Box(100, 100, 40, 40);
    Box b = new Box(150, 100, 40, 40);   // gap 10 px: apart as boxes, joined after 1.5x dilation
    Box far = new Box(800, 100, 50, 50); // the single biggest face, but alone
    assertThat(a.intersects(b)).isFalse();
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(a, b, far), null);
    assertThat(d.rule()).isEqualTo(CenterRule.MERGED_TARGETS_CENTER);
    assertThat(d.mergedTargets()).hasSize(2);
    Box merged = a.scaleAboutCenter(1.5).union(b.scaleAboutCenter(1.5));
    assertThat(d.targetCenterBox()).isEqualTo(merged);
    assertThat(d.centerX()).isCloseTo(merged.cx(), within(1e-9));
    assertThat(d.centerX()).isCloseTo(145, within(1e-9));
  }

  @Test
  void withoutEnoughDilationTheFacesStaySeparateAndTheLargestWins() {
    CropPlanner tight = new CropPlanner(1.0, 0.7);
    Box a = new Box(100, 100, 40, 40);
    Box b = new Box(150, 100, 40, 40);
    Box far = new Box(800, 100, 50, 50);
    CropDecision d = tight.plan(1000, 500, AspectRatio.SQUARE, List.of(a, b, far), null);
    assertThat(d.mergedTargets()).hasSize(3);
    assertThat(d.centerX()).isEqualTo(825);
  }

  @Test
  void mergingIsTransitive() {
    List<Box> chain = List.of(new Box(0, 0, 10, 10), new Box(12, 0, 10, 10), new Box(24, 0, 10, 10));
    assertThat(CropPlanner.mergeDilated(chain, 1.5)).containsExactly(
        chain.get(0).scaleAboutCenter(1.5).union(chain.get(2).scaleAboutCenter(1.5)));
  }

  @Test
  void mergedFacesInsideTheSalientRegionAreWeighted() {
    Box a = new Box(400, 200, 40, 40);
    Box b = new Box(450, 200, 40, 40);
    Box sal = new Box(300, 100, 400, 300);
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(a, b), sal);
    assertThat(d.rule()).isEqualTo(CenterRule.WEIGHTED_TARGET_AND_SALIENT);
    assertThat(d.centerX()).isCloseTo(0.7 * 445 + 0.3 * 500, within(1e-9));
  }

  @Test
  void zeroSizeCropFailsWithAClearMessage() {
    assertThatThrownBy(() -> CropPlanner.window(100, 100, new AspectRatio(1000, 1), 50, 50))
        .isInstanceOf(PosterException.class).hasMessageContaining("zero-size crop");
    assertThatThrownBy(() -> planner.plan(0, 100, AspectRatio.SQUARE, List.of(), null))
        .isInstanceOf(PosterException.class).hasMessageContaining("no pixels");
  }

  @Test
  void badParametersAreRejected() {
    assertThatThrownBy(() -> new CropPlanner(0.5, 0.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropPlanner(1.5, 1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AspectRatio.parse("9-16")).hasMessageContaining("W:H");
    assertThatThrownBy(() -> AspectRatio.parse("0:16")).isInstanceOf(IllegalArgumentException.class);
    assertThat(AspectRatio.parse("9:16").value()).isCloseTo(0.5625, within(1e-12));
    assertThat(AspectRatio.parse("16x9").toString()).isEqualTo("16:9");
  }

  @Test
  void facesOutsideTheImageAreIgnored() {
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(new Box(2000, 2000, 10, 10)), null);
    assertThat(d.rule()).isEqualTo(CenterRule.IMAGE_CENTER);
    assertThat(d.targets()).isEmpty();
  }

  @Test
  void weightedCentreIsShiftedSoTheFaceStaysWhole() {
    // face near the left edge of a huge salient region: 0.7*face + 0.3*salient would cut the face
    Box face = new Box(300, 100, 150, 150);      // centre (375,175)
    Box sal = new Box(0, 0, 2000, 500);          // centre (1000,250)
    CropPlanner strict = new CropPlanner(1.5, 0.7, false);
    CropDecision raw = strict.plan(2000, 500, new AspectRatio(9, 16), List.of(face), sal);
    assertThat(raw.rule()).isEqualTo(CenterRule.WEIGHTED_TARGET_AND_SALIENT);
    assertThat(raw.crop().x()).isGreaterThan(face.x()); // face cut on the left
    CropDecision kept = planner.plan(2000, 500, new AspectRatio(9, 16), List.of(face), sal);
    assertThat(kept.centerX()).isEqualTo(raw.centerX());
    assertThat(kept.crop().x()).isLessThanOrEqualTo(face.x());
    assertThat(kept.crop().x2()).isGreaterThanOrEqualTo(face.x2());
    assertThat(kept.shiftedToKeepTargets()).isTrue();
    assertThat(raw.shiftedToKeepTargets()).isFalse();
  }
  @Test
  void theWindowIsCentredToTheRoundedPixel() {
    assertThat(CropPlanner.window(1000, 500, AspectRatio.SQUARE, 600, 250)).isEqualTo(new Box(350, 0, 500, 500));
    assertThat(CropPlanner.window(500, 1000, AspectRatio.SQUARE, 250, 400)).isEqualTo(new Box(0, 150, 500, 500));
    assertThat(CropPlanner.window(2000, 500, AspectRatio.PORTRAIT_9_16, 1000, 250))
        .isEqualTo(new Box(860, 0, 281, 500));
  }

  @Test
  void aspectsWithinOneThousandthAreEqualAndNotCropped() {
    // 1000x562 is 1.7794, 0.09 % from 16:9: left whole; 1000x560 (0.45 % off) is cropped
    assertThat(CropPlanner.window(1000, 562, AspectRatio.LANDSCAPE_16_9, 0, 0)).isEqualTo(new Box(0, 0, 1000, 562));
    CropDecision d = planner.plan(1000, 560, AspectRatio.LANDSCAPE_16_9, List.of(), null);
    assertThat(d.cropped()).isTrue();
    assertThat(d.crop()).isEqualTo(new Box(2, 0, 996, 560));
    assertThat(d.rule()).isEqualTo(CenterRule.IMAGE_CENTER);
    assertThat(d.centerX()).isEqualTo(500);
    assertThat(d.centerY()).isEqualTo(280);
  }

  @Test
  void anImageWithoutPixelsAndASalientRegionOutsideTheImageAreHandled() {
    assertThatThrownBy(() -> planner.plan(0, 100, AspectRatio.SQUARE, List.of(), null))
        .isInstanceOf(PosterException.class).hasMessageContaining("0x100");
    assertThatThrownBy(() -> planner.plan(100, 0, AspectRatio.SQUARE, List.of(), null))
        .isInstanceOf(PosterException.class);
    CropDecision d = planner.plan(1000, 500, AspectRatio.SQUARE, List.of(), new Box(1200, 0, 100, 100));
    assertThat(d.rule()).isEqualTo(CenterRule.IMAGE_CENTER);
    assertThat(d.salient()).isNull();
    assertThat(planner.plan(1, 1, AspectRatio.SQUARE, List.of(), null).crop()).isEqualTo(new Box(0, 0, 1, 1));
  }

  @Test
  void theBoundsOfTheParametersAreAccepted() {
    CropPlanner p = new CropPlanner(1, 0, false);
    assertThat(p.dilation()).isEqualTo(1);
    assertThat(p.targetWeight()).isZero();
    assertThat(p.keepTargetsWhole()).isFalse();
    assertThat(new CropPlanner(1, 1).targetWeight()).isEqualTo(1);
    assertThat(new CropPlanner().keepTargetsWhole()).isTrue();
    assertThatThrownBy(() -> new CropPlanner(Double.NaN, 0.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropPlanner(Double.POSITIVE_INFINITY, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropPlanner(1.5, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFaceAtTheTopIsKeptWholeByTheSmallestShiftDown() {
    // 0.7 * face + 0.3 * salient pulls the 16:9 window below the face; it moves up just enough
    Box face = new Box(100, 50, 100, 100);
    Box sal = new Box(0, 0, 500, 2000);
    CropDecision raw = new CropPlanner(1.5, 0.7, false).plan(500, 2000, AspectRatio.LANDSCAPE_16_9, List.of(face),
        sal);
    assertThat(raw.crop()).isEqualTo(new Box(0, 230, 500, 281));
    CropDecision d = planner.plan(500, 2000, AspectRatio.LANDSCAPE_16_9, List.of(face), sal);
    assertThat(d.crop()).isEqualTo(new Box(0, 50, 500, 281));
    assertThat(d.shiftedToKeepTargets()).isTrue();
    // a face already inside is not moved
    CropDecision still = planner.plan(500, 2000, AspectRatio.LANDSCAPE_16_9, List.of(new Box(200, 900, 100, 100)),
        sal);
    assertThat(still.shiftedToKeepTargets()).isFalse();
    assertThat(still.crop().y()).isEqualTo(Math.round(0.7 * 950 + 0.3 * 1000 - 140.5));
  }

  @Test
  void targetsThatDoNotFitTogetherKeepTheLargestMergedBoxWhole() {
    Box small = new Box(100, 100, 100, 100);
    Box big = new Box(1700, 100, 150, 150); // dilated by 1.5: (1662.5, 62.5, 225, 225)
    Box sal = new Box(0, 0, 2000, 500);
    CropDecision d = planner.plan(2000, 500, AspectRatio.PORTRAIT_9_16, List.of(small, big), sal);
    assertThat(d.rule()).isEqualTo(CenterRule.WEIGHTED_TARGET_AND_SALIENT);
    assertThat(d.targetCenterBox()).isEqualTo(new Box(1662.5, 62.5, 225, 225));
    assertThat(d.mergedTargets()).hasSize(2);
    // weighted centre 0.7 * 1775 + 0.3 * 1000 = 1542.5 puts the window at 1402, cutting the big face;
    // it moves right until the dilated box ends at its right edge (1888 - 281)
    assertThat(d.crop()).isEqualTo(new Box(1607, 0, 281, 500));
    assertThat(d.shiftedToKeepTargets()).isTrue();
    assertThat(d.crop().intersects(small)).isFalse();
  }

  @Test
  void dilatedBoxesThatOnlyTouchAfterGrowingAreMerged() {
    // 10 px gap; 1.5x dilation adds 25 px on each side: merged; 1.1x adds 5: apart
    List<Box> two = List.of(new Box(0, 0, 100, 100), new Box(110, 0, 100, 100));
    assertThat(CropPlanner.mergeDilated(two, 1.5)).containsExactly(new Box(-25, -25, 260, 150));
    assertThat(CropPlanner.mergeDilated(two, 1.1)).hasSize(2);
    assertThat(CropPlanner.mergeDilated(List.of(new Box(0, 0, 10, 10)), 2)).containsExactly(new Box(-5, -5, 20, 20));
  }
}
