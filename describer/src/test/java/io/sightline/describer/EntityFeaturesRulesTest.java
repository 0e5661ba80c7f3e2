package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The feature definitions of {@link FeatureSchema} on a case where every statistic differs from its
 * neighbours: the best match mentions neither entity under test, a match has no stored entities, and
 * one entity is stored at two positions of the same page.
 */
class EntityFeaturesRulesTest {
  private static final Reference A = new Reference("a", "", "", Map.of(), 10, 4, 1);
  private static final Reference B = new Reference("b", "", "", Map.of(), 0, 7, 5);
  private static final Reference C = new Reference("c", "", "", Map.of(), 30, 9, 2);
  private static final Reference D = new Reference("d", "", "", Map.of(), 1, 1, 1);
  private static final List<ReferenceMatch> MATCHES = List.of(new ReferenceMatch(A, "ka", 0.95, 1),
      new ReferenceMatch(B, "kb", 0.7, 2), new ReferenceMatch(C, "kc", 0.6, 3), new ReferenceMatch(D, "kd", 0.5, 4));
  // page weights: a = 2·0.3 + 0.8 = 1.4; b = 0.3 + 2·0.6 + 0.3 = 1.8; c = 0.8 + 1.0 = 1.8; d has no entities
  private static final Map<String, List<PageEntity>> ENTITIES = Map.of(
      "a", List.of(
          new PageEntity("lima", "Lima", EntityKind.PROPER_NOUN, TextPosition.BODY, 2),
          new PageEntity("andes", "andes", EntityKind.NOUN_PHRASE, TextPosition.FIELD, 1)),
      "b", List.of(
          new PageEntity("flag of peru", "flag of peru", EntityKind.NOUN_PHRASE, TextPosition.BODY, 1),
          new PageEntity("flag of peru", "Flag of Peru", EntityKind.NAMED_PHRASE, TextPosition.FIRST_SENTENCE, 2),
          new PageEntity("quechua", "Quechua", EntityKind.PROPER_NOUN, TextPosition.BODY, 1)),
      "c", List.of(
          new PageEntity("flag of peru", "flag of Peru", EntityKind.NOUN_PHRASE, TextPosition.FIELD, 1),
          new PageEntity("cusco", "Cusco", EntityKind.PROPER_NOUN, TextPosition.TITLE, 1)));
  private static final Map<String, Integer> DF = Map.of("flag of peru", 3, "lima", 6, "cusco", 1);

  private static EntityCandidate find(List<EntityCandidate> cs, String key, String ref) {
    return cs.stream().filter(c -> c.key().equals(key) && c.referenceIds().contains(ref)).findFirst().orElseThrow();
  }

  @Test
  void groupedFeaturesFollowTheirDefinitions() {
    List<EntityCandidate> cs = EntityFeatures.compute(ScoringMode.GROUPED, MATCHES, ENTITIES, DF, 12);
    // one group per entity, in order of first mention over the matches
    assertThat(cs).extracting(EntityCandidate::key).containsExactly("lima", "andes", "flag of peru", "quechua",
        "cusco");
    assertThat(cs).allSatisfy(c -> assertThat(c.schema()).isEqualTo(FeatureSchema.GROUPED));
    EntityCandidate p = find(cs, "flag of peru", "b");
    assertThat(p.name()).as("most frequent surface form").isEqualTo("Flag of Peru");
    assertThat(p.referenceIds()).containsExactly("b", "c");
    assertThat(p.feature("matchedReferences")).as("every match, with or without entities").isEqualTo(4);
    assertThat(p.feature("references")).isEqualTo(2);
    assertThat(p.feature("referenceShare")).isEqualTo(0.5);
    assertThat(p.feature("displays")).isCloseTo(Math.log1p(30), within(1e-12));
    assertThat(p.feature("views")).isCloseTo(Math.log1p(16), within(1e-12));
    assertThat(p.feature("clicks")).isCloseTo(Math.log1p(7), within(1e-12));
    assertThat(p.feature("clickRate")).isCloseTo(7 / 30.0, within(1e-12));
    assertThat(p.feature("occurrences")).isEqualTo(4);
    assertThat(p.feature("occurrencesAvg")).isEqualTo(2);
    assertThat(p.feature("positionWeightMax")).isEqualTo(0.8);
    assertThat(p.feature("positionWeightAvg")).as("average of each page's best: (0.6 + 0.8) / 2")
        .isCloseTo(0.7, within(1e-12));
    assertThat(p.feature("titleShare")).isZero();
    double shareB = 1.5 / 1.8;
    double shareC = 0.8 / 1.8;
    assertThat(p.feature("entityMatch")).isCloseTo((0.7 * shareB + 0.6 * shareC) / 2.75, within(1e-12));
    assertThat(p.feature("entityMatchMax")).isCloseTo(0.7 * shareB, within(1e-12));
    assertThat(p.feature("sourceMatchMax")).isCloseTo(0.7, within(1e-12));
    assertThat(p.feature("sourceMatchAvg")).isCloseTo(0.65, within(1e-12));
    assertThat(p.feature("topSimilarity")).isCloseTo(0.95, within(1e-12));
    assertThat(p.feature("bestRank")).isEqualTo(2);
    assertThat(p.feature("databaseFrequency")).isCloseTo(3 / 12.0, within(1e-12));
    assertThat(p.feature("nameLike")).as("most name-like kind of its mentions")
        .isEqualTo(EntityKind.NAMED_PHRASE.nameLike());
    assertThat(p.feature("words")).isEqualTo(3);

    EntityCandidate cusco = find(cs, "cusco", "c");
    assertThat(cusco.feature("titleShare")).isEqualTo(1.0);
    assertThat(cusco.feature("positionWeightMax")).isEqualTo(1.0);
    assertThat(cusco.feature("bestRank")).isEqualTo(3);
    assertThat(cusco.feature("entityMatchMax")).isCloseTo(0.6 * 1.0 / 1.8, within(1e-12));
    assertThat(cusco.feature("databaseFrequency")).isCloseTo(1 / 12.0, within(1e-12));

    EntityCandidate lima = find(cs, "lima", "a");
    assertThat(lima.feature("occurrences")).isEqualTo(2);
    assertThat(lima.feature("entityMatch")).isCloseTo(0.95 * (0.6 / 1.4) / 2.75, within(1e-12));
    assertThat(lima.feature("clickRate")).isCloseTo(0.1, within(1e-12));
    assertThat(lima.feature("nameLike")).isEqualTo(1.0);
    assertThat(lima.feature("words")).isEqualTo(1);
    assertThat(find(cs, "andes", "a").feature("nameLike")).isZero();
    assertThat(find(cs, "quechua", "b").feature("databaseFrequency")).as("not counted: 0").isZero();
  }

  @Test
  void perMentionFeaturesAreThoseOfOnePage() {
    List<EntityCandidate> cs = EntityFeatures.compute(ScoringMode.PER_MENTION, MATCHES, ENTITIES, DF, 12);
    // entity by entity, each entity's pages in match order
    assertThat(cs).extracting(c -> c.key() + "@" + c.referenceIds().get(0)).containsExactly("lima@a", "andes@a",
        "flag of peru@b", "flag of peru@c", "quechua@b", "cusco@c");
    assertThat(cs).allSatisfy(c -> assertThat(c.schema()).isEqualTo(FeatureSchema.PER_MENTION));
    EntityCandidate onB = find(cs, "flag of peru", "b");
    assertThat(onB.name()).isEqualTo("Flag of Peru");
    assertThat(onB.feature("matchedReferences")).isEqualTo(4);
    assertThat(onB.feature("displays")).isZero();
    assertThat(onB.feature("views")).isCloseTo(Math.log1p(7), within(1e-12));
    assertThat(onB.feature("clicks")).isCloseTo(Math.log1p(5), within(1e-12));
    assertThat(onB.feature("clickRate")).as("no displays: clicks over 1").isEqualTo(5.0);
    assertThat(onB.feature("occurrences")).as("both positions of the page").isEqualTo(3);
    assertThat(onB.feature("positionWeight")).as("best position on the page").isEqualTo(0.6);
    assertThat(onB.feature("inTitle")).isZero();
    assertThat(onB.feature("entityMatch")).isCloseTo(0.7 * 1.5 / 1.8, within(1e-12));
    assertThat(onB.feature("sourceMatch")).isCloseTo(0.7, within(1e-12));
    assertThat(onB.feature("topSimilarity")).isCloseTo(0.95, within(1e-12));
    assertThat(onB.feature("rank")).isEqualTo(2);
    assertThat(onB.feature("databaseFrequency")).isCloseTo(0.25, within(1e-12));
    assertThat(onB.feature("nameLike")).isEqualTo(0.75);
    assertThat(onB.feature("words")).isEqualTo(3);
    EntityCandidate onC = find(cs, "flag of peru", "c");
    assertThat(onC.feature("clickRate")).isCloseTo(2 / 30.0, within(1e-12));
    assertThat(onC.feature("nameLike")).as("only this page's kinds").isZero();
    assertThat(onC.feature("positionWeight")).isEqualTo(0.8);
    assertThat(onC.feature("rank")).isEqualTo(3);
    EntityCandidate cusco = find(cs, "cusco", "c");
    assertThat(cusco.feature("inTitle")).isEqualTo(1.0);
    assertThat(cusco.feature("entityMatch")).isCloseTo(0.6 / 1.8, within(1e-12));
  }

  @Test
  void aStoreOfOnePageCountsAsTwoForDocumentFrequency() {
    List<ReferenceMatch> one = List.of(MATCHES.get(2));
    for (int size : new int[] {0, 1, 2}) {
      assertThat(EntityFeatures.compute(ScoringMode.GROUPED, one, ENTITIES, Map.of("cusco", 1), size).get(1)
          .feature("databaseFrequency")).as("store of %d", size).isEqualTo(0.5);
    }
    assertThat(EntityFeatures.compute(ScoringMode.PER_MENTION, one, ENTITIES, Map.of("cusco", 1), 1).get(1)
        .feature("databaseFrequency")).isEqualTo(0.5);
    assertThat(EntityFeatures.compute(ScoringMode.GROUPED, one, ENTITIES, Map.of("cusco", 1), 4).get(1)
        .feature("databaseFrequency")).isEqualTo(0.25);
  }

  @Test
  void equallyFrequentSurfaceFormsGiveTheAlphabeticallyFirstName() {
    Reference r = Reference.of("r", "", "");
    Map<String, List<PageEntity>> es = Map.of("r", List.of(
        new PageEntity("peru", "peru", EntityKind.PROPER_NOUN, TextPosition.BODY, 1),
        new PageEntity("peru", "PERU", EntityKind.PROPER_NOUN, TextPosition.TITLE, 1),
        new PageEntity("peru", "Peru", EntityKind.PROPER_NOUN, TextPosition.FIELD, 1)));
    List<EntityCandidate> cs = EntityFeatures.compute(ScoringMode.GROUPED, List.of(new ReferenceMatch(r, "k", 1, 1)),
        es, Map.of(), 5);
    assertThat(cs).singleElement().extracting(EntityCandidate::name).isEqualTo("PERU");
    assertThat(cs.get(0).feature("occurrences")).isEqualTo(3);
    assertThat(cs.get(0).feature("entityMatch")).as("its page's only entity").isCloseTo(1.0, within(1e-12));
  }

  @Test
  void withoutEntitiesThereAreNoCandidates() {
    assertThat(EntityFeatures.compute(ScoringMode.GROUPED, List.of(MATCHES.get(3)), ENTITIES, DF, 12)).isEmpty();
    assertThat(EntityFeatures.compute(ScoringMode.PER_MENTION, List.of(), ENTITIES, DF, 12)).isEmpty();
  }
}
