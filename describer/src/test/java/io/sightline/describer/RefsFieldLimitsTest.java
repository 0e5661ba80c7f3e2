package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fields longer than their store column (id > 2000, image > 4000 characters) and counts out of
 * the long range are format errors of their line, found while reading the file: skip mode reports
 * them with line, field and limit and still ingests every later good line.
 */
class RefsFieldLimitsTest {
  @TempDir
  Path tmp;

  private static String good(int i) {
    return "{\"id\":\"g" + i + "\",\"image\":\"" + (i % 2 == 0 ? "peru.png" : "japan.png")
        + "\",\"title\":\"Flag number " + i + "\"}\n";
  }

  private Path refs() throws Exception {
    Files.copy(Fixtures.FLAGS.resolve("peru.png"), tmp.resolve("peru.png"));
    Files.copy(Fixtures.FLAGS.resolve("japan.png"), tmp.resolve("japan.png"));
    StringBuilder sb = new StringBuilder(good(0));
    sb.append("{\"id\":\"").append("i".repeat(2001)).append("\",\"image\":\"peru.png\",\"title\":\"long id\"}\n");
    sb.append("{\"id\":\"u\",\"image\":\"http://127.0.0.1:9/").append("a".repeat(4000))
        .append(".png\",\"title\":\"long url\"}\n");
    sb.append("{\"id\":\"d\",\"image\":\"peru.png\",\"title\":\"huge count\",\"displays\":1e300}\n");
    sb.append("{\"id\":\"v\",\"image\":\"peru.png\",\"title\":\"huge count\",\"views\":99999999999999999999}\n");
    for (int i = 1; i <= 40; i++) {
      sb.append(good(i));
    }
    return Files.writeString(tmp.resolve("refs.jsonl"), sb.toString());
  }

  @Test
  void overlongFieldsAndHugeCountsAreLineErrorsWhileReading() throws Exception {
    List<RefsJsonl.Line> lines = RefsJsonl.read(refs());
    assertThat(lines).hasSize(45);
    assertThat(lines.get(1).error()).contains("\"id\"").contains("2001 characters").contains("limit of 2000");
    assertThat(lines.get(2).error()).contains("\"image\"").contains("limit of 4000");
    assertThat(lines.get(3).error()).contains("\"displays\"").contains("out of range");
    assertThat(lines.get(4).error()).contains("\"views\"").contains("out of range");
    assertThat(lines.stream().filter(l -> l.error() == null)).hasSize(41);
  }

  @Test
  void skipModeReportsThemPerLineAndIngestsEveryLaterGoodLine() throws Exception {
    Path refs = refs();
    try (ReferenceStore store = ReferenceStore.open(tmp.resolve("db"))) {
      assertThatThrownBy(() -> store.importJsonl(refs, ErrorPolicy.REJECT, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class)
          .hasMessageContaining("line 2: ").hasMessageContaining("limit of 2000")
          .hasMessageContaining("line 3: ").hasMessageContaining("limit of 4000")
          .hasMessageContaining("line 4: ").hasMessageContaining("line 5: ");
      assertThat(store.size()).isZero();
      IngestReport r = store.importJsonl(refs, ErrorPolicy.SKIP, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.errors()).extracting(IngestReport.LineError::line).containsExactly(2L, 3L, 4L, 5L);
      assertThat(r.added() + r.merged()).isEqualTo(41);
      assertThat(store.size()).isEqualTo(41);
      assertThat(store.get("g40")).isPresent();
    }
  }

  @Test
  void theApiRefusesAnOverlongIdToo() {
    assertThatThrownBy(() -> Reference.of("x".repeat(2001), "t", ""))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("limit of 2000");
    assertThat(Reference.of("x".repeat(2000), "t", "").id()).hasSize(2000);
  }
}
