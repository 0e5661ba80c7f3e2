package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Attribute values of the multi-valued string field, without a cluster. */
class AttributesTest {

  @Test
  void termEscapesBackslashAndEqualsInTheKeyOnly() {
    assertThat(Attributes.term("color", "red")).isEqualTo("color=red");
    assertThat(Attributes.term("a=b", "c=d")).isEqualTo("a\\=b=c=d");
    assertThat(Attributes.term("a\\", "v\\")).isEqualTo("a\\\\=v\\");
    assertThat(Attributes.term("", "")).isEqualTo("=");
  }

  @Test
  void encodeKeepsTheMapOrderOneValuePerAttribute() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("z", "1");
    m.put("a=", "2");
    m.put("m", "");
    assertThat(Attributes.encode(m)).containsExactly("z=1", "a\\==2", "m=");
    assertThat(Attributes.encode(Map.of())).isEmpty();
  }

  @Test
  void decodeOfNothingIsAnEmptyMap() {
    assertThat(Attributes.decode(null)).isEqualTo(Map.of());
    assertThat(Attributes.decode(List.of())).isEqualTo(Map.of());
  }

  @Test
  void decodeUnescapesTheKeyAndKeepsTheRestAsValue() {
    assertThat(Attributes.decode(List.of("color=red", "n=7"))).isEqualTo(Map.of("color", "red", "n", "7"));
    assertThat(Attributes.decode(List.of("a\\=b=c=d"))).isEqualTo(Map.of("a=b", "c=d"));
    assertThat(Attributes.decode(List.of("a\\\\=v"))).isEqualTo(Map.of("a\\", "v"));
    assertThat(Attributes.decode(List.of("=v"))).isEqualTo(Map.of("", "v"));
    assertThat(Attributes.decode(List.of("k="))).isEqualTo(Map.of("k", ""));
    // no '=': the whole value is the key
    assertThat(Attributes.decode(List.of("lonely"))).isEqualTo(Map.of("lonely", ""));
    // a backslash at the very end is kept as it is
    assertThat(Attributes.decode(List.of("ab\\"))).isEqualTo(Map.of("ab\\", ""));
    // any other escaped character stands for itself
    assertThat(Attributes.decode(List.of("\\x=1"))).isEqualTo(Map.of("x", "1"));
    // values need not be strings (Solr may hand back other objects)
    assertThat(Attributes.decode(List.of(new StringBuilder("q=1")))).isEqualTo(Map.of("q", "1"));
    // a repeated key: the last value wins
    assertThat(Attributes.decode(List.of("k=1", "k=2"))).isEqualTo(Map.of("k", "2"));
  }

  @Test
  void decodedMapIsImmutable() {
    Map<String, String> m = Attributes.decode(List.of("a=1"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.put("b", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void encodeThenDecodeRoundTripsAwkwardKeysAndValues() {
    Random r = new Random(18);
    String alphabet = "ab=\\ =\\\\x";
    for (int round = 0; round < 200; round++) {
      Map<String, String> m = new LinkedHashMap<>();
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n; i++) {
        m.put(random(r, alphabet), random(r, alphabet));
      }
      List<Object> values = new ArrayList<>(Attributes.encode(m));
      assertThat(Attributes.decode(values)).as("round %d: %s", round, m).isEqualTo(m);
    }
  }

  private static String random(Random r, String alphabet) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(6);
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
