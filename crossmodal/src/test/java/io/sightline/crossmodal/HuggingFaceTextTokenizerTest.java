package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.ModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceTextTokenizerTest {
  @TempDir
  Path tmp;

  static Path wordPiece(Path dir) throws Exception {
    Path f = dir.resolve("tokenizer.json");
    Files.writeString(f, """
        {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
         "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                        "strip_accents": null, "lowercase": true},
         "pre_tokenizer": {"type": "BertPreTokenizer"}, "post_processor": null,
         "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                   "max_input_chars_per_word": 100,
                   "vocab": {"[UNK]": 0, "a": 1, "red": 2, "green": 3, "blue": 4, "yellow": 5,
                             "squ": 6, "##are": 7, "disc": 8}}}
        """);
    return f;
  }

  @Test
  void subWordUnitsShareTheirWord() throws Exception {
    try (HuggingFaceTextTokenizer t = HuggingFaceTextTokenizer.load(wordPiece(tmp))) {
      List<TextUnit> units = t.tokenize("A red Square");
      assertThat(units).extracting(TextUnit::token).containsExactly("a", "red", "squ", "##are");
      assertThat(units).extracting(TextUnit::word).containsExactly(0, 1, 2, 2);
      assertThat(t.detokenize(List.of("a", "squ", "##are"))).isEqualTo("a square");
      assertThat(t.id()).startsWith("hf:tokenizer.json@sha256:");
    }
  }

  @Test
  void trainsWithAWordPieceVocabulary() throws Exception {
    List<ImageTextPair> pairs = Fixtures.shapes(tmp.resolve("img"), 1, 2);
    try (HuggingFaceTextTokenizer t = HuggingFaceTextTokenizer.load(wordPiece(tmp))) {
      TrainingResult r = CrossModalTrainer.builder().pairs(pairs).tokenizer(t).width(16).layers(1)
          .heads(2).epochs(1).build().train();
      try (var m = r.model()) {
        assertThat(m.vocabulary().tokens()).contains("squ", "##are");
        assertThat(m.tokenizerId()).isEqualTo(t.id());
      }
    }
  }

  @Test
  void refusesAMissingOrMalformedTokenizer() throws Exception {
    assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(tmp.resolve("none.json")))
        .isInstanceOf(ModelException.class).hasMessageContaining("no such tokenizer");
    Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"model\": 3}");
    assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(bad))
        .isInstanceOf(ModelException.class).hasMessageContaining("not a HuggingFace tokenizer");
  }
}
