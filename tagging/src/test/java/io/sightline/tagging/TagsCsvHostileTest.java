package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code tags.csv}: image paths leaving the file's folder, huge lines and wrong encodings
 * are refused with their line number, and nothing is added to the stock.
 */
class TagsCsvHostileTest {
  @TempDir
  Path tmp;

  private Path setUp() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("data"));
    ImageIO.write(ImageTaggingTest.picture(Color.BLUE, Color.WHITE, new Random(1)), "png", dir.resolve("ok.png").toFile());
    ImageIO.write(ImageTaggingTest.picture(Color.RED, Color.WHITE, new Random(2)), "png", tmp.resolve("outside.png").toFile());
    return dir.resolve("tags.csv");
  }

  private static final String HEAD = "image,tags,post\nok.png,sea,\n";

  private static void assertNothingStored(Path csv, String reason) {
    assertThatThrownBy(() -> TagsCsv.read(csv)).isInstanceOfSatisfying(InputFormatException.class, e -> {
      assertThat(e.line()).isEqualTo(3);
      assertThat(e.file()).isEqualTo(csv);
    }).hasMessageContaining(reason);
    try (GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
         TagRecommender r = TagRecommender.builder().embedder(embedder).build()) {
      assertThatThrownBy(() -> r.importCsv(csv, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOfSatisfying(InputFormatException.class, e -> assertThat(e.line()).isEqualTo(3))
          .hasMessageContaining("line 3: ").hasMessageContaining(reason);
      assertThat(r.stockSize()).isZero();
    }
  }

  @Test
  void dotDotEscapeIsRefused() throws IOException {
    Path csv = setUp();
    Files.writeString(csv, HEAD + "../outside.png,sky,\n");
    assertNothingStored(csv, "escapes the allowed folder");
  }

  @Test
  void absolutePathIsRefusedUnlessTheRootIsWidened() throws IOException {
    Path csv = setUp();
    Files.writeString(csv, HEAD + tmp.resolve("outside.png").toAbsolutePath() + ",sky,\n");
    assertNothingStored(csv, "absolute path");
    try (GlobalDescriptorEmbedder embedder = new GlobalDescriptorEmbedder();
         TagRecommender r = TagRecommender.builder().embedder(embedder).build()) {
      assertThat(r.importCsv(csv, tmp, ProgressListener.NONE, CancellationToken.NONE)).isEqualTo(2);
    }
  }

  @Test
  void symlinkLeadingOutIsRefused() throws IOException {
    Path csv = setUp();
    Files.createSymbolicLink(csv.resolveSibling("link.png"), tmp.resolve("outside.png"));
    Files.writeString(csv, HEAD + "link.png,sky,\n");
    assertNothingStored(csv, "symbolic link");
  }

  @Test
  void postOverItsColumnIsRefusedWithItsLine() throws IOException {
    Path csv = setUp();
    Files.writeString(csv, HEAD + "ok2.png,sky," + "p".repeat(1001) + "\n");
    assertNothingStored(csv, "post is 1001 characters, over the limit of 1000");
    assertThatThrownBy(() -> new StockImage("x", new float[] {1}, java.util.Set.of("sky"), "p".repeat(1001)))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("post longer than 1000");
  }

  @Test
  void hugeLineIsRefused() throws IOException {
    Path csv = setUp();
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) 't');
    try (OutputStream out = Files.newOutputStream(csv)) {
      out.write(HEAD.getBytes(StandardCharsets.UTF_8));
      out.write("ok2.png,".getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 4; i++) {
        out.write(chunk);
      }
      out.write(",\n".getBytes(StandardCharsets.UTF_8));
    }
    assertNothingStored(csv, "too long");
  }

  @Test
  void latin1RowIsRefused() throws IOException {
    Path csv = setUp();
    try (OutputStream out = Files.newOutputStream(csv)) {
      out.write(HEAD.getBytes(StandardCharsets.UTF_8));
      out.write("ok.png,caf\u00e9,\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    assertNothingStored(csv, "not valid UTF-8");
  }
}
