package io.sightline.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.store.Database;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM with SIGKILL at random moments while it saves an index or commits database
 * rows, then reopens what it left: the last committed state must load, and nothing half-written
 * may be read.
 */
class CrashSafetyTest {
  private static final int ROUNDS = 4;

  private static Process start(String mode, Path target) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        CrashWriterMain.class.getName(), mode, target.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Reads "saved N" lines until {@code lines} were seen, kills after a random extra delay. */
  private static List<Integer> runAndKill(Process p, int lines, Random rnd) throws Exception {
    List<Integer> saved = new ArrayList<>();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while (saved.size() < lines && (line = r.readLine()) != null) {
      saved.add(Integer.parseInt(line.substring("saved ".length())));
    }
    Thread.sleep(rnd.nextInt(150));
    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flush
    p.waitFor(30, TimeUnit.SECONDS);
    // saves that completed after the last line read only make the stored state newer
    return saved;
  }

  @Test
  void indexSaveSurvivesKillNine(@TempDir Path dir) throws Exception {
    Random rnd = new Random(1);
    Path file = dir.resolve("index.bin");
    for (int round = 0; round < ROUNDS; round++) {
      Files.deleteIfExists(file);
      Process p = start("index", file);
      List<Integer> saved = runAndKill(p, 2 + rnd.nextInt(3), rnd);
      assertThat(saved).isNotEmpty();
      HnswVectorIndex<Integer> back = HnswVectorIndex.load(file, Integer.class, "crash/1");
      // the file holds the last committed save, or the one being written if its rename landed
      assertThat(back.size()).isGreaterThanOrEqualTo(saved.get(saved.size() - 1));
      assertThat(back.size() % 500).isZero();
      try (var s = Files.list(dir)) {
        // temp files may remain after a kill, but are never the index file itself
        assertThat(s.filter(x -> !x.equals(file)).allMatch(x -> x.getFileName().toString().endsWith(".tmp"))).isTrue();
      }
    }
  }

  @Test
  void modelSaveSurvivesKillNine(@TempDir Path dir) throws Exception {
    Random rnd = new Random(3);
    Path file = dir.resolve("classifier.model");
    io.sightline.core.embed.GlobalDescriptorEmbedder emb = new io.sightline.core.embed.GlobalDescriptorEmbedder();
    for (int round = 0; round < ROUNDS; round++) {
      Files.deleteIfExists(file);
      Process p = start("model", file);
      List<Integer> saved = runAndKill(p, 1 + rnd.nextInt(20), rnd);
      assertThat(saved).isNotEmpty();
      // the file is a whole model: it loads and classifies
      io.sightline.core.classify.EmbeddingClassifier back = io.sightline.core.classify.EmbeddingClassifier.load(file, emb);
      float[] v = new float[emb.dimension()];
      v[1] = 1f;
      assertThat(back.classifyVector(v).get(0).label()).isEqualTo("c1");
    }
  }

  @Test
  void databaseCommitsSurviveKillNine(@TempDir Path dir) throws Exception {
    Random rnd = new Random(2);
    for (int round = 0; round < ROUNDS; round++) {
      Process p = start("db", dir);
      List<Integer> saved = runAndKill(p, 3 + rnd.nextInt(5), rnd);
      try (Database db = Database.openFile(dir, "crash")) {
        int[] stats = db.transaction(c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COUNT(DISTINCT batch) FROM rows");
               ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new int[] {rs.getInt(1), rs.getInt(2)};
          }
        });
        assertThat(stats[0]).isGreaterThanOrEqualTo(saved.get(saved.size() - 1));
        // whole transactions only: every batch has exactly 100 rows
        assertThat(stats[0]).isEqualTo(stats[1] * 100);
        db.transaction(c -> c.createStatement().executeUpdate("DELETE FROM rows"));
      }
    }
  }
}
