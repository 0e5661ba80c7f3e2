package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.transformer.PointwiseFeedForwardBlock;
import ai.djl.nn.transformer.ScaledDotProductAttentionBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * One post-norm transformer encoder layer (BERT style) from DJL's
 * {@link ScaledDotProductAttentionBlock} and {@link PointwiseFeedForwardBlock}, with layer
 * normalisation (DJL's {@code TransformerEncoderBlock} normalises over the batch, which makes
 * single-pair inference depend on running statistics). Inputs: {@code (x [B,S,E], mask [B,S,S])}.
 */
final class EncoderLayer extends AbstractBlock {
  private static final byte VERSION = 1;
  private final ScaledDotProductAttentionBlock attention;
  private final LayerNorm attentionNorm;
  private final PointwiseFeedForwardBlock feedForward;
  private final LayerNorm outputNorm;
  private final Dropout dropout;

  EncoderLayer(int width, int heads, int ffnSize, float dropoutRate) {
    super(VERSION);
    attention = addChildBlock("attention", ScaledDotProductAttentionBlock.builder()
        .setEmbeddingSize(width).setHeadCount(heads).optAttentionProbsDropoutProb(dropoutRate).build());
    attentionNorm = addChildBlock("attentionNorm", LayerNorm.builder().axis(2).build());
    feedForward = addChildBlock("feedForward",
        new PointwiseFeedForwardBlock(List.of(ffnSize), width, Activation::gelu));
    outputNorm = addChildBlock("outputNorm", LayerNorm.builder().axis(2).build());
    dropout = addChildBlock("dropout", Dropout.builder().optRate(dropoutRate).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray mask = inputs.get(1);
    NDArray att = attention.forward(ps, new NDList(x, mask), training).singletonOrThrow();
    att = dropout.forward(ps, new NDList(att), training).singletonOrThrow();
    NDArray h = attentionNorm.forward(ps, new NDList(att.add(x)), training).singletonOrThrow();
    NDArray f = feedForward.forward(ps, new NDList(h), training).singletonOrThrow();
    f = dropout.forward(ps, new NDList(f), training).singletonOrThrow();
    return outputNorm.forward(ps, new NDList(f.add(h)), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    attention.initialize(manager, dataType, x);
    attentionNorm.initialize(manager, dataType, x);
    feedForward.initialize(manager, dataType, x);
    outputNorm.initialize(manager, dataType, x);
    dropout.initialize(manager, dataType, x);
  }
}
