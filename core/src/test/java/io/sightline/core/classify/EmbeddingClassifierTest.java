package io.sightline.core.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.DimensionMismatchException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingClassifierTest {
  static final ImageEmbedder EMBEDDER = new GlobalDescriptorEmbedder();
  static final List<String> CLASSES = List.of("red", "blue", "striped");
  static List<EmbeddingClassifier.Example> train;
  static List<EmbeddingClassifier.Example> heldOut;
  static EmbeddingClassifier trained;

  @TempDir Path dir;

  /** Mean R, G, B in [0,1]: a second, tiny embedder. */
  static final class MeanRgb implements ImageEmbedder {
    @Override
    public float[] embed(BufferedImage image) {
      double[] s = new double[3];
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          int p = image.getRGB(x, y);
          s[0] += (p >> 16) & 255;
          s[1] += (p >> 8) & 255;
          s[2] += p & 255;
        }
      }
      double n = 255.0 * image.getWidth() * image.getHeight();
      return new float[] {(float) (s[0] / n), (float) (s[1] / n), (float) (s[2] / n)};
    }

    @Override
    public int dimension() {
      return 3;
    }

    @Override
    public String id() {
      return "mean-rgb/1";
    }
  }

  static BufferedImage make(String cls, Random rnd) {
    int size = 48 + rnd.nextInt(40);
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    switch (cls) {
      case "red", "blue" -> {
        int main = 150 + rnd.nextInt(106);
        int other = rnd.nextInt(70);
        g.setColor(cls.equals("red") ? new Color(main, other, rnd.nextInt(70)) : new Color(other, rnd.nextInt(70), main));
        g.fillRect(0, 0, size, size);
        for (int i = 0; i < 4; i++) { // darker blobs of the same hue
          int m2 = 60 + rnd.nextInt(90);
          g.setColor(cls.equals("red") ? new Color(m2, 10, 10) : new Color(10, 10, m2));
          g.fillOval(rnd.nextInt(size), rnd.nextInt(size), 5 + rnd.nextInt(20), 5 + rnd.nextInt(20));
        }
      }
      default -> {
        int grey = rnd.nextInt(60);
        g.setColor(new Color(grey, grey, grey));
        g.fillRect(0, 0, size, size);
        int light = 190 + rnd.nextInt(66);
        g.setColor(new Color(light, light, light));
        int width = 3 + rnd.nextInt(6);
        int phase = rnd.nextInt(width * 2);
        boolean vertical = rnd.nextBoolean();
        for (int p = -phase; p < size; p += 2 * width) {
          if (vertical) {
            g.fillRect(p, 0, width, size);
          } else {
            g.fillRect(0, p, size, width);
          }
        }
      }
    }
    g.dispose();
    return img;
  }

  @BeforeAll
  static void trainOnce() {
    Random rnd = new Random(42);
    train = new ArrayList<>();
    heldOut = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      for (String c : CLASSES) {
        train.add(EmbeddingClassifier.Example.ofImage(c, make(c, rnd)));
      }
    }
    for (int i = 0; i < 10; i++) {
      for (String c : CLASSES) {
        heldOut.add(EmbeddingClassifier.Example.ofImage(c, make(c, rnd)));
      }
    }
    trained = EmbeddingClassifier.builder(EMBEDDER).train(train, ProgressListener.NONE, CancellationToken.NONE);
  }

  @Test
  void learnsASeparableToyProblem() {
    int correct = 0;
    for (EmbeddingClassifier.Example e : heldOut) {
      List<Classification> r = trained.classify(e.image());
      assertThat(r).hasSize(3);
      double sum = r.stream().mapToDouble(Classification::probability).sum();
      assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
      if (r.get(0).label().equals(e.label())) {
        correct++;
      }
    }
    double accuracy = correct / (double) heldOut.size();
    assertThat(accuracy).as("held-out accuracy").isGreaterThanOrEqualTo(0.9);
    assertThat(trained.labels()).containsExactly("red", "blue", "striped");
    // training reduced the loss well below the ln(3) of the zero model
    assertThat(trained.trainingLoss()).isLessThan(0.2);
    assertThat(trained.trainingAccuracy()).isGreaterThanOrEqualTo(0.9);
    assertThat(trained.l2()).isEqualTo(1e-3);
    assertThat(trained.validationAccuracy()).isNaN();
    assertThat(trained.samplesPerLabel().keySet()).containsExactly("red", "blue", "striped");
    assertThat(trained.samplesPerLabel().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(train.size());
    assertThat(trained.id()).startsWith("embedding-classifier/2:").endsWith("@" + EMBEDDER.id());
  }

  @Test
  void trainingIsDeterministic() {
    EmbeddingClassifier again = EmbeddingClassifier.builder(EMBEDDER).train(train, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(again.id()).isEqualTo(trained.id());
  }

  @Test
  void saveLoadRoundTripGivesIdenticalProbabilities() {
    Path file = dir.resolve("clf.bin");
    trained.save(file);
    EmbeddingClassifier loaded = EmbeddingClassifier.load(file, EMBEDDER);
    assertThat(loaded.id()).isEqualTo(trained.id());
    assertThat(loaded.labels()).isEqualTo(trained.labels());
    for (EmbeddingClassifier.Example e : heldOut.subList(0, 9)) {
      assertThat(loaded.classify(e.image())).isEqualTo(trained.classify(e.image()));
    }
  }

  @Test
  void refusesAnotherEmbedderOrACorruptFile() throws Exception {
    Path file = dir.resolve("clf.bin");
    trained.save(file);
    assertThatThrownBy(() -> EmbeddingClassifier.load(file, new MeanRgb()))
        .isInstanceOf(IncompatibleFormatException.class)
        .hasMessageContaining(EMBEDDER.id())
        .hasMessageContaining("mean-rgb/1");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x55;
    Path corrupt = Files.write(dir.resolve("corrupt.bin"), bytes);
    assertThatThrownBy(() -> EmbeddingClassifier.load(corrupt, EMBEDDER)).isInstanceOf(StoreException.class);
  }

  @Test
  void vectorExamplesProgressAndCancellation() {
    ImageEmbedder rgb = new MeanRgb();
    List<EmbeddingClassifier.Example> ex = List.of(
        EmbeddingClassifier.Example.ofVector("dark", new float[] {0.1f, 0.1f, 0.1f}),
        EmbeddingClassifier.Example.ofVector("dark", new float[] {0.2f, 0.15f, 0.1f}),
        EmbeddingClassifier.Example.ofVector("light", new float[] {0.9f, 0.8f, 0.9f}),
        EmbeddingClassifier.Example.ofVector("light", new float[] {0.8f, 0.9f, 0.85f}));
    AtomicInteger reports = new AtomicInteger();
    EmbeddingClassifier clf = EmbeddingClassifier.builder(rgb).l2(0.01)
        .train(ex, (task, done, total, msg) -> reports.incrementAndGet(), CancellationToken.NONE);
    assertThat(reports.get()).isPositive();
    assertThat(clf.classifyVector(new float[] {0.05f, 0.05f, 0.05f}).get(0).label()).isEqualTo("dark");
    BufferedImage white = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    white.getGraphics().fillRect(0, 0, 4, 4);
    assertThat(clf.classify(white).get(0).label()).isEqualTo("light");
    assertThat(clf.classify(white).get(0).probability()).isGreaterThan(0.9f);

    CancellationToken token = new CancellationToken();
    token.cancel();
    assertThatThrownBy(() -> EmbeddingClassifier.builder(rgb).train(ex, ProgressListener.NONE, token))
        .isInstanceOf(CancelledException.class);
  }

  @Test
  void crossValidationChoosesThePenaltyAndTheSummarySurvivesSaving(@TempDir Path dir) {
    // an absurd penalty flattens the model; cross-validation must not pick it
    EmbeddingClassifier cv = EmbeddingClassifier.builder(EMBEDDER).selectL2(3, 1e-3, 1e-1, 1e3)
        .train(train, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(cv.l2()).isIn(1e-3, 1e-1);
    assertThat(cv.validationAccuracy()).isBetween(0.8, 1.0);
    Path f = dir.resolve("cv.model");
    cv.save(f);
    EmbeddingClassifier back = EmbeddingClassifier.load(f, EMBEDDER);
    assertThat(back.l2()).isEqualTo(cv.l2());
    assertThat(back.validationAccuracy()).isEqualTo(cv.validationAccuracy());
    assertThat(back.trainingAccuracy()).isEqualTo(cv.trainingAccuracy());
    assertThat(back.samplesPerLabel()).isEqualTo(cv.samplesPerLabel());
    assertThatThrownBy(() -> EmbeddingClassifier.builder(EMBEDDER).selectL2(1, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EmbeddingClassifier.builder(EMBEDDER).selectL2(3, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoLabelModelsMatchTheirOwnDecisionAndFormatVersion1StillLoads(@TempDir Path dir) {
    ImageEmbedder rgb = new MeanRgb();
    // binomial case: probabilities of the two labels sum to 1 and follow the data's direction
    List<EmbeddingClassifier.Example> ex = new ArrayList<>();
    Random rnd = new Random(5);
    for (int i = 0; i < 40; i++) {
      float v = rnd.nextFloat();
      ex.add(EmbeddingClassifier.Example.ofVector(v > 0.5f ? "bright" : "dim", new float[] {v, v, v}));
    }
    EmbeddingClassifier clf = EmbeddingClassifier.builder(rgb).train(ex, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(clf.classifyVector(new float[] {0.95f, 0.95f, 0.95f}).get(0).label()).isEqualTo("bright");
    assertThat(clf.classifyVector(new float[] {0.05f, 0.05f, 0.05f}).get(0).label()).isEqualTo("dim");
    // a file of format version 1 (written by the former optimiser): loads, summary unknown
    Path v1 = dir.resolve("v1.model");
    io.sightline.core.store.ChecksummedFile.write(v1, new io.sightline.core.store.ChecksummedFile.Header(
        EmbeddingClassifier.KIND, 1, rgb.id()), out -> {
          out.writeInt(2);
          out.writeUTF("dim");
          out.writeUTF("bright");
          out.writeInt(3);
          for (float f : new float[] {0.5f, 0.5f, 0.5f, 0.25f, 0.25f, 0.25f}) { // mean, scale
            out.writeFloat(f);
          }
          for (float f : new float[] {-1, -1, -1, 1, 1, 1}) { // weights, 2 x 3
            out.writeFloat(f);
          }
          out.writeFloat(0);
          out.writeFloat(0);
          out.writeInt(42); // iterations
          out.writeDouble(0.1); // loss
        });
    EmbeddingClassifier old = EmbeddingClassifier.load(v1, rgb);
    assertThat(old.classifyVector(new float[] {0.9f, 0.9f, 0.9f}).get(0).label()).isEqualTo("bright");
    assertThat(old.trainingLoss()).isEqualTo(0.1);
    assertThat(old.l2()).isNaN();
    assertThat(old.samplesPerLabel()).isEmpty();
  }

  @Test
  void badTrainingInputIsTyped() {
    ImageEmbedder rgb = new MeanRgb();
    assertThatThrownBy(() -> EmbeddingClassifier.builder(rgb).train(
        List.of(EmbeddingClassifier.Example.ofVector("a", new float[] {1, 2, 3})), null, null))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("two labels");
    assertThatThrownBy(() -> EmbeddingClassifier.builder(rgb).train(List.of(
        EmbeddingClassifier.Example.ofVector("a", new float[] {1, 2, 3}),
        EmbeddingClassifier.Example.ofVector("b", new float[] {1, 2})), null, null))
        .isInstanceOf(DimensionMismatchException.class);
    assertThatThrownBy(() -> trained.classifyVector(new float[] {1, 2}))
        .isInstanceOf(DimensionMismatchException.class);
    assertThatThrownBy(() -> EmbeddingClassifier.builder(null).train(List.of(), null, null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("embedder");
  }
}
