package io.sightline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.examples.cli.CliSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SightlineCliTest {
  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void badUsageExitsWithTwo() {
    assertThat(run("no-such-command").code()).isEqualTo(CliSupport.USAGE);
    assertThat(run().code()).isEqualTo(CliSupport.USAGE);
    assertThat(run("demo", "--no-such-option").code()).isEqualTo(CliSupport.USAGE);
    CliRun unknownStep = run("demo", "--only", "nonsense");
    assertThat(unknownStep.code()).isEqualTo(CliSupport.USAGE);
    assertThat(unknownStep.err()).contains("nonsense").contains("tagging");
    // enum option values in any case
    CliRun lower = run("tag", "suggest", "--model", "/nonexistent-folder", "--strategy", "zero_shot", "x.png");
    assertThat(lower.err()).doesNotContain("Invalid value for option '--strategy'");
  }

  @Test
  void searchDemoPrintsJsonLinesAndWritesOutputs(@TempDir Path dir) throws Exception {
    CliRun r = run("demo", "--only", "search", "--out", dir.resolve("demo").toString());
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(1);
    JsonNode summary = CliSupport.JSON.readTree(lines[0]);
    assertThat(summary.get("step").asText()).isEqualTo("search");
    assertThat(summary.get("images").asInt()).isGreaterThanOrEqualTo(60);
    assertThat(summary.at("/recall/jpeg/recall@10").asDouble()).isGreaterThan(0.9);
    assertThat(dir.resolve("demo/search/index.bin")).exists();
    assertThat(Files.readAllLines(dir.resolve("demo/search/queries.jsonl"))).isNotEmpty();
    assertThat(dir.resolve("demo/summary.json")).exists();
  }

  @Test
  void capabilityDemosRunOnTheBundledImages(@TempDir Path dir) throws Exception {
    // crossmodal trains for tens of seconds and is left to the CI smoke run of the full demo
    CliRun r = run("demo", "--only", "tagging,posters,describe,product", "--out", dir.resolve("demo").toString());
    assertThat(r.code()).as(r.err()).isZero();
    String[] lines = r.out().strip().split("\n");
    assertThat(lines).hasSize(4);
    for (String line : lines) {
      JsonNode summary = CliSupport.JSON.readTree(line);
      assertThat(summary.get("step").asText()).isIn("tagging", "posters", "describe", "product");
    }
    assertThat(CliSupport.JSON.readTree(lines[3]).get("catalog").asInt()).isEqualTo(69);
    assertThat(dir.resolve("demo/posters")).isDirectoryContaining("glob:**.png");
    // the demo's own input files feed the CLI with the --allowed-root it names
    Path data = dir.resolve("demo/data").toAbsolutePath();
    assertThat(r.err()).contains("--allowed-root " + data);
    CliRun again = run("describe", "index", "--refs", dir.resolve("demo/describe/refs.jsonl").toString(),
        "--db", dir.resolve("again").toString(), "--allowed-root", data.toString());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(CliSupport.JSON.readTree(again.out().strip()).get("references").asInt()).isEqualTo(12);
  }
}
