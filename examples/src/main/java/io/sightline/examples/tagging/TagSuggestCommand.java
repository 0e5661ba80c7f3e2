package io.sightline.examples.tagging;

import io.sightline.core.SightlineException;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TagScore;
import io.sightline.tagging.TagSelection;
import io.sightline.tagging.TagSuggestion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline tag suggest --model DIR [--top N | --min-frequency F] IMAGE...}: one JSON line
 * per image, {@code {"image","cluster","tags":[{"tag","frequency"}]}}; an image that cannot be
 * read gives {@code {"image","error"}} and exit code 1 after the others.
 * The image embedder is the one recorded in the folder's {@code embedder.json} by the command that
 * built it; {@code --embedder/--preset/--embedder-output}, if given, must name the same one.
 */
@Command(name = "suggest", mixinStandardHelpOptions = true,
    description = "Suggest tags for images from a model made by 'tag train'.")
public final class TagSuggestCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "model folder written by 'tag train'")
  Path model;

  @Option(names = "--top", paramLabel = "N", description = "at most N tags (default 3 unless --min-frequency is given)")
  Integer top;

  @Option(names = "--min-frequency", paramLabel = "F", description = "only tags whose frequency is at least F (0..1)")
  Double minFrequency;

  @Option(names = "--strategy", defaultValue = "nearest_cluster", completionCandidates = Strategies.class,
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  Strategy strategy;

  /** The --strategy values as typed. */
  static final class Strategies extends CliSupport.LowerCaseValues<Strategy> {
    Strategies() {
      super(Strategy.class);
    }
  }

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "images to tag")
  List<Path> imagesToTag = new ArrayList<>();

  @CommandLine.Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Override
  public Integer call() {
    embedderOptions.asked();
    if (top != null && top < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
    }
    if (minFrequency != null && !(minFrequency >= 0 && minFrequency <= 1)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--min-frequency must be in [0, 1]");
    }
    CliSupport.requireFolder(spec, model, "--model", "make one with 'sightline tag train'");
    if (!Files.isRegularFile(model.resolve(TagRecommender.MODEL_FILE))) {
      throw new CliSupport.Failure("no tag model in " + model, "make one with 'sightline tag train --model "
          + model + "'");
    }
    TagSelection selection = minFrequency == null ? TagSelection.top(top == null ? 3 : top)
        : TagSelection.topAbove(top == null ? Integer.MAX_VALUE : top, minFrequency);
    int status = CliSupport.OK;
    try (EmbedderOptions.Choice emb = embedderOptions.open(model);
         io.sightline.core.text.TextEmbedder text = textEmbedder(emb);
         TagRecommender r = withText(TagRecommender.builder().embedder(emb.embedder()).directory(model).readOnly(true)
             .strategy(strategy).selection(selection).neighbourIndex(onDisk()), text).build()) {
      for (Path image : imagesToTag) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("image", image.toString());
        try {
          TagSuggestion s = r.suggest(image);
          line.put("strategy", s.strategy().name());
          line.put("cluster", s.cluster());
          List<Map<String, Object>> tags = new ArrayList<>();
          for (TagScore t : s.tags()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tag", t.tag());
            m.put("frequency", Math.round(t.frequency() * 1e4) / 1e4);
            tags.add(m);
          }
          line.put("tags", tags);
        } catch (SightlineException e) {
          line.put("error", e.getMessage());
          status = CliSupport.FAILURE;
        } catch (OutOfMemoryError e) {
          line.put("error", CliSupport.outOfMemory(e));
          status = CliSupport.FAILURE;
        }
        CliSupport.printJsonLine(line);
      }
    }
    return status;
  }

  /**
   * The text side for the zero-shot and fused strategies: MiniLM when the model folder was built
   * with the shipped encoder (whose space it is); none otherwise, which ZERO_SHOT refuses.
   */
  private io.sightline.core.text.TextEmbedder textEmbedder(EmbedderOptions.Choice emb) {
    boolean shared = io.sightline.core.onnx.Preset.SIGHTLINE_CLIPART.cliName().equals(emb.record().preset());
    if (strategy == Strategy.ZERO_SHOT && !shared) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--strategy zero_shot compares tag words with the"
          + " image, which needs an image encoder in a text space: train the model folder with --embedder "
          + EmbedderOptions.BUILTIN);
    }
    return shared && (strategy == Strategy.ZERO_SHOT || strategy == Strategy.FUSED)
        ? io.sightline.models.SightlineModels.textEmbedder() : null;
  }

  /** The neighbour index 'tag train --neighbour-index' keeps on disk, read when it holds the stock. */
  private io.sightline.core.index.VectorIndexFactory onDisk() {
    Path dir = model.resolve(TagTrainCommand.NEIGHBOURS);
    return Files.isDirectory(dir) ? io.sightline.index.lucene.LuceneVectorIndex.factory(dir) : null;
  }

  private static TagRecommender.Builder withText(TagRecommender.Builder b, io.sightline.core.text.TextEmbedder t) {
    // the prompt chosen on the tuning families (BENCHMARKS.md, models)
    return t == null ? b : b.textEmbedder(t, "a drawing of %s");
  }
}
