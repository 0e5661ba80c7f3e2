package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.index.SearchFilter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SolrFilters: the filter queries sent to Solr and the predicate applied to every hit. */
class SolrFiltersTest {

  @Test
  void attributeEqualsIsATermFilterQueryOnTheAttributeField() {
    SearchFilter<String> f = SolrFilters.attributeEquals("color", "red");
    assertThat(f).isInstanceOf(SolrFilters.Translated.class);
    assertThat(((SolrFilters.Translated<String>) f).filterQueries()).containsExactly("{!term f=sl_attr}color=red");
    assertThat(SolrRequests.filterQueries(f)).containsExactly("{!term f=sl_attr}color=red");
  }

  @Test
  void theTermIsTheStoredValueWithTheKeyEscaped() {
    SearchFilter<String> f = SolrFilters.attributeEquals("odd=key\\", "x=y");
    assertThat(SolrRequests.filterQueries(f)).containsExactly("{!term f=sl_attr}odd\\=key\\\\=x=y");
    // the term matches exactly what the document stores for that attribute
    assertThat(SolrRequests.filterQueries(f).get(0)).endsWith(Attributes.encode(Map.of("odd=key\\", "x=y")).get(0));
  }

  @Test
  void predicateMatchesTheAttributeValueExactly() {
    SearchFilter<String> f = SolrFilters.attributeEquals("color", "red");
    assertThat(f.test("a", Map.of("color", "red"))).isTrue();
    assertThat(f.test("a", Map.of("color", "blue"))).isFalse();
    assertThat(f.test("a", Map.of("colour", "red"))).isFalse();
    assertThat(f.test("a", Map.of())).isFalse();
    assertThat(SolrFilters.<String>attributeEquals("k", "").test("a", Map.of("k", ""))).isTrue();
    assertThat(SolrFilters.<String>attributeEquals("k", "").test("a", Map.of())).isFalse();
  }

  @Test
  void nullKeyOrValueIsRefused() {
    assertThatThrownBy(() -> SolrFilters.attributeEquals(null, "v")).isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> SolrFilters.attributeEquals("k", null)).isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("value");
  }

  @Test
  void andOfTwoSolrFiltersSendsBothFilterQueriesAndTestsBoth() {
    SearchFilter<String> red = SolrFilters.attributeEquals("color", "red");
    SearchFilter<String> seven = SolrFilters.attributeEquals("n", "7");
    SearchFilter<String> both = red.and(seven);
    assertThat(both).isInstanceOf(SolrFilters.Translated.class);
    assertThat(SolrRequests.filterQueries(both)).containsExactly("{!term f=sl_attr}color=red", "{!term f=sl_attr}n=7");
    assertThat(both.test("a", Map.of("color", "red", "n", "7"))).isTrue();
    assertThat(both.test("a", Map.of("color", "red", "n", "8"))).isFalse();
    assertThat(both.test("a", Map.of("color", "blue", "n", "7"))).isFalse();
    assertThat(both.test("a", Map.of())).isFalse();
    // the parts are unchanged
    assertThat(SolrRequests.filterQueries(red)).containsExactly("{!term f=sl_attr}color=red");
    // three in a row keep every filter query, in order
    SearchFilter<String> three = both.and(SolrFilters.attributeEquals("s", "x"));
    assertThat(SolrRequests.filterQueries(three)).containsExactly("{!term f=sl_attr}color=red",
        "{!term f=sl_attr}n=7", "{!term f=sl_attr}s=x");
    assertThat(three.test("a", Map.of("color", "red", "n", "7", "s", "x"))).isTrue();
    assertThat(three.test("a", Map.of("color", "red", "n", "7", "s", "y"))).isFalse();
  }

  @Test
  void andWithAnyOtherFilterKeepsTheFilterQueriesAndPostFiltersTheRest() {
    SearchFilter<String> red = SolrFilters.attributeEquals("color", "red");
    SearchFilter<String> idA = (id, a) -> id.equals("a");
    SearchFilter<String> both = red.and(idA);
    assertThat(both).isInstanceOf(SolrFilters.Translated.class);
    assertThat(SolrRequests.filterQueries(both)).containsExactly("{!term f=sl_attr}color=red");
    assertThat(both.test("a", Map.of("color", "red"))).isTrue();
    assertThat(both.test("b", Map.of("color", "red"))).isFalse();
    assertThat(both.test("a", Map.of("color", "blue"))).isFalse();
  }

  @Test
  void aPlainFilterAndedWithASolrFilterIsOnlyAPostFilter() {
    SearchFilter<String> plain = SearchFilter.attributeEquals("color", "red");
    SearchFilter<String> both = plain.and(SolrFilters.attributeEquals("n", "7"));
    assertThat(SolrRequests.filterQueries(both)).isEmpty();
    assertThat(SolrRequests.filterQueries(SearchFilter.all())).isEmpty();
    assertThat(both.test("a", Map.of("color", "red", "n", "7"))).isTrue();
    assertThat(both.test("a", Map.of("color", "red", "n", "8"))).isFalse();
  }

  @Test
  void translatedExposesItsParts() {
    SearchFilter<String> p = (id, a) -> id.startsWith("x");
    SolrFilters.Translated<String> t = new SolrFilters.Translated<>(List.of("q1"), p);
    assertThat(t.predicate()).isSameAs(p);
    assertThat(t.test("xy", Map.of())).isTrue();
    assertThat(t.test("yx", Map.of())).isFalse();
  }
}
