package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The terms of the crop search score, one at a time (issue "tests that bite"). Every map here is at
 * the image's own resolution (one map pixel per image pixel, so every window position is tried) and
 * every expected score is worked out from the documented rule
 * {@code kept − cut − thirds − eyeLine − prior − DEFAULT_SCALE_PENALTY·(1 − scale)}, with the other weights set to 0.
 *
 * <p>Windows: a 320x180 image cropped to 9:16 gives a 101x180 window; a 180x320 (or 180x640)
 * image cropped to 16:9 gives a 180x101 window.
 */
class CropSearchScoreTest {
  private static final double EPS = 1e-9;
  private final CropPlanner seed = new CropPlanner();

  /** A search with one term's weight; no face boost. */
  private static CropSearch weights(double cut, double thirds, double eye, double... scales) {
    return new CropSearch(scales.length == 0 ? new double[] {1.0} : scales, cut, thirds, eye, 0.0);
  }

  private static ImportanceMap flat(int w, int h) {
    float[] v = new float[w * h];
    java.util.Arrays.fill(v, 1f);
    return new ImportanceMap(w, h, w, h, v);
  }

  /** Importance 1 inside the (map = image pixel) blocks {x0, y0, x1, y1}, 0 elsewhere. */
  private static ImportanceMap blocks(int w, int h, int[]... bs) {
    float[] v = new float[w * h];
    for (int[] b : bs) {
      for (int y = b[1]; y < b[3]; y++) {
        for (int x = b[0]; x < b[2]; x++) {
          v[y * w + x] = 1f;
        }
      }
    }
    return new ImportanceMap(w, h, w, h, v);
  }

  private static double thirdsDistance(double u) {
    return Math.min(Math.abs(u - 0.5), Math.min(Math.abs(u - 1.0 / 3), Math.abs(u - 2.0 / 3)));
  }

  // ---- kept share, scale penalty, prior -------------------------------------------------------

  @Test
  void onAFlatMapTheScoreIsTheKeptShareOfTheCentredWindow() {
    CropDecision d = weights(0, 0, 0).search(320, 180, AspectRatio.PORTRAIT_9_16, flat(320, 180), List.of(), null,
        seed);
    assertThat(d.crop().w()).isEqualTo(101);
    assertThat(d.crop().h()).isEqualTo(180);
    // the window centre can only come within half a pixel of the image centre
    assertThat(d.crop().x()).isBetween(109.0, 110.0);
    assertThat(d.searchScore()).isCloseTo(101 / 320.0 - 0.05 * 0.5 / 101, within(EPS));
    assertThat(d.shiftedToKeepTargets()).isFalse(); // no faces: never "shifted to keep targets"
  }

  @Test
  void aSmallerWindowPaysTheScalePenaltyOnTopOfKeepingLess() {
    // scale 0.5: a 51x90 window (round(50.5), round(90)), centred vertically exactly
    CropDecision half = weights(0, 0, 0, 0.5).search(320, 180, AspectRatio.PORTRAIT_9_16, flat(320, 180), List.of(),
        null, seed);
    assertThat(half.crop().w()).isEqualTo(51);
    assertThat(half.crop().h()).isEqualTo(90);
    assertThat(half.crop().y()).isEqualTo(45);
    double expected = 51 * 90 / (320.0 * 180) - 0.05 * 0.5 / 51 - CropSearch.DEFAULT_SCALE_PENALTY * (1 - 0.5);
    assertThat(half.searchScore()).isCloseTo(expected, within(EPS));
    // offered both, the search takes the full-height window
    CropDecision both = weights(0, 0, 0, 0.5, 1.0).search(320, 180, AspectRatio.PORTRAIT_9_16, flat(320, 180),
        List.of(), null, seed);
    assertThat(both.crop().h()).isEqualTo(180);
  }

  @Test
  void onAFlatMapTheWindowNearestThePriorCentreWinsAndPaysForItsDistance() {
    // salient strip at the left: prior centre x = 10; the nearest window is flush left (centre 50.5)
    CropDecision d = weights(0, 0, 0).search(640, 180, AspectRatio.PORTRAIT_9_16, flat(640, 180), List.of(),
        new Box(0, 0, 20, 180), seed);
    assertThat(d.crop().x()).isZero();
    assertThat(d.searchScore()).isCloseTo(101 / 640.0 - 0.05 * 40.5 / 101, within(EPS));
    // the same vertically: a landscape window on a portrait image, prior centre y = 630
    CropDecision v = weights(0, 0, 0).search(180, 640, AspectRatio.LANDSCAPE_16_9, flat(180, 640), List.of(),
        new Box(0, 620, 180, 20), seed);
    assertThat(v.crop().h()).isEqualTo(101);
    assertThat(v.crop().y()).isEqualTo(640 - 101);
    assertThat(v.searchScore()).isCloseTo(101 / 640.0 - 0.05 * 40.5 / 101, within(EPS));
  }

  @Test
  void thePriorCostsAtMostOneWindowWidthSoAFarSubjectIsStillTakenWhole() {
    // all importance far right (x 560..600), prior centre far left (x = 10): more than 5 windows away
    ImportanceMap m = blocks(640, 180, new int[] {560, 0, 600, 180});
    CropDecision d = weights(0, 0, 0).search(640, 180, AspectRatio.PORTRAIT_9_16, m, List.of(),
        new Box(0, 0, 20, 180), seed);
    assertThat(PosterComposerTest.inside(d.crop(), new Box(560, 0, 40, 180))).as(d.crop().toString()).isTrue();
    assertThat(d.searchScore()).isCloseTo(1 - 0.05, within(EPS));
  }

  @Test
  void onACoarseMapTheWindowIsScoredOnTheMapPixelsItCovers() {
    // 640x360 image, 320x180 map: the 203x360 window covers round(x/2)..round((x+203)/2), 102 map
    // columns from an even x; positions step 2 image px (one map pixel)
    float[] v = new float[320 * 180];
    java.util.Arrays.fill(v, 1f);
    CropDecision h = weights(0, 0, 0).search(640, 360, AspectRatio.PORTRAIT_9_16,
        new ImportanceMap(320, 180, 640, 360, v), List.of(), null, seed);
    assertThat(h.crop().w()).isEqualTo(203);
    assertThat(h.crop().x()).isEqualTo(218);
    assertThat(h.searchScore()).isCloseTo(102 / 320.0 - 0.05 * 0.5 / 203, within(EPS));
    CropDecision t = weights(0, 0, 0).search(360, 640, AspectRatio.LANDSCAPE_16_9,
        new ImportanceMap(180, 320, 360, 640, v), List.of(), null, seed);
    assertThat(t.crop().h()).isEqualTo(203);
    assertThat(t.crop().y()).isEqualTo(218);
    assertThat(t.searchScore()).isCloseTo(102 / 320.0 - 0.05 * 0.5 / 203, within(EPS));
  }

  @Test
  void aPriorAtTheImageEdgeDoesNotPullTheWindowOutOfTheImage() {
    // subject and prior at the right (bottom) edge: the window stops flush with it
    CropDecision r = weights(0, 0, 0).search(320, 180, AspectRatio.PORTRAIT_9_16,
        blocks(320, 180, new int[] {280, 0, 320, 180}), List.of(), new Box(300, 0, 20, 180), seed);
    assertThat(r.crop().x2()).isEqualTo(320);
    assertThat(r.searchScore()).isCloseTo(1 - 0.05 * 40.5 / 101, within(EPS));
    CropDecision b = weights(0, 0, 0).search(180, 320, AspectRatio.LANDSCAPE_16_9,
        blocks(180, 320, new int[] {0, 280, 180, 320}), List.of(), new Box(0, 300, 180, 20), seed);
    assertThat(b.crop().y2()).isEqualTo(320);
    assertThat(b.searchScore()).isCloseTo(1 - 0.05 * 40.5 / 101, within(EPS));
  }

  // ---- cut ----------------------------------------------------------------------------------------

  @Test
  void onAnEvenlyImportantImageAWindowFlushWithTheBorderSlicesOnOneSideOnly() {
    // band half-width round(0.03·101) = 3 px: an inner edge costs 6·(2·3 columns)/320; a window in
    // the middle would pay it twice, one flush with a border once (its prior distance is capped at 1)
    double expected = 101 / 320.0 - 6.0 * 6 / 320 - 0.05;
    CropDecision h = weights(6, 0, 0).search(320, 180, AspectRatio.PORTRAIT_9_16, flat(320, 180), List.of(), null,
        seed);
    assertThat(h.crop().x() == 0 || h.crop().x2() == 320).as(h.crop().toString()).isTrue();
    assertThat(h.searchScore()).isCloseTo(expected, within(EPS));
    CropDecision v = weights(6, 0, 0).search(180, 320, AspectRatio.LANDSCAPE_16_9, flat(180, 320), List.of(), null,
        seed);
    assertThat(v.crop().y() == 0 || v.crop().y2() == 320).as(v.crop().toString()).isTrue();
    assertThat(v.searchScore()).isCloseTo(expected, within(EPS));
    // with the prior at the right (bottom) edge, the window flush there: the same one band
    double nearPrior = 101 / 320.0 - 6.0 * 6 / 320 - 0.05 * 40.5 / 101;
    CropDecision r = weights(6, 0, 0).search(320, 180, AspectRatio.PORTRAIT_9_16, flat(320, 180), List.of(),
        new Box(300, 0, 20, 180), seed);
    assertThat(r.crop().x2()).isEqualTo(320);
    assertThat(r.searchScore()).isCloseTo(nearPrior, within(EPS));
    CropDecision b = weights(6, 0, 0).search(180, 320, AspectRatio.LANDSCAPE_16_9, flat(180, 320), List.of(),
        new Box(0, 300, 180, 20), seed);
    assertThat(b.crop().y2()).isEqualTo(320);
    assertThat(b.searchScore()).isCloseTo(nearPrior, within(EPS));
  }

  @Test
  void theImageBorderIsNotACutOnAnyOfTheFourSides() {
    // a 40 px subject along each border: the window flush with that border holds it whole and
    // slices nothing, so only the (capped) prior is paid; counting the border as an edge would cost
    // 6·3/40 = 0.45
    CropSearch s = weights(6, 0, 0);
    CropDecision left = s.search(320, 180, AspectRatio.PORTRAIT_9_16, blocks(320, 180, new int[] {0, 0, 40, 180}),
        List.of(), null, seed);
    CropDecision right = s.search(320, 180, AspectRatio.PORTRAIT_9_16,
        blocks(320, 180, new int[] {280, 0, 320, 180}), List.of(), null, seed);
    CropDecision top = s.search(180, 320, AspectRatio.LANDSCAPE_16_9, blocks(180, 320, new int[] {0, 0, 180, 40}),
        List.of(), null, seed);
    CropDecision bottom = s.search(180, 320, AspectRatio.LANDSCAPE_16_9,
        blocks(180, 320, new int[] {0, 280, 180, 320}), List.of(), null, seed);
    assertThat(left.crop().x()).isZero();
    assertThat(right.crop().x2()).isEqualTo(320);
    assertThat(top.crop().y()).isZero();
    assertThat(bottom.crop().y2()).isEqualTo(320);
    for (CropDecision d : List.of(left, right, top, bottom)) {
      assertThat(d.searchScore()).as(d.crop().toString()).isCloseTo(1 - 0.05, within(EPS));
    }
  }

  @Test
  void anInnerEdgeThroughTheSubjectCostsTheImportanceInItsBand() {
    // a subject wider than the window: every window slices it. Flush left (where the salient strip
    // puts the prior), only the right edge cuts: 6 columns of 150, times the weight
    ImportanceMap m = blocks(320, 180, new int[] {0, 0, 150, 180});
    CropDecision d = weights(2, 0, 0).search(320, 180, AspectRatio.PORTRAIT_9_16, m, List.of(),
        new Box(0, 0, 20, 180), seed);
    assertThat(d.crop().x()).isZero();
    assertThat(d.searchScore()).isCloseTo(101 / 150.0 - 2 * 6 / 150.0 - 0.05 * 40.5 / 101, within(EPS));
  }

  // ---- rule of thirds -----------------------------------------------------------------------------

  @Test
  void aStrongThirdsWeightPutsTheSubjectOnAThirdLine() {
    // a 10x10 subject centred at x = 205, y = 90 (vertically centred in the full-height window)
    ImportanceMap m = blocks(320, 180, new int[] {200, 85, 210, 95});
    CropDecision plain = weights(0, 0, 0).search(320, 180, AspectRatio.PORTRAIT_9_16, m, List.of(), null, seed);
    double u0 = (205 - plain.crop().x()) / 101;
    assertThat(thirdsDistance(u0)).as("without the term the prior centres the window: u=" + u0).isGreaterThan(0.1);
    CropDecision d = weights(0, 10, 0).search(320, 180, AspectRatio.PORTRAIT_9_16, m, List.of(), null, seed);
    double u = (205 - d.crop().x()) / 101;
    // of the three lines, 2/3 is the one whose window lies nearest the prior centre
    assertThat(Math.abs(u - 2.0 / 3)).as("u=" + u).isLessThanOrEqualTo(0.5 / 101);
    double dx = (d.crop().x() + 50.5 - 160) / 101;
    assertThat(d.searchScore()).isCloseTo(1 - 10 * thirdsDistance(u) - 0.05 * Math.abs(dx), within(EPS));
    assertThat(d.shiftedToKeepTargets()).isFalse();
  }

  @Test
  void aStrongThirdsWeightPutsTheSubjectOnAThirdLineVertically() {
    // subject centred at y = 115, above the prior centre (160): here the 1/3 line is the nearest
    ImportanceMap m = blocks(180, 320, new int[] {85, 110, 95, 120});
    CropDecision d = weights(0, 10, 0).search(180, 320, AspectRatio.LANDSCAPE_16_9, m, List.of(), null, seed);
    double w = (115 - d.crop().y()) / 101;
    assertThat(Math.abs(w - 1.0 / 3)).as("w=" + w).isLessThanOrEqualTo(0.5 / 101);
    double dy = (d.crop().y() + 50.5 - 160) / 101;
    assertThat(d.searchScore()).isCloseTo(1 - 10 * thirdsDistance(w) - 0.05 * Math.abs(dy), within(EPS));
  }

  @Test
  void aCentredSubjectMayStayCentredBecauseTheHalfLineCountsAsAThird() {
    // 11x10 subject, centroid x = 160.5, y = 90: the window at x = 110 has it exactly on the half line
    ImportanceMap m = blocks(320, 180, new int[] {155, 85, 166, 95});
    CropDecision d = weights(0, 10, 0).search(320, 180, AspectRatio.PORTRAIT_9_16, m, List.of(), null, seed);
    assertThat(d.crop().x()).isEqualTo(110);
    assertThat(d.searchScore()).isCloseTo(1 - 0.05 * 0.5 / 101, within(EPS));
  }

  // ---- faces: eye line, face prior, keep boxes, boost ----------------------------------------------

  @Test
  void aStrongEyeLineWeightPutsTheEyesOnTheUpperThirdOfTheWindow() {
    // two faces side by side, eyes at 300 + 0.4·40 = 316; heads y 282..350 fit the 101 px window
    List<Box> faces = List.of(new Box(30, 300, 40, 40), new Box(110, 300, 40, 40));
    CropDecision d = weights(0, 0, 5).search(180, 640, AspectRatio.LANDSCAPE_16_9, flat(180, 640), faces, null,
        seed);
    double eye = (316 - d.crop().y()) / 101;
    assertThat(Math.abs(eye - 1.0 / 3)).as(d.crop().toString()).isLessThanOrEqualTo(0.5 / 101);
    for (Box f : faces) {
      assertThat(PosterComposerTest.inside(d.crop(), CropSearch.head(f))).isTrue();
    }
    double dx = (90 - d.centerX()) / 180;
    double dy = (d.crop().y() + 50.5 - d.centerY()) / 101;
    double expected = 101 / 640.0 - 5 * Math.abs(eye - 1.0 / 3) - 2 * Math.min(1, Math.hypot(dx, dy));
    assertThat(d.searchScore()).isCloseTo(expected, within(EPS));
    assertThat(d.shiftedToKeepTargets()).isTrue(); // the seed centred the faces (y 270)
  }

  @Test
  void withFacesThePriorWeighsTwoSoTheWindowStaysOnTheFace() {
    Box face = new Box(60, 300, 40, 40);
    CropDecision d = weights(0, 0, 0).search(180, 640, AspectRatio.LANDSCAPE_16_9, flat(180, 640), List.of(face),
        null, seed);
    assertThat(d.centerY()).isEqualTo(320.0);
    assertThat(d.crop().y()).isBetween(269.0, 270.0);
    double expected = 101 / 640.0 - 2 * Math.hypot((90 - 80) / 180.0, 0.5 / 101);
    assertThat(d.searchScore()).isCloseTo(expected, within(EPS));
  }

  @Test
  void aSearchThatKeepsTheSeedWindowDoesNotReportAShift() {
    // face centre y = 320.5: the seed's window (y = 270) is exactly centred and the search agrees
    Box face = new Box(60, 300, 40, 41);
    CropDecision d = weights(0, 0, 0).search(180, 640, AspectRatio.LANDSCAPE_16_9, flat(180, 640), List.of(face),
        null, seed);
    CropDecision s = seed.plan(180, 640, AspectRatio.LANDSCAPE_16_9, List.of(face), null);
    assertThat(d.crop()).isEqualTo(s.crop());
    assertThat(d.shiftedToKeepTargets()).isFalse();
    assertThat(d.searchScore()).isCloseTo(101 / 640.0 - 2 * (90 - 80) / 180.0, within(EPS));
  }

  @Test
  void aHeadExactlyAsWideAsTheWindowIsKeptWholeRatherThanJustTheFace() {
    // 320x176 image: 99 px window; a 66 px face has a 99 px head (x 84..183). All the importance
    // lies just right of the head: only the window at x = 84 holds the head, and it keeps nothing
    Box face = new Box(100.5, 50, 66, 66);
    assertThat(CropSearch.head(face).w()).isEqualTo(99.0);
    ImportanceMap m = blocks(320, 176, new int[] {183, 0, 223, 176});
    CropDecision d = weights(0, 0, 0).search(320, 176, AspectRatio.PORTRAIT_9_16, m, List.of(face), null, seed);
    assertThat(d.crop().w()).isEqualTo(99);
    assertThat(d.crop().x()).isEqualTo(84);
    // prior: the window is centred on the face horizontally, 5 px below it vertically
    assertThat(d.searchScore()).isCloseTo(-2 * 5 / 176.0, within(EPS));
  }

  @Test
  void aHeadExactlyAsTallAsTheWindowIsKeptWholeRatherThanJustTheFace() {
    // 181x400 image: 102 px window; a 60 px face has a 102 px head (y 123..225); importance below it
    Box face = new Box(60, 150, 60, 60);
    assertThat(CropSearch.head(face).h()).isEqualTo(102.0);
    ImportanceMap m = blocks(181, 400, new int[] {0, 225, 181, 265});
    CropDecision d = weights(0, 0, 0).search(181, 400, AspectRatio.LANDSCAPE_16_9, m, List.of(face), null, seed);
    assertThat(d.crop().h()).isEqualTo(102);
    assertThat(d.crop().y()).isEqualTo(123);
    assertThat(d.searchScore()).isCloseTo(-2 * Math.hypot(0.5 / 181, 6 / 102.0), within(EPS));
  }

  @Test
  void whenTheHeadIsTallerThanTheWindowTheFaceItselfIsStillKeptWhole() {
    // face 70 px high: its head (119 px) cannot fit the 101 px window, the face can. All the map's
    // importance lies far below; the window still holds the face
    Box face = new Box(60, 300, 70, 70);
    ImportanceMap m = blocks(180, 640, new int[] {0, 520, 180, 600});
    CropDecision d = new CropSearch(new double[] {1.0}, 6, 0.05, 0.1, 0.6).search(180, 640,
        AspectRatio.LANDSCAPE_16_9, m, List.of(face), null, seed);
    assertThat(PosterComposerTest.inside(d.crop(), face)).as(d.crop().toString()).isTrue();
    assertThat(d.searchScore()).isGreaterThan(-10); // held without the keep penalty
  }

  @Test
  void aFaceOnAnEmptyMapIsSearchedOnItsBoost() {
    // the map holds nothing; the face's head boost is the only importance there is
    Box face = new Box(200, 60, 40, 40);
    ImportanceMap empty = new ImportanceMap(320, 180, 320, 180, new float[320 * 180]);
    CropDecision d = new CropSearch(new double[] {1.0}, 0, 0, 0, 0.5).search(320, 180, AspectRatio.PORTRAIT_9_16,
        empty, List.of(face), null, seed);
    assertThat(d.searched()).isTrue();
    assertThat(PosterComposerTest.inside(d.crop(), CropSearch.head(face))).isTrue();
    // the whole boost is kept; the window centre is within half a pixel of the face centre
    // horizontally, and 10 px below it (the window is the full height)
    assertThat(d.searchScore()).isCloseTo(1 - 2 * Math.hypot(0.5 / 101, 10 / 180.0), within(EPS));
    CropDecision none = new CropSearch(new double[] {1.0}, 0, 0, 0, 0.0).search(320, 180, AspectRatio.PORTRAIT_9_16,
        empty, List.of(face), null, seed);
    assertThat(none.searched()).as("no boost, no importance: the seed rules place the window").isFalse();
  }

  @Test
  void theHeadIsTheFaceWithHairAboveAndChinBelow() {
    Box h = CropSearch.head(new Box(100, 100, 40, 40));
    assertThat(h.x()).isCloseTo(90, within(EPS));
    assertThat(h.y()).isCloseTo(82, within(EPS));
    assertThat(h.w()).isCloseTo(60, within(EPS));
    assertThat(h.h()).isCloseTo(68, within(EPS));
  }

  // ---- subject regions ----------------------------------------------------------------------------

  /** Regions exactly at the blocks: no closing, no margin. */
  private static SubjectRegions regions(double weight) {
    return new SubjectRegions(0.3, 0.05, 0.0, 0, weight);
  }

  @Test
  void aWindowThatSlicesASubjectRegionLosesToOneThatKeepsItWhole() {
    // A: x 100..180 (share 2/3), B: x 182..222 (share 1/3). The most importance (99 columns) lies
    // in windows that slice one of them; with the term, the window holds A whole and leaves B out
    ImportanceMap m = blocks(320, 180, new int[] {100, 0, 180, 180}, new int[] {182, 0, 222, 180});
    CropSearch off = new CropSearch(new double[] {1.0}, 0, 0, 0, 0, regions(0));
    CropDecision a = off.search(320, 180, AspectRatio.PORTRAIT_9_16, m, List.of(), null, seed);
    assertThat(a.crop().x()).isBetween(109.0, 110.0);
    assertThat(a.searchScore()).isCloseTo(99 / 120.0 - 0.05 * 0.5 / 101, within(EPS));
    CropSearch on = new CropSearch(new double[] {1.0}, 0, 0, 0, 0, regions(1));
    CropDecision b = on.search(320, 180, AspectRatio.PORTRAIT_9_16, m, List.of(), null, seed);
    assertThat(b.crop().x()).isEqualTo(81); // holds 100..180, ends at 182 where B starts
    assertThat(b.searchScore()).isCloseTo(80 / 120.0 - 0.05 * 28.5 / 101, within(EPS));
  }

  @Test
  void aWindowThatSlicesASubjectRegionLosesToOneThatKeepsItWholeVertically() {
    // the same scene turned on its side: A y 100..180, B y 182..222, a 180x101 window
    ImportanceMap m = blocks(180, 320, new int[] {0, 100, 180, 180}, new int[] {0, 182, 180, 222});
    CropDecision a = new CropSearch(new double[] {1.0}, 0, 0, 0, 0, regions(0)).search(180, 320,
        AspectRatio.LANDSCAPE_16_9, m, List.of(), null, seed);
    assertThat(a.searchScore()).isCloseTo(99 / 120.0 - 0.05 * 0.5 / 101, within(EPS));
    CropDecision b = new CropSearch(new double[] {1.0}, 0, 0, 0, 0, regions(1)).search(180, 320,
        AspectRatio.LANDSCAPE_16_9, m, List.of(), null, seed);
    assertThat(b.crop().y()).isEqualTo(81);
    assertThat(b.searchScore()).isCloseTo(80 / 120.0 - 0.05 * 28.5 / 101, within(EPS));
  }

  @Test
  void aWindowThatCannotHelpSlicingARegionPaysWeightTimesShare() {
    // A x 100..190 (share 90/110), B x 10..30; 25x45 windows (scale 0.25) cannot hold A. With a
    // small weight (0.05) the window inside A, at the centre, still wins and pays 0.05·90/110
    ImportanceMap m = blocks(320, 180, new int[] {100, 0, 190, 180}, new int[] {10, 0, 30, 180});
    CropDecision d = new CropSearch(new double[] {0.25}, 0, 0, 0, 0, regions(0.05)).search(320, 180,
        AspectRatio.PORTRAIT_9_16, m, List.of(), null, seed);
    assertThat(PosterComposerTest.inside(new Box(100, 0, 90, 180), d.crop())).as(d.crop().toString()).isTrue();
    double expected = 25 * 45 / (110.0 * 180) - 0.05 * 90 / 110 - 0.05 * Math.hypot(0.5 / 25, 0.5 / 45)
        - CropSearch.DEFAULT_SCALE_PENALTY * (1 - 0.25);
    assertThat(d.searchScore()).isCloseTo(expected, within(EPS));
  }

  @Test
  void onACoarseMapARegionWiderThanTheLargestWindowCostsNothingToSlice() {
    // 640x360 image, 320x180 map: the largest window is 203 px = 101.5 map px; a 110 map px region
    // cannot be held whole, so the window inside it pays nothing (kept 102 of 110 columns)
    ImportanceMap h = new ImportanceMap(320, 180, 640, 360, blocks(320, 180, new int[] {105, 0, 215, 180}).raw());
    CropDecision a = new CropSearch(new double[] {1.0}, 0, 0, 0, 0, regions(1)).search(640, 360,
        AspectRatio.PORTRAIT_9_16, h, List.of(), null, seed);
    assertThat(a.searchScore()).isCloseTo(102 / 110.0 - 0.05 * 0.5 / 203, within(EPS));
    ImportanceMap v = new ImportanceMap(180, 320, 360, 640, blocks(180, 320, new int[] {0, 105, 180, 215}).raw());
    CropDecision b = new CropSearch(new double[] {1.0}, 0, 0, 0, 0, regions(1)).search(360, 640,
        AspectRatio.LANDSCAPE_16_9, v, List.of(), null, seed);
    assertThat(b.searchScore()).isCloseTo(102 / 110.0 - 0.05 * 0.5 / 203, within(EPS));
  }

  @Test
  void aRegionTooWideForAnyWindowCostsNothingToSlice() {
    // one region, 150 px: no 101 px window holds it whole, so the window inside it pays nothing
    ImportanceMap wide = blocks(320, 180, new int[] {85, 0, 235, 180});
    CropDecision w = new CropSearch(new double[] {1.0}, 0, 0, 0, 0, regions(1)).search(320, 180,
        AspectRatio.PORTRAIT_9_16, wide, List.of(), null, seed);
    assertThat(w.crop().x()).isBetween(109.0, 110.0);
    assertThat(w.searchScore()).isCloseTo(101 / 150.0 - 0.05 * 0.5 / 101, within(EPS));
  }

  @Test
  void smallerWindowsGetNoPassForSlicingARegionTheLargestWindowCouldHold() {
    // two 90x45 regions (each fits the 101x180 window) and only 25x45 windows (scale 0.25), which
    // cannot help slicing them. Without the term a window inside a region wins (kept 1125/8100);
    // with it (0.5 · share 1/2) the window keeps out of both, in the empty middle
    ImportanceMap two = blocks(320, 180, new int[] {20, 120, 110, 165}, new int[] {210, 120, 300, 165});
    Box a = new Box(20, 120, 90, 45);
    Box b = new Box(210, 120, 90, 45);
    CropDecision off = new CropSearch(new double[] {0.25}, 0, 0, 0, 0, regions(0)).search(320, 180,
        AspectRatio.PORTRAIT_9_16, two, List.of(), null, seed);
    assertThat(off.crop().w()).isEqualTo(25);
    assertThat(PosterComposerTest.inside(a, off.crop()) || PosterComposerTest.inside(b, off.crop()))
        .as(off.crop().toString()).isTrue();
    CropDecision on = new CropSearch(new double[] {0.25}, 0, 0, 0, 0, regions(0.5)).search(320, 180,
        AspectRatio.PORTRAIT_9_16, two, List.of(), null, seed);
    assertThat(on.crop().intersects(a) || on.crop().intersects(b)).as(on.crop().toString()).isFalse();
    double expected = -CropSearch.DEFAULT_SCALE_PENALTY * (1 - 0.25) - 0.05 * Math.hypot(0.5 / 25, 0.5 / 45);
    assertThat(on.searchScore()).isCloseTo(expected, within(EPS));
  }

  // ---- settings -----------------------------------------------------------------------------------

  @Test
  void settingsOutsideTheirRangesAreRejectedAndTheEdgesAccepted() {
    assertThatThrownBy(() -> new CropSearch(new double[] {0.0}, 1, 0, 0, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(null, 1, 0, 0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(new double[] {1}, -1, 0, 0, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(new double[] {1}, 1, -1, 0, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(new double[] {1}, 1, 0, -1, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(new double[] {1}, 1, 0, 0, -0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(new double[] {1}, 1, 0, 0, 1.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CropSearch(new double[] {1}, 1, 0, 0, 0.5, null))
        .isInstanceOf(NullPointerException.class);
    // the edges of the ranges are fine
    new CropSearch(new double[] {1.0, Double.MIN_VALUE}, 0, 0, 0, 0);
    new CropSearch(new double[] {1.0}, 0, 0, 0, 1);
    assertThat(new CropSearch().regions()).isEqualTo(SubjectRegions.OFF);
    assertThat(CropSearch.firstPart().regions()).isEqualTo(SubjectRegions.OFF);
    assertThat(CropSearch.withSubjectRegions().regions()).isEqualTo(SubjectRegions.TUNED);
  }

  @Test
  void theScalesArrayIsCopied() {
    double[] scales = {1.0};
    CropSearch s = new CropSearch(scales, 0, 0, 0, 0);
    scales[0] = 0.5;
    CropDecision d = s.search(320, 180, AspectRatio.PORTRAIT_9_16, flat(320, 180), List.of(), null, seed);
    assertThat(d.crop().h()).isEqualTo(180);
  }
}
