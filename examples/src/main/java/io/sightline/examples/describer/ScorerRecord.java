package io.sightline.examples.describer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The entity scorer registered with a describer store, as {@code describe train-scorer} records it
 * in {@value #FILE_NAME} beside the store, with everything the scorer's training depended on:
 * <pre>{@code
 * {"format":1,"scorer":"/abs/path/scorer.model","sha256":"<64 hex>","kind":"gbdt","mode":"GROUPED",
 *  "matchThreshold":0.8,"topImages":10,"embedder":"global-descriptor/1","matcher":"hybrid"}
 * }</pre>
 * {@code describe query} uses the registered scorer with the same mode and thresholds without being
 * told, and refuses to use it with other thresholds, another embedder or another matcher (a
 * scorer learns from the candidates those produce; with other ones its scores mean something else).
 *
 * @param format record format version ({@value #FORMAT})
 * @param scorer absolute path of the model file written by {@code train-scorer --out}
 * @param sha256 SHA-256 of the model file's bytes, 64 lower-case hex digits
 * @param kind {@code gbdt} or {@code lstm}
 * @param mode scoring mode the scorer was trained in ({@code GROUPED} or {@code PER_MENTION})
 * @param matchThreshold minimum image similarity used while training
 * @param topImages matched images at most used while training
 * @param embedder id of the store's image embedder while training
 * @param matcher the store's matcher while training ({@code global}, {@code local}, {@code hybrid})
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ScorerRecord(int format, String scorer, String sha256, String kind, String mode, double matchThreshold,
    int topImages, String embedder, String matcher) {
  /** File name of the record inside a store folder. */
  public static final String FILE_NAME = "scorer.json";
  /** Current record format. */
  public static final int FORMAT = 1;

  /**
   * Reads the record of a store folder.
   *
   * @param dir store folder
   * @return the record, or empty when no scorer is registered
   * @throws StoreException when the file cannot be read or is not a scorer record
   * @throws IncompatibleFormatException when it has a newer format
   */
  public static Optional<ScorerRecord> read(Path dir) {
    Path f = dir.resolve(FILE_NAME);
    Optional<JsonNode> read = CliSupport.readJsonRecord(f, FORMAT, "a scorer record");
    if (read.isEmpty()) {
      return Optional.empty();
    }
    JsonNode n = read.get();
    int format = n.path("format").asInt(0);
    for (String field : List.of("scorer", "sha256", "kind", "mode", "embedder", "matcher")) {
      if (!n.path(field).isTextual()) {
        throw new StoreException(f + ": a scorer record needs a text field \"" + field + "\"");
      }
    }
    if (!n.path("matchThreshold").isNumber() || !n.path("topImages").canConvertToInt()) {
      throw new StoreException(f + ": a scorer record needs numbers \"matchThreshold\" and \"topImages\"");
    }
    return Optional.of(new ScorerRecord(format, n.get("scorer").asText(), n.get("sha256").asText(),
        n.get("kind").asText(), n.get("mode").asText(), n.get("matchThreshold").asDouble(),
        n.get("topImages").asInt(), n.get("embedder").asText(), n.get("matcher").asText()));
  }

  /**
   * Writes the record into a store folder atomically, replacing a registered scorer.
   *
   * @param dir store folder
   * @throws StoreException on write failure
   */
  public void write(Path dir) {
    CliSupport.writeJsonAtomically(dir.resolve(FILE_NAME), this);
  }

  /**
   * Checks that the registered model file is still the one trained: present and with the same bytes.
   *
   * @param dir the store folder, for messages
   * @return the model file
   * @throws StoreException when it is missing or its bytes changed
   */
  public Path verifiedFile(Path dir) {
    Path file = Path.of(scorer);
    String now;
    try {
      now = EmbedderRecord.sha256(file);
    } catch (IOException e) {
      throw new StoreException("the scorer registered in " + dir.resolve(FILE_NAME) + " (" + scorer
          + ") cannot be read: " + e.getMessage() + "; put it back, train a new one with 'describe train-scorer',"
          + " or query with --scorer heuristic");
    }
    if (!now.equals(sha256)) {
      throw new StoreException("the scorer registered in " + dir.resolve(FILE_NAME) + " (" + scorer
          + ", sha256 " + sha256.substring(0, 12) + ") has changed since (sha256 now " + now.substring(0, 12)
          + "); train it again with 'describe train-scorer', or query with --scorer heuristic");
    }
    return file;
  }

  /**
   * Lists how a query's settings differ from the scorer's training.
   *
   * @param mode the query's scoring mode
   * @param matchThreshold the query's minimum image similarity
   * @param topImages the query's matched images at most
   * @param embedderId the store's embedder now
   * @param matcherId the store's matcher now
   * @return one phrase per difference, empty when none
   */
  public List<String> differences(String mode, double matchThreshold, int topImages, String embedderId,
      String matcherId) {
    List<String> d = new ArrayList<>();
    if (!this.mode.equals(mode)) {
      d.add("mode " + this.mode + " (asked " + mode + ")");
    }
    if (Double.compare(this.matchThreshold, matchThreshold) != 0) {
      d.add("--match-threshold " + this.matchThreshold + " (asked " + matchThreshold + ")");
    }
    if (this.topImages != topImages) {
      d.add("--top-images " + this.topImages + " (asked " + topImages + ")");
    }
    if (!this.embedder.equals(embedderId)) {
      d.add("embedder " + this.embedder + " (the store now has " + embedderId + ")");
    }
    if (!this.matcher.equals(matcherId)) {
      d.add("matcher " + this.matcher + " (the store now has " + matcherId + ")");
    }
    return d;
  }
}
