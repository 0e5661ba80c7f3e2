package io.sightline.examples;

import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sightline} command line: every capability, one JSON object per input on stdout,
 * logs and progress on stderr, exit code 0 (success), 1 (failure) or 2 (bad usage).
 */
@Command(name = "sightline", mixinStandardHelpOptions = true, version = "sightline 0.1.0",
    description = "Image understanding from the command line (JSON Lines on stdout).",
    subcommands = {
        DemoCommand.class,
        io.sightline.examples.tagging.TagCommand.class,
        io.sightline.examples.posters.PosterCommand.class,
        io.sightline.examples.describer.DescribeCommand.class,
        io.sightline.examples.commerce.ProductCommand.class,
        io.sightline.examples.crossmodal.CrossmodalCommand.class,
        // capability commands register here, one line each
    })
public final class SightlineCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  /**
   * @param args command line
   */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the CLI without exiting (for tests).
   *
   * @param args command line
   * @return the exit code
   */
  public static int execute(String... args) {
    // Sightline never downloads models: keep DJL offline unless the caller decided otherwise.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    return CliSupport.execute(CliSupport.commandLine(new SightlineCli()), args);
  }
}
