package io.sightline.core.store;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded metadata database every store builds on: H2 in file mode by default (crash-safe,
 * transactional), or any JDBC URL the caller gives.
 *
 * <p>Each component (e.g. "describer.references") records its schema version in the table
 * {@code sightline_schema}; {@link #ensureSchema} creates or upgrades it and refuses a database
 * written by a newer version of Sightline.
 *
 * <p>Thread-safe: each {@link #transaction} takes a connection for its own use; H2's MVStore
 * serialises writers and gives readers a consistent snapshot.
 *
 * <p>Several processes: a file database is opened in H2's automatic mixed mode, so the process
 * that holds the file serves the others over a loopback socket (the system property
 * {@code h2.bindAddress} is set to 127.0.0.1 unless the application set it). Open it with
 * {@link Access#READ} for queries beside other processes, and with {@link Access#WRITE} (the
 * default) to change it: a writer waits for the other processes to close the file, so there is
 * one writer at a time.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** H2's error code for a database file locked by another process. */
  private static final int DATABASE_ALREADY_OPEN = 90020;
  /** H2's error code for "database not found" with IFEXISTS=TRUE. */
  private static final int DATABASE_NOT_FOUND = 90146;
  /** H2's error codes for a connection to a process that went away (connection broken, database closed). */
  private static final Set<Integer> CONNECTION_LOST = Set.of(90067, 90121, 90098, 90108);
  /**
   * What a reader meets while another takes over serving the file (its lock file was just
   * written, or is held for a moment longer): retried too.
   */
  private static final Set<Integer> TAKEOVER = Set.of(8000, DATABASE_ALREADY_OPEN);

  static {
    // A file database is shared between processes through H2's automatic mixed mode: the process
    // that has it open serves the others over TCP, guarded by a random key in its lock file. Serve
    // only this machine unless the application says otherwise.
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }

  /** How a process opens a file database it may share with other processes. */
  public enum Access {
    /**
     * Reads and writes. The process must hold the database itself: when another process has it
     * open (writing, or reading and serving other readers), opening waits for it to close, up to
     * {@link Database#WRITER_WAIT}, then fails. So one store has one writer at a time.
     */
    WRITE,
    /**
     * Reads only, side by side with other readers and with one writer: the first process to open
     * the database serves the others; every transaction sees the last committed state. A
     * missing database is not created, and a transaction cut off because the serving process
     * exited is retried on a new connection.
     */
    READ
  }

  /** How long a writer waits for other processes to close the database (30 s). */
  public static final java.time.Duration WRITER_WAIT = java.time.Duration.ofSeconds(30);

  private final String url;
  private final String user;
  private final String password;
  private final Access access;
  private volatile Connection keepAlive;

  private Database(String url, String user, String password) {
    this(url, user, password, Access.WRITE, java.time.Duration.ZERO);
  }

  private Database(String url, String user, String password, Access access, java.time.Duration writerWait) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.access = access;
    long deadline = System.nanoTime() + writerWait.toNanos();
    // a reader meeting another process while it takes over the file retries as long as a writer waits
    long readerDeadline = System.nanoTime() + WRITER_WAIT.toNanos();
    try {
      while (true) {
        // Holding one connection keeps an H2 database open between transactions (fast reopen).
        Connection c;
        try {
          c = DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
          // another process is opening the file, or handing it over (its lock file just changed), or
          // the process that served it went away between reading its lock file and connecting to it
          boolean shared = url.contains(";AUTO_SERVER=TRUE")
              && (TAKEOVER.contains(e.getErrorCode()) || CONNECTION_LOST.contains(e.getErrorCode()));
          if (shared && System.nanoTime() < (access == Access.READ ? readerDeadline : deadline)) {
            sleep(200);
            continue;
          }
          throw e;
        }
        if (access == Access.READ || !url.contains(";AUTO_SERVER=TRUE") || !servedByAnotherProcess(c)) {
          this.keepAlive = c;
          break;
        }
        c.close();
        if (System.nanoTime() > deadline) {
          throw new StoreException("cannot open database " + where() + " for writing: another process has it open"
              + " (a writer, or readers) and did not close it within " + writerWait.toSeconds() + " s. A store has one"
              + " writer at a time; queries may run beside it: run the writes one after the other, or stop the"
              + " process that keeps the store open");
        }
        sleep(200);
      }
      if (access == Access.WRITE) {
        try (Statement st = keepAlive.createStatement()) {
          st.execute("CREATE TABLE IF NOT EXISTS sightline_schema ("
              + "component VARCHAR(200) PRIMARY KEY, version INT NOT NULL)");
        }
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == DATABASE_ALREADY_OPEN) {
        throw new StoreException("cannot open database " + where() + ": another process has it open without"
            + " sharing it (an older Sightline?): run the commands one after the other", e);
      }
      if (e.getErrorCode() == DATABASE_NOT_FOUND) {
        throw new StoreException("cannot open database " + where() + " for reading: there is none", e);
      }
      throw new StoreException("cannot open database " + url + ": " + e.getMessage(), e);
    }
  }

  private static boolean servedByAnotherProcess(Connection c) throws SQLException {
    return c.isWrapperFor(org.h2.jdbc.JdbcConnection.class)
        && c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession().isRemote();
  }

  private String where() {
    return url.replaceFirst(";.*", "");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for the database", ie);
    }
  }

  /**
   * Opens (creating if needed) an H2 database in file mode under {@code dir}.
   *
   * @param dir folder of the database
   * @param name file name stem, e.g. "references"
   * @return the open database
   */
  public static Database openFile(Path dir, String name) {
    return openFile(dir, name, Access.WRITE);
  }

  /**
   * Opens an H2 database in file mode under {@code dir}, for writing (created if needed; waits up
   * to {@link #WRITER_WAIT} for other processes to close it) or for reading beside other
   * processes (see {@link Access}).
   *
   * @param dir folder of the database
   * @param name file name stem, e.g. "references"
   * @param access {@link Access#WRITE} or {@link Access#READ}
   * @return the open database
   * @throws StoreException when another process keeps it open for longer than the writer wait, or
   *     (reading) when there is no database
   */
  public static Database openFile(Path dir, String name, Access access) {
    return openFile(dir, name, access, WRITER_WAIT);
  }

  /**
   * As {@link #openFile(Path, String, Access)}, with the writer's wait.
   *
   * @param dir folder of the database
   * @param name file name stem
   * @param access how to open it
   * @param writerWait how long a writer waits for other processes to close it
   * @return the open database
   */
  public static Database openFile(Path dir, String name, Access access, java.time.Duration writerWait) {
    Path base = dir.toAbsolutePath().resolve(name);
    // WRITE_DELAY=0: every commit reaches the file before commit() returns (H2 defaults to 500 ms,
    // which loses the last commits when the process is killed). AUTO_SERVER: the process holding
    // the file serves other processes (readers beside a writer, see Access); H2 then closes it at
    // JVM exit itself (AUTO_SERVER does not allow DB_CLOSE_ON_EXIT=FALSE), after the last commit.
    String url = "jdbc:h2:file:" + base + ";WRITE_DELAY=0;AUTO_SERVER=TRUE"
        + (access == Access.READ ? ";IFEXISTS=TRUE" : "");
    return new Database(url, "sa", "", Objects.requireNonNull(access, "access"), writerWait);
  }

  /** @return how this database was opened ({@link Access#WRITE} for in-memory and JDBC databases) */
  public Access access() {
    return access;
  }

  /**
   * Opens an in-memory H2 database, for tests and throwaway use.
   *
   * @param name unique name within the JVM
   * @return the open database
   */
  public static Database inMemory(String name) {
    return new Database("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "");
  }

  /**
   * Opens a private in-memory H2 database that lives until {@link #close()}: nothing is written to
   * disk, and closing frees its memory. For stores kept in memory ({@code ReferenceStore.inMemory()},
   * {@code ProductCatalog.inMemory()}) and unit tests.
   *
   * @return the open database
   */
  public static Database temporary() {
    // Without DB_CLOSE_DELAY the database is dropped when its last connection closes; the
    // keep-alive connection holds it until close().
    return new Database("jdbc:h2:mem:sightline-" + java.util.UUID.randomUUID(), "sa", "");
  }

  /**
   * @param jdbcUrl any JDBC URL whose driver is on the class path
   * @param user user name
   * @param password password
   * @return the open database
   */
  public static Database open(String jdbcUrl, String user, String password) {
    return new Database(Objects.requireNonNull(jdbcUrl, "jdbcUrl"), user, password);
  }

  /** @return the JDBC URL */
  public String url() {
    return url;
  }

  /**
   * Creates or upgrades a component's schema. Each string of {@code migrations} is one step:
   * index 0 brings version 0 (absent) to 1, index 1 brings 1 to 2, and so on; statements inside
   * a step are separated by ';'. Steps run in one transaction each.
   *
   * @param component component name
   * @param migrations ordered migration steps
   * @throws IncompatibleFormatException when the database holds a newer version than known here
   */
  public synchronized void ensureSchema(String component, List<String> migrations) {
    int target = migrations.size();
    int current = transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT version FROM sightline_schema WHERE component = ?")) {
        ps.setString(1, component);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getInt(1) : 0;
        }
      }
    });
    if (current > target) {
      throw new IncompatibleFormatException("database " + url + ": component '" + component
          + "' has schema version " + current + ", newer than this Sightline supports ("
          + target + "); upgrade Sightline");
    }
    if (access == Access.READ && current < target) {
      throw new IncompatibleFormatException("database " + where() + ": component '" + component + "' has schema "
          + "version " + current + ", older than this Sightline's " + target + "; it was opened for reading, so it"
          + " cannot be upgraded: open it once for writing (an ingest or index command) to upgrade it");
    }
    for (int v = current; v < target; v++) {
      final int step = v;
      transaction(c -> {
        try (Statement st = c.createStatement()) {
          for (String sql : migrations.get(step).split(";")) {
            if (!sql.isBlank()) {
              st.execute(sql);
            }
          }
        }
        try (PreparedStatement ps = c.prepareStatement(
            "MERGE INTO sightline_schema (component, version) KEY (component) VALUES (?, ?)")) {
          ps.setString(1, component);
          ps.setInt(2, step + 1);
          ps.executeUpdate();
        }
        return null;
      });
      LOG.debug("{}: schema of {} upgraded to version {}", url, component, step + 1);
    }
  }

  /**
   * @param component component name
   * @return its schema version, 0 when absent
   */
  public int schemaVersion(String component) {
    return transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT version FROM sightline_schema WHERE component = ?")) {
        ps.setString(1, component);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getInt(1) : 0;
        }
      }
    });
  }

  /**
   * Work inside a transaction.
   *
   * @param <T> result type
   */
  @FunctionalInterface
  public interface SqlWork<T> {
    /**
     * @param connection a connection with auto-commit off
     * @return the result
     * @throws SQLException to roll back
     */
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   *
   * @param <T> result type
   * @param work the work
   * @return what the work returned
   * @throws StoreException wrapping any SQL failure (after rollback)
   */
  public <T> T transaction(SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = DriverManager.getConnection(url, user, password)) {
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          if (!lost(e)) {
            c.rollback();
          }
          throw e;
        }
      } catch (SQLException e) {
        // A reader's transaction is cut off when the process serving the database exits: it
        // changed nothing, so run it again on a new connection (this process may now serve).
        if (access == Access.READ && (lost(e) || TAKEOVER.contains(e.getErrorCode())) && attempt < 12) {
          LOG.debug("{}: the process serving the database went away ({}); retrying", where(), e.getMessage());
          sleep(100L * Math.min(attempt, 5));
          reconnect();
          continue;
        }
        throw new StoreException("database " + url + ": " + e.getMessage(), e);
      }
    }
  }

  private static boolean lost(Exception e) {
    return e instanceof SQLException s && CONNECTION_LOST.contains(s.getErrorCode());
  }

  private synchronized void reconnect() {
    try {
      keepAlive.close();
    } catch (SQLException ignored) {
      // already broken
    }
    try {
      keepAlive = DriverManager.getConnection(url, user, password);
    } catch (SQLException e) {
      LOG.debug("{}: reconnect failed ({}); the next transaction tries again", where(), e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      keepAlive.close();
    } catch (SQLException e) {
      if (lost(e) || (access == Access.READ && TAKEOVER.contains(e.getErrorCode()))) {
        return; // the serving process is gone: nothing of ours is open
      }
      throw new StoreException("cannot close database " + url + ": " + e.getMessage(), e);
    }
  }
}
