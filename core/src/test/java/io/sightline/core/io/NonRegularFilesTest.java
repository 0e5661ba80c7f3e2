package io.sightline.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sightline.core.ImageDecodeException;
import io.sightline.core.InputFormatException;
import io.sightline.core.image.ImageLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices, FIFOs and links to them as images or input files: refused with the path in the
 * message, before they are opened (a FIFO must not hang), and never read without a byte budget.
 */
class NonRegularFilesTest {
  private static final Duration LIMIT = Duration.ofSeconds(20);
  // a small budget: before the fix /dev/zero was read until memory ran out
  private final ImageLoader loader = ImageLoader.withLimits(1_000_000, 1 << 20);

  @TempDir Path tmp;

  private static Path device(String name) {
    Path p = Path.of("/dev", name);
    assumeTrue(Files.exists(p), p + " is not available");
    return p;
  }

  private Path fifo() throws Exception {
    Path p = tmp.resolve("pipe");
    Process proc;
    try {
      proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "mkfifo is not available: " + e.getMessage());
      return null;
    }
    assumeTrue(proc.waitFor(10, TimeUnit.SECONDS) && proc.exitValue() == 0 && Files.exists(p),
        "mkfifo failed");
    return p;
  }

  @Test
  void devZeroAsAnImageIsRefusedWithItsPath() {
    Path zero = device("zero");
    assertTimeoutPreemptively(LIMIT, () -> {
      assertThatThrownBy(() -> loader.load(zero))
          .isInstanceOf(ImageDecodeException.class)
          .hasMessageContaining("/dev/zero")
          .hasMessageContaining("not a regular file");
      assertThatThrownBy(() -> loader.probe(zero)).isInstanceOf(ImageDecodeException.class);
    });
  }

  @Test
  void aLinkToDevUrandomAsAnImageIsRefused() throws IOException {
    Path urandom = device("urandom");
    Path link = Files.createSymbolicLink(tmp.resolve("photo.jpg"), urandom);
    assertTimeoutPreemptively(LIMIT, () ->
        assertThatThrownBy(() -> loader.load(link))
            .isInstanceOf(ImageDecodeException.class)
            .hasMessageContaining(link.toString())
            .hasMessageContaining("not a regular file"));
  }

  @Test
  void aFifoAsAnImageIsRefusedWithoutHanging() throws Exception {
    Path fifo = fifo();
    assertTimeoutPreemptively(LIMIT, () ->
        assertThatThrownBy(() -> loader.load(fifo))
            .isInstanceOf(ImageDecodeException.class)
            .hasMessageContaining(fifo.toString())
            .hasMessageContaining("FIFO"));
  }

  @Test
  void aFifoNamedInsideAnInputFileIsRefusedWithoutHanging() throws Exception {
    Path fifo = fifo();
    Path refs = tmp.resolve("refs.jsonl");
    Files.writeString(refs, "{}\n");
    Path resolved = InputFiles.of(refs).resolve("pipe", 1);
    assertThat(ConfinedPaths.isConfined(resolved)).isTrue();
    assertTimeoutPreemptively(LIMIT, () ->
        assertThatThrownBy(() -> loader.load(resolved))
            .isInstanceOf(ImageDecodeException.class)
            .hasMessageContaining(fifo.toString())
            .hasMessageContaining("not a regular file"));
  }

  @Test
  void devZeroAsAnInputFileIsRefusedWithItsPath() {
    Path zero = device("zero");
    assertTimeoutPreemptively(LIMIT, () -> {
      assertThatThrownBy(() -> InputFiles.of(zero).forEachLine((n, s) -> { }))
          .isInstanceOf(InputFormatException.class)
          .hasMessageContaining("/dev/zero")
          .hasMessageContaining("not a regular file");
      assertThatThrownBy(() -> InputFiles.of(zero).forEachLine((n, s) -> { }, e -> { }))
          .isInstanceOf(InputFormatException.class);
    });
  }

  @Test
  void aLinkToDevUrandomAsAnInputFileIsRefused() throws IOException {
    Path link = Files.createSymbolicLink(tmp.resolve("tags.csv"), device("urandom"));
    assertTimeoutPreemptively(LIMIT, () ->
        assertThatThrownBy(() -> InputFiles.of(link).openLines())
            .isInstanceOf(InputFormatException.class)
            .hasMessageContaining(link.toString())
            .hasMessageContaining("a character device"));
  }

  @Test
  void aFifoAsAnInputFileIsRefusedWithoutHanging() throws Exception {
    Path fifo = fifo();
    assertTimeoutPreemptively(LIMIT, () ->
        assertThatThrownBy(() -> InputFiles.of(fifo).forEachLine((n, s) -> { }))
            .isInstanceOf(InputFormatException.class)
            .hasMessageContaining(fifo.toString())
            .hasMessageContaining("FIFO"));
  }

  @Test
  void theFileByteBudgetIsCountedWhileReading() throws IOException {
    Path f = tmp.resolve("big.jsonl");
    Files.writeString(f, "a\nb\nc\nd\n".repeat(10), StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    InputFiles small = InputFiles.builder(f).maxFileBytes(10).build();
    assertThat(small.maxFileBytes()).isEqualTo(10);
    assertThatThrownBy(() -> small.forEachLine((n, s) -> lines.add(s), e -> { }))
        .isInstanceOf(InputFormatException.class)
        .hasMessageContaining("more than 10 bytes")
        .satisfies(e -> assertThat(((InputFormatException) e).line()).isZero());
    List<String> all = new ArrayList<>();
    InputFiles.builder(f).maxFileBytes(80).build().forEachLine((n, s) -> all.add(s));
    assertThat(all).hasSize(40);
  }

  @Test
  void regularFilesAndLinksToThemStillRead() throws IOException {
    Path f = tmp.resolve("a.csv");
    Files.writeString(f, "x\ny\n");
    Path link = Files.createSymbolicLink(tmp.resolve("b.csv"), f);
    List<String> lines = new ArrayList<>();
    InputFiles.of(link).forEachLine((n, s) -> lines.add(s));
    assertThat(lines).containsExactly("x", "y");
  }
}
