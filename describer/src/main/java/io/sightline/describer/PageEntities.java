package io.sightline.describer;

import java.text.BreakIterator;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs an {@link EntityExtractor} over every section of a page and counts the entities per
 * position: the title ({@link TextPosition#TITLE}), each field value ({@link TextPosition#FIELD}),
 * the first sentence of the text ({@link TextPosition#FIRST_SENTENCE}, found with
 * {@link BreakIterator}, which also knows CJK sentence ends) and the rest
 * ({@link TextPosition#BODY}). Texts are NFKC-normalised first.
 */
public final class PageEntities {
  private PageEntities() {}

  /**
   * @param extractor the extractor
   * @param ref the page
   * @return entities with their positions and counts
   */
  public static List<PageEntity> extract(EntityExtractor extractor, Reference ref) {
    Map<String, PageEntity> acc = new LinkedHashMap<>();
    add(acc, extractor.extract(nfkc(ref.title())), TextPosition.TITLE, -1);
    for (String v : ref.fields().values()) {
      add(acc, extractor.extract(nfkc(v)), TextPosition.FIELD, -1);
    }
    String body = nfkc(ref.text());
    if (!body.isBlank()) {
      add(acc, extractor.extract(body), TextPosition.BODY, firstSentenceEnd(body));
    }
    return new ArrayList<>(acc.values());
  }

  static String nfkc(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFKC);
  }

  static int firstSentenceEnd(String text) {
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(text);
    int first = it.first();
    int end = it.next();
    // skip leading blank "sentences"
    while (end != BreakIterator.DONE && text.substring(first, end).isBlank()) {
      first = end;
      end = it.next();
    }
    return end == BreakIterator.DONE ? text.length() : end;
  }

  private static void add(Map<String, PageEntity> acc, List<EntityMention> mentions,
      TextPosition position, int firstSentenceEnd) {
    for (EntityMention m : mentions) {
      TextPosition p = position;
      if (position == TextPosition.BODY && m.start() < firstSentenceEnd) {
        p = TextPosition.FIRST_SENTENCE;
      }
      String k = m.key() + '\u0000' + p.name();
      PageEntity prev = acc.get(k);
      acc.put(k, prev == null ? new PageEntity(m.key(), m.surface(), m.kind(), p, 1)
          : new PageEntity(prev.key(), prev.surface(), prev.kind(), p, prev.occurrences() + 1));
    }
  }
}
