package io.sightline.examples.posters;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.examples.CliRun;
import io.sightline.examples.cli.CliSupport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosterCliTest {
  static final String TEMPLATE = "{\"name\":\"story\",\"width\":1080,\"height\":1920,\"fixed\":[],"
      + "\"floating\":[{\"name\":\"title\",\"text\":\"Title\",\"region\":[0,0,1,0.85],\"size\":[0.6,0.08]}]}";

  @TempDir
  Path dir;

  @Test
  void aSmallPhotoIsDroppedWithTheReasonAndTheOptionThatKeepsIt() throws Exception {
    Path photo = dir.resolve("small.png");
    BufferedImage img = ImageIO.read(Path.of("../testdata/photos/chelsea.png").toFile());
    ImageIO.write(img, "png", photo.toFile());
    Path template = dir.resolve("story.json");
    Files.writeString(template, TEMPLATE);

    CliRun dropped = CliRun.of("poster", "compose", "--template", template.toString(), "--out",
        dir.resolve("out").toString(), photo.toString());
    assertThat(dropped.code()).isEqualTo(CliSupport.OK);
    // chelsea.png is 451x300: its 9:16 crop is far narrower than a quarter of 1080 px
    assertThat(dropped.err()).contains("no poster passed the thresholds: story: resolution")
        .contains("--min-resolution");
    List<JsonNode> lines = dropped.lines();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).toString()).contains("resolution");

    CliRun kept = CliRun.of("poster", "compose", "--template", template.toString(), "--out",
        dir.resolve("out2").toString(), "--min-resolution", "0.1", photo.toString());
    assertThat(kept.code()).isEqualTo(CliSupport.OK);
    assertThat(kept.err()).doesNotContain("no poster passed");
    assertThat(Files.list(dir.resolve("out2")).filter(p -> p.toString().endsWith(".png"))).hasSize(1);

    CliRun bad = CliRun.of("poster", "compose", "--template", template.toString(), "--out",
        dir.resolve("out3").toString(), "--min-resolution", "0", photo.toString());
    assertThat(bad.code()).isEqualTo(CliSupport.USAGE);
  }

  @Test
  void twoInputsWithTheSameFileNameKeepTheirOwnPosters() throws Exception {
    BufferedImage img = ImageIO.read(Path.of("../testdata/photos/chelsea.png").toFile());
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    ImageIO.write(img, "png", dir.resolve("a/cat.png").toFile());
    ImageIO.write(img.getSubimage(0, 0, 300, 300), "png", dir.resolve("b/cat.png").toFile());
    Path template = dir.resolve("story.json");
    Files.writeString(template, TEMPLATE);
    CliRun run = CliRun.of("poster", "compose", "--template", template.toString(), "--out",
        dir.resolve("out").toString(), "--min-resolution", "0.1", dir.resolve("a/cat.png").toString(),
        dir.resolve("b/cat.png").toString());
    assertThat(run.code()).as(run.err()).isEqualTo(CliSupport.OK);
    assertThat(Files.list(dir.resolve("out")).filter(p -> p.toString().endsWith(".png"))).hasSize(2);
    assertThat(run.lines()).hasSize(2);
    assertThat(run.lines().get(0).toString()).isNotEqualTo(run.lines().get(1).toString());
  }
}
