package io.sightline.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database file another process holds is refused with a message saying so, not H2's stack of causes. */
class DatabaseInUseTest {
  @Test
  void aDatabaseInUseByAnotherProcessIsRefusedWithWhatToDo(@TempDir Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        HoldDatabaseMain.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("ready");
      assertThatThrownBy(() -> Database.openFile(dir, "held")).isInstanceOf(StoreException.class)
          .hasMessageContaining("another process has it open").hasMessageContaining("one process at a time")
          .hasMessageNotContaining("DB_CLOSE_ON_EXIT");
      p.getOutputStream().close();
      assertThat(p.waitFor()).isZero();
    } finally {
      p.destroyForcibly();
    }
    try (Database db = Database.openFile(dir, "held")) {
      assertThat(db.url()).contains("held");
    }
  }
}
