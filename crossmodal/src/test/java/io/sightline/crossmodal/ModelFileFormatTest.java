package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.store.ChecksummedFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files of an earlier format are refused with a message that says what to do. */
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
}
