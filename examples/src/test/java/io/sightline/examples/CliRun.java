package io.sightline.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.examples.cli.CliSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One in-process run of the {@code sightline} CLI with its exit code, stdout and stderr, for the
 * end-to-end command tests.
 *
 * @param code exit code
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
public record CliRun(int code, String out, String err) {
  private static final Object LOCK = new Object();

  /**
   * Runs the CLI with {@code System.out} and {@code System.err} captured (one run at a time).
   *
   * @param args command-line arguments
   * @return the run
   */
  public static CliRun of(String... args) {
    synchronized (LOCK) {
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      try {
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = SightlineCli.execute(args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
    }
  }

  /**
   * @return stdout parsed as JSON Lines
   * @throws Exception when a line is not JSON
   */
  public List<JsonNode> lines() throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String l : out.strip().split("\n")) {
      nodes.add(CliSupport.JSON.readTree(l));
    }
    return nodes;
  }
}
