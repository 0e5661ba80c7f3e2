package io.sightline.describer;

import java.nio.file.Path;
import java.util.Map;

/**
 * Child process of {@link ReadersSideBySideTest}. Modes:
 * <ul>
 *   <li>{@code ingest DIR N}: opens the store for writing, prints "ready", adds N references (a
 *       copy of the Japan flag each, with a page naming it), one per transaction, then "done";</li>
 *   <li>{@code query DIR ROUNDS}: ROUNDS times opens it read-only and describes the Peru flag;
 *       prints "ok MIN MAX INDEXED" (the store sizes it saw, the most images its index held) or
 *       "bad WHY".</li>
 * </ul>
 */
public final class SideBySideMain {
  private SideBySideMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    if (args[0].equals("ingest")) {
      try (ReferenceStore store = ReferenceStore.open(dir)) {
        System.out.println("ready");
        System.out.flush();
        java.awt.image.BufferedImage japan = io.sightline.core.image.ImageLoader.defaults()
            .load(Fixtures.FLAGS.resolve("japan.png"));
        for (int i = 0; i < n; i++) {
          // a distinct image each time (a small mark in a corner), so the store gains images
          java.awt.image.BufferedImage copy = new java.awt.image.BufferedImage(japan.getWidth(), japan.getHeight(),
              java.awt.image.BufferedImage.TYPE_INT_RGB);
          java.awt.Graphics2D g = copy.createGraphics();
          g.drawImage(japan, 0, 0, null);
          g.setColor(new java.awt.Color(10 * i % 256, 255 - 10 * i % 256, 128));
          g.fillRect(2, 2, 6, 6);
          g.dispose();
          java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
          javax.imageio.ImageIO.write(copy, "png", png);
          store.add(new Reference("extra-" + i, "Flag of Japan, photo " + i, "The flag of Japan again.",
              Map.of(), 10, 5, 1), ImageSource.ofBytes(png.toByteArray(), "japan-" + i + ".png"));
        }
      }
      System.out.println("done");
    } else {
      System.out.println(query(dir, n));
    }
  }

  /** Describes the Peru flag on a read-only store opened anew each round; "ok MIN MAX INDEXED" or "bad WHY". */
  static String query(Path dir, int rounds) {
    int min = Integer.MAX_VALUE;
    int max = 0;
    int indexed = 0;
    for (int i = 0; i < rounds; i++) {
      // a new open each round, as a CLI query does
      try (ReferenceStore store = ReferenceStore.builder().directory(dir).readOnly(true).build()) {
        int inIndex = store.indexedImageCount();
        if (inIndex > store.imageCount()) {
          return "bad the index holds " + inIndex + " images, the database " + store.imageCount();
        }
        indexed = Math.max(indexed, inIndex);
        ImageDescriber d = ImageDescriber.builder().store(store).build();
        Description r = d.describe(Fixtures.transformed("peru"), "peru");
        if (r.status() != Description.Status.DESCRIBED || !r.best().key().contains("peru")) {
          return "bad answer " + r.status() + " " + r.candidates();
        }
        int size = store.size();
        if (size < max) {
          return "bad size went back from " + max + " to " + size;
        }
        min = Math.min(min, size);
        max = size;
      }
    }
    return "ok " + min + " " + max + " " + indexed;
  }
}
