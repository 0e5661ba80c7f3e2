package io.sightline.examples.crossmodal;

import io.sightline.core.CancellationToken;
import io.sightline.core.SightlineException;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.ImageCollection;
import io.sightline.crossmodal.ImageMatch;
import io.sightline.crossmodal.RetrievalSettings;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline crossmodal retrieve --model DIR (--images DIR | --collection FILE) [--top K]
 * [--rank-by embedding|matching|fused] [--first-stage N] [--cosine-weight W] TEXT...}: one JSON line
 * per text, {@code {"text","ranking","results":[{"image","score","cosine"}]}} ({@code score}: the
 * matching head's probability; {@code cosine}: the embeddings' cosine, left out where a matching
 * ranking over every image computed none); a text without known units gives
 * {@code {"text","ranking","error"}} and exit code 1 after the others. Rankings: see
 * {@link RetrievalSettings}.
 * The image embedder is the one recorded in the folder's {@code embedder.json} by the command that
 * built it; {@code --embedder/--preset/--embedder-output}, if given, must name the same one.
 */
@Command(name = "retrieve", mixinStandardHelpOptions = true,
    description = "Rank the images of a folder for each text (by default by the cosine of the model's text and image embeddings).")
public final class CrossmodalRetrieveCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  ModelOptions options = new ModelOptions();

  @Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Option(names = "--images", paramLabel = "DIR", description = "folder of candidate images (searched recursively)")
  Path images;

  @Option(names = "--collection", paramLabel = "FILE",
      description = "a collection saved by 'crossmodal index' (instead of --images: no feature extraction)")
  Path collection;

  @Option(names = "--top", paramLabel = "K", description = "results per text (default: ${DEFAULT-VALUE})")
  int top = 5;

  @Mixin
  RankingOptions ranking = new RankingOptions();

  @Parameters(arity = "1..*", paramLabel = "TEXT", description = "query texts")
  List<String> texts = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (top < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
    }
    RetrievalSettings settings = ranking.settings();
    if ((images == null) == (collection == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give either --images or --collection");
    }
    options.check();
    CliSupport.requireFile(spec, collection, "--collection");
    List<Path> files = collection != null ? List.of() : imageFiles(spec, images);
    int status = CliSupport.OK;
    try (EmbedderOptions.Choice emb = embedderOptions.open(options.model);
         CrossModalModel m = options.load(emb.embedder())) {
      ImageCollection coll = collection != null ? m.loadCollection(collection)
          : m.collection(files, CliSupport.progressBar(), CancellationToken.NONE);
      for (String text : texts) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("text", text);
        line.put("ranking", settings.ranking().name().toLowerCase(java.util.Locale.ROOT));
        try {
          List<Map<String, Object>> results = new ArrayList<>();
          for (ImageMatch im : m.retrieve(text, coll, top, settings)) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("image", im.image().toString());
            r.put("score", Math.round(im.score() * 1e4) / 1e4);
            if (!Double.isNaN(im.firstStageSimilarity())) {
              r.put("cosine", Math.round(im.firstStageSimilarity() * 1e4) / 1e4);
            }
            results.add(r);
          }
          line.put("results", results);
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

  /** The image files under a folder, sorted; a usage error when there is none. */
  static List<Path> imageFiles(CommandLine.Model.CommandSpec spec, Path folder) throws java.io.IOException {
    if (!Files.isDirectory(folder)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--images: "
          + (Files.exists(folder) ? "not a folder: " : "no such folder: ") + folder);
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(folder)) {
      files = s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase().matches(".*\\.(png|jpe?g|gif|bmp|webp|tiff?)$"))
          .sorted().toList();
    }
    if (files.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no images in " + folder);
    }
    return files;
  }
}
