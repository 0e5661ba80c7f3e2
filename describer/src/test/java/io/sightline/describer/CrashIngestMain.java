package io.sightline.describer;

import io.sightline.core.index.Vectors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Child process of {@link CrashSafetyTest}: adds references one by one (each its own transaction)
 * and prints "committed ID" after each add returns, until it is killed.
 */
public final class CrashIngestMain {
  private CrashIngestMain() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("Peru", "Japan", "flag"));
    Random rnd = new Random(1);
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(dict).build()) {
      for (int i = 0; ; i++) {
        float[] v = new float[store.embedder().dimension()];
        for (int k = 0; k < v.length; k++) {
          v[k] = (float) rnd.nextGaussian();
        }
        String id = "r" + i;
        // every third record shares the image of the one before it (merge path)
        String key = i % 3 == 2 ? "k" + (i - 1) : "k" + i;
        store.addVector(new Reference(id, "Flag of " + (i % 2 == 0 ? "Peru" : "Japan"), "A flag.", Map.of(), i, i, i),
            Vectors.normalized(v), key);
        System.out.println("committed " + id);
        System.out.flush();
      }
    }
  }
}
