package io.sightline.examples.crossmodal;

import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.CrossModalTrainer;
import io.sightline.crossmodal.EpochStats;
import io.sightline.crossmodal.TrainingResult;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sightline crossmodal train --pairs pairs.jsonl --model DIR [--epochs N]}: trains on the
 * pairs (masked text units, masked objects and image–text matching), checkpoints into
 * {@code DIR/checkpoints}, writes {@code DIR/crossmodal.model} and prints one JSON summary line.
 * With {@code --embedder FILE.onnx --preset NAME [--embedder-output NAME]} the region features
 * come from that ONNX model; the choice is recorded in {@code DIR/embedder.json} and
 * {@code crossmodal retrieve / caption} use it without being told.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a cross-modal model on image-text pairs (pairs.jsonl).")
public final class CrossmodalTrainCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--pairs", required = true, paramLabel = "FILE",
      description = "pairs.jsonl: {\"image\",\"text\"[,\"objects\":[{\"box\":[x,y,w,h],\"label\"}]]}")
  Path pairs;

  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image paths in the input file may point into (default: the input file's own folder; "
          + "paths outside it, absolute or via '..' or symlinks, are refused)")
  Path allowedRoot;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "output model folder")
  Path model;

  @Option(names = "--epochs", description = "most epochs (default: ${DEFAULT-VALUE})")
  int epochs = 10; // the same default as CrossModalTrainer.Builder.epochs

  @Option(names = "--width", description = "model width (default: ${DEFAULT-VALUE})")
  int width = io.sightline.crossmodal.CrossModalTrainer.DEFAULT_WIDTH;

  @Option(names = "--layers", description = "encoder layers (default: ${DEFAULT-VALUE})")
  int layers = io.sightline.crossmodal.CrossModalTrainer.DEFAULT_LAYERS;

  @Option(names = "--batch", description = "batch size (default: ${DEFAULT-VALUE})")
  int batch = 32;

  @Option(names = "--lr", description = "learning rate (default: ${DEFAULT-VALUE})")
  float lr = io.sightline.crossmodal.CrossModalTrainer.DEFAULT_LEARNING_RATE;

  @Option(names = "--seed", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed = 42;

  @Option(names = "--negatives", description = "negative samples per positive (default: ${DEFAULT-VALUE})")
  double negatives = 1.0;

  @Option(names = "--patience", description = "early stopping patience in epochs, 0 = off (default: ${DEFAULT-VALUE})")
  int patience = 0;

  @Option(names = "--validation", description = "share of images (with all their pairs) held out to pick the best epoch and stop early"
      + " (default: ${DEFAULT-VALUE})")
  double validation = 0.0;

  @Option(names = "--contrastive-weight", description = "weight of the image-text contrastive loss (retrieval's first stage), 0 = off (default: ${DEFAULT-VALUE})")
  double contrastiveWeight = 1.0;

  @Option(names = "--hard-negatives", description = "also train the matching head on the most similar non-matching image/text of each batch")
  boolean hardNegatives;

  @Option(names = "--word-dropout", description = "chance that each word of a training text is left out of its"
      + " contrastive pass, a regulariser for small pair sets (default: ${DEFAULT-VALUE})")
  double wordDropout = 0.35;

  @Option(names = "--clip-norm", description = "clip the gradients' global norm, 0 = off (default: ${DEFAULT-VALUE})")
  double clipNorm = 1.0;

  @Option(names = "--no-seed-library", description = "do not fuse seed-library content into the features")
  boolean noSeedLibrary;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "HuggingFace tokenizer.json (WordPiece/BPE); default: words")
  Path tokenizer;

  @Option(names = "--resume", description = "continue from DIR/checkpoints when a checkpoint is there")
  boolean resume;

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    if (epochs < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--epochs must be at least 1");
    }
    embedderOptions.asked();
    CliSupport.requireFile(spec, pairs, "--pairs");
    CliSupport.requireFile(spec, tokenizer, "--tokenizer");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    if (width < 1 || layers < 1 || batch < 1 || !(lr > 0) || !(negatives >= 0) || patience < 0
        || !(validation >= 0 && validation < 1) || !(contrastiveWeight >= 0) || !(clipNorm >= 0)
        || !(wordDropout >= 0 && wordDropout < 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "need --width, --layers, --batch >= 1, --lr > 0,"
          + " --negatives, --patience, --contrastive-weight, --clip-norm >= 0 and --validation, --word-dropout in [0, 1)");
    }
    try (EmbedderOptions.Choice emb = embedderOptions.open(model); var tok = ModelOptions.tokenizer(tokenizer)) {
      TrainingResult r = CrossModalTrainer.builder().embedder(emb.embedder()).pairs(io.sightline.crossmodal.PairsFile.read(pairs, allowedRoot != null ? allowedRoot : pairs.toAbsolutePath().getParent())).tokenizer(tok).epochs(epochs)
          .width(width).layers(layers).batchSize(batch).learningRate(lr).seed(seed)
          .negativesPerPositive(negatives).earlyStoppingPatience(patience)
          .validationFraction(validation).useSeedLibrary(!noSeedLibrary)
          .contrastiveWeight(contrastiveWeight).hardNegatives(hardNegatives).gradientClipNorm(clipNorm)
          .contrastiveWordDropout(wordDropout)
          .checkpointDir(model.resolve("checkpoints")).checkpointEvery(50).resume(resume)
          .progress((task, done, total, msg) -> {
            if (!task.equals("batch")) {
              CliSupport.progress(task, done, total, withoutNaN(msg));
            }
          }).build().train();
      try (CrossModalModel m = r.model()) {
        Path file = m.save(model);
        emb.record(model);
        EpochStats last = r.history().get(r.history().size() - 1);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("model", file.toString());
        line.put("pairs", r.pairs());
        line.put("validationPairs", r.validationPairs());
        line.put("epochs", r.history().size());
        line.put("stoppedEarly", r.stoppedEarly());
        line.put("resumedFromEpoch", r.resumedFromEpoch());
        line.put("loss", round(last.loss()));
        line.put("maskedTextAccuracy", round(last.maskedTextAccuracy()));
        line.put("matchingAccuracy", round(last.matchingAccuracy()));
        line.put("vocabulary", m.vocabulary().size());
        line.put("seedLibraryTexts", m.seedLibrary().size());
        line.put("parameters", m.parameterCount());
        line.put("embedder", m.embedderId());
        CliSupport.printJsonLine(line);
      }
    }
    return CliSupport.OK;
  }

  /**
   * A training progress message with "n/a" for figures that do not exist in this run (e.g.
   * {@code val=NaN} without a validation split).
   *
   * @param msg the message, or null
   * @return the message with "n/a" for each NaN
   */
  public static String withoutNaN(String msg) {
    return msg == null ? null : msg.replaceAll("\\bNaN\\b", "n/a");
  }

  private static Object round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null;
  }
}
