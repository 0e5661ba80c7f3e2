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
  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "model folder written by 'crossmodal train'")
  Path model;

  @Option(names = "--tokenizer", paramLabel = "FILE",
      description = "the HuggingFace tokenizer.json the model was trained with (default: word tokenizer)")
  Path tokenizer;

  static TextTokenizer tokenizer(Path file) {
    return file == null ? new WordTokenizer() : HuggingFaceTextTokenizer.load(file);
  }

  /**
   * @param embedder the image embedder the model was trained with (from the model folder's
   *     {@code embedder.json}, see {@link io.sightline.examples.cli.EmbedderOptions#open})
   * @return the model
   */
  CrossModalModel load(ImageEmbedder embedder) {
    if (!Files.isRegularFile(model.resolve(CrossModalModel.FILE_NAME))) {
      throw new IllegalStateException("no crossmodal model in " + model
          + "; run 'sightline crossmodal train' first");
    }
    return CrossModalModel.load(model, embedder, tokenizer(tokenizer), null,
        ImageLoader.defaults());
  }
}
