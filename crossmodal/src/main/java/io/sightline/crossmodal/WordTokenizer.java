package io.sightline.crossmodal;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default tokenizer: Unicode-normalised, lower-cased words (letters and digits); underscores,
 * hyphens and punctuation separate words. One unit per word. The vocabulary is then built from the
 * training corpus ({@link Vocabulary#build}). Thread-safe.
 */
public final class WordTokenizer implements TextTokenizer {
  /** Tokenizer id recorded in models. */
  public static final String ID = "words/1";
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  @Override
  public List<TextUnit> tokenize(String text) {
    List<TextUnit> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    String norm = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    Matcher m = WORD.matcher(norm);
    int w = 0;
    while (m.find()) {
      out.add(new TextUnit(m.group(), w++));
    }
    return out;
  }

  @Override
  public String detokenize(List<String> tokens) {
    return String.join(" ", tokens);
  }

  @Override
  public String id() {
    return ID;
  }
}
