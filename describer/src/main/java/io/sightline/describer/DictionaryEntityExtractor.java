package io.sightline.describer;

import io.sightline.core.InputFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A gazetteer: finds the entries of a user-given entity list (each with optional aliases) by
 * longest match over a character trie, case-insensitively.
 *
 * <p>Works on text without spaces: for scripts written without word separators (Han, Hiragana,
 * Katakana, Thai, Lao, Khmer, Myanmar) a match may start and end anywhere, so "秘鲁国旗" is found
 * inside "这是秘鲁国旗的图片"; for other scripts a match must start and end at a word boundary, so
 * "Peru" is not found inside "Peruvian".
 *
 * <p>Texts given to {@link #extract} should be NFKC-normalised (the store does this); entries are.
 * Every mention's key is the key of the entry's canonical name, so aliases group with it.
 *
 * <p>Immutable and thread-safe.
 */
public final class DictionaryEntityExtractor implements EntityExtractor {
  private static final class Node {
    final Map<Character, Node> next = new HashMap<>(4);
    String canonical;
  }

  private final Node root = new Node();
  private final String id;
  private final int size;

  private DictionaryEntityExtractor(Map<String, List<String>> entries) {
    int count = 0;
    StringBuilder digestInput = new StringBuilder();
    for (Map.Entry<String, List<String>> e : new TreeMap<>(entries).entrySet()) {
      String canonical = e.getKey().strip();
      if (canonical.isEmpty() || EntityNames.key(canonical).isEmpty()) {
        throw new IllegalArgumentException("dictionary entry without letters: '" + e.getKey() + "'");
      }
      digestInput.append(canonical).append('\u0001');
      insert(canonical, canonical);
      count++;
      for (String alias : e.getValue()) {
        if (alias != null && !alias.isBlank()) {
          insert(alias.strip(), canonical);
          digestInput.append(alias.strip()).append('\u0002');
        }
      }
      digestInput.append('\n');
    }
    if (count == 0) {
      throw new IllegalArgumentException("dictionary is empty");
    }
    this.size = count;
    this.id = "dictionary/1:" + count + ":" + sha(digestInput.toString());
  }

  /**
   * @param names canonical entity names (no aliases)
   * @return the extractor
   * @throws IllegalArgumentException when empty or an entry has no letters
   */
  public static DictionaryEntityExtractor of(List<String> names) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String n : names) {
      m.put(n, List.of());
    }
    return new DictionaryEntityExtractor(m);
  }

  /**
   * @param entries canonical name to aliases
   * @return the extractor
   * @throws IllegalArgumentException when empty or an entry has no letters
   */
  public static DictionaryEntityExtractor withAliases(Map<String, List<String>> entries) {
    return new DictionaryEntityExtractor(entries);
  }

  /**
   * Reads a UTF-8 dictionary file: one entity per line, {@code canonical name} optionally followed
   * by a tab and aliases separated by {@code |}. Blank lines and lines starting with {@code #} are
   * skipped.
   *
   * @param file the file
   * @return the extractor
   * @throws InputFormatException naming the file and line when it is not UTF-8 or malformed
   */
  public static DictionaryEntityExtractor load(Path file) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    Utf8Lines.read(file, (line, s) -> {
      if (s == null) {
        throw new InputFormatException(file, line, "not UTF-8 text");
      }
      if (s.isBlank() || s.startsWith("#")) {
        return;
      }
      String[] parts = s.split("\t", 2);
      String canonical = parts[0].strip();
      if (EntityNames.key(canonical).isEmpty()) {
        throw new InputFormatException(file, line, "entity name without letters or digits");
      }
      List<String> aliases = new ArrayList<>();
      if (parts.length > 1) {
        for (String a : parts[1].split("\\|")) {
          if (!a.isBlank()) {
            aliases.add(a.strip());
          }
        }
      }
      m.computeIfAbsent(canonical, k -> new ArrayList<>()).addAll(aliases);
    });
    if (m.isEmpty()) {
      throw new InputFormatException(file, 0, "dictionary has no entries");
    }
    return new DictionaryEntityExtractor(m);
  }

  private void insert(String phrase, String canonical) {
    String folded = fold(Normalizer.normalize(phrase, Normalizer.Form.NFKC));
    Node n = root;
    for (int i = 0; i < folded.length(); i++) {
      n = n.next.computeIfAbsent(folded.charAt(i), c -> new Node());
    }
    if (n.canonical == null) {
      n.canonical = canonical;
    }
  }

  private static String fold(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      sb.append(foldChar(s.charAt(i)));
    }
    return sb.toString();
  }

  private static char foldChar(char c) {
    if (Character.isWhitespace(c)) {
      return ' ';
    }
    if (c == '\u2019' || c == '\u2018') {
      return '\'';
    }
    return Character.toLowerCase(c);
  }

  /**
   * @param cp a code point
   * @return whether its script is written without spaces between words
   */
  static boolean isUnspacedScript(int cp) {
    Character.UnicodeScript s;
    try {
      s = Character.UnicodeScript.of(cp);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return switch (s) {
      case HAN, HIRAGANA, KATAKANA, THAI, LAO, KHMER, MYANMAR, TIBETAN -> true;
      default -> false;
    };
  }

  private static boolean wordChar(char c) {
    return Character.isLetterOrDigit(c) && !isUnspacedScript(c);
  }

  @Override
  public String id() {
    return id;
  }

  /** @return number of canonical entries */
  public int size() {
    return size;
  }

  @Override
  public List<EntityMention> extract(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    List<EntityMention> out = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      char first = text.charAt(i);
      boolean boundaryOk = !wordChar(first) || i == 0 || !wordChar(text.charAt(i - 1));
      int matchEnd = -1;
      String canonical = null;
      if (boundaryOk) {
        Node node = root;
        for (int j = i; j < n; j++) {
          node = node.next.get(foldChar(text.charAt(j)));
          if (node == null) {
            break;
          }
          if (node.canonical != null) {
            char last = text.charAt(j);
            boolean endOk = !wordChar(last) || j + 1 == n || !wordChar(text.charAt(j + 1));
            if (endOk) {
              matchEnd = j + 1;
              canonical = node.canonical;
            }
          }
        }
      }
      if (matchEnd > 0) {
        out.add(new EntityMention(EntityNames.key(canonical), canonical, EntityKind.DICTIONARY, i, matchEnd));
        i = matchEnd;
      } else {
        i++;
      }
    }
    return out;
  }

  private static String sha(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "DictionaryEntityExtractor[" + size + " entries]";
  }
}
