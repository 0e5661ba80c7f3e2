package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile {@code pairs.jsonl}: paths leaving the folder, huge lines, wrong encodings. */
class PairsFileHostileTest {
  @TempDir
  Path tmp;

  private Path setUp() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    Fixtures.shapes(dir.resolve("img"), 1, 1);
    Fixtures.shapes(tmp.resolve("outside"), 1, 1);
    return dir.resolve("pairs.jsonl");
  }

  private static final String GOOD = "{\"image\": \"img/red_square_0.png\", \"text\": \"a red square\"}\n";

  private static void assertRefusedAtLine2(Path f, String reason) {
    assertThatThrownBy(() -> PairsFile.read(f))
        .isInstanceOfSatisfying(InputFormatException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.file()).isEqualTo(f);
        })
        .hasMessageContaining("line 2: ")
        .hasMessageContaining(reason);
    // the trainer refuses the file in build(): nothing is trained on a half-read file
    assertThatThrownBy(() -> CrossModalTrainer.builder().pairsFile(f).build())
        .isInstanceOf(InputFormatException.class).hasMessageContaining("line 2");
  }

  @Test
  void dotDotPathIsRefused() throws Exception {
    Path f = setUp();
    Files.writeString(f, GOOD + "{\"image\": \"../outside/red_square_0.png\", \"text\": \"escape\"}\n");
    assertRefusedAtLine2(f, "escapes the allowed folder");
  }

  @Test
  void absolutePathIsRefusedUnlessTheRootIsWidened() throws Exception {
    Path f = setUp();
    String abs = tmp.resolve("outside/red_square_0.png").toAbsolutePath().toString();
    Files.writeString(f, GOOD + "{\"image\": \"" + abs + "\", \"text\": \"absolute\"}\n");
    assertRefusedAtLine2(f, "absolute path");
    assertThat(PairsFile.read(f, tmp)).hasSize(2);
  }

  @Test
  void symlinkLeadingOutIsRefusedAndOneStayingInIsRead() throws Exception {
    Path f = setUp();
    Files.createSymbolicLink(f.resolveSibling("link.png"), tmp.resolve("outside/red_square_0.png"));
    Files.createSymbolicLink(f.resolveSibling("inside.png"), f.resolveSibling("img/red_square_0.png"));
    Files.writeString(f, GOOD + "{\"image\": \"link.png\", \"text\": \"link\"}\n");
    assertRefusedAtLine2(f, "symbolic link");
    Files.writeString(f, GOOD + "{\"image\": \"inside.png\", \"text\": \"link\"}\n");
    assertThat(PairsFile.read(f)).hasSize(2);
  }

  @Test
  void hugeLineIsRefusedWithoutReadingItWhole() throws Exception {
    Path f = setUp();
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'a');
    try (OutputStream out = Files.newOutputStream(f)) {
      out.write(GOOD.getBytes(StandardCharsets.UTF_8));
      out.write("{\"image\": \"img/red_square_0.png\", \"text\": \"".getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 8; i++) {
        out.write(chunk);
      }
      out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    assertRefusedAtLine2(f, "too long");
  }

  @Test
  void latin1TextIsRefused() throws Exception {
    Path f = setUp();
    try (OutputStream out = Files.newOutputStream(f)) {
      out.write(GOOD.getBytes(StandardCharsets.UTF_8));
      out.write("{\"image\": \"img/red_square_0.png\", \"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    assertRefusedAtLine2(f, "not valid UTF-8");
  }

  @Test
  void utf8ByteOrderMarkIsAccepted() throws Exception {
    Path f = setUp();
    try (OutputStream out = Files.newOutputStream(f)) {
      out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
      out.write(GOOD.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(PairsFile.read(f)).singleElement().satisfies(p -> assertThat(p.text()).isEqualTo("a red square"));
  }
}
