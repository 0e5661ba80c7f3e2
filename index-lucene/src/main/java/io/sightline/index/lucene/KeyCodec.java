package io.sightline.index.lucene;

import java.util.Objects;

/**
 * Maps keys to Lucene terms and back.
 *
 * @param <K> key type
 * @param type {@code String}, {@code Long} or {@code Integer}
 */
record KeyCodec<K>(Class<K> type) {
  static <K> KeyCodec<K> of(Class<K> type) {
    Objects.requireNonNull(type, "keyType");
    if (type != String.class && type != Long.class && type != Integer.class) {
      throw new IllegalArgumentException("LuceneVectorIndex supports String, Long and Integer keys, not "
          + type.getName() + "; map your keys to strings (e.g. UUID.toString())");
    }
    return new KeyCodec<>(type);
  }

  String encode(K id) {
    if (!type.isInstance(id)) {
      throw new IllegalArgumentException("key " + id + " is not a " + type.getName());
    }
    return id.toString();
  }

  K decode(String s) {
    if (type == String.class) {
      return type.cast(s);
    }
    if (type == Long.class) {
      return type.cast(Long.valueOf(s));
    }
    return type.cast(Integer.valueOf(s));
  }
}
