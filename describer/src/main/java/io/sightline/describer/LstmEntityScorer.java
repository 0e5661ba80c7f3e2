package io.sightline.describer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import io.sightline.core.CancellationToken;
import io.sightline.core.ModelException;
import io.sightline.core.ProgressListener;
import io.sightline.core.StoreException;
import io.sightline.core.store.ChecksummedFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed [0036]: an LSTM reads the sequence of an entity's per-mention feature rows (one per matched
 * reference page that mentions it, best-matching reference first) and predicts the probability
 * that the entity correctly identifies the object in the target image.
 *
 * <p>Architecture: features standardised with the training set's mean and standard deviation;
 * one LSTM layer ({@link Params#hiddenSize()} units, DJL on the PyTorch engine, CPU); masked mean
 * and masked max pooling of its outputs over the valid steps; a linear layer to one logit;
 * sigmoid. Trained with class-weighted binary cross-entropy and AdamW, sequences grouped by
 * (query, entity) from {@link TrainingExample}s of {@link ScoringMode#PER_MENTION}; a held-out
 * share of the queries (not of the sequences, so no query leaks across) drives early stopping,
 * the best epoch's weights are kept, and the default threshold is chosen on those queries.
 * Training is deterministic for a given seed on one thread.
 *
 * <p>Thread-safe: calls are serialised on one model (PyTorch CPU inference of a small LSTM is
 * sub-millisecond; parallel callers queue). Close it to free the native model.
 */
public final class LstmEntityScorer implements SequenceEntityScorer, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LstmEntityScorer.class);
  /** File kind in the checksummed header. */
  public static final String KIND = "describer-lstm-scorer";
  /** Payload layout version. */
  public static final int FORMAT = 1;

  /**
   * Training and architecture parameters.
   *
   * @param hiddenSize LSTM units
   * @param epochs most training epochs
   * @param batchSize sequences per step
   * @param learningRate AdamW learning rate
   * @param maxLength longest sequence read (the best-matching mentions are kept)
   * @param validationShare share of training queries held out for early stopping (0 = none)
   * @param patience epochs without validation gain before stopping
   * @param seed random seed (weights, shuffling, the split)
   * @param positiveWeight loss weight of correct sequences; 0 = balance the classes (negatives /
   *     positives of the training set, at most 20)
   * @param threshold default score threshold of a description; NaN = choose it on the held-out
   *     queries (the value that maximises the mean of top-1 accuracy on queries with a correct
   *     entity and abstention on queries without one), 0.5 without validation
   */
  public record Params(int hiddenSize, int epochs, int batchSize, float learningRate, int maxLength,
      double validationShare, int patience, long seed, double positiveWeight, double threshold) {
    /** Validates. */
    public Params {
      if (hiddenSize < 1 || hiddenSize > 4096 || epochs < 1 || batchSize < 1 || maxLength < 1
          || !(learningRate > 0) || !(validationShare >= 0 && validationShare < 1) || patience < 1
          || !(positiveWeight >= 0) || Double.isInfinite(positiveWeight)
          || !(Double.isNaN(threshold) || threshold >= 0 && threshold <= 1)) {
        throw new IllegalArgumentException("invalid LSTM scorer parameters: " + this);
      }
    }

    /**
     * @return 32 units, at most 80 epochs, batches of 32, rate 0.005, 16 steps, 20 % of the
     *     queries held out, patience 10, balanced classes, threshold chosen on the held-out queries
     */
    public static Params defaults() {
      return new Params(32, 80, 32, 0.005f, 16, 0.2, 10, 7, 0, Double.NaN);
    }
  }

  /**
   * What training did.
   *
   * @param sequences training sequences (entities of training queries)
   * @param positives of which correct
   * @param validationSequences held-out sequences
   * @param positiveWeight loss weight given to correct sequences
   * @param threshold the default score threshold (chosen on the held-out queries, or given)
   * @param epochs epochs run
   * @param bestEpoch the epoch whose weights were kept (1-based)
   * @param trainLoss training loss per epoch
   * @param validationLoss validation loss per epoch (empty without validation)
   */
  public record TrainingSummary(int sequences, int positives, int validationSequences, double positiveWeight,
      double threshold, int epochs, int bestEpoch, List<Double> trainLoss, List<Double> validationLoss) {
    /** Copies. */
    public TrainingSummary {
      trainLoss = List.copyOf(trainLoss);
      validationLoss = List.copyOf(validationLoss);
    }
  }

  private final FeatureSchema schema;
  private final Params params;
  private final float[] mean;
  private final float[] std;
  private final Model model;
  private final SequenceBlock block;
  private final ReentrantLock lock = new ReentrantLock();
  private final String id;
  private double threshold;
  private TrainingSummary summary;
  private boolean closed;

  private LstmEntityScorer(FeatureSchema schema, Params params, float[] mean, float[] std) {
    if (schema.mode() != ScoringMode.PER_MENTION) {
      throw new ModelException("the LSTM scorer reads per-mention rows; got the " + schema.mode() + " schema");
    }
    this.schema = schema;
    this.params = params;
    this.mean = mean.clone();
    this.std = std.clone();
    pytorch();
    this.block = new SequenceBlock(params.hiddenSize());
    this.model = Model.newInstance("describer-lstm", Device.cpu(), "PyTorch");
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, schema.size()), new Shape(1, 1));
    this.id = String.format(Locale.ROOT, "lstm-v%d(h=%d,len=%d)", FORMAT, params.hiddenSize(), params.maxLength());
    this.threshold = Double.isNaN(params.threshold()) ? 0.5 : params.threshold();
  }

  /**
   * Trains a scorer.
   *
   * @param examples labelled per-mention candidates ({@link ScorerTraining}); the rows of one
   *     (query, entity) pair, in their order, form one sequence
   * @param params parameters
   * @param listener progress: task "train", one step per epoch, with the losses in the message
   * @param token cancels between batches
   * @return the trained scorer (close it)
   * @throws ModelException when the examples are not per-mention, or hold no positive or no
   *     negative sequence
   */
  public static LstmEntityScorer train(List<TrainingExample> examples, Params params, ProgressListener listener,
      CancellationToken token) {
    Map<String, List<TrainingExample>> byQuery = new LinkedHashMap<>();
    for (TrainingExample e : examples) {
      if (e.candidate().schema().mode() != ScoringMode.PER_MENTION) {
        throw new ModelException("the LSTM scorer trains on per-mention examples; got " + e.candidate().schema().mode());
      }
      byQuery.computeIfAbsent(e.query() == null ? "" : e.query(), k -> new ArrayList<>()).add(e);
    }
    List<String> queries = new ArrayList<>(byQuery.keySet());
    Collections.shuffle(queries, new Random(params.seed()));
    int nVal = params.validationShare() > 0 && queries.size() >= 10
        ? (int) Math.round(queries.size() * params.validationShare()) : 0;
    List<Seq> train = new ArrayList<>();
    List<Seq> val = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      (i < nVal ? val : train).addAll(sequences(queries.get(i), byQuery.get(queries.get(i)), params.maxLength()));
    }
    int positives = (int) train.stream().filter(s -> s.label).count();
    if (positives == 0 || positives == train.size()) {
      throw new ModelException("cannot train the LSTM scorer: " + positives + " of " + train.size()
          + " training sequences are correct; both kinds are needed");
    }
    FeatureSchema schema = FeatureSchema.PER_MENTION;
    int f = schema.size();
    double[] sum = new double[f];
    double[] sq = new double[f];
    long n = 0;
    for (Seq s : train) {
      for (double[] r : s.rows) {
        for (int j = 0; j < f; j++) {
          sum[j] += r[j];
          sq[j] += r[j] * r[j];
        }
        n++;
      }
    }
    float[] mean = new float[f];
    float[] std = new float[f];
    for (int j = 0; j < f; j++) {
      double m = sum[j] / n;
      double var = Math.max(0, sq[j] / n - m * m);
      mean[j] = (float) m;
      std[j] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
    }
    pytorch().setRandomSeed((int) params.seed());
    LstmEntityScorer scorer = new LstmEntityScorer(schema, params, mean, std);
    try {
      scorer.fit(train, val, positives, listener, token);
      return scorer;
    } catch (RuntimeException e) {
      scorer.close();
      throw e;
    }
  }

  /** @return DJL's PyTorch engine, or a ModelException saying how to get it (it is an optional dependency) */
  private static Engine pytorch() {
    try {
      return Engine.getEngine("PyTorch");
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new ModelException("the LSTM entity scorer needs DJL's PyTorch engine (add ai.djl.pytorch:pytorch-engine,"
          + " pytorch-jni and pytorch-native-cpu, see describer/README.md): " + e.getMessage(), e);
    }
  }

  private void fit(List<Seq> train, List<Seq> val, int positives, ProgressListener listener, CancellationToken token) {
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
    lock.lock();
    try (Trainer trainer = model.newTrainer(tc)) {
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
            NDList in = inputs(m, rowsOf(batch));
            NDArray labels = m.create(labelsOf(batch));
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
          bestParams = parameterBytes();
          bad = 0;
        } else if (++bad >= params.patience() && !val.isEmpty()) {
          break;
        }
      }
      if (bestParams != null) {
        loadParameterBytes(bestParams);
      }
      if (Double.isNaN(params.threshold()) && !val.isEmpty()) {
        threshold = chooseThreshold(val);
      }
    } finally {
      lock.unlock();
    }
    summary = new TrainingSummary(train.size(), positives, val.size(), posWeight, threshold, epoch, bestEpoch,
        trainLoss, valLoss);
    LOG.info("LSTM entity scorer: {} sequences ({} correct), {} held out; {} epochs, best {} (loss {})",
        train.size(), positives, val.size(), epoch, bestEpoch, String.format(Locale.ROOT, "%.4f", best));
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
    double[] logits = logits(seqs);
    for (int i = 0; i < seqs.size(); i++) {
      double z = logits[i];
      double y = seqs.get(i).label ? 1 : 0;
      double w = seqs.get(i).label ? posWeight : 1;
      total += w * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z);
      weights += w;
    }
    return total / weights;
  }

  private double[] logits(List<Seq> seqs) {
    double[] out = new double[seqs.size()];
    for (int from = 0; from < seqs.size(); from += 512) {
      List<Seq> batch = seqs.subList(from, Math.min(seqs.size(), from + 512));
      try (NDManager m = model.getNDManager().newSubManager()) {
        float[] z = block.forward(new ParameterStore(m, false), inputs(m, rowsOf(batch)), false)
            .singletonOrThrow().toFloatArray();
        for (int i = 0; i < z.length; i++) {
          out[from + i] = z[i];
        }
      }
    }
    return out;
  }

  /**
   * The threshold that maximises, over the held-out queries, the mean of two rates as the
   * describer would see them: the best-scoring entity of a query with a correct entity is correct
   * and above the threshold; no entity of a query without one is above it.
   */
  private double chooseThreshold(List<Seq> val) {
    double[] z = logits(val);
    Map<String, double[]> perQuery = new LinkedHashMap<>(); // {best score, best is correct, has correct}
    for (int i = 0; i < val.size(); i++) {
      double p = 1 / (1 + Math.exp(-z[i]));
      Seq s = val.get(i);
      double[] q = perQuery.computeIfAbsent(s.query, k -> new double[] {-1, 0, 0});
      if (p > q[0]) {
        q[0] = p;
        q[1] = s.label ? 1 : 0;
      }
      if (s.label) {
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

  /** @return what training did, or null for a loaded scorer */
  public TrainingSummary trainingSummary() {
    return summary;
  }

  /** @return the parameters */
  public Params params() {
    return params;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public double defaultThreshold() {
    return threshold;
  }

  @Override
  public void checkSchema(FeatureSchema s) {
    if (!schema.equals(s)) {
      throw new ModelException("this LSTM scorer was trained on " + schema.mode() + " features " + schema.names()
          + " and cannot score " + s.mode() + " rows " + s.names());
    }
  }

  @Override
  public double[] score(FeatureSchema s, List<double[]> rows) {
    List<List<double[]>> seqs = new ArrayList<>(rows.size());
    for (double[] r : rows) {
      seqs.add(List.of(r));
    }
    return scoreSequences(s, seqs);
  }

  @Override
  public double[] scoreSequences(FeatureSchema s, List<List<double[]>> sequences) {
    checkSchema(s);
    double[] out = new double[sequences.size()];
    if (sequences.isEmpty()) {
      return out;
    }
    List<List<double[]>> rows = new ArrayList<>(sequences.size());
    for (List<double[]> seq : sequences) {
      if (seq.isEmpty()) {
        throw new IllegalArgumentException("empty sequence: every entity has at least one mention");
      }
      for (double[] r : seq) {
        if (r.length != schema.size()) {
          throw new IllegalArgumentException("expected " + schema.size() + " features, got " + r.length);
        }
      }
      rows.add(seq.size() > params.maxLength() ? seq.subList(0, params.maxLength()) : seq);
    }
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("scorer closed");
      }
      for (int from = 0; from < rows.size(); from += 512) {
        List<List<double[]>> batch = rows.subList(from, Math.min(rows.size(), from + 512));
        try (NDManager m = model.getNDManager().newSubManager()) {
          float[] p = Activation.sigmoid(block.forward(new ParameterStore(m, false), inputs(m, batch), false)
              .singletonOrThrow()).toFloatArray();
          for (int i = 0; i < p.length; i++) {
            out[from + i] = p[i];
          }
        }
      }
    } finally {
      lock.unlock();
    }
    return out;
  }

  /** Native arrays owned by the model's own manager; constant between calls unless a call leaks. */
  int managedArrays() {
    lock.lock();
    try {
      return model.getNDManager().getManagedArrays().size();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Saves atomically as a checksummed file.
   *
   * @param file target
   */
  public void save(Path file) {
    byte[] weights;
    lock.lock();
    try {
      weights = parameterBytes();
    } finally {
      lock.unlock();
    }
    ChecksummedFile.write(file, new ChecksummedFile.Header(KIND, FORMAT, ""), out -> {
      schema.write(out);
      out.writeInt(params.hiddenSize());
      out.writeInt(params.epochs());
      out.writeInt(params.batchSize());
      out.writeFloat(params.learningRate());
      out.writeInt(params.maxLength());
      out.writeDouble(params.validationShare());
      out.writeInt(params.patience());
      out.writeLong(params.seed());
      out.writeDouble(params.positiveWeight());
      out.writeDouble(params.threshold());
      out.writeDouble(threshold);
      for (int j = 0; j < schema.size(); j++) {
        out.writeFloat(mean[j]);
        out.writeFloat(std[j]);
      }
      out.writeInt(weights.length);
      out.write(weights);
    });
  }

  /**
   * @param file a file written by {@link #save}
   * @return the scorer (close it)
   * @throws ModelException when the file is missing, corrupt, or not an LSTM entity scorer
   */
  public static LstmEntityScorer load(Path file) {
    return EntityScorers.read(file, KIND, FORMAT, "LSTM entity scorer", (h, in) -> {
      FeatureSchema schema = FeatureSchema.read(in);
      int n = schema.size();
      Params p = new Params(in.readInt(), in.readInt(), in.readInt(), in.readFloat(), in.readInt(),
          in.readDouble(), in.readInt(), in.readLong(), in.readDouble(), in.readDouble());
      double chosen = in.readDouble();
      if (!(chosen >= 0 && chosen <= 1)) {
        throw new IOException("bad threshold " + chosen);
      }
      float[] mean = new float[n];
      float[] std = new float[n];
      for (int j = 0; j < n; j++) {
        mean[j] = in.readFloat();
        std[j] = in.readFloat();
      }
      byte[] w = FeatureSchema.readBlock(in, 1 << 28);
      LstmEntityScorer s = new LstmEntityScorer(schema, p, mean, std);
      s.threshold = chosen;
      try {
        s.loadParameterBytes(w);
      } catch (RuntimeException e) {
        s.close();
        throw new IOException("weights do not fit the architecture: " + e.getMessage(), e);
      }
      return s;
    });
  }

  private byte[] parameterBytes() {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      block.saveParameters(new DataOutputStream(bos));
      return bos.toByteArray();
    } catch (IOException e) {
      throw new StoreException("cannot serialise the LSTM weights: " + e.getMessage(), e);
    }
  }

  private void loadParameterBytes(byte[] bytes) {
    try {
      block.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | MalformedModelException e) {
      throw new StoreException("cannot load the LSTM weights: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        model.close();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- data

  /** One entity's sequence for training. */
  private record Seq(String query, List<double[]> rows, boolean label) {}

  private static List<Seq> sequences(String query, List<TrainingExample> examples, int maxLength) {
    Map<String, List<double[]>> rows = new LinkedHashMap<>();
    Map<String, Boolean> labels = new HashMap<>();
    for (TrainingExample e : examples) {
      String key = e.candidate().key();
      List<double[]> l = rows.computeIfAbsent(key, k -> new ArrayList<>());
      if (l.size() < maxLength) {
        l.add(e.candidate().features());
      }
      labels.merge(key, e.correct(), Boolean::logicalOr);
    }
    List<Seq> out = new ArrayList<>();
    for (Map.Entry<String, List<double[]>> r : rows.entrySet()) {
      out.add(new Seq(query, r.getValue(), labels.get(r.getKey())));
    }
    return out;
  }

  private static List<List<double[]>> rowsOf(List<Seq> seqs) {
    List<List<double[]>> out = new ArrayList<>(seqs.size());
    for (Seq s : seqs) {
      out.add(s.rows);
    }
    return out;
  }

  private static float[] labelsOf(List<Seq> seqs) {
    float[] y = new float[seqs.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = seqs.get(i).label ? 1f : 0f;
    }
    return y;
  }

  /** Standardised rows padded to the batch's longest sequence, and the mask of valid steps. */
  private NDList inputs(NDManager m, List<List<double[]>> batch) {
    int b = batch.size();
    int t = 1;
    for (List<double[]> s : batch) {
      t = Math.max(t, Math.min(params.maxLength(), s.size()));
    }
    int f = schema.size();
    float[] x = new float[b * t * f];
    float[] mask = new float[b * t];
    for (int i = 0; i < b; i++) {
      List<double[]> s = batch.get(i);
      for (int k = 0; k < Math.min(t, s.size()); k++) {
        double[] r = s.get(k);
        int base = (i * t + k) * f;
        for (int j = 0; j < f; j++) {
          double v = (r[j] - mean[j]) / std[j];
          x[base + j] = Double.isFinite(v) ? (float) Math.max(-20, Math.min(20, v)) : 0f;
        }
        mask[i * t + k] = 1f;
      }
    }
    return new NDList(m.create(x, new Shape(b, t, f)), m.create(mask, new Shape(b, t)));
  }

  /**
   * LSTM over the rows, masked mean and max pooling over the valid steps, one logit. Inputs:
   * rows {@code [B, T, F]}, mask {@code [B, T]}; output: logits {@code [B]}.
   */
  static final class SequenceBlock extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int hidden;
    private final LSTM lstm;
    private final Linear head;

    SequenceBlock(int hidden) {
      super(VERSION);
      this.hidden = hidden;
      lstm = addChildBlock("lstm", LSTM.builder().setStateSize(hidden).setNumLayers(1).optBatchFirst(true)
          .optReturnState(false).build());
      head = addChildBlock("head", Linear.builder().setUnits(1).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
      NDArray x = in.get(0);
      NDArray mask = in.get(1).expandDims(2); // [B,T,1]
      NDArray out = lstm.forward(ps, new NDList(x), training).singletonOrThrow(); // [B,T,H]
      NDArray count = mask.sum(new int[] {1}).maximum(1f); // [B,1]
      NDArray meanPool = out.mul(mask).sum(new int[] {1}).div(count); // [B,H]
      NDArray maxPool = out.add(mask.sub(1f).mul(1e4f)).max(new int[] {1}); // padded steps never win
      NDArray pooled = meanPool.concat(maxPool, 1); // [B,2H]
      NDArray logit = head.forward(ps, new NDList(pooled), training).singletonOrThrow();
      return new NDList(logit.reshape(x.getShape().get(0)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {new Shape(inputShapes[0].get(0))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      lstm.initialize(manager, dataType, inputShapes[0]);
      head.initialize(manager, dataType, new Shape(inputShapes[0].get(0), 2L * hidden));
    }
  }
}
