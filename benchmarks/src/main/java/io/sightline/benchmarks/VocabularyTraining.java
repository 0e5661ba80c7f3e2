package io.sightline.benchmarks;

import io.sightline.core.CancellationToken;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.instance.LocalFeatureSet;
import io.sightline.core.instance.RootSiftExtractor;
import io.sightline.core.instance.VisualVocabulary;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Learns the visual vocabulary that core bundles ({@code VisualVocabulary.bundled()}), from
 * public-domain images only: one quarter of the openclipart drawings (those for which
 * {@link #isVocabularySample(Path)} holds — evaluations leave them out) and the CC0 photos of
 * Debian's {@code python3-skimage} data folder.
 *
 * <pre>
 * java -cp ... io.sightline.benchmarks.VocabularyTraining [OUT] [BRANCHING] [MAX_DESCRIPTORS]
 *   (defaults: core/src/main/resources/io/sightline/core/instance/vocabulary-16k.bin 128 400000)
 * </pre>
 * The skimage folder comes from {@code -Dskimage.dir}, or is fetched like {@link OpenClipart}.
 */
public final class VocabularyTraining {
  private VocabularyTraining() {}

  /**
   * @param png an openclipart file (any path ending in its category folder and file name)
   * @return whether it belongs to the vocabulary's training sample (1 file in 4, by a hash of its
   *     name); evaluations must not use these
   */
  public static boolean isVocabularySample(Path png) {
    String name = png.getFileName().toString();
    int h = 0;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = 31 * h + (b & 0xff);
    }
    return Math.floorMod(h, 4) == 0;
  }

  /**
   * @param args optional output file, branching, descriptor cap
   * @throws IOException when the images cannot be found or read
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0]
        : "core/src/main/resources/io/sightline/core/instance/vocabulary-16k.bin");
    int branching = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int cap = args.length > 2 ? Integer.parseInt(args[2]) : 400_000;
    List<Path> images = new ArrayList<>();
    try (Stream<Path> s = Files.walk(OpenClipart.root())) {
      s.filter(p -> p.toString().endsWith(".png")).filter(VocabularyTraining::isVocabularySample).sorted()
          .forEach(images::add);
    }
    int drawings = images.size();
    Path skimage = skimageData();
    try (Stream<Path> s = Files.list(skimage)) {
      s.filter(p -> p.toString().endsWith(".png") || p.toString().endsWith(".jpg")).sorted().forEach(images::add);
    }
    System.err.printf("[vocabulary] %d drawings + %d photos%n", drawings, images.size() - drawings);
    RootSiftExtractor extractor = RootSiftExtractor.defaults();
    ImageLoader loader = ImageLoader.defaults();
    List<float[]> rows = new ArrayList<>();
    long total = 0;
    long t0 = System.nanoTime();
    for (Path p : images) {
      BufferedImage img;
      try {
        img = ImageOps.toRgb(loader.loadRaw(p)); // drawings are transparent: flattened on white
      } catch (RuntimeException e) {
        continue;
      }
      LocalFeatureSet f = extractor.extract(img);
      rows.add(f.descriptors());
      total += f.count();
    }
    System.err.printf("[vocabulary] %d descriptors extracted in %.1f s%n", total, (System.nanoTime() - t0) / 1e9);
    List<Integer> order = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      for (int i = 0; i < rows.get(r).length / LocalFeatureSet.DIMENSION; i++) {
        order.add(r << 16 | i);
      }
    }
    Collections.shuffle(order, new Random(7));
    int n = Math.min(cap, order.size());
    float[] sample = new float[n * LocalFeatureSet.DIMENSION];
    for (int k = 0; k < n; k++) {
      int code = order.get(k);
      System.arraycopy(rows.get(code >>> 16), (code & 0xffff) * LocalFeatureSet.DIMENSION, sample,
          k * LocalFeatureSet.DIMENSION, LocalFeatureSet.DIMENSION);
    }
    long t1 = System.nanoTime();
    VisualVocabulary v = VisualVocabulary.train(sample, branching, 42,
        (task, done, all, msg) -> {
          if (done % 16 == 0) {
            System.err.printf("[vocabulary] %s %d/%d%n", task, done, all);
          }
        }, CancellationToken.NONE);
    v.write(out);
    System.err.printf("[vocabulary] %d words from %d descriptors in %.1f s -> %s (%d bytes), id %s%n", v.size(), n,
        (System.nanoTime() - t1) / 1e9, out, Files.size(out), v.id());
  }

  /**
   * @return the skimage data folder ({@code -Dskimage.dir}, the installed package, or fetched with
   *     {@code apt-get download python3-skimage} under target/)
   * @throws IOException when it cannot be found or fetched
   */
  static Path skimageData() throws IOException {
    return DebianData.folder("skimage.dir", "python3-skimage", "usr/lib/python3/dist-packages/skimage/data");
  }
}
