package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes on one store (issue 20): queries run side by side with each other and with an
 * ingest in another process, and see committed references only.
 */
class ReadersSideBySideTest {

  private static Process child(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-Djava.awt.headless=true", "-cp",
        System.getProperty("java.class.path"), SideBySideMain.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static BufferedReader out(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  @Test
  void queriesRunBesideEachOtherAndBesideAnIngest(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("store");
    try (ReferenceStore store = ReferenceStore.open(dir)) {
      store.addAll(Fixtures.flagInputs(), ProgressListener.NONE, CancellationToken.NONE);
    }
    int base = 12;
    int extra = 40;
    Process ingest = child("ingest", dir.toString(), Integer.toString(extra));
    Process query = null;
    try (BufferedReader in = out(ingest)) {
      assertThat(in.readLine()).isEqualTo("ready");
      query = child("query", dir.toString(), "15");
      // this process queries too, while the other two run
      String here = SideBySideMain.query(dir, 15);
      assertThat(here).startsWith("ok");
      try (BufferedReader q = out(query)) {
        String there = q.readLine();
        assertThat(there).startsWith("ok");
        String[] sizes = there.split(" ");
        assertThat(Integer.parseInt(sizes[1])).isBetween(base, base + extra);
        assertThat(Integer.parseInt(sizes[2])).isBetween(base, base + extra);
        // its index caught up with images committed after the index file was saved (6 flags)
        assertThat(Integer.parseInt(sizes[3])).as("images in a reader's index").isGreaterThan(6);
      }
      assertThat(query.waitFor()).isZero();
      assertThat(in.readLine()).isEqualTo("done");
      assertThat(ingest.waitFor()).isZero();
    } finally {
      ingest.destroyForcibly();
      if (query != null) {
        query.destroyForcibly();
      }
    }
    // after the ingest: a new read-only open sees every committed reference, in its index too
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).readOnly(true).build()) {
      assertThat(store.size()).isEqualTo(base + extra);
      Description r = ImageDescriber.builder().store(store).build().describe(Fixtures.transformed("japan"), "japan");
      assertThat(store.indexedImageCount()).isEqualTo(6 + extra);
      assertThat(r.matches()).extracting(Description.Match::id).anyMatch(id -> id.startsWith("extra-"));
    }
  }

  @Test
  void aReadOnlyStoreRefusesWritesAndNeverCreatesOne(@TempDir Path tmp) {
    Path dir = tmp.resolve("store");
    assertThatThrownBy(() -> ReferenceStore.builder().directory(dir).readOnly(true).build())
        .isInstanceOf(StoreException.class).hasMessageContaining("no describer store here");
    assertThat(dir).doesNotExist();
    try (ReferenceStore store = ReferenceStore.open(dir)) {
      store.addAll(Fixtures.flagInputs().subList(0, 2), ProgressListener.NONE, CancellationToken.NONE);
    }
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).readOnly(true).build()) {
      assertThatThrownBy(() -> store.add(new Reference("x", "t", "b", Map.of(), 0, 0, 0),
          ImageSource.ofPath(Fixtures.FLAGS.resolve("peru.png"))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
      assertThatThrownBy(() -> store.remove("peru-a")).isInstanceOf(IllegalStateException.class);
      assertThat(store.size()).isEqualTo(2);
    }
  }
}
