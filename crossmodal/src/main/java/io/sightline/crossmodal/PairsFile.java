package io.sightline.crossmodal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.InputFormatException;
import io.sightline.core.detect.Box;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code pairs.jsonl}: one JSON object per line,
 * {@code {"image","text"}} with optional {@code "objects":[{"box":[x,y,w,h],"label"}]}; relative
 * image paths resolve against the file's folder. Blank lines are skipped.
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
   * @param file the pairs file
   * @return the pairs, in file order
   * @throws InputFormatException when the file is missing, empty or has bad records
   */
  public static List<ImageTextPair> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InputFormatException(file, 0, "no such pairs file");
    }
    Path base = file.toAbsolutePath().getParent();
    List<ImageTextPair> pairs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    long firstBad = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        try {
          pairs.add(parse(line, base));
        } catch (IllegalArgumentException | IOException e) {
          if (firstBad == 0) {
            firstBad = no;
          }
          problems.add("line " + no + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new InputFormatException(file, 0, "cannot read: " + e.getMessage(), e);
    }
    if (!problems.isEmpty()) {
      String listed = String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size())));
      String more = problems.size() > MAX_LISTED ? "; ... " + (problems.size() - MAX_LISTED) + " more" : "";
      throw new InputFormatException(file, firstBad,
          problems.size() + " bad record(s): " + listed + more);
    }
    if (pairs.isEmpty()) {
      throw new InputFormatException(file, 0, "no pairs in file");
    }
    return pairs;
  }

  private static ImageTextPair parse(String line, Path base) throws IOException {
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
    Path image = base.resolve(img.asText()).normalize();
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
