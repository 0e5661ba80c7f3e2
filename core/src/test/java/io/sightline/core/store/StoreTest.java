package io.sightline.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  @Test
  void checksummedFileRoundTripAndVersionGuard(@TempDir Path dir) {
    Path f = dir.resolve("m.bin");
    ChecksummedFile.write(f, new ChecksummedFile.Header("model", 2, "emb/1"), out -> out.writeUTF("payload"));
    String got = ChecksummedFile.read(f, "model", 2, (h, in) -> h.embedderId() + ":" + in.readUTF());
    assertThat(got).isEqualTo("emb/1:payload");
    assertThat(ChecksummedFile.readHeader(f).formatVersion()).isEqualTo(2);
    assertThatThrownBy(() -> ChecksummedFile.read(f, "model", 1, (h, in) -> null))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("newer");
    assertThatThrownBy(() -> ChecksummedFile.read(f, "index", 5, (h, in) -> null))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("expected a 'index'");
  }

  @Test
  void failingWriterKeepsOldFileAndLeavesNoTemp(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("m.bin");
    ChecksummedFile.write(f, new ChecksummedFile.Header("model", 1, ""), out -> out.writeInt(1));
    byte[] before = Files.readAllBytes(f);
    assertThatThrownBy(() -> ChecksummedFile.write(f, new ChecksummedFile.Header("model", 1, ""), out -> {
      out.writeInt(2);
      throw new IOException("disk full (simulated)");
    })).isInstanceOf(StoreException.class).hasMessageContaining("disk full");
    assertThat(Files.readAllBytes(f)).isEqualTo(before);
    try (var s = Files.list(dir)) {
      assertThat(s.toList()).containsExactly(f);
    }
  }

  @Test
  void databaseSchemaVersioningAndTransactions(@TempDir Path dir) {
    try (Database db = Database.openFile(dir, "meta")) {
      db.ensureSchema("test.items", List.of(
          "CREATE TABLE items (id VARCHAR(50) PRIMARY KEY, n INT)",
          "ALTER TABLE items ADD COLUMN note VARCHAR(100)"));
      assertThat(db.schemaVersion("test.items")).isEqualTo(2);
      db.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, n) VALUES (?, ?)")) {
          ps.setString(1, "a");
          ps.setInt(2, 1);
          ps.executeUpdate();
        }
        return null;
      });
      // a failing transaction is rolled back entirely
      assertThatThrownBy(() -> db.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (id, n) VALUES (?, ?)")) {
          ps.setString(1, "b");
          ps.setInt(2, 2);
          ps.executeUpdate();
          ps.setString(1, "a");
          ps.executeUpdate(); // duplicate key
        }
        return null;
      })).isInstanceOf(StoreException.class);
    }
    try (Database db = Database.openFile(dir, "meta")) {
      int count = db.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM items");
             ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      });
      assertThat(count).isEqualTo(1);
      // this code only knows version 1: the database is newer and must be refused
      assertThatThrownBy(() -> db.ensureSchema("test.items", List.of("CREATE TABLE items (id INT)")))
          .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("newer");
    }
  }
}
