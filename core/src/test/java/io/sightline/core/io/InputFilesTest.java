package io.sightline.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {
  @TempDir Path tmp;

  private Path inputs() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Files.createDirectories(dir.resolve("img"));
    Files.write(dir.resolve("img/a.png"), new byte[] {1});
    Files.write(tmp.resolve("outside.png"), new byte[] {2});
    return dir.resolve("refs.jsonl");
  }

  @Test
  void relativePathsResolveAgainstTheFilesFolder() throws IOException {
    Path file = inputs();
    InputFiles f = InputFiles.of(file);
    assertThat(f.resolve("img/a.png", 1)).isEqualTo(file.toAbsolutePath().getParent().resolve("img/a.png"));
    assertThat(f.resolve("img/../img/a.png", 1)).isEqualTo(file.toAbsolutePath().getParent().resolve("img/a.png"));
    assertThat(f.resolve("img/not-yet.png", 1).toString()).endsWith("img/not-yet.png");
  }

  @Test
  void dotDotEscapesAreRefusedWithFileAndLine() throws IOException {
    Path file = inputs();
    InputFiles f = InputFiles.of(file);
    assertThatThrownBy(() -> f.resolve("../outside.png", 7))
        .isInstanceOf(InputFormatException.class)
        .hasMessageContaining(file + ":7")
        .hasMessageContaining("escapes")
        .satisfies(e -> assertThat(((InputFormatException) e).line()).isEqualTo(7))
        .satisfies(e -> assertThat(((InputFormatException) e).file()).isEqualTo(file));
    assertThatThrownBy(() -> f.resolve("img/../../outside.png", 2)).isInstanceOf(InputFormatException.class);
    assertThatThrownBy(() -> f.resolve("..", 2)).isInstanceOf(InputFormatException.class);
  }

  @Test
  void absolutePathsAreRefusedUnlessInsideAWidenedRoot() throws IOException {
    Path file = inputs();
    String outside = tmp.resolve("outside.png").toAbsolutePath().toString();
    String inside = file.toAbsolutePath().getParent().resolve("img/a.png").toString();
    InputFiles f = InputFiles.of(file);
    assertThatThrownBy(() -> f.resolve(outside, 3)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining(":3").hasMessageContaining("absolute path");
    assertThatThrownBy(() -> f.resolve(inside, 3)).isInstanceOf(InputFormatException.class);
    assertThatThrownBy(() -> f.resolve("/etc/passwd", 4)).isInstanceOf(InputFormatException.class);

    InputFiles wide = InputFiles.builder(file).allowedRoot(tmp).build();
    assertThat(wide.resolve(outside, 3)).isEqualTo(Path.of(outside));
    assertThat(wide.resolve("../outside.png", 3)).isEqualTo(Path.of(outside));
    assertThatThrownBy(() -> wide.resolve("/etc/passwd", 4)).isInstanceOf(InputFormatException.class);
    assertThatThrownBy(() -> wide.resolve("../../x.png", 4)).isInstanceOf(InputFormatException.class);
  }

  @Test
  void symlinksAreFollowedAndConfined() throws IOException {
    Path file = inputs();
    Path dir = file.getParent();
    Files.createSymbolicLink(dir.resolve("in-link.png"), dir.resolve("img/a.png"));
    Files.createSymbolicLink(dir.resolve("out-link.png"), tmp.resolve("outside.png"));
    Files.createSymbolicLink(dir.resolve("out-dir"), tmp);
    Files.createSymbolicLink(dir.resolve("dangling.png"), tmp.resolve("gone.png"));
    InputFiles f = InputFiles.of(file);
    assertThat(f.resolve("in-link.png", 1)).isEqualTo(dir.toAbsolutePath().resolve("in-link.png"));
    assertThatThrownBy(() -> f.resolve("out-link.png", 5)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining(":5").hasMessageContaining("symbolic link");
    assertThatThrownBy(() -> f.resolve("out-dir/outside.png", 6)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("symbolic link");
    assertThatThrownBy(() -> f.resolve("out-dir/not-there.png", 6)).isInstanceOf(InputFormatException.class);
    assertThatThrownBy(() -> f.resolve("dangling.png", 8)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining(":8");
    // widening the root admits the link
    assertThat(InputFiles.builder(file).allowedRoot(tmp).build().resolve("out-link.png", 5)).isNotNull();
  }

  @Test
  void rootReachedThroughASymlinkStillWorks() throws IOException {
    Path file = inputs();
    Path alias = Files.createSymbolicLink(tmp.resolve("alias"), file.getParent());
    InputFiles f = InputFiles.of(alias.resolve("refs.jsonl"));
    assertThat(f.resolve("img/a.png", 1)).isEqualTo(alias.toAbsolutePath().resolve("img/a.png"));
    assertThatThrownBy(() -> f.resolve("../outside.png", 1)).isInstanceOf(InputFormatException.class);
  }

  @Test
  void emptyAndNulPathsAreRefused() throws IOException {
    InputFiles f = InputFiles.of(inputs());
    assertThatThrownBy(() -> f.resolve("", 1)).isInstanceOf(InputFormatException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> f.resolve("a\0b", 1)).isInstanceOf(InputFormatException.class).hasMessageContaining("NUL");
  }

  private List<String> lines(Path p, InputFiles f) {
    List<String> out = new ArrayList<>();
    f.forEachLine((n, s) -> out.add(n + ":" + s));
    return out;
  }

  @Test
  void readsLinesWithOneBasedNumbersCrLfAndBom() throws IOException {
    Path p = tmp.resolve("a.jsonl");
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "first\r\nsecond\n\nvier ü\nlast-no-newline".getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(bom, bom.length + body.length);
    System.arraycopy(body, 0, all, bom.length, body.length);
    Files.write(p, all);
    assertThat(lines(p, InputFiles.of(p))).containsExactly("1:first", "2:second", "3:", "4:vier ü", "5:last-no-newline");
    Files.writeString(p, "a\nb\n");
    assertThat(lines(p, InputFiles.of(p))).containsExactly("1:a", "2:b");
    Files.writeString(p, "");
    assertThat(lines(p, InputFiles.of(p))).isEmpty();
    // a BOM is only special at the start of the file
    Files.write(p, concat("x\n".getBytes(StandardCharsets.UTF_8), bom, "y".getBytes(StandardCharsets.UTF_8)));
    assertThat(lines(p, InputFiles.of(p))).containsExactly("1:x", "2:\uFEFFy");
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] b : parts) {
      n += b.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] b : parts) {
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length;
    }
    return out;
  }

  @Test
  void latin1LinesAreReportedWithTheirNumberAndReadingCanGoOn() throws IOException {
    Path p = tmp.resolve("latin1.csv");
    Files.write(p, concat("ok\n".getBytes(StandardCharsets.UTF_8),
        "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1), "after\n".getBytes(StandardCharsets.UTF_8)));
    InputFiles f = InputFiles.of(p);
    assertThatThrownBy(() -> lines(p, f)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("line 2 is not valid UTF-8").hasMessageContaining("0xE9")
        .satisfies(e -> assertThat(((InputFormatException) e).line()).isEqualTo(2));
    List<String> good = new ArrayList<>();
    List<InputFormatException> bad = new ArrayList<>();
    f.forEachLine((n, s) -> good.add(n + ":" + s), bad::add);
    assertThat(good).containsExactly("1:ok", "3:after");
    assertThat(bad).singleElement().satisfies(e -> assertThat(e.line()).isEqualTo(2));
  }

  @Test
  void truncatedMultiByteSequenceAndUtf16AreRefused() throws IOException {
    Path p = tmp.resolve("t.jsonl");
    Files.write(p, new byte[] {'a', (byte) 0xC3});
    assertThatThrownBy(() -> lines(p, InputFiles.of(p))).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("line 1 is not valid UTF-8");
    Files.write(p, concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, "a\nb\n".getBytes(StandardCharsets.UTF_16LE)));
    List<InputFormatException> bad = new ArrayList<>();
    List<String> good = new ArrayList<>();
    InputFiles.of(p).forEachLine((n, s) -> good.add(s), bad::add);
    assertThat(bad).singleElement().satisfies(e -> assertThat(e.getMessage()).contains("UTF-16"));
    assertThat(good).isEmpty();
  }

  @Test
  void longLinesAreRefusedWithTheirNumberAtTheExactLimit() throws IOException {
    Path p = tmp.resolve("long.jsonl");
    Files.writeString(p, "x".repeat(10) + "\n" + "y".repeat(11) + "\r\n" + "z".repeat(10) + "\r\nend");
    InputFiles f = InputFiles.builder(p).maxLineBytes(10).build();
    List<String> good = new ArrayList<>();
    List<InputFormatException> bad = new ArrayList<>();
    f.forEachLine((n, s) -> good.add(n + ":" + s), bad::add);
    assertThat(good).containsExactly("1:" + "x".repeat(10), "3:" + "z".repeat(10), "4:end");
    assertThat(bad).singleElement().satisfies(e -> {
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.getMessage()).contains("line 2 is too long: 11 bytes");
    });
    assertThatThrownBy(() -> InputFiles.builder(p).maxLineBytes(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fiftyMegabyteLineIsStreamedNotHeld() throws IOException {
    Path p = tmp.resolve("huge.jsonl");
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 'a');
    try (OutputStream out = Files.newOutputStream(p)) {
      out.write("{\"id\":1}\n".getBytes(StandardCharsets.US_ASCII));
      out.write("{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 50; i++) {
        out.write(chunk);
      }
      out.write("\"}\n{\"id\":3}\n".getBytes(StandardCharsets.US_ASCII));
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    long[] peak = {0};
    List<String> good = new ArrayList<>();
    List<InputFormatException> bad = new ArrayList<>();
    try (InputFiles.LineReader r = InputFiles.of(p).openLines()) {
      while (true) {
        String s;
        try {
          s = r.readLine();
        } catch (InputFormatException e) {
          bad.add(e);
          continue;
        } finally {
          peak[0] = Math.max(peak[0], rt.totalMemory() - rt.freeMemory());
        }
        if (s == null) {
          break;
        }
        good.add(r.lineNumber() + ":" + s);
      }
    }
    assertThat(good).containsExactly("1:{\"id\":1}", "3:{\"id\":3}");
    assertThat(bad).singleElement().satisfies(e -> {
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.getMessage()).contains("too long").contains(String.valueOf(50L * (1 << 20) + 11));
    });
    // the 50 MiB line (100 MiB as a Java string) was never held: growth stays far below it
    assertThat(peak[0] - before).isLessThan(40L << 20);
  }

  @Test
  void missingFileAndDoubleCloseAndClosedRead() throws IOException {
    assertThatThrownBy(() -> InputFiles.of(tmp.resolve("nope.jsonl")).openLines())
        .isInstanceOf(InputFormatException.class).hasMessageContaining("file not found");
    Path p = tmp.resolve("x.txt");
    Files.writeString(p, "a\n");
    InputFiles.LineReader r = InputFiles.of(p).openLines();
    assertThat(r.readLine()).isEqualTo("a");
    r.close();
    r.close();
    assertThatThrownBy(r::readLine).isInstanceOf(IllegalStateException.class);
  }
}
