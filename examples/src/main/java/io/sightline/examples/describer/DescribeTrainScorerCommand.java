package io.sightline.examples.describer;

import io.sightline.core.CancellationToken;
import io.sightline.describer.FeatureSchema;
import io.sightline.describer.GbdtEntityScorer;
import io.sightline.describer.ImageDescriber;
import io.sightline.describer.ReferenceStore;
import io.sightline.describer.ScorerTraining;
import io.sightline.describer.ScoringMode;
import io.sightline.examples.cli.CliSupport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sightline describe train-scorer --db DIR --labels labels.jsonl --out MODEL}: trains the
 * GBDT entity scorer from labelled query images and prints one JSON summary line
 * {@code {"out","mode","queries","examples","positives","queriesWithoutMatch","labelsNotFound"}}.
 */
@Command(name = "train-scorer", mixinStandardHelpOptions = true,
    description = "Train the GBDT entity scorer from labels.jsonl ({\"query\",\"entity\",\"correct\"}).")
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

  @Option(names = "--iterations", paramLabel = "N", description = "boosting rounds (default ${DEFAULT-VALUE})")
  int iterations = 200;

  @Option(names = "--keep-unlabelled", description = "ignore candidates without a label instead of treating them as incorrect")
  boolean keepUnlabelled;

  @Override
  public Integer call() {
    ScoringMode m = DescribeQueryCommand.parseMode(spec.commandLine(), mode);
    if (iterations < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--iterations must be at least 1");
    }
    List<ScorerTraining.LabelledQuery> queries = ScorerTraining.readLabels(labels);
    try (ReferenceStore store = ReferenceStore.builder().directory(db).createIfMissing(false).build()) {
      ImageDescriber describer = ImageDescriber.builder().store(store).mode(m)
          .matchThreshold(matchThreshold).topImages(topImages).build();
      ScorerTraining.TrainingSet set = ScorerTraining.build(describer, queries, !keepUnlabelled,
          CliSupport.progressBar(), CancellationToken.NONE);
      GbdtEntityScorer.Params d = GbdtEntityScorer.Params.defaults();
      GbdtEntityScorer.Params p = new GbdtEntityScorer.Params(iterations, d.learningRate(), d.numLeaves(),
          d.minDataInLeaf(), d.seed(), d.threshold());
      try (GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.of(m), set.examples(), p,
          CliSupport.progressBar(), CancellationToken.NONE)) {
        gbdt.save(out);
      }
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("out", out.toString());
      line.put("mode", m.name());
      line.put("queries", set.queries());
      line.put("examples", set.examples().size());
      line.put("positives", set.positives());
      line.put("queriesWithoutMatch", set.queriesWithoutMatch());
      line.put("labelsNotFound", set.labelsNotFound());
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }
}
