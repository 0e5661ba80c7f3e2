package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cascade's optional coarser pyramid from scale 2 on ({@link CascadeFaceDetector#withLargeScaleLevels}):
 * off by default, and on it still finds a large face and a small one.
 */
class CascadeScanTest {
  @Test
  void theDefaultScansOncePerLevelAndTheOptionIsValidated() {
    CascadeFaceDetector d = CascadeFaceDetector.frontalFace();
    assertThat(d.largeScaleLevels()).isZero();
    assertThat(d.withLargeScaleLevels(0)).isSameAs(d);
    assertThat(d.withLargeScaleLevels(3).largeScaleLevels()).isEqualTo(3);
    assertThatThrownBy(() -> d.withLargeScaleLevels(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoPyramidsFindALargeAndASmallFaceAsTheOneScanDoes() {
    CascadeFaceDetector one = CascadeFaceDetector.frontalFace();
    CascadeFaceDetector two = one.withLargeScaleLevels(4);
    // the astronaut's face is large (over twice the 20 px window at 560 px): the second pyramid's
    int[] t = TestImages.ASTRONAUT_FACE;
    Box truth = new Box(t[0], t[1], t[2], t[3]);
    for (CascadeFaceDetector d : List.of(one, two)) {
      List<Detection> faces = d.detect(TestImages.astronaut());
      assertThat(faces).hasSize(1);
      assertThat(faces.get(0).box().iou(truth)).isGreaterThan(0.7);
      assertThat(faces.get(0).score()).isGreaterThanOrEqualTo(0.5f);
    }
    // a 30 px face in a 520x300 image (not reduced; under twice the 20 px window): the first
    // pyramid's candidates, the same for both
    var small = TestImages.wideWithFaceAt(520, 300, 200, 80, 58);
    List<Detection> a = one.detect(small);
    List<Detection> b = two.detect(small);
    assertThat(a).hasSize(1);
    assertThat(b).isEqualTo(a);
    assertThat(two.detect(TestImages.gradient(640, 480))).isEmpty();
  }
}
