package io.sightline.posters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.InputFormatException;
import io.sightline.core.SightlineException;
import io.sightline.core.detect.Box;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.io.InputFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * An image template (seed (57)–(62), FIG. 13): the canvas size, which fixes the crop aspect, fixed
 * layers with their placement region, and non-fixed (floating) layers with an allowed region and a
 * size. Read from the JSON format of ARCHITECTURE.md with {@link #load(Path)}; every problem
 * (missing field, box outside the canvas, layer larger than its region or the canvas, unknown font,
 * unreadable image) fails with an {@link InputFormatException} naming the file and the layer.
 *
 * <p>Immutable (decoded layer images are shared read-only) and thread-safe.
 *
 * @param name template name (used in output file names)
 * @param width canvas width in pixels
 * @param height canvas height in pixels
 * @param fixed fixed layers, drawn in order
 * @param floating floating layers, placed and drawn in order after the fixed ones
 */
public record PosterTemplate(String name, int width, int height, List<FixedLayer> fixed, List<FloatingLayer> floating) {
  /** Largest canvas side accepted. */
  public static final int MAX_SIDE = 10_000;
  /** Largest canvas area accepted, in pixels (40 MP: an 8K UHD canvas fits). */
  public static final long MAX_PIXELS = 40_000_000L;
  /** Largest template file accepted, in bytes. */
  public static final long MAX_FILE_BYTES = 1 << 20;
  private static final double EPS = 1e-6;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LOGICAL_FONTS = Set.of("serif", "sansserif", "monospaced", "dialog", "dialoginput");

  /** Validates the canvas and the layers. */
  public PosterTemplate {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("template needs a name");
    }
    if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
      throw new IllegalArgumentException("template '" + name + "' canvas " + width + "x" + height
          + " must be between 1 and " + MAX_SIDE + " pixels a side");
    }
    if ((long) width * height > MAX_PIXELS) {
      throw new IllegalArgumentException("template '" + name + "' canvas " + width + "x" + height + " is "
          + (long) width * height + " pixels, over the budget of " + MAX_PIXELS);
    }
    fixed = List.copyOf(fixed);
    floating = List.copyOf(floating);
    for (FixedLayer f : fixed) {
      checkInside(name, f.name(), "box", f.box());
    }
    for (FloatingLayer f : floating) {
      checkInside(name, f.name(), "region", f.region());
      if (f.width() > 1 + EPS || f.height() > 1 + EPS) {
        throw new IllegalArgumentException("template '" + name + "': floating layer '" + f.name() + "' size "
            + f.width() + "x" + f.height() + " is larger than the canvas");
      }
      if (f.width() > f.region().w() + EPS || f.height() > f.region().h() + EPS) {
        throw new IllegalArgumentException("template '" + name + "': floating layer '" + f.name() + "' size "
            + f.width() + "x" + f.height() + " is larger than its region " + f.region().w() + "x" + f.region().h());
      }
    }
  }

  private static void checkInside(String template, String layer, String what, Box b) {
    if (b.isEmpty() || b.x() < -EPS || b.y() < -EPS || b.x2() > 1 + EPS || b.y2() > 1 + EPS) {
      throw new IllegalArgumentException("template '" + template + "': layer '" + layer + "' " + what + " ["
          + b.x() + ", " + b.y() + ", " + b.w() + ", " + b.h() + "] must be non-empty and inside the canvas "
          + "(fractions in [0,1])");
    }
  }

  /** @return the canvas aspect, which is the crop aspect */
  public AspectRatio aspect() {
    return new AspectRatio(width, height);
  }

  /**
   * @param aspect new aspect; the canvas keeps its width (CLI {@code --aspect})
   * @return this template with the canvas height changed to {@code width * h'/w'}
   */
  public PosterTemplate withAspect(AspectRatio aspect) {
    int h = (int) Math.round(width / aspect.value());
    if (h < 1) {
      throw new PosterException("aspect " + aspect + " gives a zero-height canvas for width " + width);
    }
    return new PosterTemplate(name + "-" + aspect.toString().replace(':', 'x'), width, h, fixed, floating);
  }

  /**
   * Resizes the canvas for an application scenario or platform (seed (50)–(51), claim 5); layer
   * boxes are fractions and follow.
   *
   * @param scenario the platform size
   * @return the template for that scenario
   */
  public PosterTemplate forScenario(Scenario scenario) {
    return new PosterTemplate(name + "-" + scenario.name(), scenario.width(), scenario.height(), fixed, floating);
  }

  /**
   * Reads a template file; relative image and font paths resolve against the file's folder and
   * must stay inside it (absolute paths, {@code ..} escapes and symbolic links leading out are
   * refused). The file must be UTF-8 and at most {@link #MAX_FILE_BYTES} bytes.
   *
   * @param file the JSON template
   * @return the template
   * @throws InputFormatException when the file is unreadable or invalid
   */
  public static PosterTemplate load(Path file) {
    return load(file, null);
  }

  /**
   * Reads a template file whose image and font paths may lie anywhere under {@code allowedRoot}.
   *
   * @param file the JSON template
   * @param allowedRoot the folder paths must stay inside (absolute paths are accepted inside it),
   *     or null for the file's own folder
   * @return the template
   * @throws InputFormatException when the file is unreadable or invalid
   */
  public static PosterTemplate load(Path file, Path allowedRoot) {
    String text;
    try {
      // a regular file only (a device or FIFO is refused before it is opened), the budget counted
      // while reading: Files.size() is 0 for /dev/zero
      byte[] bytes = io.sightline.core.io.RegularFiles.readAll(file, MAX_FILE_BYTES);
      text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (io.sightline.core.io.ConfinedPaths.TooLargeException e) {
      throw new InputFormatException(file, 0, "template is over the limit of " + MAX_FILE_BYTES + " bytes", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new InputFormatException(file, 0, "template is not valid UTF-8", e);
    } catch (IOException e) {
      throw new InputFormatException(file, 0, "cannot read template: " + e.getMessage(), e);
    }
    InputFiles.Builder b = InputFiles.builder(file);
    if (allowedRoot != null) {
      b.allowedRoot(allowedRoot);
    }
    InputFiles in = b.build();
    return parse(text, p -> in.resolve(p, 0), file);
  }

  /**
   * Parses a template from JSON text.
   *
   * @param json the JSON text
   * @param baseDir folder that relative paths resolve against and must stay inside, or null for
   *     paths taken as given
   * @param source file name used in error messages, or null
   * @return the template
   * @throws InputFormatException when the JSON is invalid or a path leaves {@code baseDir}
   */
  public static PosterTemplate parse(String json, Path baseDir, Path source) {
    InputFiles in = baseDir == null ? null
        : InputFiles.of(source != null ? baseDir.resolve(source.getFileName()) : baseDir.resolve("template.json"));
    return parse(json, p -> in == null ? Path.of(p) : in.resolve(p, 0), source);
  }

  private static PosterTemplate parse(String json, Function<String, Path> resolver, Path source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new InputFormatException(source, line, "template is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InputFormatException(source, 0, "template must be a JSON object");
    }
    String name = requireText(root, "name", source, "template");
    int width = requireInt(root, "width", source, "template");
    int height = requireInt(root, "height", source, "template");
    if ((long) width * height > MAX_PIXELS) {
      throw new InputFormatException(source, 0, "template canvas " + width + "x" + height + " is "
          + (long) width * height + " pixels, over the budget of " + MAX_PIXELS);
    }
    List<FixedLayer> fixed = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode n : array(root, "fixed", source)) {
      String ln = requireText(n, "name", source, "fixed layer");
      checkUnique(names, ln, source);
      Box box = box(n, "box", source, ln);
      fixed.add(new FixedLayer(ln, content(n, resolver, source, ln), box));
    }
    List<FloatingLayer> floating = new ArrayList<>();
    for (JsonNode n : array(root, "floating", source)) {
      String ln = requireText(n, "name", source, "floating layer");
      checkUnique(names, ln, source);
      Box region = box(n, "region", source, ln);
      JsonNode size = n.get("size");
      if (size == null || !size.isArray() || size.size() != 2 || !size.get(0).isNumber() || !size.get(1).isNumber()) {
        throw new InputFormatException(source, 0, "floating layer '" + ln + "' needs \"size\": [w, h] "
            + "as fractions of the canvas");
      }
      double w = size.get(0).asDouble();
      double h = size.get(1).asDouble();
      if (!(w > 0 && h > 0) || !Double.isFinite(w) || !Double.isFinite(h)) {
        throw new InputFormatException(source, 0, "floating layer '" + ln + "' size must be positive");
      }
      LayerContent c = content(n, resolver, source, ln);
      try {
        floating.add(new FloatingLayer(ln, c, region, w, h));
      } catch (IllegalArgumentException e) {
        throw new InputFormatException(source, 0, e.getMessage(), e);
      }
    }
    try {
      return new PosterTemplate(name, width, height, fixed, floating);
    } catch (IllegalArgumentException e) {
      throw new InputFormatException(source, 0, e.getMessage(), e);
    }
  }

  private static void checkUnique(Set<String> names, String name, Path source) {
    if (!names.add(name)) {
      throw new InputFormatException(source, 0, "layer name '" + name + "' is used twice");
    }
  }

  private static Iterable<JsonNode> array(JsonNode root, String field, Path source) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new InputFormatException(source, 0, "\"" + field + "\" must be an array of layers");
    }
    return n;
  }

  private static String requireText(JsonNode n, String field, Path source, String what) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new InputFormatException(source, 0, what + " is missing the text field \"" + field + "\"");
    }
    return v.asText();
  }

  private static int requireInt(JsonNode n, String field, Path source, String what) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new InputFormatException(source, 0, what + " is missing the integer field \"" + field + "\"");
    }
    int i = v.asInt();
    if (i < 1 || i > MAX_SIDE) {
      throw new InputFormatException(source, 0, what + " \"" + field + "\" must be in [1, " + MAX_SIDE + "], got " + i);
    }
    return i;
  }

  private static Box box(JsonNode n, String field, Path source, String layer) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray() || v.size() != 4) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' needs \"" + field
          + "\": [x, y, w, h] as fractions of the canvas");
    }
    double[] d = new double[4];
    for (int i = 0; i < 4; i++) {
      if (!v.get(i).isNumber() || !Double.isFinite(v.get(i).asDouble())) {
        throw new InputFormatException(source, 0, "layer '" + layer + "' \"" + field + "\" must hold 4 finite numbers");
      }
      d[i] = v.get(i).asDouble();
    }
    if (d[2] <= 0 || d[3] <= 0) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' \"" + field + "\" has zero or negative size");
    }
    Box b = new Box(d[0], d[1], d[2], d[3]);
    if (d[2] > 1 + EPS || d[3] > 1 + EPS) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' \"" + field + "\" [" + d[0] + ", " + d[1]
          + ", " + d[2] + ", " + d[3] + "] is larger than the canvas");
    }
    if (d[0] < -EPS || d[1] < -EPS || b.x2() > 1 + EPS || b.y2() > 1 + EPS) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' \"" + field + "\" [" + d[0] + ", " + d[1]
          + ", " + d[2] + ", " + d[3] + "] extends beyond the canvas");
    }
    return b;
  }

  private static LayerContent content(JsonNode n, Function<String, Path> resolver, Path source, String layer) {
    int kinds = (n.hasNonNull("text") ? 1 : 0) + (n.hasNonNull("image") ? 1 : 0) + (n.hasNonNull("extract") ? 1 : 0);
    if (kinds != 1) {
      throw new InputFormatException(source, 0, "layer '" + layer
          + "' needs exactly one of \"text\", \"image\" or \"extract\"");
    }
    if (n.hasNonNull("image")) {
      Path p = resolve(resolver, n.get("image").asText(), source, layer, "image");
      if (!Files.isRegularFile(p)) {
        throw new InputFormatException(source, 0, "layer '" + layer + "' image " + p + " does not exist");
      }
      try {
        BufferedImage img = ImageLoader.defaults().loadRaw(p);
        return new LayerContent.Image(p, img);
      } catch (SightlineException e) {
        throw new InputFormatException(source, 0, "layer '" + layer + "' image " + p + " cannot be read: "
            + e.getMessage(), e);
      }
    }
    if (n.hasNonNull("extract")) {
      return new LayerContent.Extracted(n.get("extract").asText());
    }
    String text = n.get("text").asText();
    if (text.isBlank()) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' has blank \"text\"");
    }
    Font font = font(n, resolver, source, layer);
    Color color = color(n, "color", Color.WHITE, source, layer);
    Color bg = n.hasNonNull("background") ? color(n, "background", null, source, layer) : null;
    return new LayerContent.Text(text, font, color, bg);
  }

  private static Path resolve(Function<String, Path> resolver, String p, Path source, String layer, String what) {
    try {
      return resolver.apply(p);
    } catch (InputFormatException e) {
      String m = e.getMessage();
      String prefix = e.file() == null ? "" : e.file() + ": ";
      throw new InputFormatException(source, 0, "layer '" + layer + "' " + what + ": "
          + (m.startsWith(prefix) ? m.substring(prefix.length()) : m), e);
    } catch (java.nio.file.InvalidPathException e) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' " + what + " path '" + p + "' is malformed", e);
    }
  }

  private static Font font(JsonNode n, Function<String, Path> resolver, Path source, String layer) {
    if (n.hasNonNull("fontFile")) {
      Path p = resolve(resolver, n.get("fontFile").asText(), source, layer, "font file");
      if (!Files.isRegularFile(p)) {
        throw new InputFormatException(source, 0, "layer '" + layer + "' font file " + p + " does not exist");
      }
      try {
        return Font.createFont(Font.TRUETYPE_FONT, p.toFile());
      } catch (FontFormatException | IOException e) {
        throw new InputFormatException(source, 0, "layer '" + layer + "' font file " + p
            + " is not a TrueType/OpenType font: " + e.getMessage(), e);
      }
    }
    String family = n.hasNonNull("font") ? n.get("font").asText() : "SansSerif";
    int style = Font.PLAIN;
    if (n.hasNonNull("style")) {
      String s = n.get("style").asText().toLowerCase(Locale.ROOT);
      style = switch (s) {
        case "plain" -> Font.PLAIN;
        case "bold" -> Font.BOLD;
        case "italic" -> Font.ITALIC;
        case "bold-italic", "bolditalic" -> Font.BOLD | Font.ITALIC;
        default -> throw new InputFormatException(source, 0, "layer '" + layer + "' style '" + s
            + "' is not plain, bold, italic or bold-italic");
      };
    }
    if (!fontInstalled(family)) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' font '" + family
          + "' is not installed; use a logical font (Serif, SansSerif, Monospaced, Dialog), an installed family,"
          + " or \"fontFile\": \"path/to/font.ttf\"");
    }
    return new Font(family, style, 12);
  }

  /**
   * @param family a font family name
   * @return whether Java can render it (a logical font or an installed family)
   */
  public static boolean fontInstalled(String family) {
    if (LOGICAL_FONTS.contains(family.toLowerCase(Locale.ROOT))) {
      return true;
    }
    for (String f : GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames(Locale.ROOT)) {
      if (f.equalsIgnoreCase(family)) {
        return true;
      }
    }
    return false;
  }

  private static Color color(JsonNode n, String field, Color dflt, Path source, String layer) {
    if (!n.hasNonNull(field)) {
      return dflt;
    }
    String s = n.get(field).asText().trim();
    try {
      return parseColor(s);
    } catch (IllegalArgumentException e) {
      throw new InputFormatException(source, 0, "layer '" + layer + "' " + field + " '" + s
          + "' is not #RRGGBB or #RRGGBBAA");
    }
  }

  /**
   * @param s {@code #RRGGBB} or {@code #RRGGBBAA}
   * @return the colour
   * @throws IllegalArgumentException when malformed
   */
  public static Color parseColor(String s) {
    Objects.requireNonNull(s, "color");
    if (!s.matches("#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")) {
      throw new IllegalArgumentException("not a colour: " + s);
    }
    int r = Integer.parseInt(s.substring(1, 3), 16);
    int g = Integer.parseInt(s.substring(3, 5), 16);
    int b = Integer.parseInt(s.substring(5, 7), 16);
    int a = s.length() == 9 ? Integer.parseInt(s.substring(7, 9), 16) : 255;
    return new Color(r, g, b, a);
  }
}
