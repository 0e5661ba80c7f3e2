package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrossModalTrainerTest {
  @TempDir
  Path tmp;

  @Test
  void theDefaultModelHasTheSizeChosenOnValidation() throws Exception {
    // width 192, one layer, rate 2e-3: chosen on a validation split (BENCHMARKS.md, crossmodal)
    assertThat(CrossModalTrainer.DEFAULT_WIDTH).isEqualTo(192);
    assertThat(CrossModalTrainer.DEFAULT_LAYERS).isEqualTo(1);
    assertThat(CrossModalTrainer.DEFAULT_LEARNING_RATE).isEqualTo(2e-3f);
    List<ImageTextPair> pairs = Fixtures.shapes(tmp.resolve("img"), 2, 1);
    try (CrossModalModel m = CrossModalTrainer.builder().pairs(pairs).epochs(1).seed(7).build().train().model()) {
      assertThat(m.config().width()).isEqualTo(CrossModalTrainer.DEFAULT_WIDTH);
      assertThat(m.config().layers()).isEqualTo(CrossModalTrainer.DEFAULT_LAYERS);
    }
  }

  @Test
  void learnsToMatchTextsAndImages() throws Exception {
    List<ImageTextPair> pairs = Fixtures.shapes(tmp.resolve("img"), 8, 1);
    List<String> log = new ArrayList<>();
    TrainingResult r = CrossModalTrainer.builder().pairs(pairs).width(32).layers(1).heads(2)
        .epochs(Integer.getInteger("ep", 30)).batchSize(16).learningRate(3e-3f).seed(7)
        .progress((task, done, total, msg) -> log.add(task + " " + done + " " + msg))
        .build().train();
    try (CrossModalModel m = r.model()) {
      assertThat(r.history()).hasSize(Integer.getInteger("ep", 30));
      log.stream().filter(s -> s.startsWith("train")).forEach(System.err::println);
      ImageCollection coll = m.collection(pairs.stream().map(ImageTextPair::image).toList(),
          (a, b, c, d) -> { }, io.sightline.core.CancellationToken.NONE);
      int hits = 0;
      for (int c = 0; c < Fixtures.COLORS.length; c++) {
        for (int s = 0; s < Fixtures.SHAPES.length; s++) {
          List<ImageMatch> top = m.retrieve("a " + Fixtures.COLORS[c] + " " + Fixtures.SHAPES[s], coll, 4);
          for (ImageMatch im : top) {
            if (Fixtures.classOf(im.image()).equals(Fixtures.COLORS[c] + "_" + Fixtures.SHAPES[s])) {
              hits++;
            }
          }
        }
      }
      System.err.println("precision@4 hits " + hits + "/32");
      assertThat(hits).isGreaterThan(16); // random ranking: 4 of 32 expected
    }
  }
}
