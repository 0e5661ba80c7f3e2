package io.sightline.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes on one database file (issue 20): readers beside each other and beside a
 * writer see committed states only, survive the serving process exiting, and a writer waits for
 * the others (so there is one writer at a time).
 */
class SharedDatabaseTest {

  private static Process child(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        SharedDatabaseMain.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static BufferedReader out(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  private static void createTable(Path dir) {
    try (Database db = Database.openFile(dir, "shared")) {
      db.transaction(c -> {
        try (Statement st = c.createStatement()) {
          st.execute("CREATE TABLE t (i INT PRIMARY KEY)");
        }
        return null;
      });
    }
  }

  @Test
  void readersBesideAWriterSeeOnlyCommittedStatesAndOutliveIt(@TempDir Path dir) throws Exception {
    createTable(dir);
    int transactions = 300;
    Process writer = child("write", dir.toString(), Integer.toString(transactions));
    Process reader = null;
    try (BufferedReader w = out(writer)) {
      assertThat(w.readLine()).isEqualTo("ready");
      reader = child("read", dir.toString(), Integer.toString(transactions));
      // this process reads too: three processes on one file
      String here = SharedDatabaseMain.readUntil(dir, 2 * transactions);
      assertThat(here).startsWith("ok");
      assertThat(w.readLine()).isEqualTo("done");
      assertThat(writer.waitFor()).isZero();
      try (BufferedReader r = out(reader)) {
        assertThat(r.readLine()).startsWith("ok");
      }
      assertThat(reader.waitFor()).isZero();
    } finally {
      writer.destroyForcibly();
      if (reader != null) {
        reader.destroyForcibly();
      }
    }
  }

  @Test
  void aWriterWaitsForReadersAndASecondWriterIsRefused(@TempDir Path dir) throws Exception {
    createTable(dir);
    Process first = null;
    Process second = null;
    try {
      try (Database reading = Database.openFile(dir, "shared", Database.Access.READ)) {
        assertThat(reading.access()).isEqualTo(Database.Access.READ);
        first = child("open-write", dir.toString(), "20000");
        Thread.sleep(1500); // the writer waits while this process holds the database
      }
      try (BufferedReader f = out(first)) {
        String opened = f.readLine();
        assertThat(opened).startsWith("opened ");
        assertThat(Long.parseLong(opened.substring(7))).as("waited for the reader").isGreaterThanOrEqualTo(800);
        second = child("open-write", dir.toString(), "1000");
        try (BufferedReader s = out(second)) {
          assertThat(s.readLine()).startsWith("refused").contains("another process has it open")
              .contains("one writer at a time");
        }
        // a reader opens beside the writer
        try (Database reading = Database.openFile(dir, "shared", Database.Access.READ)) {
          assertThat(reading.<Integer>transaction(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM t")) {
              rs.next();
              return rs.getInt(1);
            }
          })).isZero();
        }
        first.getOutputStream().close();
        assertThat(first.waitFor()).isZero();
      }
    } finally {
      if (first != null) {
        first.destroyForcibly();
      }
      if (second != null) {
        second.destroyForcibly();
      }
    }
  }

  @Test
  void aReaderNeverCreatesADatabase(@TempDir Path dir) {
    assertThatThrownBy(() -> Database.openFile(dir, "absent", Database.Access.READ))
        .isInstanceOf(StoreException.class).hasMessageContaining("for reading: there is none");
    assertThat(dir.resolve("absent.mv.db")).doesNotExist();
  }
}
