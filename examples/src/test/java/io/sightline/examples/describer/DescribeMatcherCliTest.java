package io.sightline.examples.describer;

import io.sightline.examples.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.examples.SightlineCli;
import io.sightline.examples.cli.CliSupport;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code describe index --matcher local} then {@code describe query}: the query side uses the
 * recorded matcher, finds a new shot of a stored object that global matching misses, refuses an
 * unknown object, and prints the instance evidence of each match.
 */
class DescribeMatcherCliTest {
  static final Path DATA = Path.of("../testdata");

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @TempDir
  Path tmp;

  /** refs.jsonl with four photos and a drawing, copied beside it; a dictionary of their names. */
  private Path refs() throws Exception {
    Map<String, String[]> refs = Map.of(
        "astronaut", new String[] {"photos/astronaut.png", "Astronaut Eileen Collins", "A portrait of Eileen Collins."},
        "chelsea", new String[] {"photos/chelsea.png", "Chelsea the cat", "Chelsea sits on the floor."},
        "coffee", new String[] {"photos/coffee.png", "A cup of espresso", "Espresso in a white cup."},
        "rocket", new String[] {"photos/rocket.jpg", "Rocket launch", "A rocket launch at dawn."},
        "tram", new String[] {"clipart/transportation/tram.png", "Tram", "A drawing of a tram."});
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String[]> e : new java.util.TreeMap<>(refs).entrySet()) {
      String[] v = e.getValue();
      Path img = tmp.resolve("refs").resolve(Path.of(v[0]).getFileName());
      Files.createDirectories(img.getParent());
      Files.copy(DATA.resolve(v[0]), img);
      Map<String, Object> line = Map.of("id", e.getKey(), "image", img.getFileName().toString(),
          "title", v[1] + " | test page", "text", "Generated test page. " + v[2]);
      sb.append(CliSupport.JSON.writeValueAsString(line)).append('\n');
    }
    Path file = tmp.resolve("refs/refs.jsonl");
    Files.writeString(file, sb, StandardCharsets.UTF_8);
    Files.writeString(tmp.resolve("names.txt"), "Eileen Collins\nChelsea\nespresso\nrocket launch\ntram\n",
        StandardCharsets.UTF_8);
    return file;
  }

  /** The central 70 % of an image, scaled, turned and pasted on a scene of other drawings, as JPEG. */
  private Path newShot(Path object, double scale, double degrees, String name) throws Exception {
    BufferedImage obj = ImageIO.read(object.toFile());
    BufferedImage scene = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scene.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setColor(new Color(200, 190, 170));
    g.fillRect(0, 0, 640, 480);
    g.drawImage(ImageIO.read(DATA.resolve("clipart/recreation/holiday/sailing_sunset.png").toFile()), 0, 0, 640, 480, null);
    g.drawImage(ImageIO.read(DATA.resolve("clipart/tools/blacksmith_hammer_ganson.png").toFile()), 10, 250, 120, 213, null);
    int cw = (int) (obj.getWidth() * 0.7);
    int ch = (int) (obj.getHeight() * 0.7);
    BufferedImage part = obj.getSubimage((obj.getWidth() - cw) / 2, (obj.getHeight() - ch) / 2, cw, ch);
    AffineTransform t = new AffineTransform();
    t.translate(340, 240);
    t.rotate(Math.toRadians(degrees));
    t.scale(scale, scale);
    t.translate(-cw / 2.0, -ch / 2.0);
    g.drawImage(part, t, null);
    g.dispose();
    Path file = tmp.resolve(name);
    ImageIO.write(scene, "jpg", file.toFile());
    return file;
  }

  @Test
  void localMatcherIsRecordedAndQueryPrintsInstanceEvidence() throws Exception {
    Path refs = refs();
    Path db = tmp.resolve("db");
    String dict = tmp.resolve("names.txt").toString();
    CliRun index = run("describe", "index", "--refs", refs.toString(), "--db", db.toString(), "--dictionary", dict,
        "--matcher", "local");
    assertThat(index.code()).as(index.err()).isZero();
    JsonNode summary = index.lines().get(0);
    assertThat(summary.get("matcher").asText()).isEqualTo("local");
    assertThat(summary.get("instanceImages").asInt()).isEqualTo(5);

    Path shot = newShot(DATA.resolve("photos/astronaut.png"), 0.6, 20, "shot.jpg");
    Path unknown = newShot(DATA.resolve("clipart/animals/mammals/big_cats/leone_02_architetto_fran_01.png"), 1.0, -15,
        "lion.jpg");
    CliRun query = run("describe", "query", "--db", db.toString(), shot.toString(), unknown.toString());
    assertThat(query.code()).as(query.err()).isZero();
    List<JsonNode> lines = query.lines();
    assertThat(lines).hasSize(2);
    JsonNode found = lines.get(0);
    assertThat(found.get("matcher").asText()).isEqualTo("local");
    assertThat(found.get("status").asText()).isEqualTo("DESCRIBED");
    assertThat(found.at("/best/name").asText()).isEqualTo("Eileen Collins");
    JsonNode top = found.at("/matches/0");
    assertThat(top.get("id").asText()).isEqualTo("astronaut");
    assertThat(top.get("inliers").asInt()).isGreaterThanOrEqualTo(10);
    assertThat(top.get("instanceScore").asDouble()).isGreaterThanOrEqualTo(found.at("/thresholds/instance").asDouble());
    assertThat(top.get("similarity").asDouble()).isEqualTo(top.get("instanceScore").asDouble());
    assertThat(top.get("verified").asBoolean()).isTrue();
    JsonNode refused = lines.get(1);
    assertThat(refused.get("status").asText()).isEqualTo("NO_MATCHING_REFERENCE");
    assertThat(refused.get("best").isNull()).isTrue();
    assertThat(refused.get("matches")).isEmpty();

    // re-indexing without --matcher keeps the recorded one; global would leave the index stale
    CliRun again = run("describe", "index", "--refs", refs.toString(), "--db", db.toString(), "--dictionary", dict);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.lines().get(0).get("matcher").asText()).isEqualTo("local");
    CliRun downgrade = run("describe", "index", "--refs", refs.toString(), "--db", db.toString(), "--dictionary", dict,
        "--matcher", "global");
    assertThat(downgrade.code()).isEqualTo(CliSupport.FAILURE);
    assertThat(downgrade.err()).contains("cannot be switched to 'global'");
    CliRun bad = run("describe", "index", "--refs", refs.toString(), "--db", db.toString(), "--matcher", "fuzzy");
    assertThat(bad.code()).isEqualTo(CliSupport.USAGE);
    assertThat(bad.err()).contains("global, local or hybrid");
  }

  @Test
  void globalMatcherMissesTheNewShotAndReportsNoInstanceEvidence() throws Exception {
    Path refs = refs();
    Path db = tmp.resolve("db");
    CliRun index = run("describe", "index", "--refs", refs.toString(), "--db", db.toString(), "--dictionary",
        tmp.resolve("names.txt").toString(), "--matcher", "global");
    assertThat(index.code()).as(index.err()).isZero();
    assertThat(index.lines().get(0).get("instanceImages").asInt()).isZero();
    Path shot = newShot(DATA.resolve("photos/astronaut.png"), 0.6, 20, "shot.jpg");
    CliRun query = run("describe", "query", "--db", db.toString(), shot.toString(),
        DATA.resolve("photos/astronaut.png").toString());
    assertThat(query.code()).as(query.err()).isZero();
    List<JsonNode> lines = query.lines();
    assertThat(lines.get(0).get("matcher").asText()).isEqualTo("global");
    assertThat(lines.get(0).get("status").asText()).isEqualTo("NO_MATCHING_REFERENCE");
    // a near-copy is still found by global similarity, with no instance evidence
    JsonNode top = lines.get(1).at("/matches/0");
    assertThat(top.get("id").asText()).isEqualTo("astronaut");
    assertThat(top.get("similarity").asDouble()).isGreaterThan(0.99);
    assertThat(top.get("inliers").asInt()).isZero();
    assertThat(top.get("instanceScore").asDouble()).isZero();
    assertThat(lines.get(1).at("/thresholds/instance").isMissingNode()).isTrue();
  }
}
