package io.sightline.core.reliability;

import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.store.Database;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;

/**
 * Child process for {@link CrashSafetyTest}: saves an index (or commits database rows) in a loop
 * and prints each committed state on stdout, until it is killed.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {}

  /**
   * @param args "index" FILE | "model" FILE | "db" DIR
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Random rnd = new Random();
    if (args[0].equals("index")) {
      HnswVectorIndex<Integer> idx = HnswVectorIndex.builder().dimension(64).embedderId("crash/1").build();
      int next = 0;
      while (true) {
        for (int i = 0; i < 500; i++) {
          float[] v = new float[64];
          for (int j = 0; j < 64; j++) {
            v[j] = (float) rnd.nextGaussian();
          }
          idx.add(next++, v);
        }
        idx.save(Path.of(args[1]));
        System.out.println("saved " + idx.size());
        System.out.flush();
      }
    } else if (args[0].equals("model")) {
      // a model trained once, then saved over and over: a kill may land in any save
      io.sightline.core.embed.GlobalDescriptorEmbedder emb = new io.sightline.core.embed.GlobalDescriptorEmbedder();
      java.util.List<io.sightline.core.classify.EmbeddingClassifier.Example> ex = new java.util.ArrayList<>();
      for (int i = 0; i < 60; i++) {
        float[] v = new float[emb.dimension()];
        v[i % 3] = 1f;
        v[3 + rnd.nextInt(20)] = 0.3f;
        ex.add(io.sightline.core.classify.EmbeddingClassifier.Example.ofVector("c" + (i % 3), v));
      }
      io.sightline.core.classify.EmbeddingClassifier model = io.sightline.core.classify.EmbeddingClassifier
          .builder(emb).train(ex, io.sightline.core.ProgressListener.NONE, io.sightline.core.CancellationToken.NONE);
      int saves = 0;
      while (true) {
        model.save(Path.of(args[1]));
        System.out.println("saved " + (++saves));
        System.out.flush();
      }
    } else {
      try (Database db = Database.openFile(Path.of(args[1]), "crash")) {
        db.ensureSchema("crash", List.of("CREATE TABLE rows (id INT PRIMARY KEY, batch INT NOT NULL)"));
        int next = 0;
        int batch = 0;
        while (true) {
          final int start = next;
          final int b = ++batch;
          db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO rows (id, batch) VALUES (?, ?)")) {
              for (int i = 0; i < 100; i++) {
                ps.setInt(1, start + i);
                ps.setInt(2, b);
                ps.addBatch();
              }
              ps.executeBatch();
            }
            return null;
          });
          next += 100;
          System.out.println("saved " + next);
          System.out.flush();
        }
      }
    }
  }
}
