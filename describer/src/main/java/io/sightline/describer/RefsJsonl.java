package io.sightline.describer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.core.InputFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code refs.jsonl}: one JSON object per line,
 * <pre>{"id","image","title","text","fields":{...},"displays","views","clicks"}</pre>
 * {@code id} and {@code image} are required; {@code image} is a path (relative paths resolve
 * against the file's folder) or an {@code http(s)://} URL; {@code fields} values may be strings,
 * numbers or arrays (joined with ", "); counts default to 0. The file must be UTF-8; a line that
 * is not, or that is malformed, is reported with its line number.
 */
public final class RefsJsonl {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RefsJsonl() {}

  /**
   * One non-blank line: either a parsed input or an error.
   *
   * @param line 1-based line number
   * @param input the parsed reference, or null
   * @param error what is wrong, or null
   */
  public record Line(long line, ReferenceInput input, String error) {}

  /**
   * Reads every non-blank line; malformed lines come back with their error, never thrown.
   *
   * @param file the file
   * @return the lines
   * @throws InputFormatException when the file is missing or unreadable
   */
  public static List<Line> read(Path file) {
    Path base = file.toAbsolutePath().getParent();
    List<Line> out = new ArrayList<>();
    Utf8Lines.read(file, (lineNo, s) -> {
      if (s == null) {
        out.add(new Line(lineNo, null, "not UTF-8 text (invalid byte sequence)"));
        return;
      }
      if (s.isBlank()) {
        return;
      }
      try {
        out.add(new Line(lineNo, parse(s, base), null));
      } catch (InputFormatException | IllegalArgumentException e) {
        out.add(new Line(lineNo, null, e.getMessage()));
      }
    });
    return out;
  }

  /**
   * Parses one line.
   *
   * @param json the JSON object text
   * @param base folder that relative image paths resolve against
   * @return the input
   * @throws InputFormatException when malformed
   */
  public static ReferenceInput parse(String json, Path base) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InputFormatException(null, 0, "malformed JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode o)) {
      throw new InputFormatException(null, 0, "expected a JSON object");
    }
    String id = text(o, "id", true);
    String image = text(o, "image", true);
    if (id.isBlank() || image.isBlank()) {
      throw new InputFormatException(null, 0, "\"id\" and \"image\" must not be empty");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    JsonNode f = o.get("fields");
    if (f != null && !f.isNull()) {
      if (!f.isObject()) {
        throw new InputFormatException(null, 0, "\"fields\" must be an object");
      }
      Iterator<Map.Entry<String, JsonNode>> it = f.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        fields.put(e.getKey(), fieldText(e.getKey(), e.getValue()));
      }
    }
    Reference ref;
    try {
      ref = new Reference(id, text(o, "title", false), text(o, "text", false), fields,
          count(o, "displays"), count(o, "views"), count(o, "clicks"));
    } catch (InputFormatException e) {
      throw new InputFormatException(null, 0, e.getMessage());
    }
    if (ref.isEmptyPage()) {
      throw new InputFormatException(null, 0, "reference " + id
          + ": empty page (no title, text or fields): nothing to describe the image with");
    }
    ImageSource src;
    Origin origin;
    if (image.startsWith("http://") || image.startsWith("https://")) {
      src = ImageSource.ofUrl(java.net.URI.create(image), null);
      origin = Origin.NETWORK;
    } else {
      Path p = base == null ? Path.of(image) : base.resolve(image);
      if (!Files.isRegularFile(p)) {
        throw new InputFormatException(null, 0, "reference " + id + ": image file not found: " + p);
      }
      src = ImageSource.ofPath(p);
      origin = Origin.IMPORT;
    }
    return new ReferenceInput(ref, src, origin);
  }

  private static String text(ObjectNode o, String name, boolean required) {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      if (required) {
        throw new InputFormatException(null, 0, "missing \"" + name + "\"");
      }
      return "";
    }
    if (!n.isTextual() && !(name.equals("id") && n.isIntegralNumber())) {
      throw new InputFormatException(null, 0, "\"" + name + "\" must be a string");
    }
    return n.asText();
  }

  private static String fieldText(String name, JsonNode v) {
    if (v.isNull()) {
      return "";
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isValueNode()) {
          throw new InputFormatException(null, 0, "field \"" + name + "\" must hold strings or numbers");
        }
        parts.add(e.asText());
      }
      return String.join(", ", parts);
    }
    throw new InputFormatException(null, 0, "field \"" + name + "\" must be a string, number or array");
  }

  private static long count(ObjectNode o, String name) {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isNumber() || (!n.isIntegralNumber() && n.asDouble() != Math.rint(n.asDouble()))) {
      throw new InputFormatException(null, 0, "\"" + name + "\" must be a whole number");
    }
    long v = n.asLong();
    if (v < 0) {
      throw new InputFormatException(null, 0, "\"" + name + "\" must be >= 0");
    }
    return v;
  }
}
