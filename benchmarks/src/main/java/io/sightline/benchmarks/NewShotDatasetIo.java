package io.sightline.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.image.ImageLoader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Reads and writes a {@link NewShotDataset.Split} as a folder that other programs (the describer
 * and commerce evaluations, the CLI, scripts) can use without this module:
 *
 * <pre>
 * refs/r0000.png ...        the references (PNG, RGB)
 * queries/test-known-0000.jpg ...   the query images (the generated JPEG bytes, unchanged)
 * manifest.jsonl            one JSON object per line:
 *   {"role":"split","name":"test","refs":300,"queries":400,"seconds":12.3}
 *   {"role":"ref","id":"clip:animals/cat","kind":"clipart","queried":true,"file":"refs/r0000.png"}
 *   {"role":"query","id":"test-known-0000","kind":"known","expected":"clip:animals/cat",
 *    "object":"clip:animals/cat","file":"queries/test-known-0000.jpg","params":{"scale":0.52,...}}
 * </pre>
 *
 * {@code expected} is null for unknown queries (the right answer is none).
 */
public final class NewShotDatasetIo {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NewShotDatasetIo() {}

  /**
   * @param split the split
   * @param dir target folder (created; existing files of the same names are replaced)
   * @throws IOException on failure
   */
  public static void write(NewShotDataset.Split split, Path dir) throws IOException {
    Files.createDirectories(dir.resolve("refs"));
    Files.createDirectories(dir.resolve("queries"));
    try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("manifest.jsonl"), StandardCharsets.UTF_8)) {
      Map<String, Object> head = new LinkedHashMap<>();
      head.put("role", "split");
      head.put("name", split.name());
      head.put("refs", split.refs().size());
      head.put("queries", split.queries().size());
      head.put("seconds", Math.round(split.seconds() * 10) / 10.0);
      line(out, head);
      for (int i = 0; i < split.refs().size(); i++) {
        NewShotDataset.Reference r = split.refs().get(i);
        String file = String.format("refs/r%04d.png", i);
        ImageIO.write(r.image(), "png", dir.resolve(file).toFile());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "ref");
        m.put("id", r.id());
        m.put("kind", r.kind());
        m.put("queried", r.queried());
        m.put("file", file);
        line(out, m);
      }
      for (NewShotDataset.Query q : split.queries()) {
        String file = "queries/" + q.id() + ".jpg";
        Files.write(dir.resolve(file), q.jpeg());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "query");
        m.put("id", q.id());
        m.put("kind", q.kind().name().toLowerCase());
        m.put("expected", q.expected());
        m.put("object", q.object());
        m.put("file", file);
        m.put("params", q.params());
        line(out, m);
      }
    }
  }

  /** Resolves a manifest file name, refusing any that leads out of the folder. */
  private static Path inside(Path dir, Object file) throws IOException {
    Path base = dir.toAbsolutePath().normalize();
    Path p = base.resolve(String.valueOf(file)).normalize();
    if (!p.startsWith(base)) {
      throw new IOException("manifest names a file outside " + dir + ": " + file);
    }
    return p;
  }

  private static void line(BufferedWriter out, Map<String, Object> m) throws IOException {
    out.write(JSON.writeValueAsString(m));
    out.newLine();
  }

  /**
   * @param dir a folder written by {@link #write}
   * @return the split (the generation time is the one recorded)
   * @throws IOException on failure
   */
  public static NewShotDataset.Split read(Path dir) throws IOException {
    ImageLoader loader = ImageLoader.defaults();
    String name = dir.getFileName().toString();
    double seconds = 0;
    List<NewShotDataset.Reference> refs = new ArrayList<>();
    List<NewShotDataset.Query> queries = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("manifest.jsonl"), StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      Map<String, Object> m = JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {});
      switch (String.valueOf(m.get("role"))) {
        case "split" -> {
          name = String.valueOf(m.get("name"));
          seconds = ((Number) m.get("seconds")).doubleValue();
        }
        case "ref" -> refs.add(new NewShotDataset.Reference((String) m.get("id"), (String) m.get("kind"),
            Boolean.TRUE.equals(m.get("queried")), loader.load(inside(dir, m.get("file")))));
        case "query" -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> params = (Map<String, Object>) m.getOrDefault("params", Map.of());
          queries.add(new NewShotDataset.Query((String) m.get("id"),
              NewShotDataset.Kind.valueOf(((String) m.get("kind")).toUpperCase()), (String) m.get("expected"),
              (String) m.get("object"), params, Files.readAllBytes(inside(dir, m.get("file")))));
        }
        default -> throw new IOException("unknown role in " + dir.resolve("manifest.jsonl") + ": " + line);
      }
    }
    return new NewShotDataset.Split(name, List.copyOf(refs), List.copyOf(queries), seconds);
  }
}
