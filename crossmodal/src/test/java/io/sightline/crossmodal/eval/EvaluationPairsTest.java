package io.sightline.crossmodal.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.crossmodal.ImageTextPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation's pairs: one picture is drawn once, even where a folder links it under a second category. */
class EvaluationPairsTest {
  @TempDir
  Path root;

  @Test
  void aLinkedPictureIsDrawnOnceUnlessLinksAreFollowed() throws Exception {
    Path animals = Files.createDirectories(root.resolve("animals"));
    Path nature = Files.createDirectories(root.resolve("nature"));
    Files.write(animals.resolve("red_fox_01.png"), new byte[100]);
    Files.write(animals.resolve("owl_02.png"), new byte[100]);
    Files.createSymbolicLink(nature.resolve("red_fox_01.png"), Path.of("../animals/red_fox_01.png"));

    List<ImageTextPair> skipped = CrossModalEvaluation.pairs(root, 10, 7, false, 0, 1000);
    assertThat(skipped).extracting(ImageTextPair::text).containsExactlyInAnyOrder("animals red fox", "animals owl");
    assertThat(CrossModalEvaluation.sameFileCount(skipped)).isZero();

    List<ImageTextPair> followed = CrossModalEvaluation.pairs(root, 10, 7, true, 0, 1000);
    assertThat(followed).extracting(ImageTextPair::text)
        .containsExactlyInAnyOrder("animals red fox", "animals owl", "nature red fox");
    assertThat(CrossModalEvaluation.sameFileCount(followed)).isEqualTo(1);
  }

  @Test
  void filesOutsideTheSizeBoundsAreNotDrawn() throws Exception {
    Path icons = Files.createDirectories(root.resolve("actions"));
    Files.write(icons.resolve("edit-copy.png"), new byte[500]);
    Files.write(icons.resolve("edit-cut.png"), new byte[5000]);
    assertThat(CrossModalEvaluation.pairs(root, 10, 7, false, 0, 1000)).extracting(ImageTextPair::text)
        .containsExactly("actions edit copy");
    assertThat(CrossModalEvaluation.pairs(root, 10, 7, false, 1000, 10_000)).extracting(ImageTextPair::text)
        .containsExactly("actions edit cut");
  }
}
