package io.sightline.index.solr;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Attributes as values of the multi-valued string field: escaped key, '=', value. */
final class Attributes {
  private Attributes() {}

  static String term(String key, String value) {
    return key.replace("\\", "\\\\").replace("=", "\\=") + "=" + value;
  }

  static List<String> encode(Map<String, String> attributes) {
    List<String> out = new ArrayList<>(attributes.size());
    attributes.forEach((k, v) -> out.add(term(k, v)));
    return out;
  }

  static Map<String, String> decode(Collection<Object> values) {
    if (values == null || values.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    for (Object o : values) {
      String s = o.toString();
      StringBuilder key = new StringBuilder();
      int i = 0;
      for (; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length()) {
          key.append(s.charAt(++i));
        } else if (c == '=') {
          break;
        } else {
          key.append(c);
        }
      }
      out.put(key.toString(), i < s.length() ? s.substring(i + 1) : "");
    }
    return Map.copyOf(out);
  }
}
