package io.sightline.crossmodal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.sightline.core.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A user-given WordPiece / BPE / Unigram tokenizer ({@code tokenizer.json} in the HuggingFace
 * format) run by DJL's HuggingFace tokenizers binding; nothing is downloaded. Sub-word units of one
 * word share its word index, so whole-word masking keeps working. The model's own vocabulary is
 * still built from the units seen in the training corpus. Thread-safe.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer {
  private final HuggingFaceTokenizer tokenizer;
  private final String id;

  private HuggingFaceTextTokenizer(HuggingFaceTokenizer tokenizer, String id) {
    this.tokenizer = tokenizer;
    this.id = id;
  }

  /**
   * @param tokenizerJson a {@code tokenizer.json} file (or a folder holding one)
   * @return the tokenizer
   * @throws ModelException when the file is missing or not a tokenizer
   */
  public static HuggingFaceTextTokenizer load(Path tokenizerJson) {
    Path file = Files.isDirectory(tokenizerJson) ? tokenizerJson.resolve("tokenizer.json") : tokenizerJson;
    if (!Files.isRegularFile(file)) {
      throw new ModelException(file + ": no such tokenizer file (expected a HuggingFace tokenizer.json)");
    }
    try {
      HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(file,
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      return new HuggingFaceTextTokenizer(t, "hf:" + file.getFileName() + "@sha256:" + sha256(file));
    } catch (IOException | RuntimeException e) {
      throw new ModelException(file + ": not a HuggingFace tokenizer.json: " + e.getMessage(), e);
    }
  }

  private static String sha256(Path file) throws IOException {
    return io.sightline.core.io.FileHashes.sha256(file).substring(0, 16);
  }

  @Override
  public List<TextUnit> tokenize(String text) {
    List<TextUnit> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    Encoding enc = tokenizer.encode(text, false, false);
    String[] tokens = enc.getTokens();
    long[] words = enc.getWordIds();
    int lastWord = -1;
    int w = -1;
    for (int i = 0; i < tokens.length; i++) {
      long wid = words.length > i ? words[i] : -1;
      if (wid < 0 || wid != lastWord) {
        w++;
        lastWord = (int) wid;
      }
      out.add(new TextUnit(tokens[i], w));
    }
    return out;
  }

  @Override
  public String detokenize(List<String> tokens) {
    StringBuilder sb = new StringBuilder();
    for (String t : tokens) {
      if (t.startsWith("##")) {
        sb.append(t.substring(2));
      } else if (t.startsWith("\u0120") || t.startsWith("\u2581")) {
        sb.append(' ').append(t.substring(1));
      } else {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(t);
      }
    }
    return sb.toString().trim();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
