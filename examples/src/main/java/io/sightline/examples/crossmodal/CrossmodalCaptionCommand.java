package io.sightline.examples.crossmodal;

import io.sightline.core.SightlineException;
import io.sightline.crossmodal.Caption;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.RetrievalSettings;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline crossmodal caption --model DIR [--rank-by embedding|matching|fused] [--first-stage N]
 * [--cosine-weight W] IMAGE...}: one JSON line per image,
 * {@code {"image","ranking","caption","score","cosine","method","alternatives":[{"caption","score","cosine","method"}]}}
 * ({@code score}: the matching head's probability; {@code cosine}: the embeddings' cosine); the
 * candidates are the model's training texts and a generated text, ranked as {@code crossmodal retrieve}
 * ranks images (by default fused). An unreadable image gives {@code {"image","error"}} and exit code 1
 * after the others.
 * The image embedder is the one recorded in the folder's {@code embedder.json} by the command that
 * built it; {@code --embedder/--preset/--embedder-output}, if given, must name the same one.
 */
@Command(name = "caption", mixinStandardHelpOptions = true,
    description = "Describe images: the best of the training texts and a generated text, ranked like"
        + " 'crossmodal retrieve' ranks images (by default the matching head and the embeddings' cosine together).")
public final class CrossmodalCaptionCommand implements Callable<Integer> {
  @Mixin
  ModelOptions options = new ModelOptions();

  @Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Mixin
  RankingOptions ranking = new RankingOptions();

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "images to describe")
  List<Path> imagesToCaption = new ArrayList<>();

  @Override
  public Integer call() {
    RetrievalSettings settings = ranking.settings();
    options.check();
    int status = CliSupport.OK;
    try (EmbedderOptions.Choice emb = embedderOptions.open(options.model);
         CrossModalModel m = options.load(emb.embedder())) {
      for (Path image : imagesToCaption) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("image", image.toString());
        try {
          Caption c = m.caption(m.featureExtractor().extract(image, List.of()), m.captionCandidates(), true,
              settings);
          line.put("ranking", settings.ranking().name().toLowerCase(Locale.ROOT));
          put(line, c.text(), c.score(), c.similarity(), c.method());
          List<Map<String, Object>> alternatives = new ArrayList<>();
          for (Caption.Alternative a : c.alternatives()) {
            Map<String, Object> alt = new LinkedHashMap<>();
            put(alt, a.text(), a.score(), a.similarity(), a.method());
            alternatives.add(alt);
          }
          line.put("alternatives", alternatives);
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

  private static void put(Map<String, Object> line, String text, double score, double cosine, Caption.Method method) {
    line.put("caption", text);
    line.put("score", Math.round(score * 1e4) / 1e4);
    if (!Double.isNaN(cosine)) {
      line.put("cosine", Math.round(cosine * 1e4) / 1e4);
    }
    line.put("method", method.name().toLowerCase(Locale.ROOT));
  }
}
