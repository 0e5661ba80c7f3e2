package io.sightline.commerce;

import io.sightline.core.instance.Matcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import org.junit.jupiter.api.Test;

class MatcherTest {
  @Test
  void parsesLabelsAndRefusesOthers() {
    assertThat(Matcher.parse(" Hybrid ")).isEqualTo(Matcher.HYBRID);
    assertThat(Matcher.parse("local")).isEqualTo(Matcher.LOCAL);
    assertThat(Matcher.GLOBAL.id()).isEqualTo("global");
    assertThat(Matcher.LOCAL.usesGlobal()).isFalse();
    assertThat(Matcher.GLOBAL.usesInstances()).isFalse();
    assertThatThrownBy(() -> Matcher.parse("fuzzy")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("global, local or hybrid");
  }

  @Test
  void aNewStoreTakesTheRequestedOrDefaultMatcherAndAFilledOneKeepsItsOwn() {
    assertThat(CatalogInstances.resolve(null, true, null, "c")).isEqualTo(Matcher.DEFAULT);
    assertThat(CatalogInstances.resolve(null, true, Matcher.LOCAL, "c")).isEqualTo(Matcher.LOCAL);
    assertThat(CatalogInstances.resolve("local", true, Matcher.GLOBAL, "c")).isEqualTo(Matcher.GLOBAL); // still empty
    assertThat(CatalogInstances.resolve("local", true, null, "c")).isEqualTo(Matcher.LOCAL);
    assertThat(CatalogInstances.resolve("local", false, null, "c")).isEqualTo(Matcher.LOCAL);
    assertThat(CatalogInstances.resolve("hybrid", false, Matcher.HYBRID, "c")).isEqualTo(Matcher.HYBRID);
    // filled before matchers existed: global
    assertThat(CatalogInstances.resolve(null, false, null, "c")).isEqualTo(Matcher.GLOBAL);
    assertThatThrownBy(() -> CatalogInstances.resolve(null, false, Matcher.HYBRID, "catalog x"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("catalog x was built with the 'global'");
    assertThatThrownBy(() -> CatalogInstances.resolve("local", false, Matcher.GLOBAL, "c"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("'local' matcher, not 'global'");
  }
}
