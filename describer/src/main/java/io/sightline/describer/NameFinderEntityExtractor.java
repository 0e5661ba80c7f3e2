package io.sightline.describer;

import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.ModelException;
import io.sightline.core.store.ChecksummedFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import opennlp.tools.namefind.NameFinderME;
import opennlp.tools.namefind.NameSample;
import opennlp.tools.namefind.TokenNameFinderFactory;
import opennlp.tools.namefind.TokenNameFinderModel;
import opennlp.tools.tokenize.SimpleTokenizer;
import opennlp.tools.util.CollectionObjectStream;
import opennlp.tools.util.Span;
import opennlp.tools.util.TrainingParameters;

/**
 * Entities from an Apache OpenNLP maximum-entropy name finder trained on the user's annotated
 * text: train with {@link #train}, persist with {@link #save}, reopen with {@link #load}.
 *
 * <p>Training text uses OpenNLP's format, one sentence per line, tokens separated by spaces as
 * {@link SimpleTokenizer} splits them (letters, digits and punctuation apart):
 * <pre>The &lt;START:entity&gt; Sydney Opera House &lt;END&gt; stands in Sydney .</pre>
 * At extraction time sentences are split with {@link BreakIterator} and tokens with
 * {@link SimpleTokenizer}.
 *
 * <p>Model files are {@link ChecksummedFile}s (kind {@value #KIND}): a truncated or foreign file is
 * refused with a clear message. Thread-safe: the model is shared, each thread has its own finder.
 */
public final class NameFinderEntityExtractor implements EntityExtractor {
  /** Kind recorded in model files. */
  public static final String KIND = "describer-name-finder";
  private static final int FORMAT = 1;

  private final TokenNameFinderModel model;
  private final byte[] serialized;
  private final String id;
  private final ThreadLocal<NameFinderME> finder;

  private NameFinderEntityExtractor(TokenNameFinderModel model, byte[] serialized) {
    this.model = model;
    this.serialized = serialized;
    this.id = "opennlp-namefinder/1:" + sha(serialized);
    this.finder = ThreadLocal.withInitial(() -> new NameFinderME(model));
  }

  /**
   * Training settings.
   *
   * @param iterations maximum-entropy training iterations (e.g. 100)
   * @param cutoff minimum feature count (1 for small corpora)
   * @param language language code recorded in the model, e.g. "en"
   */
  public record Options(int iterations, int cutoff, String language) {
    /** Validates. */
    public Options {
      if (iterations < 1 || cutoff < 0) {
        throw new IllegalArgumentException("iterations >= 1 and cutoff >= 0 are required");
      }
      language = language == null ? "en" : language;
    }

    /** @return 100 iterations, cutoff 1, English */
    public static Options defaults() {
      return new Options(100, 1, "en");
    }
  }

  /**
   * Trains a name finder.
   *
   * @param annotatedSentences sentences in OpenNLP's annotated format
   * @param options training settings
   * @param cancel checked before training starts
   * @return the trained extractor
   * @throws InputFormatException naming the 1-based sentence that is malformed
   * @throws ModelException when training fails (e.g. no annotated name at all)
   */
  public static NameFinderEntityExtractor train(List<String> annotatedSentences, Options options,
      CancellationToken cancel) {
    Objects.requireNonNull(options, "options");
    return trainSamples(parse(annotatedSentences, null), options, cancel);
  }

  /**
   * Trains from a UTF-8 file with one annotated sentence per line (blank lines separate documents).
   *
   * @param file training text
   * @param options training settings
   * @param cancel checked before training starts
   * @return the trained extractor
   * @throws InputFormatException naming the file and line that is malformed or not UTF-8
   */
  public static NameFinderEntityExtractor train(Path file, Options options, CancellationToken cancel) {
    List<String> lines = new ArrayList<>();
    Utf8Lines.read(file, (line, s) -> {
      if (s == null) {
        throw new InputFormatException(file, line, "not UTF-8 text");
      }
      lines.add(s);
    });
    return trainSamples(parse(lines, file), options, cancel);
  }

  private static List<NameSample> parse(List<String> lines, Path file) {
    List<NameSample> samples = new ArrayList<>();
    boolean clear = true;
    int names = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        clear = true;
        continue;
      }
      try {
        int starts = line.split("<START", -1).length - 1;
        int ends = line.split("<END>", -1).length - 1;
        if (starts != ends) {
          throw new IllegalArgumentException(starts + " <START> but " + ends + " <END> tags");
        }
        NameSample s = NameSample.parse(line.strip(), clear);
        names += s.getNames().length;
        samples.add(s);
        clear = false;
      } catch (IOException | RuntimeException e) {
        throw new InputFormatException(file, i + 1, "malformed annotated sentence: " + e.getMessage(), e);
      }
    }
    if (samples.isEmpty()) {
      throw new InputFormatException(file, 0, "no training sentences");
    }
    if (names == 0) {
      throw new InputFormatException(file, 0, "no <START> ... <END> annotation in the training text");
    }
    return samples;
  }

  private static NameFinderEntityExtractor trainSamples(List<NameSample> samples, Options options,
      CancellationToken cancel) {
    (cancel == null ? CancellationToken.NONE : cancel).throwIfCancelled();
    TrainingParameters params = TrainingParameters.defaultParams();
    params.put(TrainingParameters.ITERATIONS_PARAM, options.iterations());
    params.put(TrainingParameters.CUTOFF_PARAM, options.cutoff());
    params.put(TrainingParameters.THREADS_PARAM, 1);
    try {
      TokenNameFinderModel m = NameFinderME.train(options.language(), null,
          new CollectionObjectStream<>(samples), params, new TokenNameFinderFactory());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      m.serialize(bytes);
      return new NameFinderEntityExtractor(m, bytes.toByteArray());
    } catch (IOException | RuntimeException e) {
      throw new ModelException("name finder training failed: " + e.getMessage(), e);
    }
  }

  /**
   * Saves atomically as a checksummed file.
   *
   * @param file target
   */
  public void save(Path file) {
    ChecksummedFile.write(file, new ChecksummedFile.Header(KIND, FORMAT, ""), out -> {
      out.writeInt(serialized.length);
      out.write(serialized);
    });
  }

  /**
   * @param file a file written by {@link #save}
   * @return the extractor
   * @throws ModelException when the file is missing, corrupt or not a name-finder model
   */
  public static NameFinderEntityExtractor load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ModelException(file + ": name finder model file not found");
    }
    try {
      return ChecksummedFile.read(file, KIND, FORMAT, (h, in) -> {
        int n = in.readInt();
        if (n <= 0 || n > 1 << 30) {
          throw new IOException("bad model length " + n);
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
          throw new java.io.EOFException();
        }
        return new NameFinderEntityExtractor(new TokenNameFinderModel(new ByteArrayInputStream(b)), b);
      });
    } catch (io.sightline.core.StoreException e) {
      throw new ModelException(file + ": not a usable name finder model: " + e.getMessage(), e);
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
    NameFinderME nf = finder.get();
    List<EntityMention> out = new ArrayList<>();
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(text);
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String sentence = text.substring(start, end);
      Span[] tok = SimpleTokenizer.INSTANCE.tokenizePos(sentence);
      if (tok.length == 0) {
        continue;
      }
      String[] tokens = Span.spansToStrings(tok, sentence);
      for (Span name : nf.find(tokens)) {
        int s = start + tok[name.getStart()].getStart();
        int e = start + tok[name.getEnd() - 1].getEnd();
        String surface = text.substring(s, e);
        String key = EntityNames.key(surface);
        if (!key.isEmpty()) {
          out.add(new EntityMention(key, surface, EntityKind.NAME, s, e));
        }
      }
    }
    nf.clearAdaptiveData();
    return out;
  }

  /** @return the underlying OpenNLP model */
  public TokenNameFinderModel model() {
    return model;
  }

  private static String sha(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
