package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment log's rules on its own, without a catalog: the record format (header 16 bytes,
 * record = 4-byte length, type, payload, 4-byte CRC), replay order, what counts as a torn tail
 * and what as damage, and the compaction rule {@code log > max(minCompactBytes, 0.25 × file)}.
 */
class SegmentLogRulesTest {
  static final int HEADER = 8 + 4 + 4;

  @TempDir
  Path dir;
  Path log;
  long floor;

  @BeforeEach
  void setUp() {
    log = dir.resolve("s.hnsw.log");
    floor = SegmentLog.minCompactBytes;
  }

  @AfterEach
  void tearDown() {
    SegmentLog.minCompactBytes = floor;
  }

  static HnswVectorIndex<String> index(int d) {
    return HnswVectorIndex.builder().dimension(d).embedderId("t").metric(Metric.COSINE).build();
  }

  static SegmentLog.Op add(String key, float... v) {
    return SegmentLog.Op.add(new IndexItem<>(key, v, Map.of()));
  }

  @Test
  void theLogSitsBesideItsSegmentFile() {
    assertThat(SegmentLog.of(dir.resolve("apparel.hnsw"))).isEqualTo(dir.resolve("apparel.hnsw.log"));
  }

  @Test
  void anAbsentOrEmptyLogAppliesNothing() throws Exception {
    assertThat(SegmentLog.replay(log, index(2), true)).isZero();
    Files.write(log, new byte[0]);
    assertThat(SegmentLog.replay(log, index(2), true)).isZero();
  }

  @Test
  void aLogHoldingOnlyItsHeaderAppliesNothingAndTheHeaderCarriesItsChecksum() throws Exception {
    SegmentLog.append(log, 3, List.of());
    assertThat(Files.size(log)).isEqualTo(HEADER);
    assertThat(SegmentLog.replay(log, index(3), true)).isZero();
    byte[] bytes = Files.readAllBytes(log);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, 12);
    assertThat(ByteBuffer.wrap(bytes).getInt(12)).as("crc32c of magic and dimension").isEqualTo((int) crc.getValue());
  }

  @Test
  void recordsHaveTheDocumentedSizesAndTheHeaderIsWrittenOnce() throws Exception {
    SegmentLog.append(log, 2, List.of(SegmentLog.Op.remove("ab")));
    // header + (4 length + 1 type + 2+2 UTF key + 4 crc)
    assertThat(Files.size(log)).isEqualTo(HEADER + 4 + 1 + 4 + 4);
    SegmentLog.append(log, 2, List.of(add("k", 1, 2)));
    // + (4 + 1 + (2+1 key, 4 attribute count, 2×4 floats) + 4), no second header
    assertThat(Files.size(log)).isEqualTo(HEADER + 13 + 4 + 1 + 15 + 4);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(log));
    assertThat(new String(Files.readAllBytes(log), 0, 8, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("SLSEGLG1");
    assertThat(b.getInt(8)).as("dimension").isEqualTo(2);
    assertThat(b.getInt(HEADER)).as("first payload length").isEqualTo(4);
    assertThat(b.get(HEADER + 4)).as("REMOVE").isEqualTo((byte) 2);
    assertThat(b.get(HEADER + 13 + 4)).as("ADD").isEqualTo((byte) 1);
    // an emptied (zero-byte) log gets a fresh header
    Files.write(log, new byte[0]);
    SegmentLog.append(log, 2, List.of(SegmentLog.Op.remove("ab")));
    assertThat(Files.size(log)).isEqualTo(HEADER + 13);
  }

  @Test
  void replayAppliesAddsAndRemovesInLogOrderWithAttributes() throws Exception {
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put("category", "cup");
    attrs.put("brand", "Acme");
    SegmentLog.append(log, 2, List.of(SegmentLog.Op.add(new IndexItem<>("a", new float[] {1, 0}, attrs)),
        SegmentLog.Op.remove("a"), add("a", 0, 1), add("b", 1, 1)));
    SegmentLog.append(log, 2, List.of(SegmentLog.Op.remove("b")));
    HnswVectorIndex<String> idx = index(2);
    assertThat(SegmentLog.replay(log, idx, true)).isEqualTo(5);
    // add a, remove a, add a again (at (0,1)), add b, remove b: only the second a is left
    assertThat(idx.size()).isEqualTo(1);
    assertThat(idx.contains("b")).isFalse();
    assertThat(idx.vector("a").orElseThrow()).containsExactly(0f, 1f);
    HnswVectorIndex<String> first = index(2);
    SegmentLog.append(dir.resolve("x.log"), 2, List.of(SegmentLog.Op.add(new IndexItem<>("a", new float[] {1, 0},
        attrs))));
    SegmentLog.replay(dir.resolve("x.log"), first, true);
    assertThat(first.search(new float[] {1, 0}, 1).get(0).attributes()).isEqualTo(attrs);
  }

  @Test
  void aLogOfAnotherDimensionOrNotALogIsRefused() throws Exception {
    SegmentLog.append(log, 2, List.of(add("a", 1, 0)));
    assertThatThrownBy(() -> SegmentLog.replay(log, index(3), true)).isInstanceOf(StoreException.class)
        .hasMessageContaining("not a segment log of 3-d vectors");
    Path junk = Files.write(dir.resolve("junk.log"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SegmentLog.replay(junk, index(2), true)).isInstanceOf(StoreException.class)
        .hasMessageContaining("not a segment log");
  }

  @Test
  void aTornLastRecordIsDroppedAndCutOnlyWhenWritable() throws Exception {
    SegmentLog.append(log, 2, List.of(add("a", 1, 0), add("b", 0, 1)));
    byte[] whole = Files.readAllBytes(log);
    int second = HEADER + 4 + 1 + 15 + 4;
    // cut inside the second record: its length says more than is there
    Files.write(log, java.util.Arrays.copyOf(whole, whole.length - 3));
    HnswVectorIndex<String> ro = index(2);
    assertThat(SegmentLog.replay(log, ro, false)).isEqualTo(1);
    assertThat(ro.contains("a")).isTrue();
    assertThat(ro.contains("b")).isFalse();
    assertThat(Files.size(log)).isEqualTo(whole.length - 3);
    assertThat(SegmentLog.replay(log, index(2), true)).isEqualTo(1);
    assertThat(Files.size(log)).as("cut back to the last whole record").isEqualTo(second);
    // fewer than 4 bytes after the last record: torn too
    Files.write(log, new byte[] {0, 0}, StandardOpenOption.APPEND);
    assertThat(SegmentLog.replay(log, index(2), true)).isEqualTo(1);
    assertThat(Files.size(log)).isEqualTo(second);
    // a whole-length last record with a bad checksum: torn, dropped
    Files.write(log, whole);
    byte[] badLast = whole.clone();
    badLast[badLast.length - 1] ^= 1;
    Files.write(log, badLast);
    assertThat(SegmentLog.replay(log, index(2), true)).isEqualTo(1);
    assertThat(Files.size(log)).isEqualTo(second);
  }

  @Test
  void damageBeforeTheLastRecordFailsTheReplay() throws Exception {
    SegmentLog.append(log, 2, List.of(add("a", 1, 0), add("b", 0, 1)));
    byte[] bytes = Files.readAllBytes(log);
    bytes[HEADER + 6] ^= 0x10; // inside the first record's payload: its CRC no longer matches
    Files.write(log, bytes);
    assertThatThrownBy(() -> SegmentLog.replay(log, index(2), true)).isInstanceOf(StoreException.class)
        .hasMessageContaining("corrupt record at byte " + HEADER);
    assertThat(Files.size(log)).as("a damaged log is left for the rebuild").isEqualTo(bytes.length);
  }

  @Test
  void anUnknownRecordTypeFailsTheReplay() throws Exception {
    SegmentLog.append(log, 2, List.of(SegmentLog.Op.remove("a")));
    byte[] bytes = Files.readAllBytes(log);
    bytes[HEADER + 4] = 7;
    // fix the CRC over type + payload so only the type is wrong
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, HEADER + 4, 1 + 3);
    ByteBuffer.wrap(bytes).putInt(HEADER + 8, (int) crc.getValue());
    Files.write(log, bytes);
    assertThatThrownBy(() -> SegmentLog.replay(log, index(2), true)).isInstanceOf(StoreException.class)
        .hasMessageContaining("unknown record type at byte " + HEADER);
  }

  @Test
  void compactionIsDueWhenTheLogPassesAQuarterOfTheFileAndTheFloor() throws Exception {
    SegmentLog.minCompactBytes = 100;
    Path file = dir.resolve("s.hnsw");
    Files.write(file, new byte[1000]);
    // threshold max(100, 250) = 250: strictly more is due
    Files.write(log, new byte[250]);
    assertThat(SegmentLog.dueForCompaction(log, file, 2)).isFalse();
    Files.write(log, new byte[251]);
    assertThat(SegmentLog.dueForCompaction(log, file, 2)).isTrue();
    // a small file: the floor decides
    Files.write(file, new byte[40]);
    Files.write(log, new byte[100]);
    assertThat(SegmentLog.dueForCompaction(log, file, 2)).isFalse();
    Files.write(log, new byte[101]);
    assertThat(SegmentLog.dueForCompaction(log, file, 2)).isTrue();
    // no file yet: only the floor
    Files.delete(file);
    assertThat(SegmentLog.dueForCompaction(log, file, 2)).isTrue();
    // no log: never due
    Files.delete(log);
    assertThat(SegmentLog.dueForCompaction(log, file, 2)).isFalse();
  }

  @Test
  void compactionIsDueWhenTheLogHoldsMoreRecordsThanAReopenShouldReplay() throws Exception {
    int records = SegmentLog.maxReplayRecords;
    SegmentLog.minCompactBytes = 100;
    SegmentLog.maxReplayRecords = 10;
    try {
      Path file = dir.resolve("big.hnsw");
      Files.write(file, new byte[100_000]);
      // a quarter of the file would be 25,000 bytes; 10 records of 8-d vectors are about 10 × 72
      Files.write(log, new byte[720]);
      assertThat(SegmentLog.dueForCompaction(log, file, 8)).isFalse();
      Files.write(log, new byte[721]);
      assertThat(SegmentLog.dueForCompaction(log, file, 8)).isTrue();
      // the floor still applies
      SegmentLog.minCompactBytes = 1000;
      assertThat(SegmentLog.dueForCompaction(log, file, 8)).isFalse();
    } finally {
      SegmentLog.maxReplayRecords = records;
    }
  }

  @Test
  void clearRemovesTheLogAndToleratesItsAbsence() throws Exception {
    SegmentLog.append(log, 2, List.of(SegmentLog.Op.remove("a")));
    SegmentLog.clear(log);
    assertThat(log).doesNotExist();
    SegmentLog.clear(log);
    assertThat(log).doesNotExist();
  }
}
