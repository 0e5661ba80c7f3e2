package io.sightline.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextEmbedderTest {
  /** A toy embedder: text length and word count. */
  static final class Counting implements TextEmbedder {
    @Override
    public float[] embed(String text) {
      if (text == null || text.isBlank()) {
        throw new TextInputException("empty text");
      }
      return new float[] {text.length(), text.trim().split("\\s+").length};
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public String id() {
      return "counting/1";
    }
  }

  @Test
  void embedAllKeepsOrderAndRejectsNull() {
    try (TextEmbedder e = new Counting()) {
      List<float[]> v = e.embedAll(List.of("a b c", "hello"));
      assertThat(v.get(0)).containsExactly(5f, 3f);
      assertThat(v.get(1)).containsExactly(5f, 1f);
      assertThat(e.embedAll(List.of())).isEmpty();
      assertThatThrownBy(() -> e.embedAll(null)).isInstanceOf(TextInputException.class);
      assertThatThrownBy(() -> e.embed(" ")).isInstanceOf(io.sightline.core.SightlineException.class);
    }
  }
}
