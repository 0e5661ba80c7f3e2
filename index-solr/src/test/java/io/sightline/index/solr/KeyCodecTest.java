package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Keys to Solr document ids and back, without a cluster. */
class KeyCodecTest {

  @Test
  void acceptsStringLongAndIntegerKeysOnly() {
    assertThat(KeyCodec.of(String.class).type()).isEqualTo(String.class);
    assertThat(KeyCodec.of(Long.class).type()).isEqualTo(Long.class);
    assertThat(KeyCodec.of(Integer.class).type()).isEqualTo(Integer.class);
    assertThatThrownBy(() -> KeyCodec.of(UUID.class)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("SolrVectorIndex supports String, Long and Integer keys, not java.util.UUID; "
            + "map your keys to strings (e.g. UUID.toString())");
    assertThatThrownBy(() -> KeyCodec.of(Short.class)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not java.lang.Short");
    assertThatThrownBy(() -> KeyCodec.of(null)).isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("keyType");
  }

  @Test
  void encodesWithThePrefix() {
    assertThat(KeyCodec.PREFIX).isEqualTo("k:");
    assertThat(KeyCodec.of(String.class).encode("sku-1")).isEqualTo("k:sku-1");
    assertThat(KeyCodec.of(String.class).encode("")).isEqualTo("k:");
    assertThat(KeyCodec.of(Long.class).encode(-42L)).isEqualTo("k:-42");
    assertThat(KeyCodec.of(Integer.class).encode(7)).isEqualTo("k:7");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void refusesNullAndKeysOfAnotherType() {
    assertThatThrownBy(() -> KeyCodec.of(String.class).encode(null))
        .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("id must not be null");
    KeyCodec raw = KeyCodec.of(Long.class);
    assertThatThrownBy(() -> raw.encode(3)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 3 is not a java.lang.Long");
    KeyCodec rawString = KeyCodec.of(String.class);
    assertThatThrownBy(() -> rawString.encode(3L)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("key 3 is not a java.lang.String");
  }

  @Test
  void decodesEachKeyTypeAndRoundTrips() {
    KeyCodec<String> s = KeyCodec.of(String.class);
    KeyCodec<Long> l = KeyCodec.of(Long.class);
    KeyCodec<Integer> i = KeyCodec.of(Integer.class);
    assertThat(s.decode("k:a:b")).isEqualTo("a:b");
    assertThat(s.decode("k:")).isEmpty();
    assertThat(l.decode("k:9000000000")).isEqualTo(9_000_000_000L);
    assertThat(i.decode("k:-12")).isEqualTo(-12);
    assertThat((Object) l.decode("k:5")).isInstanceOf(Long.class);
    assertThat((Object) i.decode("k:5")).isInstanceOf(Integer.class);
    for (String key : new String[] {"x", "k:x", "with space", "ünïcode", "12"}) {
      assertThat(s.decode(s.encode(key))).isEqualTo(key);
    }
    for (long key : new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}) {
      assertThat(l.decode(l.encode(key))).isEqualTo(key);
    }
    for (int key : new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}) {
      assertThat(i.decode(i.encode(key))).isEqualTo(key);
    }
    // an Integer codec does not read a Long id
    assertThatThrownBy(() -> i.decode("k:9000000000")).isInstanceOf(NumberFormatException.class);
  }
}
