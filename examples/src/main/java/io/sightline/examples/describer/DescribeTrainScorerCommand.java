package io.sightline.examples.describer;

import io.sightline.core.CancellationToken;
import io.sightline.describer.FeatureSchema;
import io.sightline.describer.GbdtEntityScorer;
import io.sightline.describer.LstmEntityScorer;
import io.sightline.describer.ImageDescriber;
import io.sightline.describer.ReferenceStore;
import io.sightline.describer.ScorerTraining;
import io.sightline.describer.ScoringMode;
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
 * {@code sightline describe train-scorer --db DIR --labels labels.jsonl --out MODEL [--scorer lstm]}:
 * trains the GBDT entity scorer (or, with {@code --scorer lstm} and {@code --mode per-mention}, the
 * seed's LSTM sequence scorer) from labelled query images and prints one JSON summary line
 * {@code {"out","scorer","mode","queries","examples","positives","queriesWithoutMatch","labelsNotFound","registered"}}.
 * The scorer is registered with the store ({@value ScorerRecord#FILE_NAME}: the model file's path
 * and hash, the mode, thresholds, embedder and matcher it was trained with), so that
 * {@code describe query} uses it without being told; {@code --no-register} only writes the model.
 * The image embedder is the one recorded in the folder's {@code embedder.json} by the command that
 * built it; {@code --embedder/--preset/--embedder-output}, if given, must name the same one.
 */
@Command(name = "train-scorer", mixinStandardHelpOptions = true,
    description = "Train the GBDT (or LSTM) entity scorer from labels.jsonl ({\"query\",\"entity\",\"correct\"}).")
public final class DescribeTrainScorerCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--db", required = true, paramLabel = "DIR", description = "store folder made by 'describe index'")
  Path db;

  @Option(names = "--labels", required = true, paramLabel = "FILE", description = "labels.jsonl (UTF-8)")
  Path labels;

  @Option(names = "--out", required = true, paramLabel = "MODEL", description = "model file to write")
  Path out;

  @Option(names = "--mode", description = "grouped or per-mention (default ${DEFAULT-VALUE})")
  String mode = "grouped";

  @Option(names = "--match-threshold", paramLabel = "S", description = "minimum image similarity (default ${DEFAULT-VALUE}); use the same at query time")
  double matchThreshold = ImageDescriber.DEFAULT_MATCH_THRESHOLD;

  @Option(names = "--top-images", paramLabel = "M", description = "matched images at most (default ${DEFAULT-VALUE}); use the same at query time")
  int topImages = ImageDescriber.DEFAULT_TOP_IMAGES;

  @Option(names = "--scorer", description = "gbdt, or lstm (seed [0036]; needs --mode per-mention) (default ${DEFAULT-VALUE})")
  String scorerKind = "gbdt";

  @Option(names = "--iterations", paramLabel = "N", description = "GBDT boosting rounds (default ${DEFAULT-VALUE})")
  int iterations = 200;

  @Option(names = "--epochs", paramLabel = "N", description = "LSTM epochs at most, early stopping on 20 %% held-out queries (default ${DEFAULT-VALUE})")
  int epochs = LstmEntityScorer.Params.defaults().epochs();

  @Option(names = "--keep-unlabelled", description = "ignore candidates without a label instead of treating them as incorrect")
  boolean keepUnlabelled;

  @Option(names = "--no-register", negatable = false,
      description = "only write the model; do not make it the store's scorer for 'describe query'")
  boolean noRegister;

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    embedderOptions.asked();
    ScoringMode m = DescribeQueryCommand.parseMode(spec.commandLine(), mode);
    DescribeQueryCommand.checkThresholds(spec.commandLine(), matchThreshold, topImages);
    if (iterations < 1 || epochs < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--iterations and --epochs must be at least 1");
    }
    boolean lstm = switch (scorerKind.toLowerCase(java.util.Locale.ROOT)) {
      case "gbdt" -> false;
      case "lstm" -> true;
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "--scorer must be gbdt or lstm");
    };
    if (lstm && m != ScoringMode.PER_MENTION) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--scorer lstm reads the sequence of an entity's mentions: use --mode per-mention");
    }
    CliSupport.requireFolder(spec, db, "--db", "build one with 'sightline describe index'");
    CliSupport.requireFile(spec, labels, "--labels");
    List<ScorerTraining.LabelledQuery> queries = ScorerTraining.readLabels(labels);
    try (EmbedderOptions.Choice emb = embedderOptions.open(db);
         ReferenceStore store = ReferenceStore.builder().directory(db).embedder(emb.embedder()).createIfMissing(false)
             .build()) {
      ImageDescriber describer = ImageDescriber.builder().store(store).mode(m)
          .matchThreshold(matchThreshold).topImages(topImages).build();
      ScorerTraining.TrainingSet set = ScorerTraining.build(describer, queries, !keepUnlabelled,
          CliSupport.progressBar(), CancellationToken.NONE);
      if (lstm) {
        LstmEntityScorer.Params d = LstmEntityScorer.Params.defaults();
        LstmEntityScorer.Params p = new LstmEntityScorer.Params(d.hiddenSize(), epochs, d.batchSize(),
            d.learningRate(), d.maxLength(), d.validationShare(), d.patience(), d.seed(), d.positiveWeight(),
            d.threshold());
        try (LstmEntityScorer s = LstmEntityScorer.train(set.examples(), p, CliSupport.progressBar(),
            CancellationToken.NONE)) {
          s.save(out);
        }
      } else {
        GbdtEntityScorer.Params d = GbdtEntityScorer.Params.defaults();
        GbdtEntityScorer.Params p = new GbdtEntityScorer.Params(iterations, d.learningRate(), d.numLeaves(),
            d.minDataInLeaf(), d.seed(), d.threshold());
        try (GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.of(m), set.examples(), p,
            CliSupport.progressBar(), CancellationToken.NONE)) {
          gbdt.save(out);
        }
      }
      if (!noRegister) {
        new ScorerRecord(ScorerRecord.FORMAT, out.toAbsolutePath().normalize().toString(), sha256(out),
            lstm ? "lstm" : "gbdt", m.name(), matchThreshold, topImages, emb.embedder().id(), store.matcher().id())
            .write(db);
      }
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("out", out.toString());
      line.put("scorer", lstm ? "lstm" : "gbdt");
      line.put("mode", m.name());
      line.put("queries", set.queries());
      line.put("examples", set.examples().size());
      line.put("positives", set.positives());
      line.put("queriesWithoutMatch", set.queriesWithoutMatch());
      line.put("labelsNotFound", set.labelsNotFound());
      line.put("registered", !noRegister);
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }

  private static String sha256(Path file) {
    try {
      return io.sightline.examples.cli.EmbedderRecord.sha256(file);
    } catch (java.io.IOException e) {
      throw new io.sightline.core.StoreException("cannot read the written scorer " + file + ": " + e.getMessage(), e);
    }
  }
}
