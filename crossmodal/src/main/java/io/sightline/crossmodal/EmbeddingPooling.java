package io.sightline.crossmodal;

/**
 * How the model turns the transformer's outputs into the text and image embeddings that retrieval's
 * first stage compares by cosine (the contrastive loss trains them).
 */
public enum EmbeddingPooling {
  /**
   * The output of the matching identifier (CLS) alone. Models saved before format 4 use it; in the
   * evaluation it was behind {@link #MEAN} on the validation split and level with it on held-out
   * images (BENCHMARKS.md, crossmodal).
   */
  CLS,
  /**
   * The mean of the outputs at every position the pass shows: the CLS and the text units of a
   * text, the CLS and the objects of an image (the default). Every unit and object has a direct path
   * to the embedding.
   */
  MEAN
}
