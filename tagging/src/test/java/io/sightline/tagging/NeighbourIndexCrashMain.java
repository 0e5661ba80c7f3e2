package io.sightline.tagging;

import io.sightline.index.lucene.LuceneVectorIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Child process of {@link NeighbourIndexCrashTest}: opens the model folder with its neighbour
 * index on Lucene and changes the stock without end (5 images added, then the first image of the
 * previous batch removed and one image re-tagged), printing one line after each call returns,
 * until the parent kills it. Arguments: model folder, seed.
 */
public final class NeighbourIndexCrashMain {
  private NeighbourIndexCrashMain() {}

  public static void main(String[] args) {
    Path model = Path.of(args[0]);
    Random rnd = new Random(Long.parseLong(args[1]));
    try (TagRecommender r = NeighbourIndexCrashTest.builder(model)
        .neighbourIndex(LuceneVectorIndex.factory(model.resolve("neighbours"))).build()) {
      for (int i = 0; ; i++) {
        List<StockImage> batch = new ArrayList<>();
        for (int j = 0; j < 5; j++) {
          int blob = rnd.nextInt(3);
          batch.add(new StockImage("w" + i + "-" + j, Blobs.near(blob, NeighbourIndexCrashTest.D, rnd, 0.05),
              Set.of(Blobs.TAGS[blob][0]), "p" + i));
        }
        r.addStock(batch);
        System.out.println("added w" + i);
        if (i > 0) {
          r.removeStock(List.of("w" + (i - 1) + "-0"));
          System.out.println("removed w" + (i - 1) + "-0");
          StockImage old = r.stockImage("w" + (i - 1) + "-1").orElseThrow();
          r.addStock(List.of(new StockImage(old.id(), old.vector(), Set.of("retagged" + i), old.post())));
          System.out.println("retagged w" + (i - 1) + "-1 retagged" + i);
        }
        System.out.flush();
      }
    }
  }
}
