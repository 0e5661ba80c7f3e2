package io.sightline.core.store;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * Child process of {@link SharedDatabaseTest}. Modes:
 * <ul>
 *   <li>{@code write DIR N}: opens for writing, prints "ready", commits N transactions of two
 *       rows each, prints "done" and exits;</li>
 *   <li>{@code read DIR N}: opens for reading and counts the rows until it sees 2N; prints
 *       "ok READS" when every count was even and never went down, else "bad ...";</li>
 *   <li>{@code open-write DIR WAIT_MS}: opens for writing with that wait, prints "opened MS" (time
 *       it took) and holds it until its input ends, or prints "refused MESSAGE".</li>
 * </ul>
 */
public final class SharedDatabaseMain {
  private SharedDatabaseMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    switch (args[0]) {
      case "write" -> {
        try (Database db = Database.openFile(dir, "shared")) {
          System.out.println("ready");
          System.out.flush();
          for (int i = 0; i < Integer.parseInt(args[2]); i++) {
            int k = i;
            db.transaction(c -> {
              try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO t VALUES (" + (2 * k) + ")");
                st.execute("INSERT INTO t VALUES (" + (2 * k + 1) + ")");
              }
              return null;
            });
            Thread.sleep(5);
          }
        }
        System.out.println("done");
      }
      case "read" -> System.out.println(readUntil(dir, 2 * Integer.parseInt(args[2])));
      case "open-write" -> {
        long t0 = System.nanoTime();
        try (Database db = Database.openFile(dir, "shared", Database.Access.WRITE,
            Duration.ofMillis(Long.parseLong(args[2])))) {
          System.out.println("opened " + (System.nanoTime() - t0) / 1_000_000);
          System.out.flush();
          System.in.readAllBytes();
        } catch (io.sightline.core.StoreException e) {
          System.out.println("refused " + e.getMessage());
        }
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  /** Counts rows until {@code target}; "ok READS" or "bad WHY". */
  static String readUntil(Path dir, int target) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    long until = Long.MAX_VALUE;
    int last = -1;
    int reads = 0;
    try (Database db = Database.openFile(dir, "shared", Database.Access.READ)) {
      // go on reading for 2 s after the last commit, while the writer (serving the file) exits
      while (System.nanoTime() < until) {
        if (last == target && until == Long.MAX_VALUE) {
          until = System.nanoTime() + 2_000_000_000L;
        }
        if (System.nanoTime() > deadline) {
          return "bad timeout at " + last;
        }
        int n = db.transaction(c -> {
          try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            return rs.getInt(1);
          }
        });
        reads++;
        if (n % 2 != 0) {
          return "bad half a transaction seen: " + n;
        }
        if (n < last) {
          return "bad went back from " + last + " to " + n;
        }
        if (n > target) {
          return "bad more rows than committed: " + n;
        }
        last = n;
        Thread.sleep(2);
      }
    }
    return "ok " + reads;
  }
}
