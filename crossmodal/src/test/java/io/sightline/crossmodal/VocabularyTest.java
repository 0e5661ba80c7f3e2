package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The vocabulary built from a corpus: specials, then units by frequency, cut by count and size. */
class VocabularyTest {
  private static final List<String> SPECIALS = List.of("[PAD]", "[UNK]", "[CLS]", "[MASK]");
  private static final List<String> CORPUS = List.of("b b b c c a", "z y");

  @Test
  void unitsFollowTheSpecialsMostFrequentFirstThenAlphabetically() {
    Vocabulary v = Vocabulary.build(CORPUS, new WordTokenizer(), 1, 100);
    assertThat(v.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "[MASK]", "b", "c", "a", "y", "z");
    assertThat(v.id("b")).isEqualTo(Vocabulary.SPECIALS);
    assertThat(v.token(Vocabulary.SPECIALS + 1)).isEqualTo("c");
  }

  @Test
  void theLargestSizeKeepsTheMostFrequentUnitsAndCountsTheSpecials() {
    Vocabulary v = Vocabulary.build(CORPUS, new WordTokenizer(), 1, 6);
    assertThat(v.size()).isEqualTo(6);
    assertThat(v.tokens()).endsWith("b", "c");
    assertThat(Vocabulary.build(CORPUS, new WordTokenizer(), 1, 4).tokens()).isEqualTo(SPECIALS);
  }

  @Test
  void rareUnitsBecomeUnknown() {
    Vocabulary v = Vocabulary.build(CORPUS, new WordTokenizer(), 2, 100);
    assertThat(v.tokens()).containsExactly("[PAD]", "[UNK]", "[CLS]", "[MASK]", "b", "c");
    assertThat(v.contains("b")).isTrue();
    assertThat(v.contains("a")).isFalse();
    assertThat(v.id("a")).isEqualTo(Vocabulary.UNK);
  }

  @Test
  void aVocabularyOfTheSpecialsAloneIsValidButFewerIsNot() {
    assertThat(new Vocabulary(SPECIALS).size()).isEqualTo(4);
    assertThatThrownBy(() -> new Vocabulary(SPECIALS.subList(0, 3))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Vocabulary(List.of("[PAD]", "[UNK]", "[MASK]", "[CLS]")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theWordTokenizersIdIsTheOneRecordedInModels() {
    // models record this id and refuse a tokenizer with another one when loaded
    assertThat(new WordTokenizer().id()).isEqualTo("words/1");
  }
}
