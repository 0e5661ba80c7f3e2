package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One PyTorch thread unless the user chose a count. */
class PyTorchThreadsTest {
  @Test
  void oneThreadUnlessTheUserChose() {
    assertThat(PyTorchThreads.threadsFor(null, null)).isEqualTo(1);
    assertThat(PyTorchThreads.threadsFor(" ", "")).isEqualTo(1);
    assertThat(PyTorchThreads.threadsFor("4", null)).isZero();
    assertThat(PyTorchThreads.threadsFor(null, "2")).isZero();
  }
}
