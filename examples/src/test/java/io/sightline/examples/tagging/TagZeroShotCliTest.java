package io.sightline.examples.tagging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.examples.CliRun;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tag train --embedder sightline-clipart} records the shipped encoder; {@code tag suggest
 * --strategy ZERO_SHOT|FUSED} then scores the stock's tags by their words with MiniLM, and refuses
 * ZERO_SHOT on a model folder built with the descriptor.
 */
class TagZeroShotCliTest {
  static final Path CLIPART = Path.of("../testdata/clipart").toAbsolutePath().normalize();

  @TempDir
  Path tmp;

  /** tags.csv of the bundled drawings: each tagged with its category folders. */
  private Path tagsCsv() throws Exception {
    StringBuilder csv = new StringBuilder("image,tags,post\n");
    List<Path> files;
    try (Stream<Path> s = Files.walk(CLIPART)) {
      files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    for (Path f : files) {
      Path rel = CLIPART.relativize(f);
      StringBuilder tags = new StringBuilder();
      for (int i = 0; i < rel.getNameCount() - 1; i++) {
        tags.append(i == 0 ? "" : "|").append(rel.getName(i).toString().replace('_', ' '));
      }
      csv.append(f).append(',').append(tags).append(",\n");
    }
    return Files.writeString(tmp.resolve("tags.csv"), csv, StandardCharsets.UTF_8);
  }

  @Test
  void shippedEncoderGivesZeroShotAndFusedTags() throws Exception {
    Path csv = tagsCsv();
    Path dir = tmp.resolve("model");
    // the shipped encoder is the default of new tag model folders
    CliRun train = CliRun.of("tag", "train", "--images", csv.toString(), "--allowed-root", CLIPART.toString(),
        "--model", dir.toString(), "--clusters", "4");
    assertThat(train.code()).as(train.err()).isZero();
    JsonNode rec = CliSupport.JSON.readTree(dir.resolve(EmbedderRecord.FILE_NAME).toFile());
    assertThat(rec.get("preset").asText()).isEqualTo("sightline-clipart");
    String image = CLIPART.resolve("transportation/tram.png").toString();
    for (String strategy : List.of("ZERO_SHOT", "FUSED")) {
      CliRun s = CliRun.of("tag", "suggest", "--model", dir.toString(), "--strategy", strategy, "--top", "3", image);
      assertThat(s.code()).as(s.err()).isZero();
      JsonNode tags = s.lines().get(0).get("tags");
      assertThat(tags).as(strategy).hasSize(3);
      for (JsonNode t : tags) {
        assertThat(t.get("frequency").asDouble()).isBetween(0.0, 1.0);
      }
    }
    // ZERO_SHOT is the cosine between the shipped encoder's image vector and MiniLM's vector of
    // "a drawing of TAG" (the CLI's prompt),
    // over the tags of at least two posts: recompute it through the API
    CliRun zero = CliRun.of("tag", "suggest", "--model", dir.toString(), "--strategy", "ZERO_SHOT", "--top", "1",
        image);
    java.util.Map<String, Integer> posts = new java.util.HashMap<>();
    for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
      for (String t : line.split(",")[1].split("\\|")) {
        posts.merge(t, 1, Integer::sum);
      }
    }
    String best = null;
    double bestCos = -2;
    try (var images = io.sightline.models.SightlineModels.clipartImageEmbedder();
         var words = io.sightline.models.SightlineModels.textEmbedder()) {
      float[] v = images.embed(io.sightline.core.image.ImageLoader.defaults().load(Path.of(image)));
      for (var e : posts.entrySet()) {
        if (e.getValue() >= 2) {
          float[] w = words.embed("a drawing of " + e.getKey());
          double c = 0;
          for (int i = 0; i < v.length; i++) {
            c += v[i] * w[i];
          }
          if (c > bestCos) {
            bestCos = c;
            best = e.getKey();
          }
        }
      }
    }
    assertThat(zero.lines().get(0).at("/tags/0/tag").asText()).isEqualTo(best);
    assertThat(zero.lines().get(0).at("/tags/0/frequency").asDouble())
        .isCloseTo(Math.max(0, bestCos), org.assertj.core.api.Assertions.within(1e-3));
  }

  @Test
  void linearProbeTagsComeFromTheProbeSavedAtTraining() throws Exception {
    Path dir = tmp.resolve("probe");
    CliRun train = CliRun.of("tag", "train", "--images", tagsCsv().toString(), "--allowed-root", CLIPART.toString(),
        "--model", dir.toString(), "--clusters", "4");
    assertThat(train.code()).as(train.err()).isZero();
    Path probe = dir.resolve(io.sightline.tagging.TagRecommender.PROBE_FILE);
    assertThat(probe).exists();
    String image = CLIPART.resolve("transportation/tram.png").toString();
    CliRun s = CliRun.of("tag", "suggest", "--model", dir.toString(), "--strategy", "linear_probe", "--top", "2", image);
    assertThat(s.code()).as(s.err()).isZero();
    JsonNode out = s.lines().get(0);
    assertThat(out.get("strategy").asText()).isEqualTo("LINEAR_PROBE");
    // the stock holds the tram itself, tagged with its folder: the probe puts that tag first
    assertThat(out.at("/tags/0/tag").asText()).isEqualTo("transportation");
    assertThat(out.at("/tags/0/frequency").asDouble()).isBetween(0.0, 1.0);
    // without the saved probe the suggestion fits it again from the stock, to the same answer
    Files.delete(probe);
    CliRun again = CliRun.of("tag", "suggest", "--model", dir.toString(), "--strategy", "linear_probe", "--top", "2",
        image);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.lines().get(0).get("tags")).isEqualTo(out.get("tags"));
  }

  @Test
  void zeroShotIsRefusedForAModelBuiltWithTheDescriptor() throws Exception {
    Path dir = tmp.resolve("plain");
    CliRun train = CliRun.of("tag", "train", "--images", tagsCsv().toString(), "--allowed-root", CLIPART.toString(),
        "--model", dir.toString(), "--clusters", "4", "--embedder", "descriptor");
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(train.lines().get(0).get("embedder").asText()).startsWith("global-descriptor");
    CliRun s = CliRun.of("tag", "suggest", "--model", dir.toString(), "--strategy", "ZERO_SHOT",
        CLIPART.resolve("transportation/tram.png").toString());
    assertThat(s.code()).isEqualTo(2);
    assertThat(s.err()).contains("--embedder sightline-clipart");
    CliRun fused = CliRun.of("tag", "suggest", "--model", dir.toString(), "--strategy", "FUSED",
        CLIPART.resolve("transportation/tram.png").toString());
    assertThat(fused.code()).as(fused.err()).isZero();
  }
}
