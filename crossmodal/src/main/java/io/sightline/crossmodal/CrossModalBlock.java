package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The single-stream semantic model: one transformer encoder over the spliced input
 * {@code [matching identifier (CLS)] + text features + image features}.
 *
 * <ul>
 *   <li>text feature = character feature (unit embedding) + fused standard-image content (seed
 *       library, claim 9) + location feature (position ids starting at 2) + [TEXT] modal
 *       identifier;</li>
 *   <li>image feature = object feature (visual feature spliced with spatial coordinates, compressed
 *       to the model width when longer, seed [0054]; replaced by the learned image mask when the
 *       object is masked) + fused standard-text vector (seed library, claim 7) + object order
 *       feature (fixed id 1) + [IMG] modal identifier;</li>
 *   <li>heads: text units (masked text units and the labels of masked objects are predicted over
 *       the unit vocabulary), visual feature regression for masked objects, and the matching score
 *       from the CLS output (claim 5).</li>
 * </ul>
 *
 * <p>Inputs (B samples, T text units, O objects, L standard-text units, Dv visual length):
 * {@code textIds int[B,T], textPos int[B,T], textSeedImage float[B,T,Dv], objVisual float[B,O,Dv],
 * objSpatial float[B,O,5], objMasked float[B,O], objSeedText int[B,O,L], objSeedWeight
 * float[B,O,L], attention float[B,S,S]}. Outputs: {@code unitLogits [B,S,V], featurePred
 * [B,O,Dv], matchLogit [B], hidden [B,S,E], textEmbedding [B,E], imageEmbedding [B,E],
 * contrastive logit scale [1]}. The two embeddings (unit length) are projections of the mean output
 * over the positions a pass shows (with {@link EmbeddingPooling#MEAN_AND_INPUTS}, the default, beside
 * the mean of those positions' inputs to the first layer); the text one is read on text-only passes,
 * the image one on image-only passes.
 */
final class CrossModalBlock extends AbstractBlock {
  private static final byte VERSION = 2;
  private final ModelConfig cfg;
  private final int vocabSize;
  private final IdEmbedding unitEmbedding;
  private final IdEmbedding positionEmbedding;
  private final Linear objectProjection;
  private final Linear seedImageProjection;
  private final Linear seedTextProjection;
  private final Parameter matchingIdentifier;
  private final Parameter imageMask;
  private final Parameter textModal;
  private final Parameter imageModal;
  private final LayerNorm objectNorm;
  private final LayerNorm inputNorm;
  private final Dropout inputDropout;
  private final List<EncoderLayer> layers = new ArrayList<>();
  private final Linear unitTransform;
  private final LayerNorm unitNorm;
  private final Linear unitOutput;
  private final Linear featureHead;
  private final Linear matchHead;
  private final Linear textProjection;
  private final Linear imageProjection;
  private final Parameter logitScale;

  CrossModalBlock(ModelConfig cfg, int vocabSize) {
    super(VERSION);
    this.cfg = cfg;
    this.vocabSize = vocabSize;
    int e = cfg.width();
    unitEmbedding = addChildBlock("unitEmbedding",
        new IdEmbedding.Builder().setDictionarySize(vocabSize).setEmbeddingSize(e).build());
    positionEmbedding = addChildBlock("positionEmbedding",
        new IdEmbedding.Builder().setDictionarySize(cfg.positions()).setEmbeddingSize(e).build());
    objectProjection = cfg.objectFeatureDim() > e
        ? addChildBlock("objectProjection", Linear.builder().setUnits(e).build()) : null;
    seedImageProjection = addChildBlock("seedImageProjection", Linear.builder().setUnits(e).build());
    seedTextProjection = addChildBlock("seedTextProjection", Linear.builder().setUnits(e).build());
    matchingIdentifier = addParameter(vector("matchingIdentifier", e));
    imageMask = addParameter(vector("imageMask", e));
    textModal = addParameter(vector("textModal", e));
    imageModal = addParameter(vector("imageModal", e));
    objectNorm = addChildBlock("objectNorm", LayerNorm.builder().axis(2).build());
    inputNorm = addChildBlock("inputNorm", LayerNorm.builder().axis(2).build());
    inputDropout = addChildBlock("inputDropout", Dropout.builder().optRate(cfg.dropout()).build());
    for (int i = 0; i < cfg.layers(); i++) {
      layers.add(addChildBlock("layer" + i,
          new EncoderLayer(e, cfg.heads(), cfg.ffnSize(), cfg.dropout())));
    }
    unitTransform = addChildBlock("unitTransform", Linear.builder().setUnits(e).build());
    unitNorm = addChildBlock("unitNorm", LayerNorm.builder().axis(2).build());
    unitOutput = addChildBlock("unitOutput", Linear.builder().setUnits(vocabSize).build());
    featureHead = addChildBlock("featureHead", Linear.builder().setUnits(cfg.visualDim()).build());
    matchHead = addChildBlock("matchHead", Linear.builder().setUnits(1).build());
    textProjection = addChildBlock("textProjection", Linear.builder().setUnits(e).build());
    imageProjection = addChildBlock("imageProjection", Linear.builder().setUnits(e).build());
    logitScale = addParameter(Parameter.builder().setName("logitScale").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(1)).optInitializer(new ai.djl.training.initializer.ConstantInitializer(
            (float) Math.log(1 / 0.07))).build());
  }

  private static Parameter vector(String name, int e) {
    return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(e)).optInitializer(new NormalInitializer(0.02f)).build();
  }

  /** @return input shapes for a batch of {@code b} samples */
  Shape[] inputShapes(int b) {
    int t = cfg.maxTextUnits();
    int o = cfg.maxObjects();
    int s = cfg.sequenceLength();
    return new Shape[] {new Shape(b, t), new Shape(b, t), new Shape(b, t, cfg.visualDim()),
        new Shape(b, o, cfg.visualDim()), new Shape(b, o, ImageFeatures.SPATIAL_DIM),
        new Shape(b, o), new Shape(b, o, cfg.seedTextUnits()), new Shape(b, o, cfg.seedTextUnits()),
        new Shape(b, s, s)};
  }

  /** @return the data types of the inputs, in order */
  static DataType[] inputTypes() {
    return new DataType[] {DataType.INT32, DataType.INT32, DataType.FLOAT32, DataType.FLOAT32,
        DataType.FLOAT32, DataType.FLOAT32, DataType.INT32, DataType.FLOAT32, DataType.FLOAT32};
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training,
      PairList<String, Object> params) {
    return compute(ps, in, training, true, null, InputEncoder.View.JOINT);
  }

  /**
   * The training forward pass ({@code Trainer.forward(data, labels)}). With
   * {@link #embeddingsOnly(NDManager, InputEncoder.View)} as the labels only the embeddings are
   * computed, over the positions of that view (the contrastive passes read nothing else); with
   * {@link #atPositions} the unit head runs only at the listed positions and output 0 is their
   * logits [N,V] (the joint pass needs them only where a target is, and the head over the whole
   * vocabulary at every position was most of the work).
   */
  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList data, NDList labels,
      PairList<String, Object> params) {
    if (labels != null && labels.size() == 1 && labels.get(0).getName() != null
        && labels.get(0).getName().startsWith(VIEW_MARK)) {
      InputEncoder.View view = InputEncoder.View.valueOf(labels.get(0).getName().substring(VIEW_MARK.length()));
      return compute(ps, data, true, false, null, view);
    }
    return compute(ps, data, true, true, labels == null ? null : labels.get(0), InputEncoder.View.JOINT);
  }

  private static final String VIEW_MARK = "embeddings-only:";

  /**
   * @param m a manager for the (empty) marker array
   * @param view the view the inputs were made for ({@link InputEncoder#inputs(NDManager, List, InputEncoder.View)})
   * @return the labels that make a training forward pass compute the embeddings only, over the
   *     positions of that view (a TEXT or IMAGE view's trimmed sequence)
   */
  static NDList embeddingsOnly(NDManager m, InputEncoder.View view) {
    NDArray mark = m.zeros(new Shape(0));
    mark.setName(VIEW_MARK + view.name());
    return new NDList(mark);
  }

  /**
   * @param unitPositions flat positions (b*S + position, int64 [N]) where unit logits are needed
   * @return the labels that make a training forward pass compute the unit head there only
   */
  static NDList atPositions(NDArray unitPositions) {
    return new NDList(unitPositions);
  }

  /**
   * An inference pass that computes the embeddings only, over the positions of the view the
   * inputs were made for (outputs 0 and 1 are empty).
   */
  NDList embeddings(ParameterStore ps, NDList in, InputEncoder.View view) {
    return compute(ps, in, false, false, null, view);
  }

  /** An inference pass whose output 0 holds the unit logits at the given flat positions only, [N,V]. */
  NDList atPositions(ParameterStore ps, NDList in, NDArray unitPositions) {
    return compute(ps, in, false, true, unitPositions, InputEncoder.View.JOINT);
  }

  /**
   * @param heads false: outputs 0 (unit logits) and 1 (feature predictions) are empty arrays
   * @param unitPositions null: unit logits at every position [B,S,V]; else at these flat positions [N,V]
   * @param view JOINT: the whole sequence; TEXT or IMAGE (embeddings only): the trimmed sequence of
   *     that view, CLS + text or CLS + objects, the other part not computed at all
   */
  private NDList compute(ParameterStore ps, NDList in, boolean training, boolean heads, NDArray unitPositions,
      InputEncoder.View view) {
    if (heads && view != InputEncoder.View.JOINT) {
      throw new IllegalArgumentException("the heads need the joint sequence");
    }
    NDArray textIds = in.get(0);
    NDArray textPos = in.get(1);
    NDArray textSeedImage = in.get(2);
    NDArray objVisual = in.get(3);
    NDArray objSpatial = in.get(4);
    NDArray objMasked = in.get(5);
    NDArray objSeedText = in.get(6);
    NDArray objSeedWeight = in.get(7);
    NDArray attention = in.get(8);
    NDManager m = textIds.getManager();
    long b = textIds.getShape().get(0);
    int e = cfg.width();

    NDArray clsIds = m.zeros(new Shape(b, 1), DataType.INT32);
    NDArray x = embed(positionEmbedding, ps, clsIds, training)
        .add(value(ps, matchingIdentifier, m, training)); // CLS, [B,1,E]
    if (view != InputEncoder.View.IMAGE) {
      NDArray text = embed(unitEmbedding, ps, textIds, training)
          .add(seedImageProjection.forward(ps,
              new NDList(textSeedImage.mul(Scalars.of(textSeedImage, Math.sqrt(cfg.visualDim())))), training).singletonOrThrow())
          .add(embed(positionEmbedding, ps, textPos, training))
          .add(value(ps, textModal, m, training));
      x = x.concat(text, 1);
    }
    if (view != InputEncoder.View.TEXT) {
      x = x.concat(image(ps, objVisual, objSpatial, objMasked, objSeedText, objSeedWeight, training), 1);
    }
    x = inputNorm.forward(ps, new NDList(x), training).singletonOrThrow();
    x = inputDropout.forward(ps, new NDList(x), training).singletonOrThrow();
    NDArray inputs = x;
    for (EncoderLayer layer : layers) {
      x = layer.forward(ps, new NDList(x, attention), training).singletonOrThrow();
    }
    NDArray unitLogits;
    NDArray featurePred;
    if (heads) {
      NDArray ux = x;
      if (unitPositions != null) {
        ux = x.reshape(b * x.getShape().get(1), e).get(new NDIndex("{}", unitPositions));
      }
      NDArray u = unitTransform.forward(ps, new NDList(ux), training).singletonOrThrow();
      u = Activation.gelu(u);
      u = unitNorm.forward(ps, new NDList(u), training).singletonOrThrow();
      unitLogits = unitOutput.forward(ps, new NDList(u), training).singletonOrThrow(); // [B,S,V] or [N,V]
      long t = textIds.getShape().get(1);
      NDArray objHidden = x.get(new NDIndex(":, {}:", 1 + t));
      featurePred = featureHead.forward(ps, new NDList(objHidden), training).singletonOrThrow();
    } else {
      unitLogits = m.zeros(new Shape(b, 0, vocabSize));
      featurePred = m.zeros(new Shape(b, 0, cfg.visualDim()));
    }
    NDArray clsHidden = x.get(new NDIndex(":, 0, :"));
    NDArray matchLogit = matchHead.forward(ps, new NDList(clsHidden), training).singletonOrThrow()
        .reshape(b);
    // contrastive embeddings, projected, unit length; the temperature is exp(logitScale), clamped to
    // 100. MEAN pooling: the mean output over the positions the pass shows (CLS and the text units on
    // a text-only pass, CLS and the objects on an image-only pass; InputEncoder.View), which gives
    // every unit and object a direct path to the embedding; CLS pooling (format 3): the CLS output;
    // MEAN_AND_INPUTS (format 5): [mean output ; mean input to the first layer], a bag of words or of
    // objects beside their contextual outputs.
    NDArray pooled = clsHidden;
    if (cfg.pooling() != EmbeddingPooling.CLS) {
      NDArray shown = attention.get(new NDIndex(":, 0, :")).expandDims(2); // [B,S,1], 1 = a real position
      NDArray count = shown.sum(new int[] {1}).maximum(Scalars.of(shown, 1));
      pooled = x.mul(shown).sum(new int[] {1}).div(count);
      if (cfg.pooling() == EmbeddingPooling.MEAN_AND_INPUTS) {
        pooled = pooled.concat(inputs.mul(shown).sum(new int[] {1}).div(count), 1); // [B,2E]
      }
    }
    NDArray textEmb = unit(textProjection.forward(ps, new NDList(pooled), training).singletonOrThrow());
    NDArray imageEmb = unit(imageProjection.forward(ps, new NDList(pooled), training).singletonOrThrow());
    NDArray logScale = m.ones(new Shape(1)).mul(value(ps, logitScale, m, training));
    NDArray scale = logScale.minimum(Scalars.of(logScale, 4.6052)).exp();
    return new NDList(unitLogits, featurePred, matchLogit, x, textEmb, imageEmb, scale);
  }

  /** The object positions' input features [B,O,E] (object feature, seed text, order, modal identifier). */
  private NDArray image(ParameterStore ps, NDArray objVisual, NDArray objSpatial, NDArray objMasked,
      NDArray objSeedText, NDArray objSeedWeight, boolean training) {
    NDManager m = objVisual.getManager();
    long b = objVisual.getShape().get(0);
    long o = objVisual.getShape().get(1);
    int e = cfg.width();
    NDArray keep = objMasked.neg().add(1f).expandDims(2); // [B,O,1]
    // unit-length visual vectors are scaled to unit variance per value before projection
    NDArray feature = objVisual.mul(keep).mul(Scalars.of(objVisual, Math.sqrt(cfg.visualDim())))
        .concat(objSpatial, 2); // object feature [B,O,Dv+5]
    NDArray projected;
    if (objectProjection != null) {
      projected = objectProjection.forward(ps, new NDList(feature), training).singletonOrThrow();
    } else if (feature.getShape().get(2) < e) {
      projected = feature.concat(m.zeros(new Shape(b, o, e - feature.getShape().get(2))), 2);
    } else {
      projected = feature;
    }
    projected = objectNorm.forward(ps, new NDList(projected), training).singletonOrThrow();
    // Parameters are only ever the second operand: a DJL result belongs to its first operand's
    // manager, and a result attached to the model's manager would live (leak) until the model closes.
    NDArray maskVec = value(ps, imageMask, m, training); // [E], broadcast over [B,O,1]
    projected = projected.mul(keep).add(objMasked.expandDims(2).mul(maskVec));
    NDArray seedText = embed(unitEmbedding, ps, objSeedText, training) // [B,O,L,E]
        .mul(objSeedWeight.expandDims(3)).sum(new int[] {2});
    NDArray orderIds = m.ones(new Shape(b, o), DataType.INT32);
    return projected
        .add(seedTextProjection.forward(ps, new NDList(seedText), training).singletonOrThrow())
        .add(embed(positionEmbedding, ps, orderIds, training))
        .add(value(ps, imageModal, m, training));
  }


  private static NDArray unit(NDArray v) {
    NDArray norm = v.norm(new int[] {1}, true);
    return v.div(norm.maximum(Scalars.of(norm, 1e-6)));
  }

  private static NDArray embed(IdEmbedding emb, ParameterStore ps, NDArray ids, boolean training) {
    return emb.forward(ps, new NDList(ids), training).singletonOrThrow();
  }

  private static NDArray value(ParameterStore ps, Parameter p, NDManager m, boolean training) {
    return ps.getValue(p, m.getDevice(), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    int s = cfg.sequenceLength();
    return new Shape[] {new Shape(b, s, vocabSize), new Shape(b, cfg.maxObjects(), cfg.visualDim()),
        new Shape(b), new Shape(b, s, cfg.width()), new Shape(b, cfg.width()), new Shape(b, cfg.width()),
        new Shape(1)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    long b = in[0].get(0);
    int e = cfg.width();
    int t = cfg.maxTextUnits();
    int o = cfg.maxObjects();
    int s = cfg.sequenceLength();
    unitEmbedding.initialize(manager, dataType, new Shape(b, t));
    positionEmbedding.initialize(manager, dataType, new Shape(b, t));
    if (objectProjection != null) {
      objectProjection.initialize(manager, dataType, new Shape(b, o, cfg.objectFeatureDim()));
    }
    seedImageProjection.initialize(manager, dataType, new Shape(b, t, cfg.visualDim()));
    seedTextProjection.initialize(manager, dataType, new Shape(b, o, e));
    objectNorm.initialize(manager, dataType, new Shape(b, o, e));
    Shape seq = new Shape(b, s, e);
    inputNorm.initialize(manager, dataType, seq);
    inputDropout.initialize(manager, dataType, seq);
    for (EncoderLayer l : layers) {
      l.initialize(manager, dataType, seq, new Shape(b, s, s));
    }
    unitTransform.initialize(manager, dataType, seq);
    unitNorm.initialize(manager, dataType, seq);
    unitOutput.initialize(manager, dataType, seq);
    featureHead.initialize(manager, dataType, new Shape(b, o, e));
    matchHead.initialize(manager, dataType, new Shape(b, e));
    Shape pooled = new Shape(b, cfg.pooling() == EmbeddingPooling.MEAN_AND_INPUTS ? 2 * e : e);
    textProjection.initialize(manager, dataType, pooled);
    imageProjection.initialize(manager, dataType, pooled);
  }
}
