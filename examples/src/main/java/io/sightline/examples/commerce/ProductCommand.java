package io.sightline.examples.commerce;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sightline product}: intent-gated product search by photo (train the intent gate, index, search, remove, sync a catalog). */
@Command(name = "product", mixinStandardHelpOptions = true,
    description = "Intent-gated product search by photo: skip non-product photos, search each garment, filter and order results.",
    subcommands = {ProductTrainIntentCommand.class, ProductIndexCommand.class, ProductSearchCommand.class,
        ProductRemoveCommand.class, ProductSyncCommand.class})
public final class ProductCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: train-intent, index, search, remove or sync");
  }
}
