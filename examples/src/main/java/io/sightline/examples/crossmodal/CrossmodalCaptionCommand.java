package io.sightline.examples.crossmodal;

import io.sightline.core.SightlineException;
import io.sightline.crossmodal.Caption;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code sightline crossmodal caption --model DIR IMAGE...}: one JSON line per image,
 * {@code {"image","caption","score","method"}}; an unreadable image gives {@code {"image","error"}}
 * and exit code 1 after the others.
 * The image embedder is the one recorded in the folder's {@code embedder.json} by the command that
 * built it; {@code --embedder/--preset/--embedder-output}, if given, must name the same one.
 */
@Command(name = "caption", mixinStandardHelpOptions = true,
    description = "Describe images: the best of the training texts and a generated text, with its score.")
public final class CrossmodalCaptionCommand implements Callable<Integer> {
  @Mixin
  ModelOptions options = new ModelOptions();

  @Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "images to describe")
  List<Path> imagesToCaption = new ArrayList<>();

  @Override
  public Integer call() {
    options.check();
    int status = CliSupport.OK;
    try (EmbedderOptions.Choice emb = embedderOptions.open(options.model);
         CrossModalModel m = options.load(emb.embedder())) {
      for (Path image : imagesToCaption) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("image", image.toString());
        try {
          Caption c = m.caption(image);
          line.put("caption", c.text());
          line.put("score", Math.round(c.score() * 1e4) / 1e4);
          line.put("method", c.method().name().toLowerCase());
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
}
