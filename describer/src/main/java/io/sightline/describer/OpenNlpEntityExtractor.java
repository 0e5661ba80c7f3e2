package io.sightline.describer;

import io.sightline.core.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import opennlp.tools.postag.POSModel;
import opennlp.tools.postag.POSTagFormat;
import opennlp.tools.postag.POSTaggerME;
import opennlp.tools.sentdetect.SentenceDetectorME;
import opennlp.tools.sentdetect.SentenceModel;
import opennlp.tools.tokenize.TokenizerME;
import opennlp.tools.tokenize.TokenizerModel;
import opennlp.tools.util.Span;

/**
 * Entity candidates from an Apache OpenNLP pipeline: sentence detection, tokenisation and
 * part-of-speech tagging (Universal Dependencies tags), then a small chunker over the tags:
 *
 * <ul>
 *   <li><b>proper nouns</b>: maximal runs of {@code PROPN} tokens (numbers may follow, "of"/"de"
 *       may join two runs): "Peru", "Sydney Opera House", "Bank of England";</li>
 *   <li><b>noun phrases</b>: {@code (ADJ|NOUN|PROPN)* (NOUN|PROPN)}, optionally extended by
 *       "of" + (determiner) + another such phrase: "flag", "national flag of Peru"; when the
 *       phrase starts with adjectives, the phrase without them is a candidate too ("flag of
 *       Peru").</li>
 * </ul>
 *
 * <p>{@link #english()} uses the English UD-EWT models of the {@code opennlp-models-*-en} Maven
 * artifacts on the class path (nothing is downloaded); {@link #fromModels} takes model files of
 * another language that use UD tags.
 *
 * <p>Thread-safe: the models are shared and each thread gets its own tagger instances.
 */
public final class OpenNlpEntityExtractor implements EntityExtractor {
  /** Id of the English pipeline. */
  public static final String ENGLISH_ID = "opennlp-en-ud-ewt-1.3/chunk-1";
  private static final String SENT = "/opennlp-en-ud-ewt-sentence-1.3-2.5.4.bin";
  private static final String TOK = "/opennlp-en-ud-ewt-tokens-1.3-2.5.4.bin";
  private static final String POS = "/opennlp-en-ud-ewt-pos-1.3-2.5.4.bin";
  private static final int MAX_TOKENS = 8;
  private static volatile OpenNlpEntityExtractor english;

  private final String id;
  private final ThreadLocal<Pipeline> pipeline;

  private record Pipeline(SentenceDetectorME sentences, TokenizerME tokenizer, POSTaggerME tagger) {}

  private OpenNlpEntityExtractor(String id, SentenceModel s, TokenizerModel t, POSModel p) {
    this.id = id;
    Supplier<Pipeline> make = () -> new Pipeline(new SentenceDetectorME(s), new TokenizerME(t),
        new POSTaggerME(p, POSTagFormat.UD));
    this.pipeline = ThreadLocal.withInitial(make);
  }

  /**
   * The English pipeline (models loaded once per JVM from the class path).
   *
   * @return the shared extractor
   * @throws ModelException when the OpenNLP English model artifacts are not on the class path
   */
  public static OpenNlpEntityExtractor english() {
    OpenNlpEntityExtractor e = english;
    if (e == null) {
      synchronized (OpenNlpEntityExtractor.class) {
        e = english;
        if (e == null) {
          try (InputStream s = resource(SENT); InputStream t = resource(TOK); InputStream p = resource(POS)) {
            e = new OpenNlpEntityExtractor(ENGLISH_ID, new SentenceModel(s), new TokenizerModel(t),
                new POSModel(p));
          } catch (IOException ex) {
            throw new ModelException("cannot read the OpenNLP English models: " + ex.getMessage(), ex);
          }
          english = e;
        }
      }
    }
    return e;
  }

  private static InputStream resource(String name) {
    InputStream in = OpenNlpEntityExtractor.class.getResourceAsStream(name);
    if (in == null) {
      throw new ModelException("OpenNLP model " + name.substring(1) + " is not on the class path; "
          + "add org.apache.opennlp:opennlp-models-{sentdetect,tokenizer,pos}-en:1.3.0");
    }
    return in;
  }

  /**
   * A pipeline from model files (e.g. for another language); the POS model must produce UD tags.
   *
   * @param sentenceModel OpenNLP sentence detector model
   * @param tokenizerModel OpenNLP tokenizer model
   * @param posModel OpenNLP POS model with Universal Dependencies tags
   * @return the extractor
   * @throws ModelException naming the file that is missing or malformed
   */
  public static OpenNlpEntityExtractor fromModels(Path sentenceModel, Path tokenizerModel, Path posModel) {
    SentenceModel s = load(sentenceModel, "sentence detector", SentenceModel::new);
    TokenizerModel t = load(tokenizerModel, "tokenizer", TokenizerModel::new);
    POSModel p = load(posModel, "part-of-speech", POSModel::new);
    return new OpenNlpEntityExtractor("opennlp-files/" + sentenceModel.getFileName() + "+"
        + tokenizerModel.getFileName() + "+" + posModel.getFileName() + "/chunk-1", s, t, p);
  }

  private interface ModelReader<M> {
    M read(InputStream in) throws IOException;
  }

  private static <M> M load(Path file, String what, ModelReader<M> reader) {
    Objects.requireNonNull(file, what + " model");
    if (!Files.isRegularFile(file)) {
      throw new ModelException(file + ": " + what + " model file not found");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return reader.read(in);
    } catch (IOException | RuntimeException e) {
      throw new ModelException(file + ": not an OpenNLP " + what + " model: " + e.getMessage(), e);
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public List<EntityMention> extract(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    Pipeline p = pipeline.get();
    List<EntityMention> out = new ArrayList<>();
    for (Span sentence : p.sentences().sentPosDetect(text)) {
      String st = sentence.getCoveredText(text).toString();
      Span[] tokSpans = p.tokenizer().tokenizePos(st);
      if (tokSpans.length == 0) {
        continue;
      }
      String[] tokens = Span.spansToStrings(tokSpans, st);
      String[] tags = p.tagger().tag(tokens);
      chunk(text, sentence.getStart(), tokSpans, tokens, tags, out);
    }
    return out;
  }

  private static boolean nounish(String tag) {
    return tag.equals("NOUN") || tag.equals("PROPN");
  }

  private static boolean connector(String token) {
    String t = token.toLowerCase(Locale.ROOT);
    return t.equals("of") || t.equals("de");
  }

  private void chunk(String text, int base, Span[] spans, String[] tokens, String[] tags,
      List<EntityMention> out) {
    int n = tokens.length;
    Set<Long> seen = new LinkedHashSet<>();
    // proper-noun runs
    int i = 0;
    while (i < n) {
      if (!tags[i].equals("PROPN")) {
        i++;
        continue;
      }
      int j = i + 1;
      while (j < n) {
        if (tags[j].equals("PROPN") || (tags[j].equals("NUM") && j > i)) {
          j++;
        } else if (connector(tokens[j]) && j + 1 < n && tags[j + 1].equals("PROPN")) {
          j += 2;
        } else {
          break;
        }
      }
      emit(text, base, spans, tags, i, j, seen, out);
      i = j;
    }
    // noun phrases
    i = 0;
    while (i < n) {
      if (!(nounish(tags[i]) || tags[i].equals("ADJ"))) {
        i++;
        continue;
      }
      int end = phraseEnd(tags, i);
      if (end < 0) {
        i++;
        continue;
      }
      int full = end;
      if (end < n && connector(tokens[end])) {
        int k = end + 1;
        if (k < n && tags[k].equals("DET")) {
          k++;
        }
        if (k < n) {
          int end2 = phraseEnd(tags, k);
          if (end2 > 0) {
            full = end2;
          }
        }
      }
      emit(text, base, spans, tags, i, end, seen, out);
      if (full != end) {
        emit(text, base, spans, tags, i, full, seen, out);
      }
      int head = i;
      while (head < end && tags[head].equals("ADJ")) {
        head++;
      }
      if (head > i && head < end) {
        emit(text, base, spans, tags, head, end, seen, out);
        if (full != end) {
          emit(text, base, spans, tags, head, full, seen, out);
        }
      }
      i = end;
    }
    out.sort((a, b) -> a.start() != b.start() ? Integer.compare(a.start(), b.start())
        : Integer.compare(a.end(), b.end()));
  }

  /** End (exclusive) of a phrase (ADJ|NOUN|PROPN)* ending in NOUN|PROPN starting at i, or -1. */
  private static int phraseEnd(String[] tags, int i) {
    int j = i;
    int lastNoun = -1;
    while (j < tags.length && (nounish(tags[j]) || tags[j].equals("ADJ")
        || (tags[j].equals("NUM") && lastNoun >= 0))) {
      if (nounish(tags[j]) || tags[j].equals("NUM")) {
        lastNoun = j;
      }
      j++;
    }
    return lastNoun < 0 ? -1 : lastNoun + 1;
  }

  private void emit(String text, int base, Span[] spans, String[] tags, int from, int to,
      Set<Long> seen, List<EntityMention> out) {
    if (to - from > MAX_TOKENS || to <= from) {
      return;
    }
    if (!seen.add(((long) from << 32) | to)) {
      return;
    }
    int start = base + spans[from].getStart();
    int end = base + spans[to - 1].getEnd();
    String surface = text.substring(start, end);
    String key = EntityNames.key(surface);
    if (key.length() < 2 || key.chars().noneMatch(Character::isLetter)) {
      return;
    }
    boolean anyProper = false;
    boolean allProper = true;
    for (int k = from; k < to; k++) {
      if (tags[k].equals("PROPN")) {
        anyProper = true;
      } else if (!tags[k].equals("ADP") && !tags[k].equals("DET") && !tags[k].equals("NUM")) {
        allProper = false;
      }
    }
    EntityKind kind = allProper && anyProper ? EntityKind.PROPER_NOUN
        : anyProper ? EntityKind.NAMED_PHRASE : EntityKind.NOUN_PHRASE;
    out.add(new EntityMention(key, surface, kind, start, end));
  }
}
