package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Attribute filters: each operator at, below and above its bound; missing and non-numeric values. */
class ProductFilterTest {
  private static boolean passes(String expr, String price) {
    return ProductFilter.parse(expr).test(price == null ? Map.of() : Map.of("price", price));
  }

  @Test
  void numericBoundsIncludeOrExcludeTheBoundAsWritten() {
    assertThat(passes("price<=20", "20")).isTrue();
    assertThat(passes("price<=20", "20.01")).isFalse();
    assertThat(passes("price<=20", "19.99")).isTrue();
    assertThat(passes("price<20", "20")).isFalse();
    assertThat(passes("price<20", "19.99")).isTrue();
    assertThat(passes("price>=20", "20")).isTrue();
    assertThat(passes("price>=20", "19.99")).isFalse();
    assertThat(passes("price>20", "20")).isFalse();
    assertThat(passes("price>20", "20.01")).isTrue();
    assertThat(passes("price>20", " 25 ")).isTrue();
  }

  @Test
  void missingOrNonNumericValuesFailNumericConditions() {
    for (String expr : new String[] {"price<=20", "price>=20", "price<20", "price>20"}) {
      assertThat(passes(expr, null)).as(expr).isFalse();
      assertThat(passes(expr, "cheap")).as(expr).isFalse();
    }
  }

  @Test
  void equalityIsExactAndNotEqualKeepsMissingValues() {
    Map<String, String> acme = Map.of("brand", "acme");
    assertThat(ProductFilter.equalTo("brand", "acme").test(acme)).isTrue();
    assertThat(ProductFilter.equalTo("brand", "Acme").test(acme)).isFalse();
    assertThat(ProductFilter.equalTo("brand", "acme").test(Map.of())).isFalse();
    assertThat(ProductFilter.notEqualTo("brand", "acme").test(acme)).isFalse();
    assertThat(ProductFilter.notEqualTo("brand", "acme").test(Map.of("brand", "other"))).isTrue();
    assertThat(ProductFilter.notEqualTo("brand", "acme").test(Map.of())).isTrue();
    assertThat(ProductFilter.parse("brand!=acme").test(acme)).isFalse();
  }

  @Test
  void andNeedsEveryCondition() {
    ProductFilter f = ProductFilter.parse("price<=20").and(ProductFilter.parse("brand=acme"));
    assertThat(f.test(Map.of("price", "10", "brand", "acme"))).isTrue();
    assertThat(f.test(Map.of("price", "30", "brand", "acme"))).isFalse();
    assertThat(f.test(Map.of("price", "10", "brand", "other"))).isFalse();
    assertThat(f.toSearchFilter().test("id", Map.of("price", "10", "brand", "acme"))).isTrue();
    assertThat(f.toSearchFilter().test("id", Map.of("price", "10"))).isFalse();
  }

  @Test
  void badExpressionsAreRefused() {
    assertThatThrownBy(() -> ProductFilter.parse("price<=cheap")).isInstanceOf(InvalidQueryException.class)
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> ProductFilter.parse("price<=NaN")).isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> ProductFilter.parse("price<=Infinity")).isInstanceOf(InvalidQueryException.class);
    assertThatThrownBy(() -> ProductFilter.parse("no operator")).isInstanceOf(InvalidQueryException.class);
  }
}
