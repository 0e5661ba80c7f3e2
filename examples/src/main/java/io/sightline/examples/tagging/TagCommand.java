package io.sightline.examples.tagging;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sightline tag}: train a tag model from tagged stock images, and suggest tags for new images. */
@Command(name = "tag", mixinStandardHelpOptions = true,
    description = "Tag recommendation from the tag frequencies of image clusters.",
    subcommands = {TagTrainCommand.class, TagSuggestCommand.class})
public final class TagCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: train or suggest");
  }
}
