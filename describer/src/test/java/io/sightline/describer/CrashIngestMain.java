package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import io.sightline.core.index.Vectors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Child process of {@link CrashSafetyTest}: adds references one by one (each its own transaction)
 * and prints "committed ID" after each add returns, until it is killed; with "lucene" the store
 * keeps its vectors in an on-disk Lucene index ({@link #vectorsOf}).
 */
public final class CrashIngestMain {
  private CrashIngestMain() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    if (args.length > 1 && args[1].equals("images")) {
      images(dir);
      return;
    }
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("Peru", "Japan", "flag"));
    Random rnd = new Random(1);
    // "lucene": the vectors go to an on-disk Lucene index beside the folder (issue 21)
    boolean lucene = args.length > 1 && args[1].equals("lucene");
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(dict)
        .vectorIndex(lucene ? io.sightline.index.lucene.LuceneVectorIndex.factory(vectorsOf(dir)) : null).build()) {
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

  /** @return the Lucene index folder of a store folder in "lucene" mode */
  static Path vectorsOf(Path dir) {
    return dir.resolveSibling(dir.getFileName() + "-vectors");
  }

  /**
   * Hybrid store: adds generated pictures one by one (the instance index takes each before the
   * database commits it), printing "committed ID KEY" after each add returns.
   */
  private static void images(Path dir) {
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("flag"));
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(dict).matcher(Matcher.HYBRID)
        .build()) {
      for (int i = 0; ; i++) {
        java.awt.image.BufferedImage img = picture(i);
        String id = "p" + i;
        store.add(Reference.of(id, "A flag", "A generated picture."), img, "generated:" + i, Origin.USER);
        System.out.println("committed " + id + " " + ReferenceStore.contentKey(img));
        System.out.flush();
      }
    }
  }

  /** A picture of random shapes (plenty of corners for local features), different for each seed. */
  static java.awt.image.BufferedImage picture(int seed) {
    Random rnd = new Random(seed);
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(240, 180,
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    for (int k = 0; k < 40; k++) {
      g.setColor(new java.awt.Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)));
      int x = rnd.nextInt(220);
      int y = rnd.nextInt(160);
      if (k % 2 == 0) {
        g.fillRect(x, y, 8 + rnd.nextInt(40), 8 + rnd.nextInt(30));
      } else {
        g.fillPolygon(new int[] {x, x + 10 + rnd.nextInt(30), x + rnd.nextInt(20)},
            new int[] {y, y + rnd.nextInt(20), y + 10 + rnd.nextInt(25)}, 3);
      }
    }
    g.dispose();
    return img;
  }
}
