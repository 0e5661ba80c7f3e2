package io.sightline.crossmodal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.InputFormatException;
import io.sightline.core.detect.Box;
import io.sightline.core.io.InputFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code pairs.jsonl}: one JSON object per line,
 * {@code {"image","text"}} with optional {@code "objects":[{"box":[x,y,w,h],"label"}]}; relative
 * image paths resolve against the file's folder and must stay inside it (or inside the root given
 * to {@link #read(Path, Path)}): absolute paths, {@code ..} escapes and symbolic links leading
 * out are refused. The file must be UTF-8 with lines of at most 1 MiB. Blank lines are skipped.
 *
 * <p>Every bad record (missing or unreadable image, empty text, malformed JSON or box) is
 * collected; if there is any, an {@link InputFormatException} names the first bad line and lists
 * every bad line with its reason.
 */
public final class PairsFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LISTED = 20;

  private PairsFile() {}

  /**
   * Reads a pairs file; image paths must stay inside the file's folder.
   *
   * @param file the pairs file
   * @return the pairs, in file order
   * @throws InputFormatException when the file is missing, empty or has bad records (including
   *     invalid UTF-8, lines over 1 MiB and image paths that leave the file's folder)
   */
  public static List<ImageTextPair> read(Path file) {
    return read(file, null);
  }

  /**
   * Reads a pairs file whose image paths may lie anywhere under {@code allowedRoot}.
   *
   * @param file the pairs file
   * @param allowedRoot the folder image paths must stay inside (absolute paths are accepted inside
   *     it), or null for the file's own folder
   * @return the pairs, in file order
   * @throws InputFormatException when the file is missing, empty or has bad records
   */
  public static List<ImageTextPair> read(Path file, Path allowedRoot) {
    if (!Files.isRegularFile(file)) {
      throw new InputFormatException(file, 0, "no such pairs file");
    }
    InputFiles.Builder b = InputFiles.builder(file);
    if (allowedRoot != null) {
      b.allowedRoot(allowedRoot);
    }
    InputFiles in = b.build();
    List<ImageTextPair> pairs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    long[] firstBad = {0};
    in.forEachLine((no, line) -> {
      if (line.isBlank()) {
        return;
      }
      try {
        pairs.add(parse(line, in, no));
      } catch (IllegalArgumentException | IOException e) {
        firstBad[0] = firstBad[0] == 0 ? no : firstBad[0];
        problems.add("line " + no + ": " + e.getMessage());
      } catch (InputFormatException e) {
        firstBad[0] = firstBad[0] == 0 ? no : firstBad[0];
        problems.add("line " + no + ": " + bare(e));
      }
    }, e -> {
      firstBad[0] = firstBad[0] == 0 ? e.line() : firstBad[0];
      problems.add("line " + e.line() + ": " + bare(e));
    });
    if (!problems.isEmpty()) {
      String listed = String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())));
      String more = problems.size() > MAX_LISTED ? "; ... " + (problems.size() - MAX_LISTED) + " more" : "";
      throw new InputFormatException(file, firstBad[0],
          problems.size() + " bad record(s): " + listed + more);
    }
    if (pairs.isEmpty()) {
      throw new InputFormatException(file, 0, "no pairs in file");
    }
    return pairs;
  }

  /** The message of a line error without its "file:line: " prefix. */
  private static String bare(InputFormatException e) {
    String m = e.getMessage();
    String prefix = e.file() + ":" + e.line() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  private static ImageTextPair parse(String line, InputFiles in, long no) throws IOException {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    JsonNode img = n.get("image");
    if (img == null || !img.isTextual() || img.asText().isBlank()) {
      throw new IllegalArgumentException("missing \"image\"");
    }
    Path image = in.resolve(img.asText(), no);
    if (!Files.isRegularFile(image)) {
      throw new IllegalArgumentException("image not found: " + image);
    }
    JsonNode text = n.get("text");
    if (text == null || !text.isTextual() || text.asText().isBlank()) {
      throw new IllegalArgumentException("empty or missing \"text\" for image " + img.asText());
    }
    List<LabeledBox> boxes = new ArrayList<>();
    JsonNode objs = n.get("objects");
    if (objs != null && !objs.isNull()) {
      if (!objs.isArray()) {
        throw new IllegalArgumentException("\"objects\" must be an array");
      }
      for (JsonNode o : objs) {
        JsonNode b = o.get("box");
        if (b == null || !b.isArray() || b.size() != 4) {
          throw new IllegalArgumentException("object box must be [x, y, w, h]");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
          if (!b.get(i).isNumber() || !Double.isFinite(b.get(i).asDouble())) {
            throw new IllegalArgumentException("object box must hold 4 finite numbers");
          }
          v[i] = b.get(i).asDouble();
        }
        if (v[2] <= 0 || v[3] <= 0) {
          throw new IllegalArgumentException("object box width and height must be positive");
        }
        JsonNode label = o.get("label");
        boxes.add(new LabeledBox(new Box(v[0], v[1], v[2], v[3]),
            label == null || label.isNull() ? null : label.asText()));
      }
    }
    return new ImageTextPair(image, text.asText(), boxes);
  }
}
