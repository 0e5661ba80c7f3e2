package io.sightline.examples.commerce;

import io.sightline.commerce.EmbeddingIntentClassifier;
import io.sightline.commerce.Intent;
import io.sightline.commerce.IntentSample;
import io.sightline.core.CancellationToken;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sightline product train-intent --samples intent.csv --out MODEL}: trains the image intent
 * classifier (non-commodity / apparel / other-commodity) over the default embedder (or
 * {@code --embedder FILE.onnx --preset NAME}: the model file records the embedder id, and
 * {@code product index} accepts it only for a catalog built with the same embedder) and prints
 * {@code {"model","samples":{intent:n},"trainingAccuracy","lambda"[,"validationAccuracy"]}}.
 */
@Command(name = "train-intent", mixinStandardHelpOptions = true,
    description = "Train the intent gate from labelled images (intent.csv: image,intent).")
public final class ProductTrainIntentCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image paths in the input file may point into (default: the input file's own folder; "
          + "paths outside it, absolute or via '..' or symlinks, are refused)")
  Path allowedRoot;

  @Option(names = "--samples", required = true, paramLabel = "intent.csv",
      description = "CSV with header image,intent; intent is non-commodity, apparel or other-commodity")
  Path samples;

  @Option(names = "--out", required = true, paramLabel = "MODEL", description = "model file to write")
  Path out;

  @Option(names = "--lambda", description = "L2 penalty on the mean cross-entropy (default: ${DEFAULT-VALUE})")
  double lambda = 1e-3;

  @Option(names = "--cv", description = "choose lambda by 5-fold cross-validation among 0.0001, 0.001, 0.01, 0.1, 1, 10")
  boolean crossValidate;

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    if (!(lambda >= 0)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--lambda must be >= 0");
    }
    embedderOptions.asked();
    CliSupport.requireFile(spec, samples, "--samples");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    List<IntentSample> list = IntentSample.readCsv(samples, allowedRoot);
    EmbeddingIntentClassifier model;
    try (EmbedderOptions.Choice emb = embedderOptions.build()) {
      EmbeddingIntentClassifier.Trainer trainer = EmbeddingIntentClassifier.trainer(emb.embedder()).lambda(lambda);
      if (crossValidate) {
        trainer.selectLambda(5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10);
      }
      model = trainer.train(list, CliSupport.progressBar(), CancellationToken.NONE);
      model.save(out);
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("model", out.toString());
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Intent i : model.intents()) {
      counts.put(i.label(), model.summary().samples().getOrDefault(i, 0));
    }
    line.put("samples", counts);
    line.put("trainingAccuracy", Math.round(model.summary().trainingAccuracy() * 1e4) / 1e4);
    line.put("lambda", model.summary().lambda());
    if (crossValidate) {
      line.put("validationAccuracy", Math.round(model.summary().validationAccuracy() * 1e4) / 1e4);
    }
    CliSupport.printJsonLine(line);
    return CliSupport.OK;
  }
}
