package io.sightline.examples.posters;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sightline poster ...}: poster commands. */
@Command(name = "poster", mixinStandardHelpOptions = true,
    description = "Face- and saliency-aware posters from photos and video frames.",
    subcommands = {PosterComposeCommand.class})
public final class PosterCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: poster compose");
  }
}
