package io.sightline.core.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.TestImages;
import io.sightline.core.image.ImageLoader;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceIndexTest {
  static final String[] PHOTOS = {"astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"};
  static final Map<String, BufferedImage> REFS = new LinkedHashMap<>();
  static BufferedImage background;

  @BeforeAll
  static void load() {
    ImageLoader loader = ImageLoader.defaults();
    for (String p : PHOTOS) {
      REFS.put(p, loader.load(TestImages.testdata().resolve("photos").resolve(p)));
    }
    background = TestImages.synthetic(99, 640, 480);
  }

  /**
   * A new shot of a stored picture: a part of it (70 % of each side), scaled, turned and pasted on
   * an unrelated background, then JPEG-compressed.
   */
  static BufferedImage newShot(BufferedImage obj, BufferedImage bg, double scale, double degrees) {
    int cw = (int) (obj.getWidth() * 0.7);
    int ch = (int) (obj.getHeight() * 0.7);
    BufferedImage part = obj.getSubimage((obj.getWidth() - cw) / 2, (obj.getHeight() - ch) / 2, cw, ch);
    BufferedImage out = new BufferedImage(bg.getWidth(), bg.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(bg, 0, 0, null);
    double s = scale * Math.min(bg.getWidth(), bg.getHeight()) / Math.max(cw, ch);
    AffineTransform t = new AffineTransform();
    t.translate(bg.getWidth() / 2.0, bg.getHeight() / 2.0);
    t.rotate(Math.toRadians(degrees));
    t.scale(s, s);
    t.translate(-cw / 2.0, -ch / 2.0);
    g.drawImage(part, t, null);
    g.dispose();
    return TestImages.jpegRoundTrip(out, 0.7f);
  }

  /** A drawing of the testdata, flattened on white. */
  static BufferedImage clipart(Path png) {
    BufferedImage raw = ImageLoader.defaults().loadRaw(png);
    BufferedImage out = new BufferedImage(raw.getWidth(), raw.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.drawImage(raw, 0, 0, null);
    g.dispose();
    return out;
  }

  static InstanceIndex filled(Path dir) {
    InstanceIndex idx = InstanceIndex.builder().directory(dir).build();
    idx.addAll(REFS, ProgressListener.NONE, CancellationToken.NONE);
    return idx;
  }

  @Test
  void findsEachPictureInANewShotAndVerifiesIt() {
    try (InstanceIndex idx = filled(null)) {
      for (String id : PHOTOS) {
        BufferedImage q = newShot(REFS.get(id), background, 0.6, 20);
        List<InstanceMatch> hits = idx.match(q, 3);
        assertThat(hits).as(id).isNotEmpty();
        InstanceMatch top = hits.get(0);
        assertThat(top.id()).as(id).isEqualTo(id);
        assertThat(top.verified()).as(id + " " + top).isTrue();
        assertThat(top.inliers()).isGreaterThanOrEqualTo(ScoreCalibration.DEFAULT_MIN_INLIERS);
        // the object was turned by 20 degrees and shown at about 0.6/0.7 of the reference's size
        assertThat(Math.abs(Math.abs(top.rotation()) - 20)).as(top.toString()).isLessThan(5);
        assertThat(top.queryRegion()).isNotNull();
        // the other pictures are not in the photo
        hits.stream().skip(1).forEach(h -> assertThat(h.verified()).as(h.toString()).isFalse());
      }
    }
  }

  @Test
  void abstainsWhenNothingStoredIsInThePhoto() {
    try (InstanceIndex idx = filled(null)) {
      List<Path> clipart = TestImages.clipart();
      for (int i = 0; i < 6; i++) {
        BufferedImage other = clipart(clipart.get(i * 3));
        BufferedImage q = newShot(other, TestImages.synthetic(2000 + i, 640, 480), 0.7, 10);
        assertThat(idx.match(q, 5)).as(clipart.get(i * 3).toString()).noneMatch(InstanceMatch::verified);
      }
    }
  }

  @Test
  void defaultCalibrationVerifiesFromFiveInliers() {
    assertThat(ScoreCalibration.DEFAULT.probability(4)).isLessThan(0.5);
    assertThat(ScoreCalibration.DEFAULT.probability(5)).isGreaterThanOrEqualTo(0.5);
    assertThat(ScoreCalibration.DEFAULT.probability(0)).isLessThan(0.01);
    assertThat(ScoreCalibration.DEFAULT.probability(30)).isGreaterThan(0.99);
  }

  @Test
  void flatImagesAreRefusedWithATypedError() {
    BufferedImage flat = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = flat.createGraphics();
    g.setColor(new Color(120, 80, 40));
    g.fillRect(0, 0, 300, 200);
    g.dispose();
    try (InstanceIndex idx = filled(null)) {
      assertThatThrownBy(() -> idx.add("flat", flat)).isInstanceOf(NoFeaturesException.class)
          .hasMessageContaining("flat").hasMessageContaining("local features");
      assertThatThrownBy(() -> idx.match(flat, 5)).isInstanceOf(NoFeaturesException.class);
      assertThat(idx.size()).isEqualTo(PHOTOS.length);
      BufferedImage tiny = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
      assertThatThrownBy(() -> idx.match(tiny, 5)).isInstanceOf(NoFeaturesException.class);
      // a huge photo is scaled to the working size first: it is found like any other
      BufferedImage huge = TestImages.rescale(newShot(REFS.get("astronaut.png"), background, 0.6, 5), 6.0);
      assertThat(huge.getWidth()).isGreaterThan(3000);
      assertThat(idx.match(huge, 1).get(0).id()).isEqualTo("astronaut.png");
    }
  }

  @Test
  void persistsAddsAndRemovesIncrementally(@TempDir Path dir) throws IOException {
    BufferedImage q = newShot(REFS.get("coffee.png"), background, 0.6, -15);
    List<InstanceMatch> before;
    try (InstanceIndex idx = filled(dir)) {
      before = idx.match(q, 4);
    }
    long size = Files.size(dir.resolve(InstanceIndex.LOG_FILE));
    try (InstanceIndex idx = InstanceIndex.builder().directory(dir).build()) {
      assertThat(idx.size()).isEqualTo(PHOTOS.length);
      assertThat(idx.match(q, 4)).map(InstanceMatch::toString)
          .isEqualTo(before.stream().map(InstanceMatch::toString).toList());
      assertThat(idx.remove("coffee.png")).isTrue();
      assertThat(idx.remove("coffee.png")).isFalse();
    }
    // a remove appends a small record; it does not rewrite the file
    assertThat(Files.size(dir.resolve(InstanceIndex.LOG_FILE))).isBetween(size + 1, size + 64);
    try (InstanceIndex idx = InstanceIndex.builder().directory(dir).build()) {
      assertThat(idx.contains("coffee.png")).isFalse();
      assertThat(idx.match(q, 4)).noneMatch(InstanceMatch::verified);
    }
  }

  @Test
  void aWriteCutShortIsDroppedButCorruptionInsideFails(@TempDir Path dir) throws IOException {
    try (InstanceIndex idx = filled(dir)) {
      assertThat(idx.size()).isEqualTo(PHOTOS.length);
    }
    Path log = dir.resolve(InstanceIndex.LOG_FILE);
    long full = Files.size(log);
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.setLength(full - 100);
    }
    try (InstanceIndex idx = InstanceIndex.builder().directory(dir).build()) {
      assertThat(idx.size()).isEqualTo(PHOTOS.length - 1);
      assertThat(idx.contains(PHOTOS[PHOTOS.length - 1])).isFalse();
    }
    assertThat(Files.size(log)).isLessThan(full - 100);
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.seek(200);
      int b = f.read();
      f.seek(200);
      f.write(b ^ 0x5a);
    }
    assertThatThrownBy(() -> InstanceIndex.builder().directory(dir).build()).isInstanceOf(StoreException.class)
        .hasMessageContaining("corrupt record");
  }

  @Test
  void refusesAnotherExtractorOrVocabulary(@TempDir Path dir) {
    try (InstanceIndex idx = filled(dir)) {
      assertThat(idx.size()).isEqualTo(PHOTOS.length);
    }
    assertThatThrownBy(() -> InstanceIndex.builder().directory(dir).extractor(RootSiftExtractor.of(320, 300)).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("rootsift-v1:320:300");
    float[] sample = new float[400 * LocalFeatureSet.DIMENSION];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < sample.length; i++) {
      sample[i] = r.nextFloat();
    }
    VisualVocabulary other = VisualVocabulary.train(sample, 8, 1, ProgressListener.NONE, CancellationToken.NONE);
    assertThatThrownBy(() -> InstanceIndex.builder().directory(dir).vocabulary(other).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining(other.id());
  }

  @Test
  void vocabularyRoundTripsExactly(@TempDir Path dir) {
    VisualVocabulary v = VisualVocabulary.bundled();
    assertThat(v.size()).isGreaterThan(10_000);
    v.write(dir.resolve("v.bin"));
    VisualVocabulary back = VisualVocabulary.read(dir.resolve("v.bin"));
    assertThat(back.id()).isEqualTo(v.id());
    float[] d = RootSiftExtractor.defaults().extract(REFS.get("chelsea.png")).descriptors();
    for (int i = 0; i < 20; i++) {
      int off = i * LocalFeatureSet.DIMENSION;
      int w = v.assign(d, off);
      assertThat(back.assign(d, off)).isEqualTo(w);
      assertThat(back.signature(d, off, w)).isEqualTo(v.signature(d, off, w));
      assertThat(v.assignMultiple(d, off, 3)[0]).isEqualTo(w);
    }
  }

  @Test
  void searchesRunWhileReferencesAreAdded() throws Exception {
    try (InstanceIndex idx = filled(null)) {
      BufferedImage q = newShot(REFS.get("rocket.jpg"), background, 0.6, 10);
      LocalFeatureSet qf = idx.extract(q);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        Future<?> writer = pool.submit(() -> {
          for (int i = 0; i < 6; i++) {
            idx.add("extra-" + i, clipart(TestImages.clipart().get(i)));
          }
        });
        List<Future<String>> readers = List.of(
            pool.submit(() -> idx.matchFeatures(qf, 1).get(0).id()),
            pool.submit(() -> idx.matchFeatures(qf, 1).get(0).id()));
        writer.get(60, TimeUnit.SECONDS);
        for (Future<String> r : readers) {
          assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo("rocket.jpg");
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(idx.size()).isEqualTo(PHOTOS.length + 6);
    }
  }
}
