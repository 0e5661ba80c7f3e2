package io.sightline.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.index.SearchFilter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How translated filters combine with each other and with plain predicates: the exact test keeps
 * exactly what every part keeps, and the query run inside the graph search carries every
 * translated part (the predicates run after it).
 */
class FilterCompositionTest {
  private static final Map<String, String> RED_GOLD = Map.of("color", "red", "tier", "gold", "sku", "s12");
  private static final Map<String, String> RED_PLAIN = Map.of("color", "red", "tier", "plain", "sku", "s13");
  private static final Map<String, String> BLUE_GOLD = Map.of("color", "blue", "tier", "gold", "sku", "x14");

  private final SearchFilter<String> red = LuceneFilters.attributeEquals("color", "red");
  private final SearchFilter<String> gold = LuceneFilters.attributeIn("tier", List.of("gold", "silver"));
  private final SearchFilter<String> skuS = LuceneFilters.attributeStartsWith("sku", "s");
  /** A predicate Lucene cannot run: keys ending in an even digit. */
  private final SearchFilter<String> even = (id, a) -> (id.charAt(id.length() - 1) - '0') % 2 == 0;

  private static String query(SearchFilter<String> f) {
    TranslatedFilter.Plan<String> plan = TranslatedFilter.Plan.of(f, true);
    return plan.query() == null ? null : plan.query().toString();
  }

  @Test
  void twoTranslatedFiltersKeepWhatBothKeepAndRunBothInTheGraphSearch() {
    SearchFilter<String> f = red.and(gold);
    assertThat(f).isInstanceOf(TranslatedFilter.class);
    assertThat(f.test("k1", RED_GOLD)).isTrue();
    assertThat(f.test("k1", RED_PLAIN)).isFalse();
    assertThat(f.test("k1", BLUE_GOLD)).isFalse();
    assertThat(query(f)).contains("color", "red", "tier", "gold");
    assertThat(f.toString()).contains("color = red").contains("tier in");
  }

  @Test
  void aPredicateRunsAfterTheGraphSearchAndStillCounts() {
    SearchFilter<String> f = red.and(even);
    assertThat(f.test("k2", RED_GOLD)).isTrue();
    assertThat(f.test("k3", RED_GOLD)).as("odd key").isFalse();
    assertThat(f.test("k2", BLUE_GOLD)).as("not red").isFalse();
    assertThat(query(f)).contains("red").doesNotContain("tier");
    assertThat(f.toString()).contains("color = red").contains("predicate");
    // the plan without translation runs nothing inside the search
    assertThat(TranslatedFilter.Plan.of(f, false).query()).isNull();
    assertThat(TranslatedFilter.Plan.of(even, true).query()).isNull();
  }

  @Test
  void partsAddedToAPartialFilterKeepEveryCondition() {
    SearchFilter<String> partial = red.and(even);
    SearchFilter<String> plusTranslated = partial.and(gold);
    assertThat(plusTranslated.test("k2", RED_GOLD)).isTrue();
    assertThat(plusTranslated.test("k2", RED_PLAIN)).as("not gold").isFalse();
    assertThat(plusTranslated.test("k3", RED_GOLD)).as("odd key").isFalse();
    assertThat(query(plusTranslated)).contains("red").contains("gold");

    SearchFilter<String> plusPartial = partial.and(skuS.and((id, a) -> id.startsWith("k")));
    assertThat(plusPartial.test("k2", RED_GOLD)).isTrue();
    assertThat(plusPartial.test("k2", Map.of("color", "red", "sku", "x1"))).as("sku not s").isFalse();
    assertThat(plusPartial.test("m2", RED_GOLD)).as("second predicate").isFalse();
    assertThat(plusPartial.test("k3", RED_GOLD)).as("first predicate").isFalse();
    assertThat(query(plusPartial)).contains("red").contains("sku");

    SearchFilter<String> plusPredicate = partial.and((id, a) -> !"gold".equals(a.get("tier")));
    assertThat(plusPredicate.test("k2", RED_PLAIN)).isTrue();
    assertThat(plusPredicate.test("k2", RED_GOLD)).as("second predicate").isFalse();
    assertThat(plusPredicate.test("k3", RED_PLAIN)).as("first predicate").isFalse();
    assertThat(query(plusPredicate)).contains("red");
  }

  @Test
  void aTranslatedFilterAddedToAPartialOneOnTheLeftKeepsBoth() {
    SearchFilter<String> f = gold.and(red.and(even));
    assertThat(f.test("k2", RED_GOLD)).isTrue();
    assertThat(f.test("k2", RED_PLAIN)).isFalse();
    assertThat(f.test("k2", BLUE_GOLD)).isFalse();
    assertThat(f.test("k3", RED_GOLD)).isFalse();
    assertThat(query(f)).contains("red").contains("gold");
  }

  @Test
  void eachFilterExplainsItself() {
    assertThat(red.toString()).isEqualTo("color = red");
    assertThat(skuS.toString()).isEqualTo("sku starts with s");
    assertThat(gold.toString()).startsWith("tier in ").contains("gold").contains("silver");
    assertThat(skuS.test("k", Map.of("sku", "s1"))).isTrue();
    assertThat(skuS.test("k", Map.of("sku", "x1"))).isFalse();
    assertThat(skuS.test("k", Map.of())).isFalse();
    assertThat(gold.test("k", Map.of())).isFalse();
  }
}
