package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.CancellationToken;
import io.sightline.core.InputFormatException;
import io.sightline.core.io.InputFiles;
import io.sightline.core.ProgressListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds training examples for an {@link EntityScorer} from labelled queries, and reads
 * {@code labels.jsonl}.
 *
 * <p>{@code labels.jsonl}: one object per line, {@code {"query","entity","correct":true|false}}.
 * {@code query} is an image path (relative to the file's folder and confined to it); {@code entity} is a surface form
 * (normalised with {@link EntityNames#key}); {@code "entity": null} with {@code "correct": false}
 * says that no entity is correct for the query (an object not in the database). Every candidate
 * of a query is labelled: by its explicit label when there is one, otherwise — when
 * {@code unlabelledAreNegative} is set (default) — as incorrect.
 */
public final class ScorerTraining {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScorerTraining.class);

  private ScorerTraining() {}

  /**
   * The labels of one query image.
   *
   * @param image the query image file
   * @param labels entity key to correctness (may be empty when only "nothing is correct" was said)
   */
  public record LabelledQuery(Path image, Map<String, Boolean> labels) {
    /** Copies. */
    public LabelledQuery {
      labels = Map.copyOf(labels);
    }
  }

  /**
   * What building the examples found.
   *
   * @param examples the labelled candidates
   * @param queries queries processed
   * @param queriesWithoutMatch queries with no matching reference (no candidates)
   * @param positives correct examples
   * @param labelsNotFound correct labels whose entity was not among the query's candidates
   */
  public record TrainingSet(List<TrainingExample> examples, int queries, int queriesWithoutMatch, int positives,
      int labelsNotFound) {
    /** Copies. */
    public TrainingSet {
      examples = List.copyOf(examples);
    }
  }

  /**
   * Reads {@code labels.jsonl}, grouping labels by query image.
   *
   * @param file the file
   * @return the labelled queries, in first-seen order
   * @throws InputFormatException naming every malformed line (nothing is returned then)
   */
  public static List<LabelledQuery> readLabels(Path file) {
    return readLabels(file, null);
  }

  /**
   * Reads {@code labels.jsonl} whose query paths may lie anywhere under {@code allowedRoot}.
   *
   * @param file the file
   * @param allowedRoot the folder query image paths must stay inside (absolute paths are accepted
   *     inside it), or null for the file's own folder
   * @return the labelled queries, in first-seen order
   * @throws InputFormatException naming every malformed line (nothing is returned then)
   */
  public static List<LabelledQuery> readLabels(Path file, Path allowedRoot) {
    InputFiles.Builder builder = InputFiles.builder(file);
    if (allowedRoot != null) {
      builder.allowedRoot(allowedRoot);
    }
    InputFiles in = builder.build();
    Map<Path, Map<String, Boolean>> byQuery = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    long[] firstBad = {0};
    in.forEachLine((lineNo, s) -> {
      if (s.isBlank()) {
        return;
      }
      try {
        JsonNode n = JSON.readTree(s);
        if (n == null || !n.isObject()) {
          throw new IllegalArgumentException("expected a JSON object");
        }
        JsonNode q = n.get("query");
        JsonNode e = n.get("entity");
        JsonNode c = n.get("correct");
        if (q == null || !q.isTextual() || q.asText().isBlank()) {
          throw new IllegalArgumentException("missing \"query\" (an image path)");
        }
        if (c == null || !c.isBoolean()) {
          throw new IllegalArgumentException("\"correct\" must be true or false");
        }
        Path img;
        try {
          img = in.resolve(q.asText(), lineNo);
        } catch (InputFormatException ex) {
          throw new IllegalArgumentException(RefsJsonl.bare(ex));
        }
        if (!Files.isRegularFile(img)) {
          throw new IllegalArgumentException("query image not found: " + img);
        }
        Map<String, Boolean> labels = byQuery.computeIfAbsent(img, k -> new LinkedHashMap<>());
        if (e == null || e.isNull()) {
          if (c.asBoolean()) {
            throw new IllegalArgumentException("\"entity\": null can only be \"correct\": false");
          }
          return;
        }
        if (!e.isTextual() || EntityNames.key(e.asText()).isEmpty()) {
          throw new IllegalArgumentException("\"entity\" must be a non-empty string or null");
        }
        labels.put(EntityNames.key(e.asText()), c.asBoolean());
      } catch (JsonProcessingException ex) {
        errors.add("line " + lineNo + ": malformed JSON: " + ex.getOriginalMessage());
        firstBad[0] = firstBad[0] == 0 ? lineNo : firstBad[0];
      } catch (IllegalArgumentException ex) {
        errors.add("line " + lineNo + ": " + ex.getMessage());
        firstBad[0] = firstBad[0] == 0 ? lineNo : firstBad[0];
      }
    }, ex -> {
      errors.add("line " + ex.line() + ": " + RefsJsonl.bare(ex));
      firstBad[0] = firstBad[0] == 0 ? ex.line() : firstBad[0];
    });
    if (!errors.isEmpty()) {
      throw new InputFormatException(file, firstBad[0], errors.size() + " malformed label(s):\n  "
          + String.join("\n  ", errors.subList(0, Math.min(20, errors.size()))));
    }
    if (byQuery.isEmpty()) {
      throw new InputFormatException(file, 0, "no labels");
    }
    List<LabelledQuery> out = new ArrayList<>();
    byQuery.forEach((k, v) -> out.add(new LabelledQuery(k, v)));
    return out;
  }

  /**
   * Labels the candidates of one query given by its vector.
   *
   * @param describer gives the candidates (its mode decides the feature schema)
   * @param query a label for the query
   * @param vector the query's image vector
   * @param labels entity key to correctness
   * @param unlabelledAreNegative label candidates without an explicit label as incorrect
   * @param out receives the examples
   * @return number of correct labels not found among the candidates
   */
  public static int label(ImageDescriber describer, String query, float[] vector, Map<String, Boolean> labels,
      boolean unlabelledAreNegative, List<TrainingExample> out) {
    return label(describer.candidates(vector), query, labels, unlabelledAreNegative, out);
  }

  /**
   * Labels the candidates of one query image, matched with the describer's {@link Matcher} (so the
   * features carry the same fused similarity as at query time).
   *
   * @param describer gives the candidates (its mode decides the feature schema)
   * @param query a label for the query
   * @param image the query image
   * @param labels entity key to correctness
   * @param unlabelledAreNegative label candidates without an explicit label as incorrect
   * @param out receives the examples
   * @return number of correct labels not found among the candidates
   */
  public static int label(ImageDescriber describer, String query, java.awt.image.BufferedImage image,
      Map<String, Boolean> labels, boolean unlabelledAreNegative, List<TrainingExample> out) {
    return label(describer.candidates(image), query, labels, unlabelledAreNegative, out);
  }

  private static int label(CandidateSet set, String query, Map<String, Boolean> labels,
      boolean unlabelledAreNegative, List<TrainingExample> out) {
    int found = 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (EntityCandidate c : set.candidates()) {
      Boolean l = labels.get(c.key());
      if (l == null && !unlabelledAreNegative) {
        continue;
      }
      boolean correct = l != null && l;
      if (correct && seen.add(c.key())) {
        found++;
      }
      out.add(new TrainingExample(query, c, correct));
    }
    long positives = labels.values().stream().filter(b -> b).count();
    return (int) positives - found;
  }

  /**
   * Builds training examples for labelled query images.
   *
   * @param describer gives the candidates (its mode decides the feature schema)
   * @param queries labelled queries
   * @param unlabelledAreNegative label candidates without an explicit label as incorrect
   * @param listener progress per query
   * @param cancel checked per query
   * @return the examples and counts
   */
  public static TrainingSet build(ImageDescriber describer, List<LabelledQuery> queries,
      boolean unlabelledAreNegative, ProgressListener listener, CancellationToken cancel) {
    List<TrainingExample> out = new ArrayList<>();
    int noMatch = 0;
    int notFound = 0;
    int done = 0;
    for (LabelledQuery q : queries) {
      cancel.throwIfCancelled();
      java.awt.image.BufferedImage img = ImageSource.ofPath(q.image()).load(describer.store().imageLoader());
      int before = out.size();
      try {
        notFound += label(describer, q.image().toString(), img, q.labels(), unlabelledAreNegative, out);
      } catch (io.sightline.core.instance.NoFeaturesException e) {
        LOG.warn("{}: no candidates: {}", q.image(), e.getMessage());
        notFound += (int) q.labels().values().stream().filter(b -> b).count();
      }
      if (out.size() == before) {
        noMatch++;
      }
      listener.onProgress("describer-labels", ++done, queries.size(), "");
    }
    int pos = (int) out.stream().filter(TrainingExample::correct).count();
    return new TrainingSet(out, queries.size(), noMatch, pos, notFound);
  }
}
