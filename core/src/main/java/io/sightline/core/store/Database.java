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
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** H2's error code for a database file locked by another process. */
  private static final int DATABASE_ALREADY_OPEN = 90020;

  private final String url;
  private final String user;
  private final String password;
  private final Connection keepAlive;

  private Database(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
    try {
      // Holding one connection keeps an H2 database open between transactions (fast reopen).
      this.keepAlive = DriverManager.getConnection(url, user, password);
      try (Statement st = keepAlive.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS sightline_schema ("
            + "component VARCHAR(200) PRIMARY KEY, version INT NOT NULL)");
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == DATABASE_ALREADY_OPEN) {
        throw new StoreException("cannot open database " + url.replaceFirst(";.*", "") + ": another process has it open."
            + " A store folder is used by one process at a time (its index and instance files are"
            + " written on open and on every change): run the commands one after the other, or serve queries from one"
            + " process that keeps the store open", e);
      }
      throw new StoreException("cannot open database " + url + ": " + e.getMessage(), e);
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
    Path base = dir.toAbsolutePath().resolve(name);
    // WRITE_DELAY=0: every commit reaches the file before commit() returns (H2 defaults to 500 ms,
    // which loses the last commits when the process is killed).
    return new Database("jdbc:h2:file:" + base + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "sa", "");
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
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("database " + url + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      keepAlive.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close database " + url + ": " + e.getMessage(), e);
    }
  }
}
