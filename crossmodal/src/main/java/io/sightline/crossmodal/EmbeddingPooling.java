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
   * text, the CLS and the objects of an image (the default of format 4). Every unit and object has a
   * direct path to the embedding.
   */
  MEAN,
  /**
   * The {@link #MEAN} output side by side with the mean of the same positions' inputs (the unit,
   * position and modal embeddings of a text; the projected object features of an image) before the
   * transformer: the projection sees a bag of words and a bag of objects as well as their contextual
   * outputs, as a dual encoder's towers do (the default since format 5). Chosen on the validation
   * split (recall@10 about 0.03 above {@link #MEAN}); on eight held-out draws it was 0.02–0.04 above
   * {@link #MEAN} at every cut-off (BENCHMARKS.md, crossmodal).
   */
  MEAN_AND_INPUTS
}
