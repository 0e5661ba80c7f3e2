package io.sightline.examples.describer;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sightline describe}: name what an image shows from the text around matching reference
 * images — {@code index} a {@code refs.jsonl}, {@code query} images, {@code train-scorer} from labels.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
    description = "Name what an image shows from the pages of matching reference images.",
    subcommands = {DescribeIndexCommand.class, DescribeQueryCommand.class, DescribeTrainScorerCommand.class})
public final class DescribeCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: index, query or train-scorer");
  }
}
