package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the per-template job on its own: which crop rule runs, how the crop's faces, heads and
 * subject are mapped onto the poster, and that a crop failing the filters gets no layers.
 */
class PosterMakerTest {
  /** 800x400 black source. */
  private static final BufferedImage SRC = new BufferedImage(800, 400, BufferedImage.TYPE_INT_RGB);
  private static final PosterTemplate SQUARE = new PosterTemplate("sq", 200, 200, List.of(),
      List.of(new FloatingLayer("title", new LayerContent.Image(null, red()), new Box(0, 0, 1, 1), 0.25, 0.1)));

  private static BufferedImage red() {
    BufferedImage img = new BufferedImage(10, 4, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, 10, 4);
    g.dispose();
    return img;
  }

  private static PosterMaker maker(CropSearch search, double minResolution) {
    return new PosterMaker(new CropPlanner(), search,
        new LayerLayout(PlacementStrategy.AVOID_SUBJECTS, true, 0, 0, false),
        new PosterScoring(100, minResolution, 0, null, 0, null, ScoreWeights.DEFAULT, 0, 0.1));
  }

  private static ImageAnalysis analysis(List<Box> faces, Box salient, ImportanceMap importance) {
    return new ImageAnalysis(800, 400, faces.stream().map(b -> new Detection(b, "face", 0.9f)).toList(), salient, 0,
        List.of(), "d", "s", 0, 0, List.of(), importance);
  }

  @Test
  void facesHeadsAndSubjectAreMappedOntoThePosterAndTheTitleAvoidsTheHead() {
    // face at the left edge: the 400x400 window starts at 0 and is halved onto the 200x200 poster
    Box face = new Box(0, 60, 80, 80);
    Poster p = maker(null, 0).make(SRC, analysis(List.of(face), new Box(100, 200, 200, 100), null), SQUARE, "id",
        "link", 3.5);
    assertThat(p.crop().crop()).isEqualTo(new Box(0, 0, 400, 400));
    assertThat(p.targetsOnPoster()).containsExactly(new Box(0, 30, 40, 40));
    assertThat(p.salientOnPoster()).isEqualTo(new Box(50, 100, 100, 50));
    assertThat(p.image().getWidth()).isEqualTo(200);
    assertThat(p.sourceId()).isEqualTo("id");
    assertThat(p.link()).isEqualTo("link");
    assertThat(p.frameSeconds()).isEqualTo(3.5);
    assertThat(p.score().kept()).isTrue();
    // the head (hair above the face) reaches the top rows: the title, 50x20, cannot take the corner
    Box head = CropSearch.head(new Box(0, 30, 40, 40)).clamp(200, 200);
    PlacedLayer title = p.layers().get(0);
    assertThat(title.box()).isNotNull();
    assertThat(title.box().intersects(head)).as(title.box() + " vs head " + head).isFalse();
    assertThat(title.box().intersects(p.salientOnPoster())).isFalse();
  }

  @Test
  void aSubjectOutsideTheCropIsDroppedFromThePoster() {
    Box face = new Box(0, 60, 80, 80);
    Poster p = maker(null, 0).make(SRC, analysis(List.of(face), new Box(600, 100, 100, 100), null), SQUARE, "id",
        null, Double.NaN);
    assertThat(p.salientOnPoster()).isNull();
    assertThat(p.targetsOnPoster()).hasSize(1);
  }

  @Test
  void aCropBelowTheResolutionBarGetsNoImageAndNoLayers() {
    PosterTemplate big = new PosterTemplate("big", 1000, 1000, List.of(), SQUARE.floating());
    Poster p = maker(null, 0.5).make(SRC, analysis(List.of(), null, null), big, "id", null, Double.NaN);
    assertThat(p.image()).isNull();
    assertThat(p.layers()).isEmpty();
    assertThat(p.score().kept()).isFalse();
    assertThat(p.score().reason()).startsWith("resolution 0.400");
    assertThat(p.crop().crop()).isEqualTo(new Box(200, 0, 400, 400));
  }

  @Test
  void theSearchRunsOnlyWithAnImportanceMapAndASearch() {
    // importance only on the far right: the search goes there, the planner stays in the centre
    float[] v = new float[80 * 40];
    for (int y = 0; y < 40; y++) {
      Arrays.fill(v, y * 80 + 64, y * 80 + 80, 1f);
    }
    ImportanceMap m = new ImportanceMap(80, 40, 800, 400, v);
    CropDecision searched = maker(new CropSearch(), 0).crop(800, 400, SQUARE, analysis(List.of(), null, m));
    assertThat(searched.searched()).isTrue();
    assertThat(searched.crop().x2()).isEqualTo(800);
    CropDecision noMap = maker(new CropSearch(), 0).crop(800, 400, SQUARE, analysis(List.of(), null, null));
    assertThat(noMap.searched()).isFalse();
    assertThat(noMap.crop()).isEqualTo(new Box(200, 0, 400, 400));
    CropDecision noSearch = maker(null, 0).crop(800, 400, SQUARE, analysis(List.of(), null, m));
    assertThat(noSearch.searched()).isFalse();
    assertThat(noSearch.crop()).isEqualTo(new Box(200, 0, 400, 400));
  }
}
