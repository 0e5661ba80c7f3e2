package io.sightline.crossmodal;

import io.sightline.core.InputFormatException;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import java.nio.file.Files;

/**
 * Checks and completes the options of a {@link CrossModalTrainer.Builder} for
 * {@link CrossModalTrainer.Builder#build()}: reads the pairs file, checks that every image
 * exists, fills in the default embedder and tokenizer (the fine-tuned model's when there is one)
 * and rejects options out of range.
 */
final class TrainerOptions {
  private TrainerOptions() {}

  static void check(CrossModalTrainer.Builder b) {
    if (b.pairs == null && b.pairsFile == null) {
      throw new IllegalStateException("pairs missing: call pairs(...) or pairsFile(...)");
    }
    if (b.pairs == null) {
      b.pairs = PairsFile.read(b.pairsFile);
    }
    if (b.pairs.isEmpty()) {
      throw new IllegalStateException("pairs is empty");
    }
    for (ImageTextPair p : b.pairs) {
      if (!Files.isRegularFile(p.image())) {
        throw new InputFormatException(null, 0, "image not found: " + p.image());
      }
    }
    if (b.embedder == null) {
      b.embedder = b.initialModel != null ? b.initialModel.extractor.embedder() : new GlobalDescriptorEmbedder();
    }
    if (b.tokenizer == null) {
      b.tokenizer = b.initialModel != null ? b.initialModel.tokenizer : new WordTokenizer();
    }
    if (b.initialModel != null && !b.initialModel.tokenizerId().equals(b.tokenizer.id())) {
      throw new IllegalStateException("fine-tuning needs the model's tokenizer " + b.initialModel.tokenizerId());
    }
    if (b.epochs < 1 || b.batchSize < 1 || !(b.learningRate > 0) || b.negativesPerPositive < 0
        || b.textMaskProbability <= 0 || b.textMaskProbability > 1 || b.spanProbability < 0
        || b.spanProbability > 1 || b.validationFraction < 0 || b.validationFraction >= 1
        || b.patience < 0 || b.checkpointEvery < 0) {
      throw new IllegalStateException("an option is out of range (epochs, batchSize, learningRate, "
          + "negativesPerPositive, textMaskProbability, spanProbability, validationFraction, patience, "
          + "checkpointEvery)");
    }
    if (!(b.contrastiveWeight >= 0) || b.contrastiveBatchSize < 0 || !(b.warmupFraction >= 0)
        || b.warmupFraction >= 1 || !(b.clipNorm >= 0)) {
      throw new IllegalStateException("an option is out of range (contrastiveWeight, "
          + "contrastiveBatchSize, warmupFraction, gradientClipNorm)");
    }
    if (!(b.wordDropout >= 0) || b.wordDropout >= 1) {
      throw new IllegalStateException("contrastiveWordDropout " + b.wordDropout + " is out of range [0, 1)");
    }
    if (!(b.contrastiveWarmup >= 0) || b.contrastiveWarmup >= 1) {
      throw new IllegalStateException("contrastiveWarmup " + b.contrastiveWarmup + " is out of range [0, 1)");
    }
    if (b.contrastiveWarmup > 0 && b.contrastiveWeight == 0) {
      throw new IllegalStateException("contrastiveWarmup needs the contrastive loss (contrastiveWeight > 0)");
    }
    if (!b.maskingTask && !b.matchingTask && b.contrastiveWeight == 0) {
      throw new IllegalStateException("no training task: enable maskingTask, matchingTask and/or contrastiveWeight");
    }
    if (b.resume && b.checkpointDir == null) {
      throw new IllegalStateException("resume needs checkpointDir(...)");
    }
    if (b.width % b.heads != 0) {
      throw new IllegalStateException("width " + b.width + " is not divisible by heads " + b.heads);
    }
  }
}
