package io.sightline.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sightline.core.SightlineException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** Shared plumbing of every CLI command: JSON Lines output, exit codes, error reporting. */
public final class CliSupport {
  /** Jackson mapper for output lines; records serialise by their components. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /** Exit code for success. */
  public static final int OK = 0;
  /** Exit code for a failure while running. */
  public static final int FAILURE = 1;
  /** Exit code for bad usage. */
  public static final int USAGE = 2;

  private CliSupport() {}

  /**
   * Reads a versioned JSON record file that a command keeps beside a store (e.g.
   * {@code embedder.json}, {@code scorer.json}).
   *
   * @param file the record file
   * @param maxFormat the newest {@code "format"} this version reads
   * @param what what the record is, for messages (e.g. "an embedder record")
   * @return the record's JSON object, or empty when there is no such regular file
   * @throws io.sightline.core.StoreException when it cannot be read or is not a JSON object
   * @throws io.sightline.core.IncompatibleFormatException when its format is newer than {@code maxFormat}
   */
  public static java.util.Optional<com.fasterxml.jackson.databind.JsonNode> readJsonRecord(java.nio.file.Path file,
      int maxFormat, String what) {
    if (!java.nio.file.Files.isRegularFile(file)) {
      return java.util.Optional.empty();
    }
    com.fasterxml.jackson.databind.JsonNode n;
    try {
      n = JSON.readTree(java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new io.sightline.core.StoreException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new io.sightline.core.StoreException(file + " is not " + what + " (expected a JSON object)");
    }
    int format = n.path("format").asInt(0);
    if (format > maxFormat) {
      throw new io.sightline.core.IncompatibleFormatException(file + " has record format " + format
          + "; this version reads up to " + maxFormat + " (use a newer sightline)");
    }
    return java.util.Optional.of(n);
  }

  /**
   * Writes a value as pretty-printed JSON into a file atomically: a temporary file beside it,
   * forced to disk, then renamed over the file. A reader sees the old file or the new one, never
   * half of one.
   *
   * @param file the file to write (its folder is created if needed)
   * @param value a Jackson-serialisable value
   * @throws io.sightline.core.StoreException on write failure (the old file, if any, is unchanged)
   */
  public static void writeJsonAtomically(java.nio.file.Path file, Object value) {
    java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
      byte[] bytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
          java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      try {
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (java.nio.file.AtomicMoveNotSupportedException e) {
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (java.io.IOException e) {
      try {
        java.nio.file.Files.deleteIfExists(tmp);
      } catch (java.io.IOException ignored) {
        // the write failure is what matters
      }
      throw new io.sightline.core.StoreException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Prints one JSON object on one line of stdout and flushes.
   *
   * @param value a Map, record or other Jackson-serialisable value
   */
  public static void printJsonLine(Object value) {
    PrintStream out = System.out;
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    out.flush();
  }

  /**
   * @return a listener that draws a progress bar on stderr, at most one line per 10% of the work
   *     (or per report when the total is unknown)
   */
  public static io.sightline.core.ProgressListener progressBar() {
    return new io.sightline.core.ProgressListener() {
      private long lastDecile = -1;
      private String lastTask = "";

      @Override
      public synchronized void onProgress(String task, long done, long total, String message) {
        long decile = total > 0 ? done * 10 / total : done;
        if (!task.equals(lastTask) || decile != lastDecile) {
          lastTask = task;
          lastDecile = decile;
          progress(task, done, total, message);
        }
      }
    };
  }

  /**
   * The error line of one input that ran out of memory. The other inputs of the call go on: the
   * memory it held is unreachable once its processing has unwound.
   *
   * @param e the error
   * @return a message with the heap size and what to do
   */
  public static String outOfMemory(OutOfMemoryError e) {
    return "out of memory on this input (" + e.getMessage() + ", maximum heap "
        + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); give the JVM more memory (-Xmx) or a smaller image";
  }

  /**
   * Writes a progress line to stderr.
   *
   * @param task the work
   * @param done units done
   * @param total units in all, -1 if unknown
   * @param message detail
   */
  public static void progress(String task, long done, long total, String message) {
    StringBuilder sb = new StringBuilder("[").append(task).append("] ");
    if (total > 0) {
      int width = 30;
      int filled = (int) Math.min(width, width * done / total);
      sb.append('[').append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ")
          .append(done).append('/').append(total);
    } else {
      sb.append(done);
    }
    if (message != null && !message.isEmpty()) {
      sb.append(' ').append(message);
    }
    System.err.println(sb);
  }

  /**
   * @param root the root command object
   * @return a CommandLine with Sightline's exit-code and error conventions
   */
  public static CommandLine commandLine(Object root) {
    CommandLine cl = new CommandLine(root);
    // option values such as --strategy zero_shot or --method kmeans are accepted in any case
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : FAILURE);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      Throwable t = ex;
      if (t instanceof CommandLine.ParameterException pe) {
        throw pe;
      }
      String kind = t instanceof SightlineException ? t.getClass().getSimpleName() : "error";
      commandLine.getErr().println("sightline: " + kind + ": " + t.getMessage());
      if (!(t instanceof SightlineException) && !(t instanceof IllegalArgumentException)
          && !(t instanceof IllegalStateException)) {
        t.printStackTrace(commandLine.getErr());
      }
      return FAILURE;
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      c.getErr().println("sightline: " + ex.getMessage());
      c.usage(c.getErr());
      return USAGE;
    });
    return cl;
  }
}
