package io.sightline.crossmodal;

/**
 * The architecture of a cross-modal model; persisted with it, and compared when a checkpoint is
 * loaded so one of another width or vocabulary is refused.
 *
 * @param width model width (embedding size), divisible by {@code heads}
 * @param layers number of transformer encoder layers
 * @param heads attention heads per layer
 * @param ffnSize hidden size of each layer's feed-forward block
 * @param maxTextUnits most text units per sample (longer texts are cut)
 * @param maxObjects most objects per image, whole image included
 * @param grid cells per side of the fallback grid
 * @param visualDim the embedder's vector length
 * @param seedTextUnits most units of a standard text fused into an object
 * @param dropout dropout probability while training
 * @param pooling how the text and image embeddings of retrieval's first stage are read
 */
public record ModelConfig(int width, int layers, int heads, int ffnSize, int maxTextUnits,
    int maxObjects, int grid, int visualDim, int seedTextUnits, float dropout, EmbeddingPooling pooling) {
  /** A configuration with the default {@link EmbeddingPooling#MEAN_AND_INPUTS} pooling. */
  public ModelConfig(int width, int layers, int heads, int ffnSize, int maxTextUnits,
      int maxObjects, int grid, int visualDim, int seedTextUnits, float dropout) {
    this(width, layers, heads, ffnSize, maxTextUnits, maxObjects, grid, visualDim, seedTextUnits, dropout,
        EmbeddingPooling.MEAN_AND_INPUTS);
  }

  /** Validates. */
  public ModelConfig {
    if (pooling == null) {
      throw new IllegalArgumentException("pooling must not be null");
    }
    if (width < 8 || heads < 1 || width % heads != 0) {
      throw new IllegalArgumentException("width must be >= 8 and divisible by heads: " + width + "/" + heads);
    }
    if (layers < 1 || ffnSize < 1 || maxTextUnits < 1 || maxObjects < 2 || grid < 1
        || visualDim < 1 || seedTextUnits < 1) {
      throw new IllegalArgumentException("layers, ffnSize, maxTextUnits, grid, visualDim, seedTextUnits must be"
          + " positive and maxObjects at least 2");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1)");
    }
  }

  /** @return sequence length: matching identifier + text units + objects */
  public int sequenceLength() {
    return 1 + maxTextUnits + maxObjects;
  }

  /** @return object feature length: visual feature spliced with spatial coordinates */
  public int objectFeatureDim() {
    return visualDim + ImageFeatures.SPATIAL_DIM;
  }

  /** @return largest position id: 0 matching identifier, 1 objects (fixed order id), 2.. text */
  public int positions() {
    return maxTextUnits + 2;
  }
}
