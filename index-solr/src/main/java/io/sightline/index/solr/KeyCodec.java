package io.sightline.index.solr;

import java.util.Objects;

/**
 * Maps keys to Solr document ids ({@code "k:" + key}) and back.
 *
 * @param <K> key type
 * @param type {@code String}, {@code Long} or {@code Integer}
 */
record KeyCodec<K>(Class<K> type) {
  static final String PREFIX = "k:";

  static <K> KeyCodec<K> of(Class<K> type) {
    Objects.requireNonNull(type, "keyType");
    if (type != String.class && type != Long.class && type != Integer.class) {
      throw new IllegalArgumentException("SolrVectorIndex supports String, Long and Integer keys, not "
          + type.getName() + "; map your keys to strings (e.g. UUID.toString())");
    }
    return new KeyCodec<>(type);
  }

  String encode(K id) {
    if (id == null) {
      throw new IllegalArgumentException("id must not be null");
    }
    if (!type.isInstance(id)) {
      throw new IllegalArgumentException("key " + id + " is not a " + type.getName());
    }
    return PREFIX + id;
  }

  K decode(String docId) {
    String s = docId.substring(PREFIX.length());
    if (type == String.class) {
      return type.cast(s);
    }
    if (type == Long.class) {
      return type.cast(Long.valueOf(s));
    }
    return type.cast(Integer.valueOf(s));
  }
}
