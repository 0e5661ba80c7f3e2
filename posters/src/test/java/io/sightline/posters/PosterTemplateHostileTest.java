package io.sightline.posters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile templates: layer paths leaving the template's folder, absurd canvas sizes, non-finite or
 * negative boxes, oversized files and wrong encodings are refused with a typed exception.
 */
class PosterTemplateHostileTest {
  @TempDir
  Path tmp;

  private Path setUp() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("t"));
    BufferedImage logo = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
    ImageIO.write(logo, "png", dir.resolve("logo.png").toFile());
    ImageIO.write(logo, "png", tmp.resolve("outside.png").toFile());
    return dir.resolve("t.json");
  }

  private static String withImage(String image) {
    return "{\"name\":\"x\",\"width\":100,\"height\":100,\"fixed\":[{\"name\":\"logo\",\"image\":\""
        + image + "\",\"box\":[0.1,0.1,0.2,0.2]}]}";
  }

  private static void refused(Path file, String reason) {
    assertThatThrownBy(() -> PosterTemplate.load(file))
        .isInstanceOfSatisfying(InputFormatException.class, e -> assertThat(e.file()).isEqualTo(file))
        .hasMessageContaining(reason);
  }

  @Test
  void devicesAndFifosAreRefusedWithoutReadingThem() throws Exception {
    // /dev/zero reports size 0 and never ends; a FIFO blocks on open: both refused up front
    assertThatThrownBy(() -> PosterTemplate.load(Path.of("/dev/zero")))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("not a regular file");
    Path link = tmp.resolve("template-link.json");
    Files.createSymbolicLink(link, Path.of("/dev/urandom"));
    assertThatThrownBy(() -> PosterTemplate.load(link))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("not a regular file");
    Path fifo = tmp.resolve("template.fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    if (mk.waitFor() == 0) {
      assertThatThrownBy(() -> PosterTemplate.load(fifo))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("not a regular file");
    }
  }

  @Test
  void layerImagePathsAreConfinedToTheTemplatesFolder() throws Exception {
    Path t = setUp();
    assertThat(PosterTemplate.load(Files.writeString(t, withImage("logo.png"))).fixed()).hasSize(1);
    refused(Files.writeString(t, withImage("../outside.png")), "escapes the allowed folder");
    String abs = tmp.resolve("outside.png").toAbsolutePath().toString();
    refused(Files.writeString(t, withImage(abs)), "absolute path");
    assertThat(PosterTemplate.load(t, tmp).fixed()).hasSize(1);
    Files.createSymbolicLink(t.resolveSibling("link.png"), tmp.resolve("outside.png"));
    refused(Files.writeString(t, withImage("link.png")), "symbolic link");
    refused(Files.writeString(t, withImage("logo.png").replace("\"image\"", "\"text\":\"a\",\"fontFile\"")
        .replace("logo.png", "../outside.ttf")), "escapes");
    assertThatThrownBy(() -> PosterTemplate.parse(withImage("../outside.png"), t.getParent(), null))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("escapes");
  }

  @Test
  void absurdCanvasSizesAreRefused() throws Exception {
    Path t = setUp();
    refused(Files.writeString(t, "{\"name\":\"x\",\"width\":10000,\"height\":10000}"), "over the budget");
    refused(Files.writeString(t, "{\"name\":\"x\",\"width\":100000,\"height\":10}"), "\"width\"");
    refused(Files.writeString(t, "{\"name\":\"x\",\"width\":-5,\"height\":10}"), "\"width\"");
    refused(Files.writeString(t, "{\"name\":\"x\",\"width\":1e20,\"height\":10}"), "\"width\"");
    assertThat(PosterTemplate.load(Files.writeString(t, "{\"name\":\"x\",\"width\":7680,\"height\":4320}")).width())
        .isEqualTo(7680);
    assertThatThrownBy(() -> new PosterTemplate("x", 9000, 9000, java.util.List.of(), java.util.List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
  }

  @Test
  void nonFiniteAndNegativeBoxesAreRefused() throws Exception {
    Path t = setUp();
    String head = "{\"name\":\"x\",\"width\":100,\"height\":100,\"fixed\":[{\"name\":\"t\",\"text\":\"a\",\"box\":";
    refused(Files.writeString(t, head + "[1e999,0,0.1,0.1]}]}"), "finite");
    refused(Files.writeString(t, head + "[0,0,-1e999,0.1]}]}"), "finite");
    refused(Files.writeString(t, head + "[0,0,-0.1,0.1]}]}"), "negative");
    refused(Files.writeString(t, head + "[-0.5,0,0.1,0.1]}]}"), "beyond the canvas");
    refused(Files.writeString(t, head + "[0,0,\"NaN\",0.1]}]}"), "numbers");
    refused(Files.writeString(t, head + "[0,0,NaN,0.1]}]}"), "not valid JSON");
    refused(Files.writeString(t, "{\"name\":\"x\",\"width\":100,\"height\":100,\"floating\":[{\"name\":\"f\","
        + "\"text\":\"a\",\"region\":[0,0,1,1],\"size\":[1e999,0.1]}]}"), "size must be positive");
  }

  @Test
  void hugeAndNonUtf8FilesAreRefused() throws Exception {
    Path t = setUp();
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) ' ');
    try (OutputStream out = Files.newOutputStream(t)) {
      out.write("{\"name\":\"x\",".getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 8; i++) {
        out.write(chunk);
      }
      out.write("\"width\":10,\"height\":10}".getBytes(StandardCharsets.UTF_8));
    }
    refused(t, "over the limit");
    Files.write(t, "{\"name\":\"caf\u00e9\",\"width\":10,\"height\":10}".getBytes(StandardCharsets.ISO_8859_1));
    refused(t, "not valid UTF-8");
  }
}
