package io.sightline.describer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.describer.LstmSequences.Seq;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Training of an {@link LstmEntityScorer}'s network: class-weighted loss, shuffled batches, AdamW,
 * early stopping on the held-out sequences with the best epoch's weights kept, and the choice of
 * the default threshold on the held-out queries.
 *
 * <p>Not thread-safe: the owning scorer holds its lock while {@link #run} runs.
 */
final class LstmTraining {
  private final LstmNetwork net;
  private final LstmEntityScorer.Params params;
  private final FeatureSchema schema;

  /**
   * What a run did.
   *
   * @param posWeight loss weight given to correct sequences
   * @param threshold the default threshold: chosen on the held-out queries, or the one given
   * @param epochs epochs run
   * @param bestEpoch the epoch whose weights were kept (1-based)
   * @param best the best monitored loss
   * @param trainLoss training loss per epoch
   * @param valLoss validation loss per epoch
   */
  record Outcome(float posWeight, double threshold, int epochs, int bestEpoch, double best, List<Double> trainLoss,
      List<Double> valLoss) {}

  LstmTraining(LstmNetwork net, LstmEntityScorer.Params params, FeatureSchema schema) {
    this.net = net;
    this.params = params;
    this.schema = schema;
  }

  /**
   * Trains the network in place, leaving it with the best epoch's weights.
   *
   * @param threshold the scorer's current default threshold, kept unless one is chosen
   */
  Outcome run(List<Seq> train, List<Seq> val, int positives, double threshold, ProgressListener listener,
      CancellationToken token) {
    DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
        .optOptimizer(Optimizer.adamW().optLearningRateTracker(Tracker.fixed(params.learningRate()))
            .optWeightDecays(0.01f).build())
        .optDevices(new Device[] {Device.cpu()});
    float posWeight = (float) (params.positiveWeight() > 0 ? params.positiveWeight()
        : Math.min(20, (train.size() - positives) / (double) positives));
    List<Double> trainLoss = new ArrayList<>();
    List<Double> valLoss = new ArrayList<>();
    double best = Double.POSITIVE_INFINITY;
    byte[] bestParams = null;
    int bestEpoch = 0;
    int bad = 0;
    int epoch = 0;
    double chosen = threshold;
    try (Trainer trainer = net.newTrainer(tc)) {
      trainer.initialize(new Shape(params.batchSize(), params.maxLength(), schema.size()),
          new Shape(params.batchSize(), params.maxLength()));
      List<Seq> order = new ArrayList<>(train);
      while (epoch < params.epochs()) {
        Collections.shuffle(order, new Random(params.seed() * 1_000_003L + epoch));
        double total = 0;
        for (int from = 0; from < order.size(); from += params.batchSize()) {
          token.throwIfCancelled();
          List<Seq> batch = order.subList(from, Math.min(order.size(), from + params.batchSize()));
          try (NDManager m = trainer.getManager().newSubManager()) {
            NDList in = net.inputs(m, LstmSequences.rowsOf(batch));
            NDArray labels = m.create(LstmSequences.labelsOf(batch));
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDArray logit = trainer.forward(in).singletonOrThrow();
              NDArray l = weightedLoss(logit, labels, posWeight);
              gc.backward(l);
              total += l.getFloat() * batch.size();
            }
            trainer.step();
          }
        }
        epoch++;
        trainLoss.add(total / order.size());
        double monitored = trainLoss.get(trainLoss.size() - 1);
        if (!val.isEmpty()) {
          monitored = meanLoss(val, posWeight);
          valLoss.add(monitored);
        }
        listener.onProgress("train", epoch, params.epochs(), String.format(Locale.ROOT,
            "epoch %d: train loss %.4f%s", epoch, trainLoss.get(epoch - 1),
            val.isEmpty() ? "" : String.format(Locale.ROOT, ", validation loss %.4f", monitored)));
        if (monitored < best - 1e-5) {
          best = monitored;
          bestEpoch = epoch;
          bestParams = net.parameterBytes();
          bad = 0;
        } else if (++bad >= params.patience() && !val.isEmpty()) {
          break;
        }
      }
      if (bestParams != null) {
        net.loadParameterBytes(bestParams);
      }
      if (Double.isNaN(params.threshold()) && !val.isEmpty()) {
        chosen = chooseThreshold(val);
      }
    }
    return new Outcome(posWeight, chosen, epoch, bestEpoch, best, trainLoss, valLoss);
  }

  /**
   * Binary cross-entropy on logits, positives weighted: {@code w (softplus(z) - y z)} averaged
   * with the weights, in the numerically stable form {@code max(z,0) + ln(1 + e^-|z|) - y z}.
   */
  private static NDArray weightedLoss(NDArray logit, NDArray labels, float posWeight) {
    NDArray w = labels.mul(posWeight - 1f).add(1f);
    // zerosLike, not maximum(0f): DJL frees a Number operand's buffer to the garbage collector
    // while autograd still needs it for the backward pass (wrong gradients after a collection)
    NDArray softplus = logit.maximum(logit.zerosLike()).add(logit.abs().neg().exp().add(1f).log());
    NDArray bce = softplus.sub(logit.mul(labels));
    return bce.mul(w).sum().div(w.sum());
  }

  private double meanLoss(List<Seq> seqs, float posWeight) {
    double total = 0;
    double weights = 0;
    double[] logits = net.logits(seqs);
    for (int i = 0; i < seqs.size(); i++) {
      double z = logits[i];
      double y = seqs.get(i).label() ? 1 : 0;
      double w = seqs.get(i).label() ? posWeight : 1;
      total += w * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z);
      weights += w;
    }
    return total / weights;
  }

  /**
   * The threshold that maximises, over the held-out queries, the mean of two rates as the
   * describer would see them: the best-scoring entity of a query with a correct entity is correct
   * and above the threshold; no entity of a query without one is above it.
   */
  private double chooseThreshold(List<Seq> val) {
    double[] z = net.logits(val);
    Map<String, double[]> perQuery = new LinkedHashMap<>(); // {best score, best is correct, has correct}
    for (int i = 0; i < val.size(); i++) {
      double p = 1 / (1 + Math.exp(-z[i]));
      Seq s = val.get(i);
      double[] q = perQuery.computeIfAbsent(s.query(), k -> new double[] {-1, 0, 0});
      if (p > q[0]) {
        q[0] = p;
        q[1] = s.label() ? 1 : 0;
      }
      if (s.label()) {
        q[2] = 1;
      }
    }
    double bestT = 0.5;
    double bestValue = -1;
    for (int k = 1; k <= 19; k++) {
      double t = k * 0.05;
      int known = 0;
      int right = 0;
      int unknown = 0;
      int abstained = 0;
      for (double[] q : perQuery.values()) {
        if (q[2] == 1) {
          known++;
          right += q[0] > t && q[1] == 1 ? 1 : 0;
        } else {
          unknown++;
          abstained += q[0] > t ? 0 : 1;
        }
      }
      double value = known == 0 || unknown == 0
          ? (known == 0 ? abstained / (double) unknown : right / (double) known)
          : (right / (double) known + abstained / (double) unknown) / 2;
      if (value > bestValue + 1e-9) {
        bestValue = value;
        bestT = t;
      }
    }
    return bestT;
  }
}
