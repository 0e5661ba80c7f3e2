package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.image.ImageOps;
import io.sightline.core.instance.NoFeaturesException;
import io.sightline.core.store.Database;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instance matching in the describer: a target that is a <em>new shot</em> of a stored object
 * (part of the reference image, scaled 0.6, turned 20°, pasted on a cluttered background, JPEG)
 * is not found by the global descriptor but is found, and described, by the local and hybrid
 * matchers; unknown objects are refused; the matcher is recorded; the instance index follows
 * the database through adds, removes, reopens and crashes.
 */
class InstanceMatchingTest {
  static final Path CLIPART = Path.of("../testdata/clipart");
  static final DictionaryEntityExtractor DICT = DictionaryEntityExtractor.of(List.of(
      "Eileen Collins", "Chelsea", "espresso", "rocket launch", "tram", "country house", "stapler"));

  @TempDir
  Path tmp;

  /** Seven references: the four photos and three clipart drawings, one named entity each. */
  static List<ReferenceInput> references() {
    return List.of(
        ref("astronaut", Fixtures.PHOTOS.resolve("astronaut.png"), "Astronaut Eileen Collins | test page",
            "Generated test page: an official portrait of Eileen Collins."),
        ref("chelsea", Fixtures.PHOTOS.resolve("chelsea.png"), "Chelsea the cat | test page",
            "Generated test page: Chelsea sits on the floor."),
        ref("coffee", Fixtures.PHOTOS.resolve("coffee.png"), "A cup of espresso | test page",
            "Generated test page: espresso served in a white cup."),
        ref("rocket", Fixtures.PHOTOS.resolve("rocket.jpg"), "Rocket launch | test page",
            "Generated test page: a rocket launch at dawn."),
        ref("tram", CLIPART.resolve("transportation/tram.png"), "Tram | test page",
            "Generated test page: a drawing of a tram."),
        ref("house", CLIPART.resolve("buildings/homes/home3.png"), "Country house | test page",
            "Generated test page: a drawing of a country house."),
        ref("stapler", CLIPART.resolve("office/stappler.png"), "Stapler | test page",
            "Generated test page: a drawing of a stapler."));
  }

  private static ReferenceInput ref(String id, Path image, String title, String text) {
    return ReferenceInput.of(new Reference(id, title, text, Map.of(), 100, 20, 2), ImageSource.ofPath(image));
  }

  static BufferedImage load(Path p) {
    return ImageLoader.defaults().load(p);
  }

  /**
   * A new photo of an object: the central 70 % of its image, scaled by {@code scale}, turned by
   * {@code degrees}, pasted on a 640×480 scene of other (unstored) drawings, saved as JPEG.
   */
  static BufferedImage newShot(BufferedImage object, double scale, double degrees) {
    BufferedImage scene = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scene.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.setColor(new Color(200, 190, 170));
    g.fillRect(0, 0, 640, 480);
    g.drawImage(load(CLIPART.resolve("recreation/holiday/sailing_sunset.png")), 0, 0, 640, 480, null);
    g.drawImage(load(CLIPART.resolve("tools/blacksmith_hammer_ganson.png")), 10, 250, 120, 213, null);
    g.drawImage(load(CLIPART.resolve("plants/tulips_ganson.png")), 520, 10, 110, 150, null);
    int cw = (int) (object.getWidth() * 0.7);
    int ch = (int) (object.getHeight() * 0.7);
    BufferedImage part = ImageOps.crop(object, (object.getWidth() - cw) / 2, (object.getHeight() - ch) / 2, cw, ch);
    AffineTransform t = new AffineTransform();
    t.translate(340, 240);
    t.rotate(Math.toRadians(degrees));
    t.scale(scale, scale);
    t.translate(-cw / 2.0, -ch / 2.0);
    g.drawImage(part, t, null);
    g.dispose();
    try {
      ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
      ImageIO.write(scene, "jpg", jpeg);
      return ImageIO.read(new ByteArrayInputStream(jpeg.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BufferedImage astronautShot() {
    return newShot(load(Fixtures.PHOTOS.resolve("astronaut.png")), 0.6, 20);
  }

  /** A drawing that is not stored, shot the same way. */
  static BufferedImage unknownShot() {
    return newShot(load(CLIPART.resolve("animals/mammals/big_cats/leone_02_architetto_fran_01.png")), 1.0, -15);
  }

  private ReferenceStore.Builder store(String name) {
    return ReferenceStore.builder().directory(tmp.resolve(name)).extractor(DICT);
  }

  private static ReferenceStore filled(ReferenceStore store) {
    store.addAll(references(), ProgressListener.NONE, CancellationToken.NONE);
    return store;
  }

  private static ImageDescriber describer(ReferenceStore store) {
    return ImageDescriber.builder().store(store).build();
  }

  @Test
  void newShotIsMissedByGlobalButFoundAndDescribedByLocalAndHybrid() {
    BufferedImage shot = astronautShot();
    try (ReferenceStore global = filled(store("global").matcher(Matcher.GLOBAL).build());
        ReferenceStore local = filled(store("local").matcher(Matcher.LOCAL).build());
        ReferenceStore hybrid = filled(store("hybrid").matcher(Matcher.HYBRID).build())) {
      assertThat(global.instanceIndex()).isEmpty();
      assertThat(local.instanceImageCount()).isEqualTo(7);

      // the global descriptor sees the scene, not the object: no reference passes the 0.80 cosine
      Description g = describer(global).describe(shot, "shot");
      assertThat(g.matcher()).isEqualTo(Matcher.GLOBAL);
      assertThat(g.status()).isEqualTo(Description.Status.NO_MATCHING_REFERENCE);
      assertThat(g.matches()).isEmpty();

      for (ReferenceStore s : List.of(local, hybrid)) {
        Description d = describer(s).describe(shot, "shot");
        assertThat(d.matcher()).isEqualTo(s.matcher());
        assertThat(d.status()).as(s.matcher() + ": " + d).isEqualTo(Description.Status.DESCRIBED);
        assertThat(d.best().key()).isEqualTo("eileen collins");
        Description.Match top = d.matches().get(0);
        assertThat(top.id()).isEqualTo("astronaut");
        assertThat(top.rank()).isEqualTo(1);
        assertThat(top.verified()).isTrue();
        assertThat(top.inliers()).isGreaterThanOrEqualTo(10);
        assertThat(top.instanceScore()).isGreaterThanOrEqualTo(d.thresholds().instanceThreshold());
        // every instance-verified match ranks before the global-only ones
        List<Boolean> verifiedInOrder = d.matches().stream().map(Description.Match::verified).toList();
        assertThat(verifiedInOrder.indexOf(false) < 0 || !verifiedInOrder.subList(verifiedInOrder.indexOf(false),
            verifiedInOrder.size()).contains(true)).isTrue();
        // the seed's "page <-> target" feature carries the fused similarity, not the cosine
        ScoredEntity e = d.best();
        assertThat(e.features().get("sourceMatchMax")).isEqualTo(top.similarity());
        if (s.matcher() == Matcher.LOCAL) {
          assertThat(top.similarity()).isEqualTo(top.instanceScore());
          assertThat(d.matches()).allMatch(Description.Match::verified);
        } else {
          assertThat(top.similarity()).isGreaterThanOrEqualTo(top.instanceScore());
        }
      }
    }
  }

  @Test
  void unknownObjectIsRefusedUnderLocal() {
    try (ReferenceStore local = filled(store("local").matcher(Matcher.LOCAL).build())) {
      Description d = describer(local).describe(unknownShot(), "lion");
      assertThat(d.status()).as(d.toString()).isEqualTo(Description.Status.NO_MATCHING_REFERENCE);
      assertThat(d.best()).isNull();
      // a picture without local features cannot be matched by instance: a typed error, not an empty answer
      BufferedImage flat = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
      assertThatThrownBy(() -> describer(local).describe(flat, "flat"))
          .isInstanceOf(NoFeaturesException.class).hasMessageContaining("local matcher");
      assertThatThrownBy(() -> describer(local).describeVector(local.embedder().embed(flat), "flat"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("local");
    }
  }

  @Test
  void matcherIsRecordedAndUsedOnReopen() {
    try (ReferenceStore s = filled(store("local").matcher(Matcher.LOCAL).build())) {
      assertThat(s.matcher()).isEqualTo(Matcher.LOCAL);
    }
    try (ReferenceStore s = store("local").build()) {
      assertThat(s.matcher()).isEqualTo(Matcher.LOCAL);
      assertThat(s.instanceImageCount()).isEqualTo(7);
      Description d = describer(s).describe(astronautShot(), "shot");
      assertThat(d.matcher()).isEqualTo(Matcher.LOCAL);
      assertThat(d.best().key()).isEqualTo("eileen collins");
    }
    // local and hybrid keep the same data and can be switched; global would leave the index stale
    assertThatThrownBy(() -> store("local").matcher(Matcher.GLOBAL).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("'local'").hasMessageContaining("global");
    try (ReferenceStore s = store("local").matcher(Matcher.HYBRID).build()) {
      assertThat(s.matcher()).isEqualTo(Matcher.HYBRID);
    }
    try (ReferenceStore s = store("local").build()) {
      assertThat(s.matcher()).isEqualTo(Matcher.HYBRID);
      // a describer can still compare with global matching on the same store
      ImageDescriber global = ImageDescriber.builder().store(s).matcher(Matcher.GLOBAL).build();
      assertThat(global.describe(astronautShot(), "shot").status()).isEqualTo(Description.Status.NO_MATCHING_REFERENCE);
    }
    // a new store without a matcher gets the default
    try (ReferenceStore s = store("fresh").build()) {
      assertThat(s.matcher()).isEqualTo(Matcher.DEFAULT);
    }
  }

  @Test
  void globalStoreOpenedWithLocalBuildsItsInstanceIndexFromTheStoredFiles() {
    try (ReferenceStore s = filled(store("g").matcher(Matcher.GLOBAL).build())) {
      assertThat(s.instanceIndex()).isEmpty();
      assertThatThrownBy(() -> ImageDescriber.builder().store(s).matcher(Matcher.LOCAL).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("instance index");
    }
    try (ReferenceStore s = store("g").matcher(Matcher.LOCAL).build()) {
      assertThat(s.matcher()).isEqualTo(Matcher.LOCAL);
      assertThat(s.instanceImageCount()).isEqualTo(7);
      assertThat(describer(s).describe(astronautShot(), "shot").best().key()).isEqualTo("eileen collins");
    }
  }

  @Test
  void removeAndReplaceKeepTheInstanceIndexInStep() {
    try (ReferenceStore s = filled(store("local").matcher(Matcher.LOCAL).build())) {
      String key = s.get("astronaut").orElseThrow().imageKey();
      assertThat(s.instanceIndex().orElseThrow().contains(key)).isTrue();
      // a second page on the same image shares its entry
      s.add(Reference.of("astronaut-2", "Eileen Collins again | test page", "Generated test page."),
          ImageSource.ofPath(Fixtures.PHOTOS.resolve("astronaut.png")));
      assertThat(s.instanceImageCount()).isEqualTo(7);
      assertThat(s.remove("astronaut")).isTrue();
      assertThat(s.instanceIndex().orElseThrow().contains(key)).isTrue();
      assertThat(s.remove("astronaut-2")).isTrue();
      assertThat(s.instanceIndex().orElseThrow().contains(key)).isFalse();
      assertThat(s.instanceImageCount()).isEqualTo(6);
      assertThat(describer(s).describe(astronautShot(), "shot").status())
          .isEqualTo(Description.Status.NO_MATCHING_REFERENCE);
      // replacing the image of an id moves its entry
      String tram = s.get("tram").orElseThrow().imageKey();
      s.add(Reference.of("tram", "Eileen Collins | test page", "Generated test page: Eileen Collins."),
          ImageSource.ofPath(Fixtures.PHOTOS.resolve("astronaut.png")));
      assertThat(s.instanceIndex().orElseThrow().contains(tram)).isFalse();
      assertThat(s.instanceIndex().orElseThrow().contains(key)).isTrue();
      assertThat(describer(s).describe(astronautShot(), "shot").matches().get(0).id()).isEqualTo("tram");
    }
    try (ReferenceStore s = store("local").build()) {
      assertThat(s.instanceImageCount()).isEqualTo(6);
      assertThat(s.imageCount()).isEqualTo(6);
    }
  }

  @Test
  void imagesWithoutLocalFeaturesStayGloballyMatched() {
    BufferedImage flat = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = flat.createGraphics();
    g.setColor(new Color(30, 90, 160));
    g.fillRect(0, 0, 300, 200);
    g.dispose();
    try (ReferenceStore s = store("h").matcher(Matcher.HYBRID).build()) {
      s.add(Reference.of("blue", "Plain blue | test page", "Generated test page: espresso blue."), flat, "blue.png",
          Origin.USER);
      s.addVector(Reference.of("vec", "Precomputed | test page", "Generated test page: tram."),
          s.embedder().embed(load(Fixtures.PHOTOS.resolve("rocket.jpg"))), "vec-key");
      assertThat(s.imageCount()).isEqualTo(2);
      assertThat(s.instanceImageCount()).isZero();
      Description d = describer(s).describe(flat, "blue");
      assertThat(d.matches()).extracting(Description.Match::id).containsExactly("blue");
      assertThat(d.matches().get(0).verified()).isFalse();
      assertThat(d.matches().get(0).inliers()).isZero();
      assertThat(d.matches().get(0).similarity()).isGreaterThan(0.99);
    }
  }

  @Test
  void reopenDropsEntriesTheDatabaseLacksAndRestoresLostOnes() throws IOException {
    try (ReferenceStore s = filled(store("c").matcher(Matcher.HYBRID).build())) {
      // as if a write was cut short after the instance index took an image but before the commit
      s.instanceIndex().orElseThrow().add("not-committed", load(CLIPART.resolve("plants/tulips_ganson.png")));
      assertThat(s.instanceImageCount()).isEqualTo(8);
    }
    try (ReferenceStore s = store("c").build()) {
      assertThat(s.instanceIndex().orElseThrow().contains("not-committed")).isFalse();
      assertThat(s.instanceImageCount()).isEqualTo(7);
      // an uploaded image: its bytes are not kept, so it cannot be re-extracted later
      s.add(Reference.of("upload", "Chelsea upload | test page", "Generated test page: Chelsea."),
          ImageSource.ofBytes(Files.readAllBytes(Fixtures.PHOTOS.resolve("chelsea.png")), "upload.png"));
      s.add(Reference.of("upload-2", "Eileen Collins upload | test page", "Generated test page."),
          ImageSource.ofBytes(pngOf(newShot(load(Fixtures.PHOTOS.resolve("astronaut.png")), 0.8, 5)), "shot.png"));
      assertThat(s.instanceImageCount()).isEqualTo(8);
    }
    // the instance folder is lost: images are re-extracted from their files, uploads cannot be
    try (Stream<Path> files = Files.walk(tmp.resolve("c").resolve(ReferenceInstances.FOLDER))) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    try (ReferenceStore s = store("c").build()) {
      assertThat(s.instanceImageCount()).isEqualTo(7);
      assertThat(s.instanceIndex().orElseThrow().contains(s.get("upload-2").orElseThrow().imageKey())).isFalse();
      assertThat(describer(s).describe(astronautShot(), "shot").best().key()).isEqualTo("eileen collins");
    }
  }

  @Test
  void storeOnACallersDatabaseKeepsLocalFeaturesInIt() throws IOException {
    byte[] upload = pngOf(load(Fixtures.PHOTOS.resolve("astronaut.png")));
    try (Database db = Database.openFile(tmp.resolve("jdbc"), "refs")) {
      try (ReferenceStore s = ReferenceStore.builder().database(db).extractor(DICT).matcher(Matcher.LOCAL).build()) {
        List<ReferenceInput> refs = new ArrayList<>(references().subList(1, 7));
        refs.add(ReferenceInput.of(new Reference("astronaut", "Astronaut Eileen Collins | test page",
            "Generated test page: Eileen Collins.", Map.of(), 1, 1, 1), ImageSource.ofBytes(upload, "upload.png")));
        s.addAll(refs, ProgressListener.NONE, CancellationToken.NONE);
        assertThat(s.instanceImageCount()).isEqualTo(7);
      }
      try (ReferenceStore s = ReferenceStore.builder().database(db).extractor(DICT).build()) {
        assertThat(s.matcher()).isEqualTo(Matcher.LOCAL);
        assertThat(s.instanceImageCount()).isEqualTo(7);
        Description d = describer(s).describe(astronautShot(), "shot");
        assertThat(d.best().key()).isEqualTo("eileen collins");
        assertThat(d.matches().get(0).verified()).isTrue();
      }
    }
  }

  @Test
  void scorerTrainingSeesTheFusedSimilarity() {
    try (ReferenceStore s = filled(store("h").matcher(Matcher.HYBRID).build())) {
      ImageDescriber d = describer(s);
      List<TrainingExample> out = new ArrayList<>();
      int missed = ScorerTraining.label(d, "shot", astronautShot(), Map.of("eileen collins", true), true, out);
      assertThat(missed).isZero();
      TrainingExample pos = out.stream().filter(TrainingExample::correct).findFirst().orElseThrow();
      double sourceMatch = pos.candidate().features()[FeatureSchema.GROUPED.indexOf("sourceMatchMax")];
      assertThat(sourceMatch).isGreaterThanOrEqualTo(s.instanceThreshold());
      // by vector the same target is matched globally only, and finds nothing
      List<TrainingExample> byVector = new ArrayList<>();
      ScorerTraining.label(d, "shot", s.embedder().embed(astronautShot()), Map.of("eileen collins", true), true, byVector);
      assertThat(byVector).isEmpty();
    }
  }

  @Test
  void matcherParsesItsIds() {
    for (Matcher m : Matcher.values()) {
      assertThat(Matcher.parse(m.id().toUpperCase(java.util.Locale.ROOT))).isEqualTo(m);
    }
    assertThatThrownBy(() -> Matcher.parse("fuzzy")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("global, local or hybrid");
  }

  static byte[] pngOf(BufferedImage img) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
