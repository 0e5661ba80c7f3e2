package io.sightline.examples.crossmodal;

import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.HuggingFaceTextTokenizer;
import io.sightline.crossmodal.TextTokenizer;
import io.sightline.crossmodal.WordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that load a trained model. */
final class ModelOptions {
  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec mixee;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "model folder written by 'crossmodal train'")
  Path model;

  @Option(names = "--tokenizer", paramLabel = "FILE",
      description = "the HuggingFace tokenizer.json the model was trained with (default: word tokenizer)")
  Path tokenizer;

  /** Usage errors (exit 2) for a --model folder or --tokenizer file that is not there. */
  void check() {
    io.sightline.examples.cli.CliSupport.requireFolder(mixee, model, "--model",
        "train one with 'sightline crossmodal train'");
    io.sightline.examples.cli.CliSupport.requireFile(mixee, tokenizer, "--tokenizer");
  }

  static TextTokenizer tokenizer(Path file) {
    return file == null ? new WordTokenizer() : HuggingFaceTextTokenizer.load(file);
  }

  /**
   * @param embedder the image embedder the model was trained with (from the model folder's
   *     {@code embedder.json}, see {@link io.sightline.examples.cli.EmbedderOptions#open})
   * @return the model
   */
  CrossModalModel load(ImageEmbedder embedder) {
    check();
    if (!Files.isRegularFile(model.resolve(CrossModalModel.FILE_NAME))) {
      throw new io.sightline.examples.cli.CliSupport.Failure("no crossmodal model in " + model,
          "train one with 'sightline crossmodal train --model " + model + "'");
    }
    return CrossModalModel.load(model, embedder, tokenizer(tokenizer), null,
        ImageLoader.defaults());
  }
}
