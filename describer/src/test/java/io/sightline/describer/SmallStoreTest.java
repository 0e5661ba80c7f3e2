package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A first small try: a store of one or two pages, kept in memory (issue 17). */
class SmallStoreTest {

  private static void addFlag(ReferenceStore store, String country) {
    store.add(new Reference(country + "-page", "Flag of " + Fixtures.display(country),
        "The flag of " + Fixtures.display(country) + " flies over the square.",
        Map.of("subject", "flag of " + Fixtures.display(country)), 100, 30, 4),
        ImageSource.ofPath(Fixtures.FLAGS.resolve(country + ".png")));
  }

  @Test
  void aStoreOfOnePageNamesItsImageWithTheMostSpecificName() {
    try (ReferenceStore store = ReferenceStore.inMemory()) {
      addFlag(store, "peru");
      Description d = ImageDescriber.builder().store(store).build().describe(Fixtures.transformed("peru"), "peru");
      // every entity is on every page of a one-page store: without smoothing all are "generic" (score 0)
      assertThat(d.status()).as(d.candidates().toString()).isEqualTo(Description.Status.DESCRIBED);
      // "flag", "Peru" and "flag of Peru" tie on score; the longest, most specific name wins
      assertThat(d.best().key()).isEqualTo("flag of peru");
      assertThat(d.entities()).extracting(ScoredEntity::key).contains("flag");
    }
  }

  @Test
  void inATwoPageStoreAWordOnEveryPageIsGeneric() {
    try (ReferenceStore store = ReferenceStore.inMemory()) {
      addFlag(store, "peru");
      addFlag(store, "japan");
      Description d = ImageDescriber.builder().store(store).build().describe(Fixtures.transformed("peru"), "peru");
      assertThat(d.best().key()).isEqualTo("flag of peru");
      ScoredEntity flag = d.candidates().stream().filter(e -> e.key().equals("flag")).findFirst().orElseThrow();
      assertThat(flag.accepted()).as("'flag' is on both pages").isFalse();
      assertThat(flag.score()).isLessThan(d.best().score());
    }
  }

  @Test
  void anInMemoryStoreLivesUntilClosedAndIsPrivate(@TempDir Path dir) {
    try (ReferenceStore a = ReferenceStore.inMemory(); ReferenceStore b = ReferenceStore.inMemory()) {
      addFlag(a, "peru");
      assertThat(a.size()).isEqualTo(1);
      assertThat(b.size()).as("each in-memory store has its own database").isZero();
    }
    try (ReferenceStore again = ReferenceStore.inMemory()) {
      assertThat(again.size()).isZero();
    }
    assertThatThrownBy(() -> ReferenceStore.builder().inMemory().directory(dir).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not several");
  }
}
