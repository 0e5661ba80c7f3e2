package io.sightline.examples.crossmodal;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sightline crossmodal}: train an image–text model, retrieve images for texts, caption images. */
@Command(name = "crossmodal", mixinStandardHelpOptions = true,
    description = "Single-stream image-text transformer: training, text-to-image retrieval, captions.",
    subcommands = {CrossmodalTrainCommand.class, CrossmodalRetrieveCommand.class,
        CrossmodalCaptionCommand.class, CrossmodalEvaluateCommand.class, CrossmodalIndexCommand.class})
public final class CrossmodalCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "missing subcommand: train, retrieve, caption, evaluate or index");
  }
}
