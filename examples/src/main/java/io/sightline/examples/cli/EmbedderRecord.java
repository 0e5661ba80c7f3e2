package io.sightline.examples.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What built a store or model folder's image vectors, as the CLI records it in
 * {@value #FILE_NAME} beside the store, so that query commands rebuild the same embedder without
 * being told:
 * <pre>{@code
 * {"format":1,"kind":"onnx","model":"/abs/path/model.onnx","sha256":"<64 hex>","preset":"clip",
 *  "output":null,"id":"onnx:model.onnx@sha256:1a2b3c4d5e6f","dimension":512,"preprocessing":"input 224x224 ..."}
 * {"format":1,"kind":"default","id":"global-descriptor/1","dimension":...}
 * }</pre>
 *
 * @param format record format version ({@value #FORMAT})
 * @param kind {@code onnx} or {@code default} (the training-free global descriptor)
 * @param model absolute path of the ONNX file (onnx only)
 * @param sha256 SHA-256 of the ONNX file's bytes, 64 lower-case hex digits (onnx only)
 * @param preset the preset's command-line name (onnx only)
 * @param output the model output the vectors come from, or null for the first output
 * @param id the embedder's {@code id()}, as the store records it
 * @param dimension vector length
 * @param preprocessing the preprocessing in words (onnx only), for a reader of the file
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EmbedderRecord(int format, String kind, String model, String sha256, String preset, String output,
    String id, int dimension, String preprocessing) {
  /** File name of the record inside a store or model folder. */
  public static final String FILE_NAME = "embedder.json";
  /** Current record format. */
  public static final int FORMAT = 1;
  /** {@link #kind} of the training-free default embedder. */
  public static final String DEFAULT = "default";
  /** {@link #kind} of an ONNX embedder. */
  public static final String ONNX = "onnx";

  /** @return whether this record names the default embedder */
  public boolean isDefault() {
    return DEFAULT.equals(kind);
  }

  /** @return the record in words, for messages */
  public String describe() {
    if (isDefault()) {
      return "the default embedder (" + id + ")";
    }
    return "--embedder " + model + " (sha256 " + shortHash(sha256) + ") --preset " + preset
        + (output == null ? "" : " --embedder-output " + output);
  }

  static String shortHash(String hash) {
    return hash == null ? "?" : hash.substring(0, Math.min(12, hash.length()));
  }

  /**
   * Reads the record of a folder.
   *
   * @param dir store or model folder
   * @return the record, or empty when the folder has none (made before records, or not a store)
   * @throws StoreException when the file cannot be read or is not a record
   * @throws IncompatibleFormatException when it has a newer format
   */
  public static Optional<EmbedderRecord> read(Path dir) {
    Path f = dir.resolve(FILE_NAME);
    Optional<JsonNode> read = CliSupport.readJsonRecord(f, FORMAT, "an embedder record");
    if (read.isEmpty()) {
      return Optional.empty();
    }
    JsonNode n = read.get();
    if (!n.path("kind").isTextual() || !n.path("id").isTextual()) {
      throw new StoreException(f + " is not an embedder record (expected {\"kind\",\"id\",...})");
    }
    int format = n.path("format").asInt(0);
    String kind = n.get("kind").asText();
    if (!DEFAULT.equals(kind) && !ONNX.equals(kind)) {
      throw new IncompatibleFormatException(f + ": unknown embedder kind '" + kind + "' (expected onnx or default)");
    }
    EmbedderRecord r = new EmbedderRecord(format, kind, text(n, "model"), text(n, "sha256"), text(n, "preset"),
        text(n, "output"), n.get("id").asText(), n.path("dimension").asInt(0), text(n, "preprocessing"));
    if (!r.isDefault() && (r.model == null || r.sha256 == null || r.preset == null)) {
      throw new StoreException(f + ": an onnx record needs \"model\", \"sha256\" and \"preset\"");
    }
    return Optional.of(r);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /**
   * Writes the record into a folder atomically (temp file, fsync, rename); an equal record already
   * there is left as it is.
   *
   * @param dir store or model folder (created if needed)
   * @throws StoreException on write failure
   */
  public void write(Path dir) {
    try {
      if (read(dir).filter(this::equals).isPresent()) {
        return;
      }
    } catch (StoreException e) {
      // unreadable: replaced below
    }
    CliSupport.writeJsonAtomically(dir.resolve(FILE_NAME), this);
  }

  /**
   * @param file a file
   * @return SHA-256 of its bytes, 64 lower-case hex digits
   * @throws IOException on read failure
   */
  public static String sha256(Path file) throws IOException {
    return io.sightline.core.io.FileHashes.sha256(file);
  }

  /**
   * @param other another record
   * @return whether both name the same embedder (kind, model bytes, preset, output)
   */
  public boolean sameEmbedder(EmbedderRecord other) {
    return kind.equals(other.kind) && Objects.equals(sha256, other.sha256) && Objects.equals(preset, other.preset)
        && Objects.equals(output, other.output);
  }
}
