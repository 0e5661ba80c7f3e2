package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Entity keys, word counts, position weights and where on a page an entity sits (claim 7). */
class TextRulesTest {

  @Test
  void keysFoldCaseApostrophesDashesArticlesPossessivesAndPunctuation() {
    assertThat(EntityNames.key("Peru\u2019s")).isEqualTo("peru");
    assertThat(EntityNames.key("\u2018Peru\u2019")).isEqualTo("peru");
    assertThat(EntityNames.key("Peru'")).isEqualTo("peru");
    assertThat(EntityNames.key("Guinea\u2013Bissau")).isEqualTo("guinea-bissau");
    assertThat(EntityNames.key("Guinea\u2014Bissau")).isEqualTo("guinea-bissau");
    assertThat(EntityNames.key("An Apple")).isEqualTo("apple");
    assertThat(EntityNames.key("a  flag")).isEqualTo("flag");
    assertThat(EntityNames.key("(The Andes)")).isEqualTo("andes");
    assertThat(EntityNames.key(" \tflag\n of\u00a0 Peru. ")).isEqualTo("flag of peru");
    // an article is only a whole leading word
    assertThat(EntityNames.key("Theatre")).isEqualTo("theatre");
    assertThat(EntityNames.key("Anchorage")).isEqualTo("anchorage");
    assertThat(EntityNames.key("the")).isEqualTo("the");
    assertThat(EntityNames.key("\"!?\"")).isEmpty();
    assertThat(EntityNames.key("")).isEmpty();
    // letters beyond the BMP are letters; symbols beyond it are punctuation
    assertThat(EntityNames.key("\uD835\uDC00bc")).isEqualTo("abc"); // NFKC of MATHEMATICAL BOLD CAPITAL A
    assertThat(EntityNames.key("\uD83C\uDDF5\uD83C\uDDEA Peru \uD83D\uDE00")).isEqualTo("peru");
    assertThat(EntityNames.key("\uD840\uDC0B\uD840\uDC0B")).isEqualTo("\uD840\uDC0B\uD840\uDC0B");
  }

  @Test
  void wordsCountSpacedWordsOrUnspacedCodePoints() {
    assertThat(EntityNames.words("")).isZero();
    assertThat(EntityNames.words("peru")).isEqualTo(1);
    assertThat(EntityNames.words("sydney opera house")).isEqualTo(3);
    assertThat(EntityNames.words("秘鲁国旗")).isEqualTo(4);
    assertThat(EntityNames.words("ธงชาติ")).isEqualTo(6);
    assertThat(EntityNames.words("\uD840\uDC0B\uD840\uDC0B")).as("code points, not chars").isEqualTo(2);
    assertThat(EntityNames.words("秘鲁 国旗")).as("spaced CJK counts words").isEqualTo(2);
    assertThat(EntityNames.words("peru秘鲁")).as("a spaced script first counts words").isEqualTo(1);
  }

  @Test
  void positionWeightsRankTitleOverFieldOverFirstSentenceOverBody() {
    assertThat(TextPosition.TITLE.weight()).isEqualTo(1.0);
    assertThat(TextPosition.FIELD.weight()).isEqualTo(0.8);
    assertThat(TextPosition.FIRST_SENTENCE.weight()).isEqualTo(0.6);
    assertThat(TextPosition.BODY.weight()).isEqualTo(0.3);
  }

  private static final DictionaryEntityExtractor DICT = DictionaryEntityExtractor.withAliases(Map.of(
      "Peru", List.of("秘鲁"), "Lima", List.of(), "Andes", List.of()));

  private static String row(PageEntity e) {
    return e.key() + "/" + e.position() + "/" + e.occurrences() + "/" + e.surface() + "/" + e.kind();
  }

  @Test
  void pageEntitiesAreCountedPerPosition() {
    Reference r = new Reference("p", "Peru and Lima", "Peru, Peru and Lima. Then Lima and the Andes. Peru.",
        Fixtures.fields("capital", "Lima"), 0, 0, 0);
    assertThat(PageEntities.extract(DICT, r)).extracting(TextRulesTest::row).containsExactly(
        "peru/TITLE/1/Peru/DICTIONARY", "lima/TITLE/1/Lima/DICTIONARY", "lima/FIELD/1/Lima/DICTIONARY",
        "peru/FIRST_SENTENCE/2/Peru/DICTIONARY", "lima/FIRST_SENTENCE/1/Lima/DICTIONARY",
        "lima/BODY/1/Lima/DICTIONARY", "andes/BODY/1/Andes/DICTIONARY", "peru/BODY/1/Peru/DICTIONARY");
  }

  @Test
  void everyFieldCountsAndTextIsNfkcNormalisedFirst() {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    fields.put("a", "ＰＥＲＵ");
    fields.put("b", "Peru");
    Reference r = new Reference("p", "", "", fields, 0, 0, 0);
    assertThat(PageEntities.extract(DICT, r)).extracting(TextRulesTest::row)
        .containsExactly("peru/FIELD/2/Peru/DICTIONARY");
  }

  @Test
  void theFirstSentenceIsTheFirstNonBlankOneAndOnlyMentionsStartingInItCount() {
    Reference lead = Reference.of("p", "", "\n\n\nPeru is here.\nLima is not. Andes");
    assertThat(PageEntities.extract(DICT, lead)).extracting(TextRulesTest::row).containsExactly(
        "peru/FIRST_SENTENCE/1/Peru/DICTIONARY", "lima/BODY/1/Lima/DICTIONARY", "andes/BODY/1/Andes/DICTIONARY");
    // a text of one sentence is all first sentence
    assertThat(PageEntities.extract(DICT, Reference.of("p", "", "Peru and Lima")))
        .extracting(TextRulesTest::row).containsExactly("peru/FIRST_SENTENCE/1/Peru/DICTIONARY",
            "lima/FIRST_SENTENCE/1/Lima/DICTIONARY");
    // CJK sentence ends
    assertThat(PageEntities.extract(DICT, Reference.of("p", "", "这是秘鲁。秘鲁很大。")))
        .extracting(TextRulesTest::row).containsExactly("peru/FIRST_SENTENCE/1/Peru/DICTIONARY",
            "peru/BODY/1/Peru/DICTIONARY");
    String text = "Peru is here. Lima";
    int end = PageEntities.firstSentenceEnd(text);
    assertThat(text.substring(0, end)).isEqualTo("Peru is here. ");
    assertThat(PageEntities.firstSentenceEnd("   ")).isEqualTo(3);
    assertThat(PageEntities.firstSentenceEnd("\n\nLima. Peru")).isEqualTo("\n\nLima. ".length());
    // paragraph separators make blank sentences of their own, which are skipped
    assertThat(PageEntities.firstSentenceEnd("\u2029\u2029Lima. Peru")).isEqualTo("\u2029\u2029Lima. ".length());
    assertThat(PageEntities.extract(DICT, Reference.of("p", "", "\u2029Peru is here. Lima")))
        .extracting(TextRulesTest::row).containsExactly("peru/FIRST_SENTENCE/1/Peru/DICTIONARY",
            "lima/BODY/1/Lima/DICTIONARY");
  }

  @Test
  void aBlankTextIsNotGivenToTheExtractor() {
    List<String> seen = new ArrayList<>();
    EntityExtractor recording = new EntityExtractor() {
      @Override
      public String id() {
        return "rec";
      }

      @Override
      public List<EntityMention> extract(String text) {
        seen.add(text);
        return List.of();
      }
    };
    PageEntities.extract(recording, Reference.of("p", "Title", " \n "));
    assertThat(seen).containsExactly("Title");
  }
}
