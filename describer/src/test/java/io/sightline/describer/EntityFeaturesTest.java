package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The feature parameters of claim 7 and the statistics of claims 4-5, by hand. */
class EntityFeaturesTest {
  private static final Reference A = new Reference("a", "Flag of Peru", "", Map.of(), 100, 40, 10);
  private static final Reference B = new Reference("b", "Travel", "", Map.of(), 300, 60, 2);
  private static final List<ReferenceMatch> MATCHES = List.of(
      new ReferenceMatch(A, "img1", 0.9, 1), new ReferenceMatch(B, "img2", 0.6, 2));
  private static final Map<String, List<PageEntity>> ENTITIES = Map.of(
      "a", List.of(
          new PageEntity("flag of peru", "Flag of Peru", EntityKind.NAMED_PHRASE, TextPosition.TITLE, 1),
          new PageEntity("flag of peru", "flag of Peru", EntityKind.NAMED_PHRASE, TextPosition.BODY, 2),
          new PageEntity("lima", "Lima", EntityKind.PROPER_NOUN, TextPosition.BODY, 1)),
      "b", List.of(
          new PageEntity("flag of peru", "flag of Peru", EntityKind.NAMED_PHRASE, TextPosition.FIRST_SENTENCE, 1),
          new PageEntity("brazil", "Brazil", EntityKind.PROPER_NOUN, TextPosition.TITLE, 1)));

  private static EntityCandidate find(List<EntityCandidate> cs, String key) {
    return cs.stream().filter(c -> c.key().equals(key)).findFirst().orElseThrow();
  }

  @Test
  void groupedStatistics() {
    List<EntityCandidate> cs = EntityFeatures.compute(ScoringMode.GROUPED, MATCHES, ENTITIES,
        Map.of("flag of peru", 5, "lima", 1, "brazil", 50), 100);
    assertThat(cs).extracting(EntityCandidate::key).containsExactly("flag of peru", "lima", "brazil");
    EntityCandidate peru = find(cs, "flag of peru");
    assertThat(peru.name()).isEqualTo("flag of Peru"); // most frequent surface form
    assertThat(peru.referenceIds()).containsExactly("a", "b");
    assertThat(peru.feature("matchedReferences")).isEqualTo(2);
    assertThat(peru.feature("references")).isEqualTo(2);
    assertThat(peru.feature("referenceShare")).isEqualTo(1.0);
    assertThat(peru.feature("displays")).isCloseTo(Math.log1p(400), within(1e-9));
    assertThat(peru.feature("views")).isCloseTo(Math.log1p(100), within(1e-9));
    assertThat(peru.feature("clicks")).isCloseTo(Math.log1p(12), within(1e-9));
    assertThat(peru.feature("clickRate")).isCloseTo(12 / 400.0, within(1e-9));
    assertThat(peru.feature("occurrences")).isEqualTo(4);
    assertThat(peru.feature("occurrencesAvg")).isEqualTo(2);
    assertThat(peru.feature("positionWeightMax")).isEqualTo(1.0);
    assertThat(peru.feature("positionWeightAvg")).isCloseTo((1.0 + 0.6) / 2, within(1e-9));
    assertThat(peru.feature("titleShare")).isEqualTo(0.5);
    // share on page a: (1*1.0 + 2*0.3) / (1.6 + 0.3) ; on page b: 0.6 / (0.6 + 1.0)
    double shareA = 1.6 / 1.9;
    double shareB = 0.6 / 1.6;
    assertThat(peru.feature("entityMatch")).isCloseTo((0.9 * shareA + 0.6 * shareB) / 1.5, within(1e-6));
    assertThat(peru.feature("entityMatchMax")).isCloseTo(0.9 * shareA, within(1e-6));
    assertThat(peru.feature("sourceMatchMax")).isCloseTo(0.9, within(1e-9));
    assertThat(peru.feature("sourceMatchAvg")).isCloseTo(0.75, within(1e-9));
    assertThat(peru.feature("topSimilarity")).isCloseTo(0.9, within(1e-9));
    assertThat(peru.feature("bestRank")).isEqualTo(1);
    assertThat(peru.feature("databaseFrequency")).isCloseTo(0.05, within(1e-9));
    assertThat(peru.feature("nameLike")).isEqualTo(EntityKind.NAMED_PHRASE.nameLike());
    assertThat(peru.feature("words")).isEqualTo(3);
    EntityCandidate brazil = find(cs, "brazil");
    assertThat(brazil.feature("references")).isEqualTo(1);
    assertThat(brazil.feature("referenceShare")).isEqualTo(0.5);
    assertThat(brazil.feature("bestRank")).isEqualTo(2);
    assertThat(brazil.feature("sourceMatchMax")).isCloseTo(0.6, within(1e-9));
  }

  @Test
  void perMentionRowsAreOnePerEntityAndPage() {
    List<EntityCandidate> cs = EntityFeatures.compute(ScoringMode.PER_MENTION, MATCHES, ENTITIES,
        Map.of("flag of peru", 5), 100);
    assertThat(cs).hasSize(4);
    List<EntityCandidate> peru = cs.stream().filter(c -> c.key().equals("flag of peru")).toList();
    assertThat(peru).hasSize(2);
    EntityCandidate onA = peru.stream().filter(c -> c.referenceIds().equals(List.of("a"))).findFirst().orElseThrow();
    assertThat(onA.feature("occurrences")).isEqualTo(3);
    assertThat(onA.feature("positionWeight")).isEqualTo(1.0);
    assertThat(onA.feature("inTitle")).isEqualTo(1.0);
    assertThat(onA.feature("sourceMatch")).isCloseTo(0.9, within(1e-9));
    assertThat(onA.feature("rank")).isEqualTo(1);
    assertThat(onA.feature("displays")).isCloseTo(Math.log1p(100), within(1e-9));
    EntityCandidate onB = peru.stream().filter(c -> c.referenceIds().equals(List.of("b"))).findFirst().orElseThrow();
    assertThat(onB.feature("positionWeight")).isEqualTo(0.6);
    assertThat(onB.feature("inTitle")).isZero();
    assertThat(onB.feature("entityMatch")).isCloseTo(0.6 * 0.6 / 1.6, within(1e-6));
    assertThat(find(cs, "lima").feature("databaseFrequency")).isZero();
  }
}
