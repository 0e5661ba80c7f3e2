package io.sightline.describer;

import io.sightline.core.instance.Matcher;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 during ingest: every reference whose add returned survives, the store stays consistent. */
class CrashSafetyTest {
  @TempDir
  Path tmp;

  @Test
  void aKilledIngestLosesNoCommittedRecord() throws Exception {
    Path dir = tmp.resolve("db");
    List<String> committed = ingestThenKill(dir, null, 60);
    assertThat(committed).hasSizeGreaterThanOrEqualTo(60);
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("Peru", "Japan", "flag"));
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(dict).build()) {
      List<String> ids = store.ids();
      assertThat(ids).containsAll(committed);
      // every stored image is searchable and every page points at a stored image
      assertThat(store.indexedImageCount()).isEqualTo(store.imageCount());
      for (String id : committed) {
        StoredReference s = store.get(id).orElseThrow();
        assertThat(s.reference().displays()).isEqualTo(Long.parseLong(id.substring(1)));
        assertThat(store.entities(List.of(id)).get(id)).extracting(PageEntity::key).contains("flag");
      }
      // document frequencies agree with the stored pages
      int peru = (int) ids.stream().filter(i -> Integer.parseInt(i.substring(1)) % 2 == 0).count();
      assertThat(store.documentFrequency(List.of("peru"))).isEqualTo(Map.of("peru", peru));
      // the store keeps working after the crash
      store.addVector(Reference.of("after", "Flag of Peru", ""), store.index().vector("k0").orElseThrow(), "k0");
      assertThat(store.get("after")).isPresent();
    }
  }

  @Test
  void aKilledIngestOnALuceneIndexLosesNoCommittedRecordAndTheIndexCatchesUp() throws Exception {
    Path dir = tmp.resolve("lucene");
    // killed mid-write: Lucene's commits may lag the database's
    List<String> committed = ingestThenKill(dir, "lucene", 40);
    assertThat(committed).hasSizeGreaterThanOrEqualTo(40);
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("Peru", "Japan", "flag"));
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(dict)
        .vectorIndex(io.sightline.index.lucene.LuceneVectorIndex.factory(CrashIngestMain.vectorsOf(dir))).build()) {
      assertThat(store.index()).isInstanceOf(io.sightline.index.lucene.LuceneVectorIndex.class);
      assertThat(store.ids()).containsAll(committed);
      // the index holds exactly the database's images: none lost, none left over from a cut write
      assertThat(store.indexedImageCount()).isEqualTo(store.imageCount());
      for (String id : committed) {
        int i = Integer.parseInt(id.substring(1));
        assertThat(store.index().contains(i % 3 == 2 ? "k" + (i - 1) : "k" + i)).as(id).isTrue();
      }
      store.addVector(Reference.of("after", "Flag of Peru", ""), store.index().vector("k0").orElseThrow(), "k0");
      assertThat(store.get("after")).isPresent();
    }
    assertThat(dir.resolve("references.hnsw")).doesNotExist();
  }

  @Test
  void aKilledImageIngestLeavesTheInstanceIndexInStepWithTheDatabase() throws Exception {
    Path dir = tmp.resolve("hybrid");
    // killed possibly between the instance index's write and the commit
    Map<String, String> committed = new java.util.LinkedHashMap<>();
    for (String line : ingestThenKill(dir, "images", 12)) {
      String[] f = line.split(" ");
      committed.put(f[0], f[1]);
    }
    assertThat(committed).hasSizeGreaterThanOrEqualTo(12);
    DictionaryEntityExtractor dict = DictionaryEntityExtractor.of(List.of("flag"));
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(dict).build()) {
      assertThat(store.matcher()).isEqualTo(Matcher.HYBRID);
      java.util.Set<String> keys = new java.util.HashSet<>();
      for (String id : store.ids()) {
        keys.add(store.get(id).orElseThrow().imageKey());
      }
      assertThat(keys).containsAll(committed.values());
      // every committed image is in the instance index, and it holds nothing the database lacks
      assertThat(store.instanceIndex().orElseThrow().ids()).containsExactlyInAnyOrderElementsOf(keys);
      // and the store keeps working
      store.add(Reference.of("after", "A flag", "Added after the crash."), CrashIngestMain.picture(999),
          "generated:999", Origin.USER);
      assertThat(store.instanceImageCount()).isEqualTo(keys.size() + 1);
    }
  }

  /**
   * Runs {@link CrashIngestMain} on {@code dir} (with {@code mode}, or none), reads the text after
   * "committed " of each line it prints until {@code n} were read, then kills it with SIGKILL (no
   * shutdown hook, no index save; possibly in the middle of a write).
   */
  private static List<String> ingestThenKill(Path dir, String mode, int n) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        CrashIngestMain.class.getName(), dir.toString()));
    if (mode != null) {
      cmd.add(mode);
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> committed = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && committed.size() < n) {
        if (line.startsWith("committed ")) {
          committed.add(line.substring(10));
        }
      }
      p.destroyForcibly();
      p.waitFor();
    }
    return committed;
  }
}
