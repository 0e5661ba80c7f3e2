package io.sightline.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Framing, checksums, atomic writes, generation sidecars and database access, rule by rule. */
class StoreRulesTest {
  @TempDir
  Path dir;

  // ------------------------------------------------------------------ record frames

  @Test
  void aFrameIsLengthTypePayloadAndTheCrcOfTypeAndPayload() {
    byte[] f = RecordFrames.frame((byte) 7, new byte[] {1, 2, 3});
    assertThat(f).hasSize(12);
    ByteBuffer b = ByteBuffer.wrap(f);
    assertThat(b.getInt(0)).isEqualTo(3);
    assertThat(f[4]).isEqualTo((byte) 7);
    assertThat(f[5]).isEqualTo((byte) 1);
    assertThat(f[7]).isEqualTo((byte) 3);
    CRC32C crc = new CRC32C();
    crc.update(new byte[] {7, 1, 2, 3});
    assertThat(b.getInt(8)).isEqualTo((int) crc.getValue());
  }

  @Test
  void aHeaderChecksumCoversTheWholeHeader() {
    byte[] h = {9, 8, 7};
    byte[] out = RecordFrames.withChecksum(h);
    assertThat(out).hasSize(7).startsWith(9, 8, 7);
    CRC32C crc = new CRC32C();
    crc.update(h);
    assertThat(ByteBuffer.wrap(out).getInt(3)).isEqualTo((int) crc.getValue());
  }

  static byte[] log(byte[]... records) {
    int n = 0;
    for (byte[] r : records) {
      n += r.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] r : records) {
      b.put(r);
    }
    return b.array();
  }

  @Test
  void wholeRecordsAreFoundAndDamagedOnesAreNot() {
    byte[] a = RecordFrames.frame((byte) 1, new byte[] {5, 5});
    byte[] e = RecordFrames.frame((byte) 2, new byte[0]);
    byte[] all = log(a, e);
    assertThat(RecordFrames.whole(all, 0, 100)).isEqualTo(2);
    assertThat(RecordFrames.whole(all, a.length, 100)).isZero();
    // a payload larger than allowed
    assertThat(RecordFrames.whole(all, 0, 1)).isEqualTo(-1);
    assertThat(RecordFrames.whole(all, 0, 2)).isEqualTo(2);
    // fewer than 9 bytes left, even fewer than a length
    assertThat(RecordFrames.whole(all, all.length - 8, 100)).isEqualTo(-1);
    assertThat(RecordFrames.whole(all, all.length - 2, 100)).isEqualTo(-1);
    assertThat(RecordFrames.tornTail(all, all.length - 2, 100)).isTrue();
    // a flipped payload byte
    byte[] bad = all.clone();
    bad[5] ^= 1;
    assertThat(RecordFrames.whole(bad, 0, 100)).isEqualTo(-1);
    // a flipped type byte
    bad = all.clone();
    bad[4] ^= 1;
    assertThat(RecordFrames.whole(bad, 0, 100)).isEqualTo(-1);
    // a negative length
    bad = all.clone();
    bad[0] = (byte) 0x80;
    assertThat(RecordFrames.whole(bad, 0, 100)).isEqualTo(-1);
    // a record running past the end
    assertThat(RecordFrames.whole(java.util.Arrays.copyOf(all, a.length - 1), 0, 100)).isEqualTo(-1);
  }

  @Test
  void onlyARecordReachingTheEndIsATornTail() {
    byte[] a = RecordFrames.frame((byte) 1, new byte[] {5, 5, 5, 5});
    byte[] b = RecordFrames.frame((byte) 1, new byte[] {6, 6});
    byte[] all = log(a, b);
    // damage inside the first record, which is followed by another one: corruption
    byte[] bad = all.clone();
    bad[6] ^= 1;
    assertThat(RecordFrames.tornTail(bad, 0, 100)).isFalse();
    // the same damage in the last record: it ends exactly at the end of the log
    bad = all.clone();
    bad[a.length + 6] ^= 1;
    assertThat(RecordFrames.tornTail(bad, a.length, 100)).isTrue();
    // cut short: its length runs past the end
    assertThat(RecordFrames.tornTail(java.util.Arrays.copyOf(all, all.length - 2), a.length, 100)).isTrue();
    // less than a frame header left
    assertThat(RecordFrames.tornTail(java.util.Arrays.copyOf(all, a.length + 5), a.length, 100)).isTrue();
    // a declared length above the limit (garbage length at the end)
    assertThat(RecordFrames.tornTail(all, 0, 3)).isTrue();
    assertThat(RecordFrames.tornTail(all, 0, 4)).isFalse();
    bad = all.clone();
    bad[0] = (byte) 0xff;
    assertThat(RecordFrames.tornTail(bad, 0, 100)).isTrue();
    // a damaged empty record followed by another one is corruption
    byte[] empty = RecordFrames.frame((byte) 3, new byte[0]);
    empty[4] ^= 1;
    assertThat(RecordFrames.tornTail(log(empty, b), 0, 100)).isFalse();
  }

  // ------------------------------------------------------------------ checksummed files

  @Test
  void checksummedFileLayoutAndEmbedderDefault() throws IOException {
    Path f = dir.resolve("x.bin");
    ChecksummedFile.write(f, new ChecksummedFile.Header("k", 1, null), out -> out.writeInt(42));
    byte[] all = Files.readAllBytes(f);
    assertThat(new String(all, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("SIGHTLN1");
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 8);
    assertThat(ByteBuffer.wrap(all).getLong(all.length - 8)).isEqualTo(crc.getValue());
    ChecksummedFile.Header h = ChecksummedFile.readHeader(f);
    assertThat(h).isEqualTo(new ChecksummedFile.Header("k", 1, ""));
    assertThat((int) ChecksummedFile.read(f, null, 1, (hd, in) -> in.readInt())).isEqualTo(42);
  }

  @Test
  void thePayloadReaderSeesNeitherTheChecksumNorMore() {
    Path f = dir.resolve("x.bin");
    ChecksummedFile.write(f, new ChecksummedFile.Header("k", 1, "e"), out -> out.write(new byte[] {1, 2, 3}));
    byte[] got = ChecksummedFile.<byte[]>read(f, "k", 1, (h, in) -> in.readAllBytes());
    assertThat(got).containsExactly(1, 2, 3);
    int single = ChecksummedFile.read(f, "k", 1, (h, in) -> {
      in.skipBytes(3);
      return in.read();
    });
    assertThat(single).isEqualTo(-1);
    // skipping stops at the end of the payload too
    long skipped = ChecksummedFile.<Long>read(f, "k", 1, (h, in) -> in.skip(100) + in.skip(5));
    assertThat(skipped).isEqualTo(3);
    int afterSkip = ChecksummedFile.<Integer>read(f, "k", 1, (h, in) -> {
      in.skip(1);
      return in.read();
    });
    assertThat(afterSkip).isEqualTo(2);
    assertThatThrownBy(() -> ChecksummedFile.read(f, "k", 1, (h, in) -> in.readInt()))
        .isInstanceOf(StoreException.class).hasMessageContaining("payload ends early");
  }

  @Test
  void aPayloadWriterThatClosesItsStreamStillGetsAChecksummedFile() {
    Path f = dir.resolve("closed.bin");
    ChecksummedFile.write(f, new ChecksummedFile.Header("k", 1, ""), out -> {
      out.writeInt(7);
      out.close();
    });
    assertThat((int) ChecksummedFile.read(f, "k", 1, (h, in) -> in.readInt())).isEqualTo(7);
  }

  @Test
  void largePayloadsAreCheckedAcrossBufferBoundaries() throws IOException {
    Path f = dir.resolve("big.bin");
    byte[] payload = new byte[200_000];
    new java.util.Random(4).nextBytes(payload);
    ChecksummedFile.write(f, new ChecksummedFile.Header("k", 1, ""), out -> out.write(payload));
    byte[] back = ChecksummedFile.<byte[]>read(f, "k", 1, (h, in) -> in.readAllBytes());
    assertThat(back).isEqualTo(payload);
    byte[] all = Files.readAllBytes(f);
    all[150_000] ^= 4;
    Files.write(f, all);
    assertThatThrownBy(() -> ChecksummedFile.read(f, "k", 1, (h, in) -> in.readAllBytes()))
        .isInstanceOf(StoreException.class).hasMessageContaining("checksum mismatch");
  }

  @Test
  void refusesMissingTinyForeignAndUnversionedFiles() throws IOException {
    Path f = dir.resolve("x.bin");
    assertThatThrownBy(() -> ChecksummedFile.readHeader(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("no such file");
    Files.write(f, new byte[15]);
    assertThatThrownBy(() -> ChecksummedFile.readHeader(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("truncated or not a Sightline file (15 bytes)");
    // 16 bytes with a valid checksum but another magic
    byte[] body = "NOTSIGHT".getBytes(StandardCharsets.US_ASCII);
    CRC32C crc = new CRC32C();
    crc.update(body);
    Files.write(f, ByteBuffer.allocate(16).put(body).putLong(crc.getValue()).array());
    assertThatThrownBy(() -> ChecksummedFile.readHeader(f)).isInstanceOf(StoreException.class)
        .hasMessageContaining("bad magic");
    ChecksummedFile.write(f, new ChecksummedFile.Header("k", 0, ""), out -> { });
    assertThatThrownBy(() -> ChecksummedFile.read(f, "k", 5, (h, in) -> h))
        .isInstanceOf(IncompatibleFormatException.class);
    ChecksummedFile.write(f, new ChecksummedFile.Header("k", 3, ""), out -> { });
    int version = ChecksummedFile.<Integer>read(f, "k", 3, (h, in) -> h.formatVersion());
    assertThat(version).isEqualTo(3);
    assertThatThrownBy(() -> ChecksummedFile.read(f, "k", 2, (h, in) -> h))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("format version 3");
  }

  @Test
  void decodeFailuresBecomeStoreExceptions() {
    Path f = dir.resolve("x.bin");
    ChecksummedFile.write(f, new ChecksummedFile.Header("k", 1, ""), out -> out.writeInt(1));
    assertThatThrownBy(() -> ChecksummedFile.read(f, "k", 1, (h, in) -> {
      throw new IOException("bad shape");
    })).isInstanceOf(StoreException.class).hasMessageContaining("cannot decode payload: bad shape");
    assertThatThrownBy(() -> ChecksummedFile.read(f, "k", 1, (h, in) -> {
      throw new ClassNotFoundException("Gadget");
    })).isInstanceOf(StoreException.class).hasMessageContaining("Gadget");
  }

  // ------------------------------------------------------------------ atomic files and generations

  @Test
  void atomicWriteCreatesFoldersAndReplacesWholeFiles() throws IOException {
    Path f = dir.resolve("a/b/c.txt");
    AtomicFiles.write(f, out -> out.write("one".getBytes(StandardCharsets.UTF_8)));
    assertThat(Files.readString(f)).isEqualTo("one");
    AtomicFiles.write(f, out -> out.write("two!".getBytes(StandardCharsets.UTF_8)));
    assertThat(Files.readString(f)).isEqualTo("two!");
    try (var s = Files.list(f.getParent())) {
      assertThat(s.toList()).containsExactly(f);
    }
  }

  @Test
  void aRuntimeFailureInTheWriterAlsoLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("c.txt");
    assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
      out.write(1);
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class);
    try (var s = Files.list(dir)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void generationSidecarsRoundTripAndToleratesJunk() throws IOException {
    Path index = dir.resolve("global.hnsw");
    assertThat(IndexGeneration.sidecar(index)).isEqualTo(dir.resolve("global.hnsw.gen"));
    assertThat(IndexGeneration.read(index)).isEmpty();
    IndexGeneration.write(index, 42);
    assertThat(IndexGeneration.read(index)).isEqualTo(OptionalLong.of(42));
    Files.writeString(IndexGeneration.sidecar(index), " 7\n");
    assertThat(IndexGeneration.read(index)).isEqualTo(OptionalLong.of(7));
    Files.writeString(IndexGeneration.sidecar(index), "seven");
    assertThat(IndexGeneration.read(index)).isEmpty();
    Files.delete(IndexGeneration.sidecar(index));
    Files.createDirectory(IndexGeneration.sidecar(index));
    assertThat(IndexGeneration.read(index)).isEmpty();
  }

  // ------------------------------------------------------------------ database

  static int count(Database db, String table) {
    return db.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table);
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  @Test
  void migrationsRunOnceEachInOrderAndResumeFromTheStoredVersion() {
    try (Database db = Database.temporary()) {
      assertThat(db.schemaVersion("c")).isZero();
      assertThat(db.access()).isEqualTo(Database.Access.WRITE);
      db.ensureSchema("c", List.of("CREATE TABLE t (id INT); INSERT INTO t VALUES (1);  ;"));
      assertThat(db.schemaVersion("c")).isEqualTo(1);
      assertThat(count(db, "t")).isEqualTo(1);
      // already at version 1: the first step does not run again
      db.ensureSchema("c", List.of("INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)"));
      assertThat(db.schemaVersion("c")).isEqualTo(2);
      assertThat(count(db, "t")).isEqualTo(2);
      // the same migrations again change nothing
      db.ensureSchema("c", List.of("INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)"));
      assertThat(count(db, "t")).isEqualTo(2);
      // another component has its own version
      assertThat(db.schemaVersion("other")).isZero();
    }
  }

  @Test
  void aFailingMigrationStepKeepsTheStepsBeforeIt() {
    try (Database db = Database.temporary()) {
      assertThatThrownBy(() -> db.ensureSchema("c", List.of("CREATE TABLE t (id INT)", "NOT SQL AT ALL")))
          .isInstanceOf(StoreException.class);
      assertThat(db.schemaVersion("c")).isEqualTo(1);
    }
  }

  @Test
  void aReaderRefusesAnOlderSchemaAndAMissingDatabase() {
    try (Database w = Database.openFile(dir, "db")) {
      w.ensureSchema("c", List.of("CREATE TABLE t (id INT)"));
    }
    try (Database r = Database.openFile(dir, "db", Database.Access.READ)) {
      assertThat(r.access()).isEqualTo(Database.Access.READ);
      r.ensureSchema("c", List.of("CREATE TABLE t (id INT)"));
      assertThatThrownBy(() -> r.ensureSchema("c", List.of("CREATE TABLE t (id INT)", "ALTER TABLE t ADD x INT")))
          .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("opened for reading")
          .hasMessageContaining("database jdbc:h2:file:" + dir.toAbsolutePath().resolve("db") + ": component");
      assertThat(r.schemaVersion("c")).isEqualTo(1);
    }
    assertThatThrownBy(() -> Database.openFile(dir, "none", Database.Access.READ))
        .isInstanceOf(StoreException.class).hasMessageContaining("there is none")
        .hasMessageContaining(dir.toAbsolutePath().resolve("none").toString());
    assertThat(Files.exists(dir.resolve("none.mv.db"))).isFalse();
  }

  @Test
  void aReaderDoesNotCreateTheSchemaTable() {
    try (Database w = Database.openFile(dir, "plain")) {
      w.transaction(c -> c.createStatement().execute("DROP TABLE sightline_schema"));
    }
    try (Database r = Database.openFile(dir, "plain", Database.Access.READ)) {
      assertThatThrownBy(() -> r.schemaVersion("c")).isInstanceOf(StoreException.class);
    }
    try (Database w = Database.openFile(dir, "plain")) {
      assertThat(w.schemaVersion("c")).isZero();
    }
  }

  @Test
  void aFailedTransactionRunsOnceForReadersAndWriters() {
    try (Database w = Database.openFile(dir, "once")) {
      w.ensureSchema("c", List.of("CREATE TABLE t (id INT)"));
      int[] runs = {0};
      assertThatThrownBy(() -> w.transaction(c -> {
        runs[0]++;
        throw new SQLException("no such thing", "42S02", 42102);
      })).isInstanceOf(StoreException.class);
      assertThat(runs[0]).isEqualTo(1);
    }
    try (Database r = Database.openFile(dir, "once", Database.Access.READ)) {
      int[] runs = {0};
      assertThatThrownBy(() -> r.transaction(c -> {
        runs[0]++;
        throw new SQLException("no such thing", "42S02", 42102);
      })).isInstanceOf(StoreException.class).hasMessageContaining("no such thing");
      assertThat(runs[0]).isEqualTo(1);
      int[] ok = {0};
      assertThat(r.<Integer>transaction(c -> ++ok[0])).isEqualTo(1);
    }
  }

  @Test
  void aTransactionCommitsOrRollsBackAsAWhole() {
    try (Database db = Database.temporary()) {
      db.ensureSchema("c", List.of("CREATE TABLE t (id INT PRIMARY KEY)"));
      assertThatThrownBy(() -> db.transaction(c -> {
        c.createStatement().execute("INSERT INTO t VALUES (1)");
        throw new IllegalStateException("abort");
      })).isInstanceOf(IllegalStateException.class).hasMessage("abort");
      assertThat(count(db, "t")).isZero();
      assertThatThrownBy(() -> db.transaction(c -> {
        c.createStatement().execute("INSERT INTO t VALUES (1)");
        throw new SQLException("sql abort");
      })).isInstanceOf(StoreException.class).hasMessageContaining("sql abort");
      assertThat(count(db, "t")).isZero();
      int inserted = db.<Integer>transaction(c -> c.createStatement().executeUpdate("INSERT INTO t VALUES (1)"));
      assertThat(inserted).isEqualTo(1);
      assertThat(count(db, "t")).isEqualTo(1);
    }
  }

  @Test
  void namedInMemoryDatabasesOutliveTheirHandleAndTemporaryOnesDoNot() {
    Database a = Database.inMemory("rules-shared");
    a.ensureSchema("c", List.of("CREATE TABLE t (id INT)"));
    a.close();
    try (Database b = Database.inMemory("rules-shared")) {
      assertThat(b.schemaVersion("c")).isEqualTo(1);
      assertThat(b.url()).startsWith("jdbc:h2:mem:rules-shared");
    }
    Database t = Database.temporary();
    String url = t.url();
    t.ensureSchema("c", List.of("CREATE TABLE t (id INT)"));
    t.close();
    try (Database again = Database.open(url, "sa", "")) {
      assertThat(again.schemaVersion("c")).isZero();
    }
  }

  @Test
  void openFileAddsDurableSharedSettings() {
    try (Database db = Database.openFile(dir, "s")) {
      assertThat(db.url()).contains(";WRITE_DELAY=0").contains(";AUTO_SERVER=TRUE").doesNotContain("IFEXISTS");
    }
    try (Database db = Database.openFile(dir, "s", Database.Access.READ)) {
      assertThat(db.url()).endsWith(";IFEXISTS=TRUE");
    }
    assertThatThrownBy(() -> Database.open(null, "sa", "")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Database.open("jdbc:nosuch:x", "sa", "")).isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot open database jdbc:nosuch:x");
    assertThat(System.getProperty("h2.bindAddress")).isNotNull();
  }
}
