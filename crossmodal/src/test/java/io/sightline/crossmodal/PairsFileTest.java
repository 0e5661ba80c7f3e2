package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairsFileTest {
  @TempDir
  Path tmp;

  @Test
  void readsPairsWithBoxesAndRelativePaths() throws Exception {
    Fixtures.shapes(tmp.resolve("img"), 1, 1);
    Path f = tmp.resolve("pairs.jsonl");
    Files.writeString(f, """
        {"image": "img/red_square_0.png", "text": "a red square", "objects": [{"box": [1, 2, 10, 12], "label": "square"}]}

        {"image": "img/blue_disc_0.png", "text": "a blue disc"}
        """);
    List<ImageTextPair> pairs = PairsFile.read(f);
    assertThat(pairs).hasSize(2);
    assertThat(pairs.get(0).image()).isEqualTo(tmp.resolve("img/red_square_0.png").toAbsolutePath().normalize());
    assertThat(pairs.get(0).objects()).singleElement().satisfies(b -> {
      assertThat(b.label()).isEqualTo("square");
      assertThat(b.box().w()).isEqualTo(10);
    });
    assertThat(pairs.get(1).objects()).isEmpty();
  }

  @Test
  void reportsEveryBadRecordByLine() throws Exception {
    Fixtures.shapes(tmp.resolve("img"), 1, 1);
    Path f = tmp.resolve("pairs.jsonl");
    Files.writeString(f, """
        {"image": "img/red_square_0.png", "text": "a red square"}
        {"image": "img/missing.png", "text": "gone"}
        {"image": "img/blue_disc_0.png", "text": "  "}
        {"image": "img/blue_disc_0.png", "text": "x", "objects": [{"box": [0, 0, -1, 3]}]}
        not json
        """);
    assertThatThrownBy(() -> PairsFile.read(f))
        .isInstanceOfSatisfying(InputFormatException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.file()).isEqualTo(f);
        })
        .hasMessageContaining("4 bad record(s)")
        .hasMessageContaining("line 2: image not found")
        .hasMessageContaining("line 3: empty or missing \"text\"")
        .hasMessageContaining("line 4: object box width and height must be positive")
        .hasMessageContaining("line 5: not valid JSON");
  }

  @Test
  void refusesMissingOrEmptyFiles() throws Exception {
    assertThatThrownBy(() -> PairsFile.read(tmp.resolve("nope.jsonl")))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("no such pairs file");
    Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "\n\n");
    assertThatThrownBy(() -> PairsFile.read(empty))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("no pairs");
  }

  @Test
  void trainerReadsThePairsFileInBuild() throws Exception {
    Path f = tmp.resolve("bad.jsonl");
    Files.writeString(f, "{\"image\": \"x.png\", \"text\": \"t\"}\n");
    assertThatThrownBy(() -> CrossModalTrainer.builder().pairsFile(f).build())
        .isInstanceOf(InputFormatException.class).hasMessageContaining("line 1");
  }
}
