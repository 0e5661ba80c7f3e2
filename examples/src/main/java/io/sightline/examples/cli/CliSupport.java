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

  /**
   * Exit code for success; skipped rows of an index or sync file (listed in its output and on
   * stderr) are not failures.
   */
  public static final int OK = 0;
  /**
   * Exit code for a failure of some inputs (their {@code {"image","error"}} lines, after the
   * others) or of the data: a folder that is not a store, model or catalog, a model that does not
   * load, a store built with another embedder, a refused input file, a path outside the input
   * file's folder, an error of the JVM.
   */
  public static final int FAILURE = 1;
  /**
   * Exit code for bad usage: an unknown command or option, a missing or bad option value
   * (including negative counts and NaN thresholds), a file or folder named on the command line
   * that does not exist.
   */
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
   * A progress bar for one long job, on stderr. On a terminal ({@code System.console() != null})
   * it redraws one line in place with {@code \r} and ends it with a newline when the task is done
   * or another task starts; otherwise (a pipe, a file, a CI log) it prints nothing per item, only
   * one summary line when a task with a known total completes.
   *
   * @return the listener
   */
  public static io.sightline.core.ProgressListener progressBar() {
    return new ProgressBar(null, System.console() != null);
  }

  /**
   * {@link #progressBar()} with an explicit stream and terminal flag (for tests).
   *
   * @param err where to draw
   * @param terminal whether to redraw in place
   * @return the listener
   */
  public static io.sightline.core.ProgressListener progressBar(PrintStream err, boolean terminal) {
    return new ProgressBar(err, terminal);
  }

  /** The progress bar of {@link #progressBar()}. */
  static final class ProgressBar implements io.sightline.core.ProgressListener {
    private final PrintStream err;
    private final boolean terminal;
    private String openTask;
    private int drawnWidth;
    private long lastDraw;

    ProgressBar(PrintStream err, boolean terminal) {
      this.err = err;
      this.terminal = terminal;
    }

    @Override
    public synchronized void onProgress(String task, long done, long total, String message) {
      PrintStream err = this.err != null ? this.err : System.err; // System.err as it is now (tests swap it)
      boolean complete = total > 0 && done >= total;
      if (!terminal) {
        if (complete) {
          err.println(render(task, done, total, message));
          err.flush();
        }
        return;
      }
      if (openTask != null && !openTask.equals(task)) {
        err.println();
        drawnWidth = 0;
      }
      long now = System.nanoTime();
      if (!complete && task.equals(openTask) && now - lastDraw < 100_000_000L) {
        return; // at most ten redraws a second
      }
      lastDraw = now;
      String line = render(task, done, total, message);
      String pad = line.length() < drawnWidth ? " ".repeat(drawnWidth - line.length()) : "";
      err.print("\r" + line + pad);
      drawnWidth = line.length();
      if (complete) {
        err.println();
        openTask = null;
        drawnWidth = 0;
      } else {
        openTask = task;
      }
      err.flush();
    }
  }

  /**
   * One progress line, without line end: {@code [task] [#####     ] done/total message}.
   *
   * @param task the work
   * @param done units done
   * @param total units in all, -1 if unknown
   * @param message detail, or null
   * @return the line
   */
  static String render(String task, long done, long total, String message) {
    StringBuilder sb = new StringBuilder("[").append(task).append("] ");
    if (total > 0) {
      int width = 30;
      int filled = (int) Math.max(0, Math.min(width, width * done / total));
      sb.append('[').append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ")
          .append(done).append('/').append(total);
    } else {
      sb.append(done);
    }
    if (message != null && !message.isEmpty()) {
      sb.append(' ').append(message);
    }
    return sb.toString();
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

  private static io.sightline.core.ProgressListener shared;

  /**
   * Reports progress on the process's progress bar ({@link #progressBar()}, made on first use).
   *
   * @param task the work
   * @param done units done
   * @param total units in all, -1 if unknown
   * @param message detail
   */
  public static synchronized void progress(String task, long done, long total, String message) {
    if (shared == null) {
      shared = progressBar();
    }
    shared.onProgress(task, done, total, message);
  }

  /**
   * The one error line of the CLI: {@code sightline: <what>: <why>; try: <hint>}.
   *
   * @param what what failed (a command, a file, a file and line)
   * @param why why
   * @param hint what to try, or null when there is nothing useful to say
   * @return the line, without line end
   */
  public static String errorLine(String what, String why, String hint) {
    StringBuilder sb = new StringBuilder("sightline: ");
    if (what != null && !what.isBlank()) {
      sb.append(what).append(": ");
    }
    sb.append(why == null || why.isBlank() ? "failed" : why.strip().replace('\n', ' '));
    if (hint != null && !hint.isBlank()) {
      sb.append("; try: ").append(hint);
    }
    return sb.toString();
  }

  /**
   * Prints one error line ({@link #errorLine}) on stderr. Every failure (and every skipped input
   * line) any command reports on stderr goes through here.
   *
   * @param what what failed
   * @param why why
   * @param hint what to try, or null
   */
  public static void error(String what, String why, String hint) {
    System.err.println(errorLine(what, why, hint));
    System.err.flush();
  }

  /**
   * A failure while running (exit code 1) with a hint for its error line.
   */
  public static final class Failure extends RuntimeException {
    private final String hint;

    /**
     * @param why the message
     * @param hint what to try, or null
     */
    public Failure(String why, String hint) {
      super(why);
      this.hint = hint;
    }

    /** @return what to try, or null */
    public String hint() {
      return hint;
    }
  }

  /** A usage error (exit code 2) with a hint other than the command's {@code --help}. */
  public static final class UsageError extends CommandLine.ParameterException {
    private final String hint;

    /**
     * @param cl the command
     * @param why the message
     * @param hint what to try, or null for {@code sightline <cmd> --help}
     */
    public UsageError(CommandLine cl, String why, String hint) {
      super(cl, why);
      this.hint = hint;
    }

    /** @return what to try, or null */
    public String hint() {
      return hint;
    }
  }

  /**
   * A file named on the command line must be a regular file: a usage error (exit 2) otherwise.
   *
   * @param spec the command
   * @param file the file, or null when the option was not given
   * @param option the option that named it (for the message)
   * @return the file
   */
  public static java.nio.file.Path requireFile(CommandLine.Model.CommandSpec spec, java.nio.file.Path file,
      String option) {
    if (file != null && !java.nio.file.Files.isRegularFile(file)) {
      throw new UsageError(spec.commandLine(), option + ": "
          + (java.nio.file.Files.isDirectory(file) ? "is a folder, not a file: " : "no such file: ") + file,
          null);
    }
    return file;
  }

  /**
   * A folder named on the command line must exist: a usage error (exit 2) otherwise.
   *
   * @param spec the command
   * @param dir the folder, or null when the option was not given
   * @param option the option that named it (for the message)
   * @param hint what to try when it is missing, or null for the command's {@code --help}
   * @return the folder
   */
  public static java.nio.file.Path requireFolder(CommandLine.Model.CommandSpec spec, java.nio.file.Path dir,
      String option, String hint) {
    if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
      throw new UsageError(spec.commandLine(), option + ": "
          + (java.nio.file.Files.exists(dir) ? "not a folder: " : "no such folder: ") + dir, hint);
    }
    return dir;
  }

  /**
   * The values of an enum option in lower case, for {@code completionCandidates} (so that
   * {@code ${COMPLETION-CANDIDATES}} in help shows what users type).
   *
   * @param <E> the enum
   */
  public abstract static class LowerCaseValues<E extends Enum<E>> implements Iterable<String> {
    private final Class<E> type;

    /** @param type the enum */
    protected LowerCaseValues(Class<E> type) {
      this.type = type;
    }

    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.Arrays.stream(type.getEnumConstants())
          .map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).iterator();
    }
  }

  private static final java.util.regex.Pattern ENUM_VALUES =
      java.util.regex.Pattern.compile("expected one of \\[([A-Z0-9_, ]+)\\] \\(case-insensitive\\)");

  /** picocli's "expected one of [KMEANS, DBSCAN] (case-insensitive)" as users type the values. */
  static String lowerCaseEnumValues(String message) {
    if (message == null) {
      return null;
    }
    java.util.regex.Matcher m = ENUM_VALUES.matcher(message);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(
          "expected one of " + m.group(1).toLowerCase(java.util.Locale.ROOT)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** The command's name below the root, e.g. {@code tag suggest}; {@code usage} for the root. */
  static String commandName(CommandLine cl) {
    String q = cl.getCommandSpec().qualifiedName(" ");
    int space = q.indexOf(' ');
    return space < 0 ? "usage" : q.substring(space + 1);
  }

  /** {@code sightline tag suggest --help}. */
  static String helpHint(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName(" ") + " --help";
  }

  /** The hint of a failure while running, from its kind and message; null when none helps. */
  static String hintFor(Throwable t) {
    if (t instanceof Failure f) {
      return f.hint();
    }
    String m = String.valueOf(t.getMessage());
    if (outsideAllowedRoot(m)) {
      return "--allowed-root DIR";
    }
    if (m.contains("no describer store here")) {
      return "build one with 'sightline describe index'";
    }
    if (t instanceof OutOfMemoryError) {
      return "give the JVM more memory: JAVA_OPTS=-Xmx4g sightline ...";
    }
    return null;
  }

  /**
   * @param message an error message
   * @return whether it refuses a path outside the folder an input file's paths must stay in
   *     (which {@code --allowed-root DIR} widens)
   */
  public static boolean outsideAllowedRoot(String message) {
    return message != null && (message.contains("outside the allowed folder")
        || message.contains("escapes the allowed folder") || message.contains("paths must be relative to the file's folder and stay inside"));
  }

  /** The message of a failure while running, in words. */
  static String why(Throwable t) {
    if (t instanceof java.nio.file.NoSuchFileException e) {
      return "no such file: " + e.getFile();
    }
    if (t instanceof java.nio.file.AccessDeniedException e) {
      return "permission denied: " + e.getFile();
    }
    if (t instanceof java.nio.file.FileSystemException e && e.getReason() != null) {
      return e.getFile() + ": " + e.getReason();
    }
    if (t instanceof java.io.UncheckedIOException u && u.getCause() != null) {
      return why(u.getCause());
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  /**
   * Runs a command line built by {@link #commandLine}. picocli hands only exceptions to the
   * execution exception handler; an {@link Error} (a native library that does not load, jars
   * that do not match, out of memory outside a per-input loop) is reported here in the same one
   * line, with exit code 1.
   *
   * @param cl the command line
   * @param args the arguments
   * @return the exit code
   */
  public static int execute(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } catch (Error e) {
      CommandLine leaf = cl;
      CommandLine.ParseResult pr = cl.getParseResult();
      while (pr != null && pr.subcommand() != null) {
        pr = pr.subcommand();
        leaf = pr.commandSpec().commandLine();
      }
      String hint;
      if (e instanceof UnsatisfiedLinkError) {
        hint = "a native library does not load on " + System.getProperty("os.name") + " "
            + System.getProperty("os.arch") + "; SIGHTLINE_DEBUG=1 shows which";
      } else if (e instanceof LinkageError) {
        hint = "the jars in lib/ do not match each other: unpack the distribution again (or rebuild with mvn install)";
      } else {
        hint = hintFor(e);
      }
      error(commandName(leaf), e.getClass().getSimpleName() + ": " + why(e), hint);
      if (System.getenv("SIGHTLINE_DEBUG") != null) {
        e.printStackTrace(System.err);
      }
      return FAILURE;
    }
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
      boolean expected = t instanceof SightlineException || t instanceof IllegalArgumentException
          || t instanceof IllegalStateException || t instanceof Failure || t instanceof java.io.IOException
          || t instanceof java.io.UncheckedIOException || t instanceof OutOfMemoryError;
      boolean debug = System.getenv("SIGHTLINE_DEBUG") != null;
      String hint = hintFor(t);
      if (hint == null && !expected && !debug) {
        hint = "SIGHTLINE_DEBUG=1 " + helpHint(commandLine).replace(" --help", "") + " ... prints the stack trace";
      }
      error(commandName(commandLine), why(t), hint);
      if (!expected && debug) {
        t.printStackTrace(System.err);
      }
      return FAILURE;
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      String hint = ex instanceof UsageError u && u.hint() != null ? u.hint() : helpHint(c);
      String why = lowerCaseEnumValues(ex.getMessage());
      if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        why += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
      }
      error(commandName(c), why, hint);
      return USAGE;
    });
    return cl;
  }
}
