package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.store.ChecksummedFile;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files of an earlier format are refused with a message that says what to do, or read as
 * they were written: a format 3 file reads its embeddings from the CLS output.
 */
class ModelFileFormatTest {
  @TempDir
  Path tmp;

  @Test
  void aFormat2ModelFileIsRefusedWithAnInstruction() {
    Path old = tmp.resolve("old.model");
    ChecksummedFile.write(old, new ChecksummedFile.Header(CrossModalModel.KIND, 2, "global-descriptor/2"),
        out -> out.writeUTF("word-tokenizer/1"));
    assertThatThrownBy(() -> ModelFile.readMeta(old)).isInstanceOf(IncompatibleFormatException.class)
        .hasMessageContaining("model format 2").hasMessageContaining("train the model again");
  }

  @Test
  void theEmbeddingPoolingIsSavedAndAFormat3FileReadsTheClsOutput() throws Exception {
    List<ImageTextPair> pairs = Fixtures.shapes(tmp.resolve("img"), 2, 4);
    CrossModalTrainer.Builder b = CrossModalTrainer.builder().pairs(pairs).width(16).layers(1).heads(2).epochs(2)
        .batchSize(16).seed(5);
    ImageFeatures f;
    try (CrossModalModel mean = b.embeddingPooling(EmbeddingPooling.MEAN).build().train().model();
        CrossModalModel cls = b.embeddingPooling(EmbeddingPooling.CLS).build().train().model()) {
      assertThat(mean.config().pooling()).isEqualTo(EmbeddingPooling.MEAN);
      assertThat(cls.config().pooling()).isEqualTo(EmbeddingPooling.CLS);
      f = mean.featureExtractor().extract(pairs.get(0).image(), List.of());
      Path meanFile = mean.save(tmp.resolve("mean"));
      Path clsFile = cls.save(tmp.resolve("cls"));
      try (CrossModalModel m = CrossModalModel.load(meanFile)) {
        assertThat(m.config().pooling()).isEqualTo(EmbeddingPooling.MEAN);
        assertThat(m.textEmbedding("a red square")).containsExactly(mean.textEmbedding("a red square"),
            org.assertj.core.data.Offset.offset(1e-6f));
      }
      // the same file as format 3 wrote it (no pooling byte) is read with CLS pooling
      Path format3 = tmp.resolve("format3.model");
      asFormat3(clsFile, format3);
      try (CrossModalModel m = CrossModalModel.load(format3)) {
        assertThat(m.config().pooling()).isEqualTo(EmbeddingPooling.CLS);
        assertThat(m.textEmbedding("a red square")).containsExactly(cls.textEmbedding("a red square"),
            org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(m.imageEmbeddings(List.of(f))[0]).containsExactly(cls.imageEmbeddings(List.of(f))[0],
            org.assertj.core.data.Offset.offset(1e-6f));
      }
      // the pooling is applied: MEAN weights read as CLS give other embeddings
      Path meanAs3 = tmp.resolve("mean3.model");
      asFormat3(meanFile, meanAs3);
      try (CrossModalModel m = CrossModalModel.load(meanAs3)) {
        assertThat(distance(m.textEmbedding("a red square"), mean.textEmbedding("a red square")))
            .isGreaterThan(1e-3);
      }
    }
  }

  @Test
  void theDefaultPoolingReadsTheMeanInputsBesideTheOutputsAndIsSavedAsFormat5() throws Exception {
    List<ImageTextPair> pairs = Fixtures.shapes(tmp.resolve("img"), 2, 4);
    try (CrossModalModel model = CrossModalTrainer.builder().pairs(pairs).width(16).layers(1).heads(2).epochs(2)
        .batchSize(16).seed(5).build().train().model()) {
      assertThat(model.config().pooling()).isEqualTo(EmbeddingPooling.MEAN_AND_INPUTS);
      ImageFeatures f = model.featureExtractor().extract(pairs.get(0).image(), List.of());
      float[] text = model.textEmbedding("a red square");
      float[] image = model.imageEmbeddings(List.of(f))[0];
      Path file = model.save(tmp.resolve("model"));
      int version = ChecksummedFile.read(file, CrossModalModel.KIND, CrossModalModel.FORMAT_VERSION,
          (h, in) -> h.formatVersion());
      assertThat(version).isEqualTo(5);
      try (CrossModalModel m = CrossModalModel.load(file)) {
        assertThat(m.config().pooling()).isEqualTo(EmbeddingPooling.MEAN_AND_INPUTS);
        assertThat(m.textEmbedding("a red square")).containsExactly(text, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(m.imageEmbeddings(List.of(f))[0]).containsExactly(image, org.assertj.core.data.Offset.offset(1e-6f));
      }
      // a format 4 file cannot hold this pooling: the same payload under version 4 is refused
      Path format4 = tmp.resolve("format4.model");
      withVersion(file, format4, 4);
      assertThatThrownBy(() -> CrossModalModel.load(format4)).hasStackTraceContaining("bad pooling");

      // the projections read [mean output ; mean input]: with the output half of each projection
      // zeroed, the embeddings depend on the inputs alone, so re-weighting the transformer layer
      // leaves them as they were (and changes them while the output half is in place)
      var params = model.block.getParameters();
      java.util.function.Consumer<Double> scaleLayer = factor -> params.forEach(p -> {
        if (p.getKey().contains("layer0")) {
          p.getValue().getArray().muli(factor);
        }
      });
      scaleLayer.accept(0.5);
      assertThat(distance(model.textEmbedding("a red square"), text)).isGreaterThan(1e-3);
      assertThat(distance(model.imageEmbeddings(List.of(f))[0], image)).isGreaterThan(1e-3);
      scaleLayer.accept(2.0);
      for (String name : List.of("textProjection_weight", "imageProjection_weight")) {
        ai.djl.ndarray.NDArray w = params.stream().filter(p -> p.getKey().endsWith(name)).findFirst()
            .orElseThrow().getValue().getArray();
        assertThat(w.getShape().get(1)).isEqualTo(32); // twice the width
        w.set(new ai.djl.ndarray.index.NDIndex(":, 0:16"), 0f);
      }
      float[] textFromInputs = model.textEmbedding("a red square");
      float[] imageFromInputs = model.imageEmbeddings(List.of(f))[0];
      scaleLayer.accept(0.5);
      assertThat(model.textEmbedding("a red square")).containsExactly(textFromInputs,
          org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(model.imageEmbeddings(List.of(f))[0]).containsExactly(imageFromInputs,
          org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  private static double distance(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += Math.abs(a[i] - b[i]);
    }
    return d;
  }

  /** A model file's payload (everything after the header) and its embedder id. */
  private record Payload(String embedder, byte[] bytes) {
    static Payload of(Path file) {
      return ChecksummedFile.read(file, CrossModalModel.KIND, CrossModalModel.FORMAT_VERSION,
          (h, in) -> new Payload(h.embedderId(), in.readAllBytes()));
    }

    void writeAs(Path file, int version) {
      ChecksummedFile.write(file, new ChecksummedFile.Header(CrossModalModel.KIND, version, embedder),
          out -> out.write(bytes));
    }
  }

  /** Copies a model file under another format version, the payload unchanged. */
  private static void withVersion(Path from, Path to, int version) {
    Payload.of(from).writeAs(to, version);
  }

  /** Rewrites a format 4 model file as format 3 wrote it: the same payload without the pooling byte. */
  private static void asFormat3(Path from, Path to) throws java.io.IOException {
    Payload p = Payload.of(from);
    java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(p.bytes()));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    out.writeUTF(in.readUTF()); // tokenizer
    for (int i = 0; i < 9; i++) {
      out.writeInt(in.readInt());
    }
    out.writeFloat(in.readFloat());
    in.readUnsignedByte(); // the pooling, new in format 4
    in.transferTo(out);
    out.flush();
    new Payload(p.embedder(), bytes.toByteArray()).writeAs(to, 3);
  }
}
