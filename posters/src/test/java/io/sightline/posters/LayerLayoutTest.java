package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the layer job on its own, on a black poster where every place ties exactly, so that without an
 * obstacle (or a margin, or a safe area) the first candidate, the top-left corner, wins: each
 * assertion below fails when the rule it names is dropped.
 */
class LayerLayoutTest {
  private static final int W = 400;
  private static final int H = 300;
  private static final ImageAnalysis NONE = new ImageAnalysis(W, H, List.of(), null, 0, List.of(), "d", "s", 0, 0);

  private static BufferedImage flat() {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(Color.BLACK);
    g.fillRect(0, 0, W, H);
    g.dispose();
    return img;
  }

  private static BufferedImage solid(Color c, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(c);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  private static LayerContent red() {
    return new LayerContent.Image(null, solid(Color.RED, 10, 3));
  }

  /** A 100x30 floating layer anywhere on the canvas. */
  private static FloatingLayer title(String name, LayerContent c) {
    return new FloatingLayer(name, c, new Box(0, 0, 1, 1), 0.25, 0.1);
  }

  private static PosterTemplate template(List<FixedLayer> fixed, List<FloatingLayer> floating) {
    return new PosterTemplate("t", W, H, fixed, floating);
  }

  private static LayerLayout layout(PlacementStrategy s, boolean avoidPlaced, double safe, double margin) {
    return new LayerLayout(s, avoidPlaced, safe, margin, false);
  }

  private static PlacedLayer named(List<PlacedLayer> ls, String name) {
    return ls.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void withNothingToAvoidTheFirstPlaceWinsAndTheLayerIsDrawnThere() {
    BufferedImage poster = flat();
    List<PlacedLayer> ls = layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0.05)
        .layOut(poster, template(List.of(), List.of(title("title", red()))), List.of(), List.of(), null, poster, NONE);
    PlacedLayer t = named(ls, "title");
    assertThat(t.box()).isEqualTo(new Box(0, 0, 100, 30));
    assertThat(t.type()).isEqualTo("floating");
    assertThat(t.content()).isEqualTo("image");
    assertThat(t.region()).isEqualTo(new Box(0, 0, W, H));
    assertThat(t.candidates()).isGreaterThan(100);
    assertThat(new Color(poster.getRGB(50, 15))).isEqualTo(Color.RED);
    assertThat(new Color(poster.getRGB(200, 150))).isEqualTo(Color.BLACK);
  }

  @Test
  void aFacePlusItsMarginIsNeverCovered() {
    Box face = new Box(0, 0, 60, 60);
    BufferedImage poster = flat();
    // margin 0.05 of the shorter side = 15 px: the title starts right of 75, not at 60
    PlacedLayer t = named(layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0.05).layOut(poster,
        template(List.of(), List.of(title("title", red()))), List.of(face), List.of(), null, poster, NONE), "title");
    assertThat(t.box()).isNotNull();
    assertThat(t.box().intersects(new Box(0, 0, 74, 74))).as(t.box().toString()).isFalse();
    assertThat(t.overlap()).isZero();
    assertThat(t.box().x()).isLessThan(90); // still the first free place of the top row
    assertThat(t.box().y()).isZero();
  }

  @Test
  void headsAndTheSubjectPlusMarginAreAvoidedWhenAPlaceAllows() {
    Box head = new Box(0, 0, 120, 90);
    BufferedImage poster = flat();
    PlacedLayer t = named(layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0.05).layOut(poster,
        template(List.of(), List.of(title("title", red()))), List.of(), List.of(head), null, poster, NONE), "title");
    assertThat(t.box().intersects(new Box(0, 0, 134, 104))).as(t.box().toString()).isFalse();
    Box subject = new Box(0, 0, 300, 100);
    PlacedLayer s = named(layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0.05).layOut(poster,
        template(List.of(), List.of(title("title", red()))), List.of(), List.of(), subject, poster, NONE), "title");
    assertThat(s.box().intersects(new Box(0, 0, 314, 114))).as(s.box().toString()).isFalse();
  }

  @Test
  void aLayerThatFitsNowhereOffAFaceIsLeftOutUnlessTheStrategyIgnoresSubjects() {
    Box face = new Box(0, 0, W, H);
    BufferedImage poster = flat();
    PosterTemplate t = template(List.of(), List.of(title("title", red())));
    PlacedLayer out = named(layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0.05)
        .layOut(poster, t, List.of(face), List.of(), null, poster, NONE), "title");
    assertThat(out.box()).isNull();
    assertThat(out.region()).isEqualTo(new Box(0, 0, W, H));
    assertThat(out.overlap()).isGreaterThan(0);
    assertThat(new Color(poster.getRGB(50, 15))).isEqualTo(Color.BLACK); // not drawn
    PlacedLayer in = named(layout(PlacementStrategy.LOWEST_VARIANCE, true, 0, 0.05)
        .layOut(poster, t, List.of(face), List.of(), null, poster, NONE), "title");
    assertThat(in.box()).isEqualTo(new Box(0, 0, 100, 30));
  }

  @Test
  void theSafeAreaKeepsTheLayerOffTheCanvasEdgesWhileItFits() {
    LayerLayout l = layout(PlacementStrategy.AVOID_SUBJECTS, true, 0.05, 0);
    PlacedLayer t = named(l.layOut(flat(), template(List.of(), List.of(title("title", red()))), List.of(), List.of(),
        null, flat(), NONE), "title");
    assertThat(t.box()).isEqualTo(new Box(15, 15, 100, 30));
    // 370 px wide: exactly what the safe area leaves, so it still applies
    PlacedLayer exact = named(l.layOut(flat(), template(List.of(), List.of(new FloatingLayer("wide", red(),
        new Box(0, 0, 1, 1), 0.925, 0.1))), List.of(), List.of(), null, flat(), NONE), "wide");
    assertThat(exact.box()).isEqualTo(new Box(15, 15, 370, 30));
    // too wide for the safe area: the whole region is used
    PlacedLayer wide = named(l.layOut(flat(), template(List.of(), List.of(new FloatingLayer("wide", red(),
        new Box(0, 0, 1, 1), 0.95, 0.1))), List.of(), List.of(), null, flat(), NONE), "wide");
    assertThat(wide.box()).isEqualTo(new Box(0, 0, 380, 30));
    // too tall for it: the same
    PlacedLayer tall = named(l.layOut(flat(), template(List.of(), List.of(new FloatingLayer("tall", red(),
        new Box(0, 0, 1, 1), 0.25, 0.95))), List.of(), List.of(), null, flat(), NONE), "tall");
    assertThat(tall.box().y()).isZero();
    // a region inside the canvas keeps its own edges, the margin only trims the canvas edges
    PlacedLayer inner = named(l.layOut(flat(), template(List.of(), List.of(new FloatingLayer("in", red(),
        new Box(0.5, 0.5, 0.5, 0.5), 0.25, 0.1))), List.of(), List.of(), null, flat(), NONE), "in");
    assertThat(inner.box()).isEqualTo(new Box(200, 150, 100, 30));
    assertThat(inner.region()).isEqualTo(new Box(200, 150, 200, 150));
  }

  @Test
  void fixedLayersAreReportedWithWhatTheyCoverAndAvoidedByFloatingOnesWhenAsked() {
    Box face = new Box(0, 0, 60, 60);
    BufferedImage poster = flat();
    FixedLayer logo = new FixedLayer("logo", red(), new Box(0, 0, 0.3, 0.2)); // 120x60 at the corner
    PosterTemplate t = template(List.of(logo), List.of(title("title", red())));
    List<PlacedLayer> ls = layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0)
        .layOut(poster, t, List.of(face), List.of(), null, poster, NONE);
    PlacedLayer f = named(ls, "logo");
    assertThat(f.type()).isEqualTo("fixed");
    assertThat(f.box()).isEqualTo(new Box(0, 0, 120, 60));
    assertThat(f.overlap()).isCloseTo(3600, within(1.0));
    assertThat(f.candidates()).isEqualTo(1);
    assertThat(named(ls, "title").box().intersects(f.box())).isFalse();
    // not asked to avoid placed layers: the title only avoids the face
    BufferedImage poster2 = flat();
    PlacedLayer over = named(layout(PlacementStrategy.AVOID_SUBJECTS, false, 0, 0)
        .layOut(poster2, t, List.of(face), List.of(), null, poster2, NONE), "title");
    assertThat(over.box().intersects(new Box(0, 0, 120, 60))).isTrue();
  }

  @Test
  void aSecondFloatingLayerAvoidsTheFirstOnlyWhenAsked() {
    PosterTemplate t = template(List.of(), List.of(title("a", red()), title("b", red())));
    BufferedImage p1 = flat();
    List<PlacedLayer> ls = layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0)
        .layOut(p1, t, List.of(), List.of(), null, p1, NONE);
    assertThat(named(ls, "b").box().intersects(named(ls, "a").box())).isFalse();
    BufferedImage p2 = flat();
    List<PlacedLayer> same = layout(PlacementStrategy.AVOID_SUBJECTS, false, 0, 0)
        .layOut(p2, t, List.of(), List.of(), null, p2, NONE);
    assertThat(named(same, "b").box()).isEqualTo(named(same, "a").box());
  }

  @Test
  void extractedLayersAreCutFromTheSourceOrLeftOutWhenNotFound() {
    BufferedImage src = solid(Color.BLUE, W, H);
    java.awt.Graphics2D g = src.createGraphics();
    g.setColor(Color.GREEN);
    g.fillRect(300, 200, 50, 50);
    g.dispose();
    FixedLayer fx = new FixedLayer("cut", new LayerContent.Extracted("bottle"), new Box(0, 0, 0.25, 0.25));
    FloatingLayer fl = new FloatingLayer("cutf", new LayerContent.Extracted("bottle"), new Box(0, 0, 1, 1), 0.25, 0.25);
    PosterTemplate t = template(List.of(fx), List.of(fl));
    assertThatThrownBy(() -> layout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0)
        .layOut(flat(), t, List.of(), List.of(), null, src, NONE))
        .isInstanceOf(PosterException.class).hasMessageContaining("layerDetector").hasMessageContaining("bottle");
    LayerLayout withDetector = new LayerLayout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0, true);
    ImageAnalysis found = new ImageAnalysis(W, H, List.of(), null, 0,
        List.of(new Detection(new Box(10, 10, 20, 20), "cup", 0.9f), new Detection(new Box(300, 200, 50, 50),
            "bottle", 0.9f)), "d", "s", 0, 0);
    BufferedImage poster = flat();
    List<PlacedLayer> ls = withDetector.layOut(poster, t, List.of(), List.of(), null, src, found);
    assertThat(named(ls, "cut").box()).isEqualTo(new Box(0, 0, 100, 75));
    assertThat(named(ls, "cutf").box()).isNotNull();
    assertThat(new Color(poster.getRGB(50, 37))).isEqualTo(Color.GREEN);
    // the label is missing, or its box lies outside the source: both layers are left out
    for (ImageAnalysis a : List.of(NONE, new ImageAnalysis(W, H, List.of(), null, 0,
        List.of(new Detection(new Box(500, 400, 50, 50), "bottle", 0.9f)), "d", "s", 0, 0))) {
      BufferedImage p = flat();
      List<PlacedLayer> out = withDetector.layOut(p, t, List.of(), List.of(), null, src, a);
      assertThat(named(out, "cut").box()).isNull();
      assertThat(named(out, "cut").region()).isEqualTo(new Box(0, 0, 100, 75));
      assertThat(named(out, "cutf").box()).isNull();
      assertThat(new Color(p.getRGB(50, 37))).isEqualTo(Color.BLACK);
    }
  }
}
