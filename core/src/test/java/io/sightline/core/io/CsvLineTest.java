package io.sightline.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CsvLineTest {
  @Test
  void splitsQuotedAndPlainFields() {
    assertThat(CsvLine.split("a,b,,c")).containsExactly("a", "b", "", "c");
    assertThat(CsvLine.split("\"x, y\",\"say \"\"hi\"\"\", z ")).containsExactly("x, y", "say \"hi\"", " z ");
    assertThat(CsvLine.split(" \"q\",2")).containsExactly("q", "2");
    assertThat(CsvLine.split("")).containsExactly("");
    assertThat(CsvLine.split("\"two\nlines\",x")).containsExactly("two\nlines", "x");
  }

  @Test
  void openQuotesAreDetected() {
    assertThat(CsvLine.hasOpenQuote("a,\"b")).isTrue();
    assertThat(CsvLine.hasOpenQuote("a,\"b\"\"")).isTrue();
    assertThat(CsvLine.hasOpenQuote("a,\"b\"")).isFalse();
    assertThat(CsvLine.hasOpenQuote("a,b\"c")).isFalse();
    assertThatThrownBy(() -> CsvLine.split("a,\"b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unterminated");
  }
}
