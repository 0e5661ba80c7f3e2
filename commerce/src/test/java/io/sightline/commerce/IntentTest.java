package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IntentTest {
  @Test
  void parsesLabelsAndCategories() {
    assertThat(Intent.parse("Non_Commodity")).isEqualTo(Intent.NON_COMMODITY);
    assertThat(Intent.parse(" apparel ")).isEqualTo(Intent.APPAREL);
    assertThat(Intent.parse("other-commodity")).isEqualTo(Intent.OTHER_COMMODITY);
    assertThatThrownBy(() -> Intent.parse("food")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("food");
    assertThat(Intent.ofCategory("apparel/shoes")).isEqualTo(Intent.APPAREL);
    assertThat(Intent.ofCategory("Apparel")).isEqualTo(Intent.APPAREL);
    assertThat(Intent.ofCategory("apparelish")).isEqualTo(Intent.OTHER_COMMODITY);
    assertThat(Intent.ofCategory("beverage")).isEqualTo(Intent.OTHER_COMMODITY);
  }
}
