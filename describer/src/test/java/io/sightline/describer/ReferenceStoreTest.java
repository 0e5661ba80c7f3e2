package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ImageDecodeException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceStoreTest {
  @TempDir
  Path tmp;

  private ReferenceStore open() {
    return ReferenceStore.open(tmp.resolve("db"));
  }

  @Test
  void addsMergesDuplicatesPersistsAndReopens() throws Exception {
    float[] peruVector;
    try (ReferenceStore store = open()) {
      List<AddOutcome> outcomes = store.addAll(Fixtures.flagInputs(), ProgressListener.NONE, CancellationToken.NONE);
      // two pages per flag: the second page of each flag merges onto the first one's vector
      assertThat(outcomes).filteredOn(o -> o == AddOutcome.ADDED).hasSize(6);
      assertThat(outcomes).filteredOn(o -> o == AddOutcome.MERGED).hasSize(6);
      assertThat(store.size()).isEqualTo(12);
      assertThat(store.imageCount()).isEqualTo(6);
      assertThat(store.indexedImageCount()).isEqualTo(6);
      assertThat(store.extractorId()).contains(OpenNlpEntityExtractor.ENGLISH_ID);
      StoredReference a = store.get("peru-a").orElseThrow();
      assertThat(a.origin()).isEqualTo(Origin.EXTERNAL_STORAGE);
      assertThat(a.reference().fields()).containsEntry("subject", "flag of Peru");
      assertThat(store.get("peru-b").orElseThrow().imageKey()).isEqualTo(a.imageKey());
      assertThat(store.entities(List.of("peru-a")).get("peru-a"))
          .anySatisfy(e -> assertThat(e.key()).isEqualTo("flag of peru"));
      assertThat(store.documentFrequency(List.of("flag of peru", "flag of brazil", "nothing")))
          .containsEntry("flag of peru", 3) // peru-a, peru-b, and italy-a (distractor)
          .doesNotContainKey("nothing");
      peruVector = store.embedder().embed(ImageLoader.defaults().load(Fixtures.FLAGS.resolve("peru.png")));
      List<ReferenceMatch> m = store.match(peruVector, 3, 0.99);
      assertThat(m).extracting(ReferenceMatch::id).containsExactly("peru-a", "peru-b");
      assertThat(m.get(0).similarity()).isGreaterThan(0.999);
    }
    assertThat(Files.exists(tmp.resolve("db/references.hnsw"))).isTrue();
    try (ReferenceStore store = open()) {
      assertThat(store.size()).isEqualTo(12);
      assertThat(store.indexedImageCount()).isEqualTo(6);
      assertThat(store.match(peruVector, 3, 0.99)).extracting(ReferenceMatch::id).containsExactly("peru-a", "peru-b");
    }
  }

  @Test
  void updatesAndRemovesWithoutRebuild() {
    try (ReferenceStore store = open()) {
      store.addAll(Fixtures.flagInputs(), ProgressListener.NONE, CancellationToken.NONE);
      // update page text: entities re-extracted, document frequencies adjusted
      assertThat(store.update(new Reference("peru-b", "Flag of Peru", "Red and white vertical bands.", Map.of(), 5, 4, 3)))
          .isTrue();
      assertThat(store.get("peru-b").orElseThrow().reference().title()).isEqualTo("Flag of Peru");
      assertThat(store.documentFrequency(List.of("travel notes"))).containsEntry("travel notes", 5);
      assertThat(store.update(Reference.of("nope", "x", "y"))).isFalse();
      assertThat(store.updateStatistics("peru-a", 7, 8, 9)).isTrue();
      assertThat(store.get("peru-a").orElseThrow().reference().clicks()).isEqualTo(9);
      // replacing the image of an id moves it to the new vector
      AddOutcome o = store.add(new Reference("peru-b", "Now Japan", "The flag of Japan.", Map.of(), 0, 0, 0),
          ImageSource.ofPath(Fixtures.FLAGS.resolve("japan.png")));
      assertThat(o).isEqualTo(AddOutcome.UPDATED);
      assertThat(store.imageCount()).isEqualTo(6);
      // removing both pages of an image removes its vector
      assertThat(store.remove("peru-a")).isTrue();
      assertThat(store.imageCount()).isEqualTo(5);
      assertThat(store.indexedImageCount()).isEqualTo(5);
      assertThat(store.remove("peru-a")).isFalse();
      assertThat(store.documentFrequency(List.of("flag of peru"))).containsEntry("flag of peru", 1);
      store.remove("italy-a");
      assertThat(store.documentFrequency(List.of("flag of peru"))).doesNotContainKey("flag of peru");
    }
  }

  @Test
  void supplementaryImagesFromUserBytesAndNetwork() throws Exception {
    BufferedImage img = Fixtures.transformed("brazil");
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    byte[] bytes = png.toByteArray();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/brazil.png", ex -> {
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.createContext("/missing.png", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.start();
    try (ReferenceStore store = open()) {
      assertThat(store.add(new Reference("user-1", "My photo of the Brazil flag", "", Map.of(), 0, 0, 0),
          ImageSource.ofBytes(bytes, "upload.png"))).isEqualTo(AddOutcome.ADDED);
      int port = server.getAddress().getPort();
      URI uri = URI.create("http://127.0.0.1:" + port + "/brazil.png");
      assertThat(store.add(new Reference("net-1", "Flag of Brazil", "", Map.of(), 0, 0, 0),
          ImageSource.ofUrl(uri, Duration.ofSeconds(5)))).isEqualTo(AddOutcome.MERGED);
      assertThat(store.get("user-1").orElseThrow().origin()).isEqualTo(Origin.USER);
      assertThat(store.get("net-1").orElseThrow().origin()).isEqualTo(Origin.NETWORK);
      assertThat(store.get("net-1").orElseThrow().location()).isEqualTo(uri.toString());
      URI missing = URI.create("http://127.0.0.1:" + port + "/missing.png");
      assertThatThrownBy(() -> store.add(Reference.of("net-2", "x", "y"), ImageSource.ofUrl(missing, Duration.ofSeconds(5))))
          .isInstanceOf(ImageDecodeException.class).hasMessageContaining("404");
      assertThat(store.size()).isEqualTo(2);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void badInputFailsClearlyAndStoresNothing() {
    try (ReferenceStore store = open()) {
      assertThatThrownBy(() -> store.add(Reference.of("e", " ", ""), ImageSource.ofPath(Fixtures.FLAGS.resolve("peru.png"))))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("empty page");
      assertThatThrownBy(() -> store.add(Reference.of("m", "t", "x"), ImageSource.ofPath(tmp.resolve("nope.png"))))
          .isInstanceOf(ImageDecodeException.class).hasMessageContaining("nope.png");
      assertThatThrownBy(() -> store.add(Reference.of("b", "t", "x"), ImageSource.ofBytes(new byte[] {1, 2, 3}, "junk")))
          .isInstanceOf(ImageDecodeException.class);
      assertThatThrownBy(() -> Reference.of("s", "bad \uD800 text", ""))
          .isInstanceOf(InputFormatException.class).hasMessageContaining("not valid Unicode");
      assertThatThrownBy(() -> store.addVector(Reference.of("v", "t", "x"), new float[] {1, 2}, "k"))
          .isInstanceOf(io.sightline.core.DimensionMismatchException.class);
      float[] nan = new float[store.embedder().dimension()];
      nan[0] = Float.NaN;
      assertThatThrownBy(() -> store.addVector(Reference.of("v", "t", "x"), nan, "k"))
          .isInstanceOf(io.sightline.core.InvalidVectorException.class);
      assertThat(store.size()).isZero();
      assertThat(store.imageCount()).isZero();
    }
  }

  private Path writeRefs(String... lines) throws Exception {
    Path f = tmp.resolve("refs.jsonl");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String l : lines) {
      out.write(l.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    Files.write(f, out.toByteArray());
    Files.copy(Fixtures.FLAGS.resolve("peru.png"), tmp.resolve("peru.png"));
    Files.copy(Fixtures.FLAGS.resolve("japan.png"), tmp.resolve("japan.png"));
    return f;
  }

  @Test
  void importsJsonlSkippingOrRejectingMalformedLines() throws Exception {
    Path refs = writeRefs(
        "{\"id\":\"p\",\"image\":\"peru.png\",\"title\":\"Flag of Peru\",\"text\":\"Red and white.\",\"fields\":{\"country\":\"Peru\",\"year\":1825},\"displays\":10,\"views\":5,\"clicks\":1}",
        "{\"id\":\"broken\",\"image\":",
        "",
        "{\"id\":\"noimg\",\"image\":\"missing.png\",\"title\":\"x\"}",
        "{\"id\":\"empty\",\"image\":\"japan.png\",\"title\":\"\",\"text\":\"  \"}",
        "{\"id\":\"neg\",\"image\":\"japan.png\",\"title\":\"t\",\"clicks\":-1}",
        "{\"id\":\"j\",\"image\":\"japan.png\",\"title\":\"Flag of Japan\"}");
    try (ReferenceStore store = open()) {
      assertThatThrownBy(() -> store.importJsonl(refs, ErrorPolicy.REJECT, ProgressListener.NONE, CancellationToken.NONE))
          .isInstanceOf(InputFormatException.class)
          .hasMessageContaining("refs.jsonl:2").hasMessageContaining("line 4").hasMessageContaining("missing.png")
          .hasMessageContaining("line 5").hasMessageContaining("empty page").hasMessageContaining("line 6")
          .hasMessageContaining("nothing ingested");
      assertThat(store.size()).isZero();
      IngestReport r = store.importJsonl(refs, ErrorPolicy.SKIP, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.added()).isEqualTo(2);
      assertThat(r.skipped()).isEqualTo(4);
      assertThat(r.errors()).extracting(IngestReport.LineError::line).containsExactly(2L, 4L, 5L, 6L);
      assertThat(store.get("p").orElseThrow().reference().fields()).containsEntry("year", "1825");
      assertThat(store.get("p").orElseThrow().origin()).isEqualTo(Origin.IMPORT);
      // re-import is idempotent: existing ids are updated, not duplicated
      IngestReport again = store.importJsonl(refs, ErrorPolicy.SKIP, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(again.updated()).isEqualTo(2);
      assertThat(store.size()).isEqualTo(2);
      assertThat(store.imageCount()).isEqualTo(2);
    }
  }

  @Test
  void nonUtf8LinesAreReportedWithTheirNumber() throws Exception {
    Path f = tmp.resolve("refs.jsonl");
    Files.copy(Fixtures.FLAGS.resolve("peru.png"), tmp.resolve("peru.png"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write("{\"id\":\"p\",\"image\":\"peru.png\",\"title\":\"Flag of Peru\"}\n".getBytes(StandardCharsets.UTF_8));
    out.write(new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}', '\n'});
    out.write("{\"id\":\"q\",\"image\":\"peru.png\",\"title\":\"Peru again\"}\n".getBytes(StandardCharsets.UTF_8));
    Files.write(f, out.toByteArray());
    try (ReferenceStore store = open()) {
      IngestReport r = store.importJsonl(f, ErrorPolicy.SKIP, ProgressListener.NONE, CancellationToken.NONE);
      assertThat(r.errors()).singleElement().satisfies(e -> {
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.message()).contains("UTF-8");
      });
      assertThat(r.added() + r.merged()).isEqualTo(2);
    }
  }

  @Test
  void rebuildsTheIndexFromTheDatabaseWhenTheIndexFileIsStaleOrMissing() throws Exception {
    try (ReferenceStore store = open()) {
      store.addAll(Fixtures.flagInputs().subList(0, 4), ProgressListener.NONE, CancellationToken.NONE);
    }
    // a later session commits more records but "crashes" before saving the index: simulate by
    // restoring the old index files after a clean session
    Path idx = tmp.resolve("db/references.hnsw");
    Path gen = tmp.resolve("db/references.hnsw.gen");
    byte[] oldIdx = Files.readAllBytes(idx);
    byte[] oldGen = Files.readAllBytes(gen);
    try (ReferenceStore store = open()) {
      store.addAll(Fixtures.flagInputs().subList(4, 12), ProgressListener.NONE, CancellationToken.NONE);
    }
    Files.write(idx, oldIdx);
    Files.write(gen, oldGen);
    try (ReferenceStore store = open()) {
      assertThat(store.indexedImageCount()).isEqualTo(6);
    }
    Files.delete(idx);
    try (ReferenceStore store = open()) {
      assertThat(store.indexedImageCount()).isEqualTo(6);
      float[] v = store.embedder().embed(ImageLoader.defaults().load(Fixtures.FLAGS.resolve("italy.png")));
      assertThat(store.match(v, 1, 0.99)).extracting(ReferenceMatch::id).containsExactly("italy-a", "italy-b");
    }
    // a corrupted index file is rebuilt too, never read half
    byte[] corrupt = Files.readAllBytes(idx);
    corrupt[corrupt.length / 2] ^= 0x5A;
    Files.write(idx, corrupt);
    try (ReferenceStore store = open()) {
      assertThat(store.indexedImageCount()).isEqualTo(6);
    }
  }

  @Test
  void aDatabaseThatLostCommitsIsRefusedNotServed() throws Exception {
    try (ReferenceStore store = open()) {
      store.addAll(Fixtures.flagInputs().subList(0, 4), ProgressListener.NONE, CancellationToken.NONE);
    }
    Path dbFile = tmp.resolve("db/references.mv.db");
    assertThat(dbFile).isRegularFile();
    byte[] older = Files.readAllBytes(dbFile);
    try (ReferenceStore store = open()) {
      store.addAll(Fixtures.flagInputs().subList(4, 12), ProgressListener.NONE, CancellationToken.NONE);
    }
    // the database file goes back to an older state (as a truncated file that H2 opens at an
    // older version does); its index was saved later
    Files.write(dbFile, older);
    assertThatThrownBy(this::open).isInstanceOf(io.sightline.core.StoreException.class)
        .hasMessageContaining("lost commits").hasMessageContaining("references.hnsw.gen");
    // on purpose: delete the index files and the store opens on the older database
    Files.delete(tmp.resolve("db/references.hnsw"));
    Files.delete(tmp.resolve("db/references.hnsw.gen"));
    try (ReferenceStore store = open()) {
      assertThat(store.indexedImageCount()).isEqualTo(2);
    }
  }

  @Test
  void anIndexFileCopiedInFromAnotherStoreIsNotServed() throws Exception {
    // the same number of records in both stores, so the generation numbers agree
    try (ReferenceStore a = open()) {
      a.addAll(Fixtures.flagInputs().subList(0, 4), ProgressListener.NONE, CancellationToken.NONE);
    }
    try (ReferenceStore b = ReferenceStore.open(tmp.resolve("other"))) {
      b.addAll(Fixtures.flagInputs().subList(4, 8), ProgressListener.NONE, CancellationToken.NONE);
    }
    assertThat(Files.readString(tmp.resolve("other/references.hnsw.gen")))
        .isEqualTo(Files.readString(tmp.resolve("db/references.hnsw.gen")));
    Files.copy(tmp.resolve("other/references.hnsw"), tmp.resolve("db/references.hnsw"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (ReferenceStore a = open()) {
      float[] v = a.embedder().embed(ImageLoader.defaults().load(Fixtures.FLAGS.resolve(Fixtures.COUNTRIES[0] + ".png")));
      assertThat(a.match(v, 1, 0.99)).extracting(ReferenceMatch::id)
          .containsExactlyInAnyOrder(Fixtures.COUNTRIES[0] + "-a", Fixtures.COUNTRIES[0] + "-b");
    }
  }

  @Test
  void refusesAnotherEmbedderOrExtractorAndReextractsOnRequest() {
    try (ReferenceStore store = open()) {
      store.addAll(Fixtures.flagInputs().subList(0, 2), ProgressListener.NONE, CancellationToken.NONE);
    }
    io.sightline.core.embed.ImageEmbedder other = new io.sightline.core.embed.ImageEmbedder() {
      @Override
      public float[] embed(BufferedImage image) {
        return new float[] {1, 0};
      }

      @Override
      public int dimension() {
        return 2;
      }

      @Override
      public String id() {
        return "other/1";
      }
    };
    assertThatThrownBy(() -> ReferenceStore.builder().directory(tmp.resolve("db")).embedder(other).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("other/1");
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("Peru", "flag of Peru"));
    assertThatThrownBy(() -> ReferenceStore.builder().directory(tmp.resolve("db")).extractor(dict).build())
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("reextract");
    try (ReferenceStore store = ReferenceStore.builder().directory(tmp.resolve("db")).extractor(dict).reextract(true).build()) {
      assertThat(store.extractorId()).contains(dict.id());
      assertThat(store.entities(List.of("peru-a")).get("peru-a")).extracting(PageEntity::key)
          .containsOnly("flag of peru"); // longest match: "Peru" inside it is not a second entity
    }
    // opened without an extractor, a store built with a dictionary refuses adds with a clear message
    try (ReferenceStore store = open()) {
      assertThatThrownBy(() -> store.add(Reference.of("x", "Peru", ""), ImageSource.ofPath(Fixtures.FLAGS.resolve("peru.png"))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining(dict.id());
    }
  }

  @Test
  void builderNamesWhatIsMissing() {
    assertThatThrownBy(() -> ReferenceStore.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("directory");
    assertThatThrownBy(() -> ReferenceStore.builder().directory(tmp.resolve("none")).createIfMissing(false).build())
        .isInstanceOf(io.sightline.core.StoreException.class).hasMessageContaining("no describer store");
    assertThat(Files.exists(tmp.resolve("none"))).isFalse();
  }

  @Test
  void cancelledImportKeepsWhatWasCommittedAndNothingHalfWritten() {
    CancellationToken cancel = new CancellationToken();
    List<ReferenceInput> inputs = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      inputs.add(ReferenceInput.of(Reference.of("r" + i, "Flag of Peru " + i, "A flag."),
          ImageSource.ofPath(Fixtures.FLAGS.resolve("peru.png"))));
    }
    try (ReferenceStore store = open()) {
      // cancel after the first batch of 32 reports progress
      assertThatThrownBy(() -> store.addAll(inputs, (t, done, total, m) -> cancel.cancel(), cancel))
          .isInstanceOf(io.sightline.core.CancelledException.class);
      assertThat(store.size()).isEqualTo(32);
      assertThat(store.imageCount()).isEqualTo(1);
      for (String id : store.ids()) {
        assertThat(store.entities(List.of(id)).get(id)).isNotEmpty();
      }
    }
  }
}
