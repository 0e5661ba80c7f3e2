package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.detect.Box;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Claims 1, 9 and 11: where floating layers go. */
class LayerPlacerTest {
  /** Left half noisy, right half flat grey. */
  private static BufferedImage halfNoisy(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(7);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = x < w / 2 ? r.nextInt(256) : 128;
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    return img;
  }

  @Test
  void picksTheCandidateThatDoesNotIntersectTheMergedRegion() {
    BufferedImage flat = new BufferedImage(400, 400, BufferedImage.TYPE_INT_RGB);
    // face at the top, subject in the middle: the only free band is the bottom
    Box face = new Box(0, 0, 400, 150);
    Box salient = new Box(0, 140, 400, 150);
    LayerPlacer p = new LayerPlacer(flat, List.of(face, salient));
    LayerPlacer.Placement pl = p.place(new Box(0, 0, 400, 400), 200, 60, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.overlap()).isZero();
    assertThat(pl.box().intersects(face)).isFalse();
    assertThat(pl.box().intersects(salient)).isFalse();
    assertThat(pl.candidates()).isGreaterThan(1);
  }

  @Test
  void amongSeveralFreeCandidatesTakesTheSmallestPixelVariance() {
    // claim 11: nothing intersects anywhere -> smallest variance -> flat right half
    LayerPlacer p = new LayerPlacer(halfNoisy(400, 200), List.of());
    LayerPlacer.Placement pl = p.place(new Box(0, 0, 400, 200), 100, 50, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.box().x()).isGreaterThanOrEqualTo(200);
    assertThat(pl.variance()).isLessThan(1e-6);
  }

  @Test
  void avoidingSubjectsBeatsLowVariance() {
    // the flat half holds the subject: the layer must go to the noisy half
    LayerPlacer p = new LayerPlacer(halfNoisy(400, 200), List.of(new Box(200, 0, 200, 200)));
    LayerPlacer.Placement pl = p.place(new Box(0, 0, 400, 200), 100, 50, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.box().x2()).isLessThanOrEqualTo(200);
    assertThat(pl.overlap()).isZero();
  }

  @Test
  void whenEverythingIntersectsTakesTheLeastIntersection() {
    BufferedImage flat = new BufferedImage(300, 100, BufferedImage.TYPE_INT_RGB);
    // obstacle covers everything but a 20 px strip at the right
    LayerPlacer p = new LayerPlacer(flat, List.of(new Box(0, 0, 280, 100)));
    LayerPlacer.Placement pl = p.place(new Box(0, 0, 300, 100), 60, 100, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.box().x2()).isEqualTo(300);
    assertThat(pl.overlap()).isCloseTo(40 * 100, org.assertj.core.api.Assertions.within(100.0));
  }

  @Test
  void lowestVarianceStrategyIgnoresSubjects() {
    // claim 9: smallest variance whatever it covers
    LayerPlacer p = new LayerPlacer(halfNoisy(400, 200), List.of(new Box(200, 0, 200, 200)));
    LayerPlacer.Placement pl = p.place(new Box(0, 0, 400, 200), 100, 50, PlacementStrategy.LOWEST_VARIANCE);
    assertThat(pl.box().x()).isGreaterThanOrEqualTo(200);
  }

  @Test
  void staysInsideItsRegion() {
    BufferedImage img = halfNoisy(400, 400);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 300, 400, 100);
    g.dispose();
    Box region = new Box(50, 20, 200, 150);
    LayerPlacer.Placement pl = new LayerPlacer(img, List.of()).place(region, 120, 40, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.box().x()).isGreaterThanOrEqualTo(50);
    assertThat(pl.box().x2()).isLessThanOrEqualTo(250);
    assertThat(pl.box().y2()).isLessThanOrEqualTo(170);
  }

  @Test
  void layerLargerThanItsRegionFails() {
    LayerPlacer p = new LayerPlacer(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB), List.of());
    assertThatThrownBy(() -> p.place(new Box(0, 0, 50, 50), 80, 10, PlacementStrategy.AVOID_SUBJECTS))
        .isInstanceOf(PosterException.class).hasMessageContaining("does not fit");
  }

  @Test
  void facesComeBeforeOtherObstaclesAndBeforeVariance() {
    // flat right half holds a face; the left half is noisy and entirely covered by the subject:
    // covering the subject is allowed, covering the face is not
    BufferedImage img = halfNoisy(400, 200);
    Box face = new Box(200, 0, 200, 200);
    LayerPlacer p = new LayerPlacer(img, List.of(face), List.of(new Box(0, 0, 200, 200)));
    LayerPlacer.Placement pl = p.place(new Box(0, 0, 400, 200), 100, 50, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.box().intersects(face)).isFalse();
    assertThat(pl.faceOverlap()).isZero();
    // without the face as obstacle the flat half wins
    LayerPlacer bare = new LayerPlacer(img, List.of(new Box(0, 0, 200, 200)));
    assertThat(bare.place(new Box(0, 0, 400, 200), 100, 50, PlacementStrategy.AVOID_SUBJECTS).box().intersects(face))
        .isTrue();
    // a face everywhere: the overlap is reported so the caller can leave the layer out
    LayerPlacer all = new LayerPlacer(img, List.of(new Box(0, 0, 400, 200)), List.of());
    assertThat(all.place(new Box(0, 0, 400, 200), 100, 50, PlacementStrategy.AVOID_SUBJECTS).faceOverlap())
        .isGreaterThan(0);
  }

  @Test
  void placedLayersBecomeObstacles() {
    BufferedImage flat = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
    LayerPlacer p = new LayerPlacer(flat, List.of());
    LayerPlacer.Placement first = p.place(new Box(0, 0, 200, 100), 100, 100, PlacementStrategy.AVOID_SUBJECTS);
    p.addObstacle(first.box());
    LayerPlacer.Placement second = p.place(new Box(0, 0, 200, 100), 100, 100, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(second.box().intersects(first.box())).isFalse();
  }

  @Test
  void aReducedWorkingCopyKeepsEachPartOfThePosterWhereItIs() {
    // 1280x640 poster, flat on the left, stripes on the right: worked on at 640x320, the right
    // half's variance must come from the right half (a working copy left unreduced would read the
    // poster's top-left quarter for every box)
    BufferedImage img = new BufferedImage(1280, 640, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 640; y++) {
      for (int x = 0; x < 1280; x++) {
        img.setRGB(x, y, x < 640 ? 0x808080 : (x % 4 < 2 ? 0xFFFFFF : 0));
      }
    }
    LayerPlacer p = new LayerPlacer(img, List.of());
    assertThat(p.variance(new Box(0, 0, 640, 640))).isCloseTo(0.0, org.assertj.core.api.Assertions.within(0.001));
    assertThat(p.variance(new Box(640, 0, 640, 640))).isCloseTo(0.25, org.assertj.core.api.Assertions.within(0.01));
    assertThat(p.variance(new Box(640, 320, 640, 320))).isCloseTo(0.25, org.assertj.core.api.Assertions.within(0.01));
    // the flattest place for a layer is on the flat half
    LayerPlacer.Placement pl = p.place(new Box(0, 0, 1280, 640), 300, 200, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.box().x2()).isLessThanOrEqualTo(640.5);
  }

  @Test
  void measuresOverlapAndVarianceInPosterPixelsAlsoOnAReducedWorkingCopy() {
    // 1280x640 poster: worked on at 640x320, figures still in poster pixels
    BufferedImage img = new BufferedImage(1280, 640, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 640; y++) {
      for (int x = 0; x < 1280; x++) {
        img.setRGB(x, y, x % 4 < 2 ? 0xFFFFFF : 0); // black and white stripes, 2 working pixels wide
      }
    }
    LayerPlacer p = new LayerPlacer(img, List.of(new Box(100, 100, 200, 100)));
    assertThat(p.overlap(new Box(0, 0, 1280, 640))).isCloseTo(200 * 100, org.assertj.core.api.Assertions.within(1.0));
    assertThat(p.overlap(new Box(200, 0, 400, 640))).isCloseTo(100 * 100, org.assertj.core.api.Assertions.within(1.0));
    assertThat(p.overlap(new Box(400, 300, 200, 200))).isZero();
    assertThat(p.variance(new Box(0, 0, 1280, 640))).isCloseTo(0.25, org.assertj.core.api.Assertions.within(0.01));
    assertThat(p.faceOverlap(new Box(0, 0, 1280, 640))).isZero(); // no face given
    p.addFaceObstacle(new Box(1200, 600, 80, 40));
    assertThat(p.faceOverlap(new Box(0, 0, 1280, 640))).isCloseTo(80 * 40, org.assertj.core.api.Assertions.within(1.0));
    assertThat(p.overlap(new Box(0, 0, 1280, 640))).isCloseTo(200 * 100 + 80 * 40,
        org.assertj.core.api.Assertions.within(1.0));
  }

  @Test
  void aFaceAddedAfterAPlacementCountsBeforeOtherObstaclesInTheNextOne() {
    BufferedImage flat = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
    LayerPlacer p = new LayerPlacer(flat, List.of(new Box(150, 0, 50, 100)), List.of());
    LayerPlacer.Placement first = p.place(new Box(0, 0, 200, 100), 50, 100, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(first.box()).isEqualTo(new Box(0, 0, 50, 100));
    // now a thin face at the left edge and a subject over the rest: every place covers 5000 px of
    // obstacles, and only those right of the face keep off it
    Box face = new Box(0, 0, 10, 100);
    p.addFaceObstacle(face);
    p.addObstacle(new Box(10, 0, 140, 100));
    LayerPlacer.Placement second = p.place(new Box(0, 0, 200, 100), 50, 100, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(second.faceOverlap()).isZero();
    assertThat(second.box().intersects(face)).as(second.box().toString()).isFalse();
    assertThat(second.overlap()).isCloseTo(5000, org.assertj.core.api.Assertions.within(1.0));
    assertThat(new LayerPlacer.Placement(first.box(), 1, 2, 3).faceOverlap()).isZero();
  }

  @Test
  void candidatesReachTheFarEdgesOfTheRegion() {
    // noisy except the bottom-right 40x40 corner, which only the last candidate covers exactly
    BufferedImage img = new BufferedImage(203, 107, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(5);
    for (int y = 0; y < 107; y++) {
      for (int x = 0; x < 203; x++) {
        int v = x < 163 || y < 67 ? r.nextInt(256) : 128;
        img.setRGB(x, y, (v << 16) | (v << 8) | v);
      }
    }
    LayerPlacer.Placement pl = new LayerPlacer(img, List.of()).place(new Box(0, 0, 203, 107), 40, 40,
        PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.box()).isEqualTo(new Box(163, 67, 40, 40));
    // step 10: 0, 10, ..., 160 and 163 across (18), 0, 10, ..., 60 and 67 down (8)
    assertThat(pl.candidates()).isEqualTo(18 * 8);
  }

  @Test
  void aLayerAsLargeAsItsRegionHasOnePlace() {
    LayerPlacer p = new LayerPlacer(new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB), List.of());
    LayerPlacer.Placement pl = p.place(new Box(10, 20, 50, 30), 50.4, 30.4, PlacementStrategy.AVOID_SUBJECTS);
    assertThat(pl.candidates()).isEqualTo(1);
    assertThat(pl.box().x()).isEqualTo(10);
    assertThat(pl.box().y()).isEqualTo(20);
  }
}
