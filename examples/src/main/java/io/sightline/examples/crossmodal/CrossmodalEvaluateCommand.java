package io.sightline.examples.crossmodal;

import io.sightline.core.CancellationToken;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.PairsFile;
import io.sightline.crossmodal.RetrievalEvaluation;
import io.sightline.crossmodal.RetrievalSettings;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sightline crossmodal evaluate --model DIR --pairs FILE [--rank-by embedding|matching|fused]
 * [--first-stage K] [--cosine-weight W]}: recall at 1, 5 and 10 in both directions on held-out
 * pairs, ranked as {@code crossmodal retrieve} ranks, as one JSON line
 * {@code {"pairs","texts","images","ranking","firstStage","cosineWeight","textToImage":{"r1","r5","r10"},"imageToText":{...}}}
 * (see {@link RetrievalEvaluation}).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Recall@1/5/10 of text->image and image->text retrieval on pairs the model was not trained on.")
public final class CrossmodalEvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  ModelOptions options = new ModelOptions();

  @Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Option(names = "--pairs", required = true, paramLabel = "FILE",
      description = "pairs.jsonl of held-out pairs: {\"image\",\"text\"}")
  Path pairs;

  @Option(names = "--allowed-root", paramLabel = "DIR",
      description = "folder that image paths in the pairs file may point into (default: the file's own folder)")
  Path allowedRoot;

  @Mixin
  RankingOptions ranking = new RankingOptions();

  @Override
  public Integer call() {
    RetrievalSettings settings = ranking.settings();
    options.check();
    CliSupport.requireFile(spec, pairs, "--pairs");
    CliSupport.requireFolder(spec, allowedRoot, "--allowed-root", null);
    var list = PairsFile.read(pairs, allowedRoot != null ? allowedRoot : pairs.toAbsolutePath().getParent());
    try (EmbedderOptions.Choice emb = embedderOptions.open(options.model);
         CrossModalModel m = options.load(emb.embedder())) {
      RetrievalEvaluation e;
      try {
        e = RetrievalEvaluation.run(m, list, settings, CliSupport.progressBar(), CancellationToken.NONE);
      } catch (IllegalArgumentException ex) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--pairs: " + ex.getMessage());
      }
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("pairs", e.pairs());
      line.put("texts", e.texts());
      line.put("images", e.images());
      line.put("ranking", e.ranking().name().toLowerCase(java.util.Locale.ROOT));
      line.put("firstStage", e.firstStage());
      line.put("cosineWeight", e.cosineWeight());
      line.put("textToImage", recall(e.textToImage()));
      line.put("imageToText", recall(e.imageToText()));
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }

  private static Map<String, Object> recall(RetrievalEvaluation.Recall r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("r1", Math.round(r.at1() * 1e4) / 1e4);
    m.put("r5", Math.round(r.at5() * 1e4) / 1e4);
    m.put("r10", Math.round(r.at10() * 1e4) / 1e4);
    return m;
  }
}
