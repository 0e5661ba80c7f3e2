package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntityExtractorsTest {
  @TempDir
  Path tmp;

  private static List<String> keys(List<EntityMention> ms) {
    return ms.stream().map(EntityMention::key).collect(Collectors.toList());
  }

  @Test
  void normalisesSurfaceFormsSoIdenticalEntitiesGroup() {
    assertThat(EntityNames.key("The Flag of  Peru's")).isEqualTo("flag of peru");
    assertThat(EntityNames.key("flag of Peru")).isEqualTo("flag of peru");
    assertThat(EntityNames.key("“Sydney Opera House”")).isEqualTo("sydney opera house");
    assertThat(EntityNames.key("ＰＥＲＵ")).isEqualTo("peru");
    assertThat(EntityNames.key("...")).isEmpty();
    assertThat(EntityNames.words("flag of peru")).isEqualTo(3);
    assertThat(EntityNames.words("秘鲁国旗")).isEqualTo(4);
  }

  @Test
  void openNlpFindsProperNounsAndNounPhrases() {
    OpenNlpEntityExtractor x = OpenNlpEntityExtractor.english();
    List<EntityMention> ms = x.extract("The flag of Peru has three vertical bands. "
        + "It was photographed near the Sydney Opera House by a tourist.");
    List<String> keys = keys(ms);
    assertThat(keys).contains("flag of peru", "peru", "sydney opera house", "flag", "vertical bands");
    EntityMention peru = ms.stream().filter(m -> m.key().equals("peru")).findFirst().orElseThrow();
    assertThat(peru.kind()).isEqualTo(EntityKind.PROPER_NOUN);
    assertThat(ms.stream().filter(m -> m.key().equals("flag of peru")).findFirst().orElseThrow().kind())
        .isEqualTo(EntityKind.NAMED_PHRASE);
    // offsets point at the surface in the text
    String text = "Visit the Sydney Opera House today.";
    EntityMention soh = x.extract(text).stream().filter(m -> m.key().equals("sydney opera house"))
        .findFirst().orElseThrow();
    assertThat(text.substring(soh.start(), soh.end())).isEqualTo("Sydney Opera House");
    assertThat(x.extract("  ")).isEmpty();
  }

  @Test
  void openNlpIsSafeToUseFromManyThreads() throws Exception {
    OpenNlpEntityExtractor x = OpenNlpEntityExtractor.english();
    String text = "The national flag of Brazil shows a blue globe. Brasilia is the capital of Brazil.";
    List<String> expected = keys(x.extract(text));
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < 20; i++) {
          if (!keys(x.extract(text)).equals(expected)) {
            errors.add(new AssertionError("different result"));
          }
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    assertThat(errors).isEmpty();
    assertThat(expected).contains("brazil", "flag of brazil", "brasilia");
  }

  @Test
  void dictionaryWorksOnTextWithoutSpacesAndRespectsWordBoundaries() {
    DictionaryEntityExtractor d = DictionaryEntityExtractor.withAliases(Map.of(
        "flag of Peru", List.of("秘鲁国旗", "Peruvian flag"),
        "Peru", List.of("秘鲁"),
        "Sydney Opera House", List.of("悉尼歌剧院")));
    List<EntityMention> zh = d.extract("这是秘鲁国旗的图片，不是悉尼歌剧院。");
    assertThat(keys(zh)).containsExactly("flag of peru", "sydney opera house");
    assertThat(zh.get(0).surface()).isEqualTo("flag of Peru");
    assertThat(zh.get(0).kind()).isEqualTo(EntityKind.DICTIONARY);
    assertThat(keys(d.extract("秘鲁"))).containsExactly("peru");
    // longest match, case-insensitive, word boundaries for spaced scripts
    assertThat(keys(d.extract("A PERUVIAN FLAG waves."))).containsExactly("flag of peru");
    assertThat(keys(d.extract("Peruvian food"))).isEmpty();
    assertThat(keys(d.extract("Peru, again: peru."))).containsExactly("peru", "peru");
    assertThat(d.id()).startsWith("dictionary/1:3:");
    assertThat(DictionaryEntityExtractor.of(List.of("Peru")).id()).isNotEqualTo(d.id());
  }

  @Test
  void dictionaryFileIsReadWithAliasesAndBadFilesAreReported() throws Exception {
    Path f = tmp.resolve("dict.tsv");
    Files.writeString(f, "# flags\nflag of Peru\t秘鲁国旗|Peruvian flag\n\nJapan\n", StandardCharsets.UTF_8);
    DictionaryEntityExtractor d = DictionaryEntityExtractor.load(f);
    assertThat(d.size()).isEqualTo(2);
    assertThat(keys(d.extract("秘鲁国旗和Japan"))).containsExactly("flag of peru", "japan");
    Path bad = tmp.resolve("bad.tsv");
    Files.write(bad, new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
    assertThatThrownBy(() -> DictionaryEntityExtractor.load(bad)).isInstanceOf(InputFormatException.class)
        .hasMessageContaining("bad.tsv:2").hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> DictionaryEntityExtractor.load(tmp.resolve("none.tsv")))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("not found");
  }

  @Test
  void nameFinderTrainsSavesAndLoads() {
    List<String> corpus = new ArrayList<>();
    String[] names = {"Sydney Opera House", "Eiffel Tower", "Golden Gate Bridge", "Taj Mahal", "Big Ben",
        "Colosseum", "Machu Picchu", "Mount Fuji"};
    String[] frames = {"A photo of the <START:landmark> %s <END> at sunset .",
        "Tourists visit <START:landmark> %s <END> every year .",
        "This postcard shows <START:landmark> %s <END> in summer .",
        "We walked to <START:landmark> %s <END> after lunch ."};
    for (String n : names) {
      for (String fr : frames) {
        corpus.add(String.format(fr, n));
      }
    }
    NameFinderEntityExtractor nf = NameFinderEntityExtractor.train(corpus,
        NameFinderEntityExtractor.Options.defaults(), CancellationToken.NONE);
    List<EntityMention> found = nf.extract("Tourists visit Eiffel Tower every year. A photo of the Taj Mahal at sunset.");
    assertThat(keys(found)).contains("eiffel tower", "taj mahal");
    assertThat(found.get(0).kind()).isEqualTo(EntityKind.NAME);

    Path model = tmp.resolve("landmarks.namefinder");
    nf.save(model);
    NameFinderEntityExtractor back = NameFinderEntityExtractor.load(model);
    assertThat(back.id()).isEqualTo(nf.id());
    assertThat(keys(back.extract("Tourists visit Eiffel Tower every year."))).contains("eiffel tower");
  }

  @Test
  void nameFinderRejectsBadTrainingTextAndBadModelFiles() throws Exception {
    assertThatThrownBy(() -> NameFinderEntityExtractor.train(List.of("no names here ."),
        NameFinderEntityExtractor.Options.defaults(), CancellationToken.NONE))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("no <START>");
    assertThatThrownBy(() -> NameFinderEntityExtractor.train(List.of("ok <START:x> A <END> .",
        "broken <START:x> B ."), NameFinderEntityExtractor.Options.defaults(), CancellationToken.NONE))
        .isInstanceOf(InputFormatException.class).hasMessageContaining("line 2");
    Path junk = tmp.resolve("junk.bin");
    Files.writeString(junk, "this is not a model at all, just some text");
    assertThatThrownBy(() -> NameFinderEntityExtractor.load(junk)).isInstanceOf(ModelException.class)
        .hasMessageContaining("junk.bin");
    assertThatThrownBy(() -> NameFinderEntityExtractor.load(tmp.resolve("missing.bin")))
        .isInstanceOf(ModelException.class).hasMessageContaining("not found");
  }

  @Test
  void pageEntitiesRecordPositions() {
    Reference r = new Reference("p1", "Flag of Peru", "The flag of Peru is red and white. Lima is the capital of Peru.",
        Map.of("subject", "Peru"), 10, 5, 1);
    List<PageEntity> es = PageEntities.extract(OpenNlpEntityExtractor.english(), r);
    assertThat(es).anySatisfy(e -> {
      assertThat(e.key()).isEqualTo("flag of peru");
      assertThat(e.position()).isEqualTo(TextPosition.TITLE);
    });
    assertThat(es).anySatisfy(e -> {
      assertThat(e.key()).isEqualTo("flag of peru");
      assertThat(e.position()).isEqualTo(TextPosition.FIRST_SENTENCE);
    });
    assertThat(es).anySatisfy(e -> {
      assertThat(e.key()).isEqualTo("peru");
      assertThat(e.position()).isEqualTo(TextPosition.FIELD);
    });
    assertThat(es).anySatisfy(e -> {
      assertThat(e.key()).isEqualTo("lima");
      assertThat(e.position()).isEqualTo(TextPosition.BODY);
    });
  }
}
