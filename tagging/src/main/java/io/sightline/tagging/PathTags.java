package io.sightline.tagging;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Derives tags for an image from where it lies in a folder tree and from its file name, for
 * bootstrapping a stock from a folder-organised collection (such as openclipart, whose folders
 * are categories: {@code food/fruit/apple_red_01.png} gives {@code food, fruit, apple, red}).
 * Stateless and thread-safe.
 */
public final class PathTags {
  private static final Set<String> STOP = Set.of("the", "and", "with", "for", "from", "png", "jpg",
      "jpeg", "svg", "gif", "di", "del", "della", "con", "una", "uno", "les", "des", "von", "der",
      "die", "das", "und", "clip", "art", "clipart", "icon", "image", "picture", "simple", "remix");

  private PathTags() {}

  /**
   * @param root the collection's root folder
   * @param file an image under it
   * @return every folder name between root and file, then the words of the file name (lower
   *     case, letters only, at least 3 letters, without common stop words), without duplicates
   */
  public static Set<String> of(Path root, Path file) {
    Set<String> tags = new LinkedHashSet<>(folderTags(root, file));
    tags.addAll(titleWords(file.getFileName().toString()));
    return tags;
  }

  /**
   * @param root the collection's root folder
   * @param file an image under it
   * @return the folder names between root and file, lower case
   */
  public static Set<String> folderTags(Path root, Path file) {
    Set<String> tags = new LinkedHashSet<>();
    Path rel = root.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize());
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      String s = rel.getName(i).toString().toLowerCase(Locale.ROOT).trim();
      if (!s.isEmpty()) {
        tags.add(s);
      }
    }
    return tags;
  }

  /**
   * @param fileName a file name
   * @return its words: lower case, letters only, at least 3 letters, without stop words
   */
  public static Set<String> titleWords(String fileName) {
    String stem = fileName.replaceFirst("\\.[A-Za-z0-9]{1,5}$", "");
    Set<String> words = new LinkedHashSet<>();
    for (String w : stem.toLowerCase(Locale.ROOT).split("[^\\p{L}]+")) {
      if (w.length() >= 3 && !STOP.contains(w)) {
        words.add(w);
      }
    }
    return words;
  }
}
