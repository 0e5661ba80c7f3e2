package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The training losses: the seed's masked-text, masked-object and matching losses on a joint
 * batch, and the image–text contrastive loss (symmetric InfoNCE with in-batch negatives and a
 * learned temperature) on the text-only and image-only passes of the same transformer.
 */
final class TrainingLosses {
  private final boolean maskingTask;
  private final boolean matchingTask;

  TrainingLosses(boolean maskingTask, boolean matchingTask) {
    this.maskingTask = maskingTask;
    this.matchingTask = matchingTask;
  }

  /** Losses of one batch (scalars) and the figures reported per epoch. */
  static final class Losses {
    NDArray total;
    NDArray text;
    NDArray objects;
    NDArray match;
    NDArray textAcc;
    NDArray matchAcc;
    NDArray contrastive;

    /** @return total, text, objects, match, textAcc, matchAcc, contrastive */
    double[] figures() {
      return new double[] {total.getFloat(), text.getFloat(), objects.getFloat(), match.getFloat(),
          textAcc.getFloat(), matchAcc.getFloat(), contrastive == null ? 0 : contrastive.getFloat()};
    }
  }

  /**
   * Symmetric InfoNCE: row i of {@code textEmb} and row i of {@code imageEmb} are a pair, every
   * other row of the batch is a negative, in both directions.
   *
   * @param textEmb unit text embeddings [P,E] (text-only pass)
   * @param imageEmb unit image embeddings [P,E] (image-only pass)
   * @param scale exp(logit scale) [1]
   * @return the mean of the text→image and image→text cross-entropies
   */
  static NDArray contrastive(NDArray textEmb, NDArray imageEmb, NDArray scale) {
    long p = textEmb.getShape().get(0);
    NDArray logits = textEmb.matMul(imageEmb.transpose()).mul(scale); // [P,P]
    NDArray eye = textEmb.getManager().eye((int) p);
    NDArray t2i = logits.logSoftmax(1).mul(eye).sum().neg().div(Scalars.of(logits, p));
    NDArray i2t = logits.logSoftmax(0).mul(eye).sum().neg().div(Scalars.of(logits, p));
    return t2i.add(i2t).div(Scalars.of(t2i, 2));
  }

  private static NDArray atLeastOne(NDArray x) {
    return x.maximum(Scalars.of(x, 1));
  }

  Losses losses(NDList out, NDList in, NDList tg, ModelConfig cfg) {
    int t = cfg.maxTextUnits();
    NDArray unitLogits = out.get(0);
    NDArray featPred = out.get(1);
    NDArray matchLogit = out.get(2);
    NDArray textTarget = tg.get(0);
    NDArray textWeight = tg.get(1);
    NDArray objLabel = tg.get(2);
    NDArray objLabelWeight = tg.get(3);
    NDArray objFeatWeight = tg.get(4);
    NDArray match = tg.get(5);
    NDArray matchWeight = tg.get(6);
    Losses l = new Losses();
    NDArray tw = atLeastOne(textWeight.sum());
    NDArray labelLoss;
    NDArray hit;
    if (unitLogits.getShape().dimension() == 2) {
      // the unit head ran only at the target positions (CrossModalBlock.atPositions): [N,V]
      NDArray unitTarget = tg.get(8);
      NDArray unitTextWeight = tg.get(9);
      NDArray unitObjWeight = tg.get(10);
      NDArray picked = unitLogits.logSoftmax(1).gather(unitTarget.expandDims(1), 1).squeeze(1);
      l.text = picked.mul(unitTextWeight).sum().neg().div(tw);
      labelLoss = picked.mul(unitObjWeight).sum().neg().div(atLeastOne(objLabelWeight.sum()));
      hit = unitLogits.argMax(1).eq(unitTarget).toType(DataType.FLOAT32, false)
          .mul(unitTextWeight.gt(0f).toType(DataType.FLOAT32, false));
    } else {
      NDArray logp = unitLogits.logSoftmax(2);
      NDArray textLogp = logp.get(new NDIndex(":, 1:{}, :", 1 + t));
      NDArray objLogp = logp.get(new NDIndex(":, {}:, :", 1 + t));
      NDArray pickedText = textLogp.gather(textTarget.expandDims(2), 2).squeeze(2);
      l.text = pickedText.mul(textWeight).sum().neg().div(tw);
      NDArray pickedObj = objLogp.gather(objLabel.expandDims(2), 2).squeeze(2);
      labelLoss = pickedObj.mul(objLabelWeight).sum().neg().div(atLeastOne(objLabelWeight.sum()));
      hit = textLogp.argMax(2).eq(textTarget).toType(DataType.FLOAT32, false)
          .mul(textWeight.gt(0f).toType(DataType.FLOAT32, false));
    }
    // 1 - cosine between the predicted and the true visual feature of each masked object
    NDArray target = in.get(3);
    NDArray norms = featPred.norm(new int[] {2}).mul(target.norm(new int[] {2}));
    NDArray cos = featPred.mul(target).sum(new int[] {2}).div(norms.maximum(Scalars.of(norms, 1e-6)));
    NDArray featErr = cos.neg().add(1f);
    NDArray featLoss = featErr.mul(objFeatWeight).sum().div(atLeastOne(objFeatWeight.sum()));
    l.objects = labelLoss.add(featLoss);
    NDArray x = matchLogit;
    // binary cross-entropy with logits: max(x,0) - x*y + log(1 + exp(-|x|))
    l.match = x.maximum(Scalars.of(x, 0)).sub(x.mul(match)).add(x.abs().neg().exp().add(1f).log())
        .mul(matchWeight).sum().div(atLeastOne(matchWeight.sum()));
    NDArray total = null;
    if (maskingTask) {
      total = l.text.add(l.objects);
    }
    if (matchingTask) {
      total = total == null ? l.match : total.add(l.match);
    }
    l.total = total;
    l.textAcc = hit.sum().div(atLeastOne(textWeight.gt(0f).toType(DataType.FLOAT32, false).sum()));
    l.matchAcc = x.gt(0f).toType(DataType.FLOAT32, false).eq(match)
        .toType(DataType.FLOAT32, false).mul(matchWeight).sum()
        .div(atLeastOne(matchWeight.sum()));
    return l;
  }
}
