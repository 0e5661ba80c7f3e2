package io.sightline.core.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.store.RecordFrames;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The instance index's log on its own: what it keeps, what it refuses, when it compacts. */
class InstanceJournalRulesTest {
  @TempDir
  Path dir;

  static EncodedFeatures features(int seed, int n) {
    int[] words = new int[n];
    long[] sigs = new long[n];
    float[] xs = new float[n];
    float[] ys = new float[n];
    float[] sizes = new float[n];
    float[] angles = new float[n];
    for (int i = 0; i < n; i++) {
      words[i] = seed * 31 + i;
      sigs[i] = 0x1234_5678_9abc_def0L * (seed + i + 1);
      xs[i] = seed + i * 1.5f;
      ys[i] = seed - i * 0.25f;
      sizes[i] = 2 + i;
      angles[i] = 10f * i + seed;
    }
    return new EncodedFeatures(100 + seed, 50 + seed, words, sigs, xs, ys, sizes, angles);
  }

  static void assertSame(EncodedFeatures a, EncodedFeatures b) {
    assertThat(b.width()).isEqualTo(a.width());
    assertThat(b.height()).isEqualTo(a.height());
    assertThat(b.words()).containsExactly(a.words());
    assertThat(b.signatures()).containsExactly(a.signatures());
    assertThat(b.xs()).containsExactly(a.xs());
    assertThat(b.ys()).containsExactly(a.ys());
    assertThat(b.sizes()).containsExactly(a.sizes());
    assertThat(b.angles()).containsExactly(a.angles());
  }

  Path log() {
    return dir.resolve("instances.log");
  }

  InstanceJournal open(Map<String, EncodedFeatures> replay) {
    return InstanceJournal.open(log(), "ext", "voc", replay);
  }

  @Test
  void replaysAddsReplacementsAndRemovesInOrder() {
    try (InstanceJournal j = open(new LinkedHashMap<>())) {
      assertThat(j.records()).isZero();
      j.append(Map.of("a", features(1, 3)), List.of());
      j.append(Map.of("b", features(2, 2)), List.of());
      j.append(Map.of("a", features(3, 4)), List.of());
      j.append(Map.of(), List.of("b"));
      j.append(Map.of(), List.of());
      assertThat(j.records()).isEqualTo(4);
    }
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    try (InstanceJournal j = open(live)) {
      assertThat(j.records()).isEqualTo(4);
    }
    assertThat(live).containsOnlyKeys("a");
    assertSame(features(3, 4), live.get("a"));
  }

  @Test
  void aReplacedImageMovesToTheEndOfTheReplayOrder() {
    try (InstanceJournal j = open(new LinkedHashMap<>())) {
      j.append(Map.of("a", features(1, 1)), List.of());
      j.append(Map.of("b", features(2, 1)), List.of());
      j.append(Map.of("a", features(3, 1)), List.of());
    }
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    open(live).close();
    assertThat(live.keySet()).containsExactly("b", "a");
  }

  @Test
  void aBatchRemovesBeforeItAdds() {
    try (InstanceJournal j = open(new LinkedHashMap<>())) {
      j.append(Map.of("a", features(1, 1)), List.of());
      j.append(Map.of("a", features(2, 1)), List.of("a"));
      assertThat(j.records()).isEqualTo(3);
    }
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    open(live).close();
    assertSame(features(2, 1), live.get("a"));
  }

  @Test
  void compactsWhenRecordsFarOutnumberTheLiveImages() throws IOException {
    try (InstanceJournal j = open(new LinkedHashMap<>())) {
      for (int i = 0; i < 258; i++) {
        j.append(Map.of("a", features(i % 5, 1)), List.of());
      }
    }
    // 258 records, 1 live: 258 <= 2 + 256, kept as is
    long size = Files.size(log());
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    try (InstanceJournal j = open(live)) {
      assertThat(j.records()).isEqualTo(258);
      j.append(Map.of("a", features(4, 1)), List.of());
    }
    assertThat(Files.size(log())).isGreaterThan(size);
    // 259 records, 1 live: rewritten with one record
    Map<String, EncodedFeatures> again = new LinkedHashMap<>();
    try (InstanceJournal j = open(again)) {
      assertThat(j.records()).isEqualTo(1);
      // still appendable after the rewrite
      j.append(Map.of("b", features(7, 2)), List.of());
      assertThat(j.records()).isEqualTo(2);
    }
    assertThat(Files.size(log())).isLessThan(size / 20);
    Map<String, EncodedFeatures> after = new LinkedHashMap<>();
    open(after).close();
    assertThat(after.keySet()).containsExactly("a", "b");
    assertSame(features(4, 1), after.get("a"));
  }

  @Test
  void readOnlySkipsATornTailWithoutCuttingItAndRefusesWrites() throws IOException {
    try (InstanceJournal j = open(new LinkedHashMap<>())) {
      j.append(Map.of("a", features(1, 2)), List.of());
      j.append(Map.of("b", features(2, 2)), List.of());
    }
    long full = Files.size(log());
    try (RandomAccessFile f = new RandomAccessFile(log().toFile(), "rw")) {
      f.setLength(full - 3);
    }
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    try (InstanceJournal j = InstanceJournal.open(log(), "ext", "voc", live, true)) {
      assertThat(live).containsOnlyKeys("a");
      assertThatThrownBy(() -> j.append(Map.of("c", features(3, 1)), List.of()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
    }
    assertThat(Files.size(log())).isEqualTo(full - 3);
    // a writer cuts it off
    Map<String, EncodedFeatures> w = new LinkedHashMap<>();
    open(w).close();
    assertThat(w).containsOnlyKeys("a");
    assertThat(Files.size(log())).isLessThan(full - 3);
  }

  @Test
  void readOnlyOfAMissingOrEmptyLogIsAnEmptyIndexAndWritesNothing() throws IOException {
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    InstanceJournal.open(log(), "ext", "voc", live, true).close();
    assertThat(live).isEmpty();
    assertThat(Files.exists(log())).isFalse();
    Files.createFile(log());
    InstanceJournal.open(log(), "ext", "voc", live, true).close();
    assertThat(Files.size(log())).isZero();
    // a writer turns an empty file into a log with a header
    open(live).close();
    assertThat(Files.size(log())).isGreaterThan(8);
  }

  @Test
  void refusesAnotherExtractorOrVocabulary() {
    open(new LinkedHashMap<>()).close();
    assertThatThrownBy(() -> InstanceJournal.open(log(), "other", "voc", new LinkedHashMap<>()))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("'ext'").hasMessageContaining("'other'");
    assertThatThrownBy(() -> InstanceJournal.open(log(), "ext", "v2", new LinkedHashMap<>()))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("'voc'").hasMessageContaining("'v2'");
  }

  static byte[] header(byte[] magic, int version, String ext, String voc) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(magic);
    out.writeInt(version);
    out.writeUTF(ext);
    out.writeUTF(voc);
    out.flush();
    return RecordFrames.withChecksum(bytes.toByteArray());
  }

  static final byte[] MAGIC = "SLINSTJ1".getBytes(StandardCharsets.US_ASCII);

  @Test
  void refusesABadHeader() throws IOException {
    Files.write(log(), header("SLINSTJ2".getBytes(StandardCharsets.US_ASCII), 1, "ext", "voc"));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("bad magic");
    Files.write(log(), header(MAGIC, 2, "ext", "voc"));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(IncompatibleFormatException.class)
        .hasMessageContaining("format 2");
    Files.write(log(), header(MAGIC, 0, "ext", "voc"));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(IncompatibleFormatException.class);
    byte[] h = header(MAGIC, 1, "ext", "voc");
    h[h.length - 1] ^= 1;
    Files.write(log(), h);
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("header is corrupt");
    Files.write(log(), java.util.Arrays.copyOf(h, 12));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("truncated");
    // version 1 with the right ids opens
    Files.write(log(), header(MAGIC, 1, "ext", "voc"));
    open(new LinkedHashMap<>()).close();
  }

  static void appendRaw(Path log, byte[] record) throws IOException {
    Files.write(log, record, java.nio.file.StandardOpenOption.APPEND);
  }

  @Test
  void refusesUnknownOrMalformedRecords() throws IOException {
    Files.write(log(), header(MAGIC, 1, "ext", "voc"));
    appendRaw(log(), RecordFrames.frame((byte) 9, new byte[] {0, 1, 'x'}));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("unknown record type 9");
    // a whole record with an empty payload is read, not taken for damage
    Files.write(log(), header(MAGIC, 1, "ext", "voc"));
    appendRaw(log(), RecordFrames.frame((byte) 9, new byte[0]));
    appendRaw(log(), RecordFrames.frame((byte) 2, new byte[] {0, 1, 'x'}));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("unknown record type 9");

    Files.write(log(), header(MAGIC, 1, "ext", "voc"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF("a");
    out.writeInt(10);
    out.writeInt(10);
    out.writeInt(-1);
    appendRaw(log(), RecordFrames.frame((byte) 1, bytes.toByteArray()));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("malformed record").hasMessageContaining("bad feature block");
  }

  static byte[] addPayload(String id, int w, int h, int n) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(id);
    out.writeInt(w);
    out.writeInt(h);
    out.writeInt(n);
    for (int i = 0; i < n; i++) {
      out.writeInt(i);
      out.writeLong(i);
      out.writeFloat(i);
      out.writeFloat(i);
      out.writeFloat(1);
      out.writeFloat(0);
    }
    return bytes.toByteArray();
  }

  @Test
  void featureBlocksMustHaveAPositiveSizeAndABoundedCount() throws IOException {
    for (int[] bad : new int[][] {{0, 5, 1}, {5, 0, 1}, {5, 5, -1}}) {
      Files.write(log(), header(MAGIC, 1, "ext", "voc"));
      appendRaw(log(), RecordFrames.frame((byte) 1, addPayload("a", bad[0], bad[1], bad[2])));
      assertThatThrownBy(() -> open(new LinkedHashMap<>())).as(java.util.Arrays.toString(bad))
          .isInstanceOf(StoreException.class).hasMessageContaining("bad feature block");
    }
    // the smallest image, no keypoints and the largest keypoint count are all accepted
    Files.write(log(), header(MAGIC, 1, "ext", "voc"));
    appendRaw(log(), RecordFrames.frame((byte) 1, addPayload("one", 1, 1, 0)));
    appendRaw(log(), RecordFrames.frame((byte) 1, addPayload("max", 2, 2, 65536)));
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    open(live).close();
    assertThat(live.get("one").count()).isZero();
    assertThat(live.get("max").count()).isEqualTo(65536);
    Files.write(log(), header(MAGIC, 1, "ext", "voc"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF("big");
    out.writeInt(2);
    out.writeInt(2);
    out.writeInt(65537);
    appendRaw(log(), RecordFrames.frame((byte) 1, bytes.toByteArray()));
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("65537 keypoints");
  }

  @Test
  void damageBeforeTheLastRecordIsCorruption() throws IOException {
    try (InstanceJournal j = open(new LinkedHashMap<>())) {
      j.append(Map.of("a", features(1, 2)), List.of());
      j.append(Map.of("b", features(2, 2)), List.of());
    }
    byte[] all = Files.readAllBytes(log());
    int headerLen = header(MAGIC, 1, "ext", "voc").length;
    // a byte of the first record's payload
    all[headerLen + 8] ^= 0x10;
    Files.write(log(), all);
    assertThatThrownBy(() -> open(new LinkedHashMap<>())).isInstanceOf(StoreException.class)
        .hasMessageContaining("corrupt record at byte " + headerLen);
    // the same damage in the last record is a write cut short
    all[headerLen + 8] ^= 0x10;
    int firstLen = ByteBuffer.wrap(all).getInt(headerLen);
    int second = headerLen + 9 + firstLen;
    all[second + 8] ^= 0x10;
    Files.write(log(), all);
    Map<String, EncodedFeatures> live = new LinkedHashMap<>();
    open(live).close();
    assertThat(live).containsOnlyKeys("a");
    assertThat(Files.size(log())).isEqualTo(second);
  }
}
