package io.sightline.core.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NmsTest {
  static Detection d(double x, double y, double w, double h, String label, float score) {
    return new Detection(new Box(x, y, w, h), label, score);
  }

  // a: 0..10 square; b overlaps a with IoU 81/119 = 0.68; c overlaps a with IoU 25/175 = 0.14
  final Detection a = d(0, 0, 10, 10, "cat", 0.9f);
  final Detection b = d(1, 1, 10, 10, "cat", 0.8f);
  final Detection c = d(5, 5, 10, 10, "cat", 0.7f);
  final Detection bDog = d(1, 1, 10, 10, "dog", 0.85f);
  final Detection far = d(50, 50, 5, 5, "cat", 0.3f);

  @Test
  void suppressesOverlapsOfTheSameClassOnly() {
    List<Detection> kept = Nms.classWise(List.of(far, c, b, a, bDog), 0.5);
    assertThat(kept).containsExactly(a, bDog, c, far);
  }

  @Test
  void classAgnosticSuppressesAcrossLabels() {
    assertThat(Nms.apply(List.of(a, bDog, c, far), 0.5, false, 10)).containsExactly(a, c, far);
  }

  @Test
  void thresholdDecides() {
    assertThat(Nms.classWise(List.of(a, b, c), 0.7)).containsExactly(a, b, c);
    assertThat(Nms.classWise(List.of(a, b, c), 0.1)).containsExactly(a);
    assertThat(Nms.apply(List.of(a, c, far), 0.5, true, 2)).containsExactly(a, c);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Nms.apply(List.of(a), 1.5, true, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Nms.apply(List.of(a), 0.5, true, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
