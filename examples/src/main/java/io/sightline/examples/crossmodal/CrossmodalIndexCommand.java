package io.sightline.examples.crossmodal;

import io.sightline.core.CancellationToken;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.ImageCollection;
import io.sightline.examples.cli.CliSupport;
import io.sightline.examples.cli.EmbedderOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sightline crossmodal index --model DIR --images DIR [--out FILE]}: extracts and embeds
 * the images of a folder once and saves them as a collection ({@code DIR/collection.bin} by
 * default) for {@code crossmodal retrieve --collection FILE}; one JSON line
 * {@code {"collection","images","approximate"}}. The collection belongs to this model: after
 * training again, index again.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = "Save the features and embeddings of a folder of images for fast repeated retrieval.")
public final class CrossmodalIndexCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  ModelOptions options = new ModelOptions();

  @Mixin
  EmbedderOptions embedderOptions = new EmbedderOptions();

  @Option(names = "--images", required = true, paramLabel = "DIR", description = "folder of candidate images (searched recursively)")
  Path images;

  @Option(names = "--out", paramLabel = "FILE", description = "collection file (default: collection.bin in the model folder)")
  Path out;

  @Override
  public Integer call() throws Exception {
    options.check();
    List<Path> files = CrossmodalRetrieveCommand.imageFiles(spec, images);
    Path target = out != null ? out : options.model.resolve("collection.bin");
    try (EmbedderOptions.Choice emb = embedderOptions.open(options.model);
         CrossModalModel m = options.load(emb.embedder())) {
      ImageCollection coll = m.collection(files, CliSupport.progressBar(), CancellationToken.NONE);
      m.saveCollection(coll, target);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("collection", target.toString());
      line.put("images", coll.size());
      line.put("approximate", coll.approximate());
      CliSupport.printJsonLine(line);
    }
    return CliSupport.OK;
  }
}
