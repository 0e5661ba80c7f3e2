package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.InputFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gazetteer's documented matching rules: longest match, word boundaries, folding, aliases. */
class DictionaryRulesTest {
  @TempDir
  Path tmp;

  private static List<String> found(DictionaryEntityExtractor d, String text) {
    return d.extract(text).stream().map(m -> m.key() + "@" + m.start() + "-" + m.end() + ":" + m.surface()).toList();
  }

  @Test
  void spacedScriptsMatchOnlyAtWordBoundariesAtBothEnds() {
    DictionaryEntityExtractor d = DictionaryEntityExtractor.of(List.of("Peru", "U.S.", "R2"));
    assertThat(found(d, "xPeru Peru")).containsExactly("peru@6-10:Peru");
    assertThat(found(d, "Perus Peru")).containsExactly("peru@6-10:Peru");
    assertThat(found(d, "3Peru Peru4 (Peru)")).containsExactly("peru@13-17:Peru");
    assertThat(found(d, "Peru")).containsExactly("peru@0-4:Peru");
    // an entry ending in punctuation ends at a boundary whatever follows
    assertThat(found(d, "U.S.Army")).containsExactly("u.s@0-4:U.S.");
    assertThat(found(d, "R2D2 R2-D2")).containsExactly("r2@5-7:R2");
    // a spaced-script entry inside unspaced text: CJK characters are not word characters
    assertThat(found(d, "这是Peru国旗")).containsExactly("peru@2-6:Peru");
  }

  @Test
  void unspacedScriptsMatchAnywhereAndTheLongestEntryWins() {
    DictionaryEntityExtractor d = DictionaryEntityExtractor.withAliases(Map.of(
        "flag of Peru", List.of("秘鲁国旗"), "Peru", List.of("秘鲁"), "flag", List.of()));
    assertThat(found(d, "这是秘鲁国旗的图片")).containsExactly("flag of peru@2-6:flag of Peru");
    assertThat(found(d, "秘鲁秘鲁")).containsExactly("peru@0-2:Peru", "peru@2-4:Peru");
    assertThat(found(d, "the flag of Peru")).containsExactly("flag of peru@4-16:flag of Peru");
    // the longer entry does not complete: the shorter one found on the way is kept
    assertThat(found(d, "flag of Per")).containsExactly("flag@0-4:flag");
    assertThat(found(d, "flag of Peruvians")).containsExactly("flag@0-4:flag");
  }

  @Test
  void matchingFoldsCaseWhiteSpaceAndTypographicApostrophes() {
    DictionaryEntityExtractor d = DictionaryEntityExtractor.of(List.of("Peru's Flag", "Machu Picchu"));
    assertThat(found(d, "PERU\u2019S\tFLAG")).containsExactly("peru's flag@0-11:Peru's Flag");
    assertThat(found(d, "machu\npicchu")).containsExactly("machu picchu@0-12:Machu Picchu");
    assertThat(found(d, "machu\u0000picchu")).as("only white space separates words").isEmpty();
    assertThat(d.extract(null)).isEmpty();
    assertThat(d.extract(" \n ")).isEmpty();
    assertThat(d.extract("machu").stream().map(EntityMention::kind)).isEmpty();
    assertThat(d.extract("Machu Picchu").get(0).kind()).isEqualTo(EntityKind.DICTIONARY);
  }

  @Test
  void aliasesGroupWithTheirCanonicalNameAndTheFirstEntryOwnsASharedPhrase() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("Peru", Arrays.asList("Republic of Peru", " ", null, "Perú"));
    m.put("Lima", List.of("Perú"));
    DictionaryEntityExtractor d = DictionaryEntityExtractor.withAliases(m);
    assertThat(d.size()).isEqualTo(2);
    assertThat(found(d, "the Republic of Peru")).containsExactly("peru@4-20:Peru");
    // "Lima" sorts before "Peru": entries are taken in name order, so the alias belongs to Lima
    assertThat(found(d, "Perú")).containsExactly("lima@0-4:Lima");
  }

  @Test
  void badDictionariesAreRefused() {
    assertThatThrownBy(() -> DictionaryEntityExtractor.of(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> DictionaryEntityExtractor.of(List.of("Peru", "..."))).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("without letters");
    assertThatThrownBy(() -> DictionaryEntityExtractor.of(List.of("  "))).isInstanceOf(
        IllegalArgumentException.class);
  }

  @Test
  void theIdNamesTheEntriesAndAliasesWhateverTheirOrder() {
    Map<String, List<String>> ab = new LinkedHashMap<>();
    ab.put("Peru", List.of("Perú"));
    ab.put("Lima", List.of());
    Map<String, List<String>> ba = new LinkedHashMap<>();
    ba.put("Lima", List.of());
    ba.put("Peru", List.of("Perú"));
    String id = DictionaryEntityExtractor.withAliases(ab).id();
    assertThat(id).matches("dictionary/1:2:[0-9a-f]{16}");
    assertThat(DictionaryEntityExtractor.withAliases(ba).id()).isEqualTo(id);
    assertThat(DictionaryEntityExtractor.withAliases(Map.of("Peru", List.of(), "Lima", List.of())).id())
        .isNotEqualTo(id);
    assertThat(DictionaryEntityExtractor.withAliases(Map.of("Peru", List.of("Lima"))).id()).isNotEqualTo(
        DictionaryEntityExtractor.withAliases(Map.of("Peru Lima", List.of())).id());
  }

  @Test
  void unspacedScriptsAreKnown() {
    for (String s : List.of("秘", "ひ", "カ", "ธ", "ລ", "ក", "မ", "ཀ")) {
      assertThat(DictionaryEntityExtractor.isUnspacedScript(s.codePointAt(0))).as(s).isTrue();
    }
    for (String s : List.of("a", "é", "Ж", "ا", "1", " ")) {
      assertThat(DictionaryEntityExtractor.isUnspacedScript(s.codePointAt(0))).as(s).isFalse();
    }
    assertThat(DictionaryEntityExtractor.isUnspacedScript(-1)).isFalse();
  }

  @Test
  void dictionaryFilesMergeRepeatedNamesAndReportBadLines() throws Exception {
    Path f = tmp.resolve("d.tsv");
    Files.writeString(f, "#comment\n  \nPeru\tPerú| |Republic of Peru\nPeru\tPeruvian Republic\nLima\n",
        StandardCharsets.UTF_8);
    DictionaryEntityExtractor d = DictionaryEntityExtractor.load(f);
    assertThat(d.size()).isEqualTo(2);
    assertThat(found(d, "Perú, Republic of Peru, Peruvian Republic, Lima, #comment")).containsExactly(
        "peru@0-4:Peru", "peru@6-22:Peru", "peru@24-41:Peru", "lima@43-47:Lima");
    Path noLetters = tmp.resolve("n.tsv");
    Files.writeString(noLetters, "Peru\n---\tx\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> DictionaryEntityExtractor.load(noLetters)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("n.tsv:2").hasMessageContaining("without letters");
    Path empty = tmp.resolve("e.tsv");
    Files.writeString(empty, "# nothing\n\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> DictionaryEntityExtractor.load(empty)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("no entries");
  }
}
