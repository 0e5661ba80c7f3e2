package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 13, second part: subject regions kept whole, and the reduced analysis copy. */
class SubjectRegionsTest {
  private static final int MW = 160;
  private static final int MH = 90;

  /**
   * A 1280x720 scene (map 160x90): a subject 45 map px wide (fits a 9:16 window, about 50 px) with
   * bright ends and a quiet middle, and a bright distractor 7 px to its right. The edge-band cut
   * term only sees the quiet middle, so a window holding the distractor and half the subject wins
   * without the subject-region term.
   */
  private static ImportanceMap quietMiddleScene() {
    float[] v = new float[MW * MH];
    for (int y = 38; y < 52; y++) {
      for (int x = 40; x < 85; x++) {
        v[y * MW + x] = x < 48 || x >= 77 ? 1f : 0.35f;
      }
      for (int x = 92; x < 112; x++) {
        v[y * MW + x] = 1f;
      }
    }
    return new ImportanceMap(MW, MH, 1280, 720, v);
  }

  private static final Box SUBJECT = new Box(40 * 8, 38 * 8, 45 * 8, 14 * 8);

  @Test
  void findsTheSubjectAsOneRegionDespiteItsQuietMiddle() {
    List<SubjectRegions.Region> r = SubjectRegions.TUNED.find(quietMiddleScene());
    assertThat(r).hasSize(2);
    SubjectRegions.Region s = r.get(0);
    assertThat(s.x0()).isLessThanOrEqualTo(40);
    assertThat(s.x1()).isGreaterThanOrEqualTo(85);
    assertThat(s.share()).isBetween(0.5, 0.65);
    assertThat(SubjectRegions.OFF.find(quietMiddleScene())).isEmpty();
  }

  @Test
  void keepsASubjectWithAQuietMiddleWholeWhereTheFirstPartSlicedIt() {
    CropPlanner seed = new CropPlanner();
    Box before = CropSearch.firstPart().search(1280, 720, AspectRatio.PORTRAIT_9_16, quietMiddleScene(), List.of(),
        null, seed).crop();
    assertThat(before.intersection(SUBJECT).area() / SUBJECT.area()).isLessThan(0.9);
    Box now = CropSearch.withSubjectRegions().search(1280, 720, AspectRatio.PORTRAIT_9_16, quietMiddleScene(),
        List.of(), null, seed).crop();
    assertThat(PosterComposerTest.inside(now, SUBJECT)).as("subject kept whole in %s", now).isTrue();
    // turning the term off gives the first part's window back
    Box off = new CropSearch(new double[] {1.0, 0.9, 0.8}, 6.0, 0.05, 0.1, 0.6, SubjectRegions.OFF)
        .withScalePenalty(0.1).search(1280, 720, AspectRatio.PORTRAIT_9_16, quietMiddleScene(), List.of(), null, seed)
        .crop();
    assertThat(off).isEqualTo(before);
  }

  @Test
  void aFaceNextToTheSubjectStaysWhole() {
    // a verified face where the distractor was: heads stay whole before any subject term
    Box face = new Box(94 * 8, 30 * 8, 80, 80);
    Box crop = CropSearch.withSubjectRegions().search(1280, 720, AspectRatio.PORTRAIT_9_16, quietMiddleScene(),
        List.of(face), null, new CropPlanner()).crop();
    assertThat(PosterComposerTest.inside(crop, face)).as("face whole in %s", crop).isTrue();
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(() -> new SubjectRegions(0, 0.05, 0.03, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SubjectRegions(0.3, 0.05, 0.03, -1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SubjectRegions(0.3, 0.05, 0.03, 1, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PosterComposer.builder().analysisSide(10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theReducedAnalysisCopyFindsTheFaceWhereTheFullImageDoes() {
    // 1920x1080 with the astronaut's head pasted off-centre: boxes come back in full-image pixels
    BufferedImage img = TestImages.wideWithFaceAt(1920, 1080, 1300, 300, 420);
    PosterTemplate t = new PosterTemplate("t", 90, 160, List.of(), List.of());
    try (PosterComposer fast = PosterComposer.builder().template(t).build();
        PosterComposer full = PosterComposer.builder().template(t).analysisSide(0)
            .targetDetector(CascadeFaceDetector.bundled("haarcascades/haarcascade_frontalface_alt2.xml", "face", 800))
            .build()) {
      ImageAnalysis a = fast.analyze(img);
      ImageAnalysis b = full.analyze(img);
      assertThat(a.targets()).hasSize(1);
      assertThat(b.targets()).hasSize(1);
      Box fa = a.targets().get(0).box();
      Box fb = b.targets().get(0).box();
      assertThat(fa.intersection(fb).area() / fa.union(fb).area()).isGreaterThan(0.6);
      assertThat(a.importance().imageWidth()).isEqualTo(1920);
      assertThat(a.importance().imageHeight()).isEqualTo(1080);
      Box crop = new CropSearch().search(1920, 1080, AspectRatio.PORTRAIT_9_16, a.importance(),
          a.targets().stream().map(Detection::box).toList(), a.salient(), fast.planner()).crop();
      assertThat(PosterComposerTest.inside(crop, fa)).isTrue();
    }
  }
}
