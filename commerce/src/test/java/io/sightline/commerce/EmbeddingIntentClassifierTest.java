package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.classify.Classification;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingIntentClassifierTest {
  static final ImageEmbedder EMBEDDER = new GlobalDescriptorEmbedder();
  static EmbeddingIntentClassifier model;

  static BufferedImage sample(Intent intent, int i) {
    return switch (intent) {
      case NON_COMMODITY -> Fixtures.scene(1000 + i);
      case APPAREL -> Fixtures.outfit(Color.WHITE, Fixtures.garment(i % 3, 2000 + i), Fixtures.garment((i + 1) % 3, 3000 + i));
      case OTHER_COMMODITY -> Fixtures.product(4000 + i);
    };
  }

  @BeforeAll
  static void train() {
    List<BufferedImage> images = new ArrayList<>();
    List<Intent> labels = new ArrayList<>();
    for (Intent intent : Intent.values()) {
      for (int i = 0; i < 20; i++) {
        images.add(sample(intent, i));
        labels.add(intent);
      }
    }
    model = EmbeddingIntentClassifier.trainer(EMBEDDER).trainImages(images, labels, ProgressListener.NONE,
        CancellationToken.NONE);
  }

  @Test
  void learnsTheThreeIntentsAndGeneralisesToNewSamples() {
    assertThat(model.labels()).containsExactly("non-commodity", "apparel", "other-commodity");
    assertThat(model.summary().trainingAccuracy()).isGreaterThan(0.95);
    int correct = 0;
    int n = 0;
    for (Intent intent : Intent.values()) {
      for (int i = 100; i < 110; i++) {
        n++;
        if (model.intentOf(sample(intent, i)) == intent) {
          correct++;
        }
      }
    }
    assertThat(correct / (double) n).isGreaterThan(0.85);
    List<Classification> c = model.classify(sample(Intent.NON_COMMODITY, 200));
    assertThat(c).hasSize(3);
    assertThat(c.stream().mapToDouble(Classification::probability).sum()).isCloseTo(1.0,
        org.assertj.core.api.Assertions.within(1e-4));
    assertThat(c.get(0).probability()).isGreaterThanOrEqualTo(c.get(1).probability());
  }

  @Test
  void savesAndLoadsTheSameModelAndRefusesAnotherEmbedder(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("intent.model");
    model.save(f);
    EmbeddingIntentClassifier back = EmbeddingIntentClassifier.load(f, EMBEDDER);
    BufferedImage q = sample(Intent.APPAREL, 300);
    assertThat(back.classify(q)).isEqualTo(model.classify(q));
    assertThat(back.summary().samples()).isEqualTo(model.summary().samples());

    ImageEmbedder other = new ImageEmbedder() {
      @Override
      public float[] embed(BufferedImage image) {
        return EMBEDDER.embed(image);
      }

      @Override
      public int dimension() {
        return EMBEDDER.dimension();
      }

      @Override
      public String id() {
        return "other-model/1";
      }
    };
    assertThatThrownBy(() -> EmbeddingIntentClassifier.load(f, other))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining(GlobalDescriptorEmbedder.ID);

    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length / 2] ^= 0x55;
    Path corrupt = Files.write(dir.resolve("corrupt.model"), bytes);
    assertThatThrownBy(() -> EmbeddingIntentClassifier.load(corrupt, EMBEDDER)).isInstanceOf(StoreException.class)
        .hasMessageContaining("checksum");
  }

  @Test
  void crossValidationPicksALambdaFromTheGridAndItIsSaved(@TempDir Path dir) {
    List<BufferedImage> images = new ArrayList<>();
    List<Intent> labels = new ArrayList<>();
    for (Intent intent : Intent.values()) {
      for (int i = 0; i < 10; i++) {
        images.add(sample(intent, 500 + i));
        labels.add(intent);
      }
    }
    EmbeddingIntentClassifier m = EmbeddingIntentClassifier.trainer(EMBEDDER).selectLambda(3, 0.01, 1, 100)
        .trainImages(images, labels, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(m.summary().lambda()).isIn(0.01, 1.0, 100.0);
    assertThat(m.summary().validationAccuracy()).isBetween(0.5, 1.0);
    m.save(dir.resolve("m"));
    assertThat(EmbeddingIntentClassifier.load(dir.resolve("m"), EMBEDDER).summary()).isEqualTo(m.summary());
    assertThat(model.summary().validationAccuracy()).isNaN();
  }

  @Test
  void twoIntentModelWorksAndBadTrainingSetsAreRefused() {
    List<BufferedImage> images = new ArrayList<>();
    List<Intent> labels = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      images.add(sample(Intent.NON_COMMODITY, i));
      labels.add(Intent.NON_COMMODITY);
      images.add(sample(Intent.OTHER_COMMODITY, i));
      labels.add(Intent.OTHER_COMMODITY);
    }
    EmbeddingIntentClassifier two = EmbeddingIntentClassifier.trainer(EMBEDDER).trainImages(images, labels,
        ProgressListener.NONE, CancellationToken.NONE);
    assertThat(two.intents()).containsExactly(Intent.NON_COMMODITY, Intent.OTHER_COMMODITY);
    assertThat(two.intentOf(sample(Intent.OTHER_COMMODITY, 50))).isEqualTo(Intent.OTHER_COMMODITY);

    List<Intent> allProducts = labels.stream().map(l -> Intent.OTHER_COMMODITY).toList();
    assertThatThrownBy(() -> EmbeddingIntentClassifier.trainer(EMBEDDER).trainImages(images, allProducts,
        ProgressListener.NONE, CancellationToken.NONE)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("non-commodity");

    CancellationToken token = new CancellationToken();
    token.cancel();
    assertThatThrownBy(() -> EmbeddingIntentClassifier.trainer(EMBEDDER).trainImages(images, labels,
        ProgressListener.NONE, token)).isInstanceOf(CancelledException.class);
  }

  @Test
  void readsIntentCsvAndTrainsFromFiles(@TempDir Path dir) throws Exception {
    StringBuilder csv = new StringBuilder("image,intent\n");
    for (Intent intent : Intent.values()) {
      for (int i = 0; i < 4; i++) {
        String name = intent.label() + i + ".png";
        Fixtures.write(sample(intent, i), dir.resolve("img").resolve(name));
        csv.append("img/").append(name).append(',').append(intent.label()).append('\n');
      }
    }
    Path file = Files.writeString(dir.resolve("intent.csv"), csv);
    List<IntentSample> samples = IntentSample.readCsv(file);
    assertThat(samples).hasSize(12);
    assertThat(samples.get(0).line()).isEqualTo(2);
    List<String> progress = new ArrayList<>();
    EmbeddingIntentClassifier m = EmbeddingIntentClassifier.trainer(EMBEDDER).train(samples,
        (task, done, total, msg) -> progress.add(task), CancellationToken.NONE);
    assertThat(m.intents()).hasSize(3);
    assertThat(progress).contains("embed", "train");

    Path bad = Files.writeString(dir.resolve("bad.csv"), "image,intent\nimg/apparel0.png,food\n");
    assertThatThrownBy(() -> IntentSample.readCsv(bad)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("bad.csv:2").hasMessageContaining("food");
    Path missing = Files.writeString(dir.resolve("missing.csv"), "image,intent\nnope.png,apparel\n");
    assertThatThrownBy(() -> IntentSample.readCsv(missing)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("missing.csv:2").hasMessageContaining("image not found");
    Path header = Files.writeString(dir.resolve("header.csv"), "file,label\nx.png,apparel\n");
    assertThatThrownBy(() -> IntentSample.readCsv(header)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("header");
    Path notImage = Files.writeString(dir.resolve("img/text.png"), "not an image");
    List<IntentSample> withBad = new ArrayList<>(samples);
    withBad.add(new IntentSample(notImage, Intent.APPAREL, 14));
    assertThatThrownBy(() -> EmbeddingIntentClassifier.trainer(EMBEDDER).train(withBad, ProgressListener.NONE,
        CancellationToken.NONE)).isInstanceOf(InputFormatException.class).hasMessageContaining("text.png")
        .hasMessageContaining("line 14");
  }
}
