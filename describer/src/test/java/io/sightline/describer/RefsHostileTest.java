package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code refs.jsonl} and {@code labels.jsonl}: image paths leaving the file's folder, huge
 * lines and wrong encodings are refused with their line number, and nothing is ingested.
 */
class RefsHostileTest {
  @TempDir
  Path tmp;

  private Path data() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Files.copy(Fixtures.FLAGS.resolve("peru.png"), dir.resolve("peru.png"));
    Files.copy(Fixtures.FLAGS.resolve("japan.png"), tmp.resolve("outside.png"));
    return dir;
  }

  private static final String GOOD = "{\"id\":\"p\",\"image\":\"peru.png\",\"title\":\"Flag of Peru\"}\n";

  private static String ref(String image) {
    return "{\"id\":\"x\",\"image\":\"" + image + "\",\"title\":\"Flag of Japan\"}\n";
  }

  private static String label(String image) {
    return "{\"query\":\"" + image + "\",\"entity\":\"flag of japan\",\"correct\":true}\n";
  }

  private void assertRefsRefused(Path refs, String reason) {
    try (ReferenceStore store = ReferenceStore.open(tmp.resolve("db"))) {
      assertThatThrownBy(() -> store.importJsonl(refs, ErrorPolicy.REJECT, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOfSatisfying(InputFormatException.class, e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.file()).isEqualTo(refs);
          })
          .hasMessageContaining("nothing ingested").hasMessageContaining("line 2: ").hasMessageContaining(reason);
      assertThat(store.size()).isZero();
      assertThat(store.imageCount()).isZero();
      IngestReport r = store.importJsonl(refs, ErrorPolicy.SKIP, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.errors()).singleElement().satisfies(e -> {
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.message()).contains(reason);
      });
      assertThat(store.size()).isEqualTo(1);
    }
  }

  private static void assertLabelsRefused(Path labels, String reason) {
    assertThatThrownBy(() -> ScorerTraining.readLabels(labels))
        .isInstanceOfSatisfying(InputFormatException.class, e -> assertThat(e.line()).isEqualTo(2))
        .hasMessageContaining("line 2: ").hasMessageContaining(reason);
  }

  @Test
  void dotDotEscapeIsRefused() throws Exception {
    Path dir = data();
    Path refs = Files.writeString(dir.resolve("refs.jsonl"), GOOD + ref("../outside.png"));
    assertRefsRefused(refs, "escapes the allowed folder");
    Path labels = Files.writeString(dir.resolve("labels.jsonl"), label("peru.png") + label("../outside.png"));
    assertLabelsRefused(labels, "escapes the allowed folder");
  }

  @Test
  void absolutePathIsRefusedUnlessTheRootIsWidened() throws Exception {
    Path dir = data();
    String abs = tmp.resolve("outside.png").toAbsolutePath().toString();
    Path refs = Files.writeString(dir.resolve("refs.jsonl"), GOOD + ref(abs));
    assertRefsRefused(refs, "absolute path");
    Path labels = Files.writeString(dir.resolve("labels.jsonl"), label("peru.png") + label(abs));
    assertLabelsRefused(labels, "absolute path");
    assertThat(ScorerTraining.readLabels(labels, tmp)).hasSize(2);
    try (ReferenceStore store = ReferenceStore.open(tmp.resolve("db2"))) {
      IngestReport r = store.importJsonl(refs, tmp, ErrorPolicy.REJECT, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.errors()).isEmpty();
      assertThat(store.size()).isEqualTo(2);
    }
  }

  @Test
  void symlinkLeadingOutIsRefused() throws Exception {
    Path dir = data();
    Files.createSymbolicLink(dir.resolve("link.png"), tmp.resolve("outside.png"));
    Path refs = Files.writeString(dir.resolve("refs.jsonl"), GOOD + ref("link.png"));
    assertRefsRefused(refs, "symbolic link");
    Path labels = Files.writeString(dir.resolve("labels.jsonl"), label("peru.png") + label("link.png"));
    assertLabelsRefused(labels, "symbolic link");
  }

  @Test
  void hugeLineIsRefused() throws Exception {
    Path dir = data();
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'a');
    for (String name : new String[] {"refs.jsonl", "labels.jsonl"}) {
      try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
        out.write((name.startsWith("refs") ? GOOD : label("peru.png")).getBytes(StandardCharsets.UTF_8));
        out.write("{\"id\":\"big\",\"image\":\"peru.png\",\"text\":\"".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 4; i++) {
          out.write(chunk);
        }
        out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
      }
    }
    assertRefsRefused(dir.resolve("refs.jsonl"), "too long");
    assertLabelsRefused(dir.resolve("labels.jsonl"), "too long");
  }

  @Test
  void latin1LineIsRefused() throws Exception {
    Path dir = data();
    for (String name : new String[] {"refs.jsonl", "labels.jsonl"}) {
      try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
        out.write((name.startsWith("refs") ? GOOD : label("peru.png")).getBytes(StandardCharsets.UTF_8));
        out.write("{\"id\":\"q\",\"image\":\"peru.png\",\"title\":\"Drapeau du P\u00e9rou\"}\n"
            .getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    assertRefsRefused(dir.resolve("refs.jsonl"), "not valid UTF-8");
    assertLabelsRefused(dir.resolve("labels.jsonl"), "not valid UTF-8");
  }

  @Test
  void parseWithABaseFolderConfinesToo() throws Exception {
    Path dir = data();
    assertThatThrownBy(() -> RefsJsonl.parse(ref("../outside.png"), dir))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("escapes");
    assertThat(RefsJsonl.parse(GOOD, dir).reference().id()).isEqualTo("p");
  }
}
