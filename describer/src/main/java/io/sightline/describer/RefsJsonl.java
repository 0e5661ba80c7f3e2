package io.sightline.describer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.core.InputFormatException;
import io.sightline.core.io.InputFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads {@code refs.jsonl}: one JSON object per line,
 * <pre>{"id","image","title","text","fields":{...},"displays","views","clicks"}</pre>
 * {@code id} and {@code image} are required; {@code image} is a path (relative paths resolve
 * against the file's folder and must stay inside it: absolute paths, {@code ..} escapes and
 * symbolic links leading out are refused unless the caller widens the root with
 * {@link #read(Path, Path)}) or an {@code http(s)://} URL; {@code fields} values may be strings,
 * numbers or arrays (joined with ", "); counts default to 0. The file must be UTF-8 with lines of
 * at most 1 MiB; a line that is not, is too long, or is malformed, is reported with its number.
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
   * Reads every non-blank line; malformed lines come back with their error, never thrown. Image
   * paths must stay inside the file's folder.
   *
   * @param file the file
   * @return the lines
   * @throws InputFormatException when the file is missing or unreadable
   */
  public static List<Line> read(Path file) {
    return read(file, null);
  }

  /**
   * Reads every non-blank line; malformed lines come back with their error, never thrown.
   *
   * @param file the file
   * @param allowedRoot the folder image paths must stay inside (absolute paths are accepted inside
   *     it), or null for the file's own folder
   * @return the lines
   * @throws InputFormatException when the file is missing or unreadable
   */
  public static List<Line> read(Path file, Path allowedRoot) {
    return read(file, allowedRoot, UrlPolicy.NONE);
  }

  /**
   * Reads every non-blank line; malformed lines come back with their error, never thrown.
   *
   * @param file the file
   * @param allowedRoot the folder image paths must stay inside (absolute paths are accepted inside
   *     it), or null for the file's own folder
   * @param urls which image URLs may be fetched; a line whose image URL the policy does not allow
   *     is malformed ({@link UrlPolicy#NONE}: every URL line)
   * @return the lines
   * @throws InputFormatException when the file is missing or unreadable
   */
  public static List<Line> read(Path file, Path allowedRoot, UrlPolicy urls) {
    java.util.Objects.requireNonNull(urls, "urls");
    InputFiles.Builder b = InputFiles.builder(file);
    if (allowedRoot != null) {
      b.allowedRoot(allowedRoot);
    }
    InputFiles in = b.build();
    List<Line> out = new ArrayList<>();
    in.forEachLine((lineNo, s) -> {
      if (s.isBlank()) {
        return;
      }
      try {
        out.add(new Line(lineNo, parse(s, image -> in.resolve(image, lineNo), urls), null));
      } catch (InputFormatException e) {
        out.add(new Line(lineNo, null, bare(e)));
      } catch (IllegalArgumentException e) {
        out.add(new Line(lineNo, null, e.getMessage()));
      }
    }, e -> out.add(new Line(e.line(), null, bare(e))));
    return out;
  }

  /** The message of an exception without its "file:line: " prefix. */
  static String bare(InputFormatException e) {
    String m = e.getMessage();
    if (e.file() != null) {
      String prefix = e.file() + (e.line() > 0 ? ":" + e.line() : "") + ": ";
      if (m.startsWith(prefix)) {
        return m.substring(prefix.length());
      }
    }
    return m;
  }

  /**
   * Parses one line.
   *
   * @param json the JSON object text
   * @param base folder that relative image paths resolve against and must stay inside, or null
   *     for API input (paths taken as given)
   * @return the input
   * @throws InputFormatException when malformed, or when the image path leaves {@code base}
   */
  public static ReferenceInput parse(String json, Path base) {
    return parse(json, base, UrlPolicy.NONE);
  }

  /**
   * Parses one line.
   *
   * @param json the JSON object text
   * @param base folder that relative image paths resolve against and must stay inside, or null
   *     for API input (paths taken as given)
   * @param urls which image URLs may be fetched
   * @return the input
   * @throws InputFormatException when malformed, when the image path leaves {@code base}, or when
   *     the image URL's host is not allowed
   */
  public static ReferenceInput parse(String json, Path base, UrlPolicy urls) {
    InputFiles in = base == null ? null : InputFiles.of(base.resolve("refs.jsonl"));
    return parse(json, image -> in == null ? Path.of(image) : in.resolve(image, 0), urls);
  }

  private static ReferenceInput parse(String json, Function<String, Path> resolver, UrlPolicy urls) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InputFormatException(null, 0, "malformed JSON: "
          + e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source.*$", ""));
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
    if (image.length() > ReferenceStore.MAX_LOCATION_LENGTH) {
      throw new InputFormatException(null, 0, "reference " + id + ": \"image\" is " + image.length()
          + " characters, over the limit of " + ReferenceStore.MAX_LOCATION_LENGTH);
    }
    if (image.startsWith("http://") || image.startsWith("https://")) {
      java.net.URI uri = java.net.URI.create(image);
      if (urls.isOff()) {
        throw new InputFormatException(null, 0, "reference " + id + ": image URLs are not fetched unless"
            + " their hosts are allowed (CLI: --allow-urls " + (uri.getHost() == null ? "HOST" : uri.getHost())
            + "; API: UrlPolicy)");
      }
      if (!urls.allowsHost(uri)) {
        throw new InputFormatException(null, 0, "reference " + id + ": image host " + uri.getHost()
            + " is not in the allowed list " + urls.hosts());
      }
      src = ImageSource.ofUrl(uri, urls);
      origin = Origin.NETWORK;
    } else {
      Path p;
      try {
        p = resolver.apply(image);
      } catch (InputFormatException e) {
        throw new InputFormatException(null, 0, "reference " + id + ": " + bare(e));
      }
      if (!Files.isRegularFile(p)) {
        throw new InputFormatException(null, 0, "reference " + id + ": image file not found: " + p);
      }
      if (p.toString().length() > ReferenceStore.MAX_LOCATION_LENGTH) {
        throw new InputFormatException(null, 0, "reference " + id + ": \"image\" resolves to a path of "
            + p.toString().length() + " characters, over the limit of " + ReferenceStore.MAX_LOCATION_LENGTH);
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
    // 1e300 or 99999999999999999999 would otherwise be clamped to Long.MAX_VALUE
    if (!n.canConvertToLong()) {
      throw new InputFormatException(null, 0, "\"" + name + "\" is out of range (at most "
          + Long.MAX_VALUE + "): " + n.asText());
    }
    long v = n.asLong();
    if (v < 0) {
      throw new InputFormatException(null, 0, "\"" + name + "\" must be >= 0");
    }
    return v;
  }
}
