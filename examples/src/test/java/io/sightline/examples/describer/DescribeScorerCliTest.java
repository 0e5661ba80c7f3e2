package io.sightline.examples.describer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.examples.CliRun;
import io.sightline.examples.cli.CliSupport;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code describe train-scorer} registers its scorer with the store; {@code describe query} then
 * uses it with the mode and thresholds it was trained with, without being told, and refuses
 * settings, a changed model file or a store that contradict the training.
 */
class DescribeScorerCliTest {
  static final Path FLAGS = Path.of("../testdata/flags");
  static final List<String> COUNTRIES = List.of("brazil", "france", "germany", "italy", "japan", "peru");

  @TempDir
  static Path tmp;
  static Path db;
  static Path model;
  static Path labels;
  static JsonNode trained;

  @BeforeAll
  static void indexAndTrain() throws Exception {
    StringBuilder refs = new StringBuilder();
    StringBuilder names = new StringBuilder("flag\n");
    StringBuilder lab = new StringBuilder();
    for (String c : COUNTRIES) {
      String name = Character.toUpperCase(c.charAt(0)) + c.substring(1);
      Files.copy(FLAGS.resolve(c + ".png"), tmp.resolve(c + ".png"));
      String other = COUNTRIES.get((COUNTRIES.indexOf(c) + 1) % COUNTRIES.size());
      String otherName = Character.toUpperCase(other.charAt(0)) + other.substring(1);
      refs.append(CliSupport.JSON.writeValueAsString(Map.of("id", c, "image", c + ".png",
          "title", "The flag of " + name, "text", "A flag. The flag of " + name + " is not the flag of "
              + otherName + ".")))
          .append('\n');
      names.append("flag of ").append(name).append('\n');
      for (int k = 0; k < 2; k++) {
        Path q = query(c, k);
        lab.append(CliSupport.JSON.writeValueAsString(Map.of("query", q.getFileName().toString(),
            "entity", "flag of " + name, "correct", true))).append('\n');
        lab.append(CliSupport.JSON.writeValueAsString(Map.of("query", q.getFileName().toString(),
            "entity", "flag", "correct", false))).append('\n');
      }
    }
    Files.writeString(tmp.resolve("refs.jsonl"), refs, StandardCharsets.UTF_8);
    Files.writeString(tmp.resolve("names.txt"), names, StandardCharsets.UTF_8);
    labels = tmp.resolve("labels.jsonl");
    Files.writeString(labels, lab, StandardCharsets.UTF_8);
    db = tmp.resolve("db");
    CliRun index = CliRun.of("describe", "index", "--refs", tmp.resolve("refs.jsonl").toString(), "--db",
        db.toString(), "--dictionary", tmp.resolve("names.txt").toString());
    assertThat(index.code()).as(index.err()).isZero();
    model = tmp.resolve("scorer.model");
    CliRun train = CliRun.of("describe", "train-scorer", "--db", db.toString(), "--labels", labels.toString(),
        "--out", model.toString(), "--iterations", "20");
    assertThat(train.code()).as(train.err()).isZero();
    trained = train.lines().get(0);
  }

  /** A flag scaled and turned on a grey canvas. */
  private static Path query(String country, int k) throws Exception {
    BufferedImage flag = ImageIO.read(FLAGS.resolve(country + ".png").toFile());
    BufferedImage img = new BufferedImage(flag.getWidth() + 40, flag.getHeight() + 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setColor(new Color(120 + 30 * k, 120, 120));
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.rotate(Math.toRadians(k == 0 ? 3 : -4), img.getWidth() / 2.0, img.getHeight() / 2.0);
    double s = k == 0 ? 0.95 : 0.85;
    int w = (int) (flag.getWidth() * s);
    int h = (int) (flag.getHeight() * s);
    g.drawImage(flag, (img.getWidth() - w) / 2, (img.getHeight() - h) / 2, w, h, null);
    g.dispose();
    Path file = tmp.resolve("q-" + country + "-" + k + ".png");
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  private static String record() throws Exception {
    return Files.readString(db.resolve(ScorerRecord.FILE_NAME), StandardCharsets.UTF_8);
  }

  @Test
  void trainingRegistersTheScorerWithWhatItWasTrainedWith() throws Exception {
    assertThat(trained.get("registered").asBoolean()).isTrue();
    assertThat(trained.get("queries").asInt()).isEqualTo(12);
    assertThat(trained.get("positives").asInt()).isGreaterThanOrEqualTo(8);
    ScorerRecord r = ScorerRecord.read(db).orElseThrow();
    assertThat(Path.of(r.scorer())).isEqualTo(model.toAbsolutePath().normalize());
    assertThat(r.kind()).isEqualTo("gbdt");
    assertThat(r.mode()).isEqualTo("GROUPED");
    assertThat(r.matchThreshold()).isEqualTo(0.8);
    assertThat(r.topImages()).isEqualTo(10);
    assertThat(r.matcher()).isEqualTo("hybrid");
    assertThat(r.embedder()).isNotBlank();
    assertThat(r.sha256()).hasSize(64);
  }

  @Test
  void queryUsesTheRegisteredScorerWithoutBeingTold() throws Exception {
    Path q = tmp.resolve("q-peru-1.png");
    CliRun plain = CliRun.of("describe", "query", "--db", db.toString(), q.toString());
    assertThat(plain.code()).as(plain.err()).isZero();
    JsonNode line = plain.lines().get(0);
    assertThat(line.get("scorer").asText()).startsWith("gbdt");
    assertThat(line.at("/thresholds/match").asDouble()).isEqualTo(0.8);
    assertThat(line.at("/best/name").asText()).isEqualTo("flag of Peru");

    CliRun heuristic = CliRun.of("describe", "query", "--db", db.toString(), "--scorer", "heuristic", q.toString());
    assertThat(heuristic.code()).as(heuristic.err()).isZero();
    assertThat(heuristic.lines().get(0).get("scorer").asText()).doesNotStartWith("gbdt");

    CliRun named = CliRun.of("describe", "query", "--db", db.toString(), "--scorer", model.toString(), q.toString());
    assertThat(named.code()).as(named.err()).isZero();
    assertThat(named.lines().get(0).get("scorer").asText()).isEqualTo(line.get("scorer").asText());
  }

  @Test
  void queryRefusesSettingsTheScorerWasNotTrainedWith() {
    Path q = tmp.resolve("q-peru-0.png");
    CliRun other = CliRun.of("describe", "query", "--db", db.toString(), "--match-threshold", "0.7", q.toString());
    assertThat(other.code()).isEqualTo(2);
    assertThat(other.out()).isEmpty();
    assertThat(other.err()).contains("was trained with --match-threshold 0.8 (asked 0.7)")
        .contains("--scorer heuristic");
    CliRun mode = CliRun.of("describe", "query", "--db", db.toString(), "--mode", "per-mention", q.toString());
    assertThat(mode.code()).isEqualTo(2);
    assertThat(mode.err()).contains("mode GROUPED (asked PER_MENTION)");
    // the same values spelled out are not a contradiction
    CliRun same = CliRun.of("describe", "query", "--db", db.toString(), "--match-threshold", "0.8",
        "--top-images", "10", q.toString());
    assertThat(same.code()).as(same.err()).isZero();
    // without the registered scorer, other settings are the user's choice
    CliRun free = CliRun.of("describe", "query", "--db", db.toString(), "--scorer", "heuristic",
        "--match-threshold", "0.7", q.toString());
    assertThat(free.code()).as(free.err()).isZero();
  }

  @Test
  void aChangedOrUnregisteredModelIsHandled(@TempDir Path own) throws Exception {
    // a second store with its own registration, so the shared one stays intact
    Path db2 = own.resolve("db");
    CliRun index = CliRun.of("describe", "index", "--refs", tmp.resolve("refs.jsonl").toString(), "--db",
        db2.toString(), "--dictionary", tmp.resolve("names.txt").toString());
    assertThat(index.code()).as(index.err()).isZero();
    Path m2 = own.resolve("m2.model");
    CliRun noReg = CliRun.of("describe", "train-scorer", "--db", db2.toString(), "--labels", labels.toString(),
        "--out", m2.toString(), "--iterations", "5", "--no-register");
    assertThat(noReg.code()).as(noReg.err()).isZero();
    assertThat(noReg.lines().get(0).get("registered").asBoolean()).isFalse();
    assertThat(db2.resolve(ScorerRecord.FILE_NAME)).doesNotExist();
    Path q = tmp.resolve("q-japan-0.png");
    CliRun unregistered = CliRun.of("describe", "query", "--db", db2.toString(), q.toString());
    assertThat(unregistered.lines().get(0).get("scorer").asText()).doesNotStartWith("gbdt");

    CliRun reg = CliRun.of("describe", "train-scorer", "--db", db2.toString(), "--labels", labels.toString(),
        "--out", m2.toString(), "--iterations", "5");
    assertThat(reg.code()).as(reg.err()).isZero();
    Files.writeString(m2, "\n", StandardOpenOption.APPEND);
    CliRun changed = CliRun.of("describe", "query", "--db", db2.toString(), q.toString());
    assertThat(changed.code()).isEqualTo(1);
    assertThat(changed.err()).contains("has changed since").contains("describe train-scorer");
    assertThat(changed.out()).isEmpty();
  }

  @Test
  void outOfRangeSettingsAreUsageErrors() {
    Path q = tmp.resolve("q-peru-0.png");
    for (String[] bad : new String[][] {{"--top-images", "-1"}, {"--match-threshold", "NaN"},
        {"--match-threshold", "2"}, {"--score-threshold", "-0.5"}}) {
      CliRun r = CliRun.of("describe", "query", "--db", db.toString(), "--scorer", "heuristic", bad[0], bad[1],
          q.toString());
      assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(r.err()).contains(bad[0]);
    }
    CliRun train = CliRun.of("describe", "train-scorer", "--db", db.toString(), "--labels", labels.toString(),
        "--out", tmp.resolve("never.model").toString(), "--top-images", "0");
    assertThat(train.code()).isEqualTo(2);
  }

  @Test
  void recordIsUntouchedByARefusedQuery() throws Exception {
    String before = record();
    CliRun.of("describe", "query", "--db", db.toString(), "--top-images", "3", tmp.resolve("q-italy-0.png").toString());
    assertThat(record()).isEqualTo(before);
  }
}
