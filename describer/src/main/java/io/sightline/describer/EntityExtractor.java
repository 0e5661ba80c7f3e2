package io.sightline.describer;

import java.util.List;

/**
 * Finds candidate entities in the description information of a reference image (claim 3: named
 * entity recognition). Implementations:
 * <ul>
 *   <li>{@link OpenNlpEntityExtractor}: English sentence detection, tokenisation and part-of-speech
 *       tagging with Apache OpenNLP's models; yields proper nouns and noun phrases;</li>
 *   <li>{@link DictionaryEntityExtractor}: a user-given entity list (gazetteer) with aliases; works
 *       on text without spaces such as Chinese;</li>
 *   <li>{@link NameFinderEntityExtractor}: an OpenNLP name finder trained on the user's annotated
 *       text.</li>
 * </ul>
 *
 * <p>Implementations must be thread-safe and deterministic, and must return keys normalised with
 * {@link EntityNames#key} so identical entities group together.
 */
public interface EntityExtractor {
  /**
   * @return id and version of the extractor and its configuration; stored with the extracted
   *     entities so a store never mixes the output of two extractors
   */
  String id();

  /**
   * @param text one section of a page (title, a field value, or the text around the image)
   * @return the mentions found, in text order (may overlap); empty for blank text
   */
  List<EntityMention> extract(String text);
}
