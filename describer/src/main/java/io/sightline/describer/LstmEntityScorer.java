package io.sightline.describer;

import ai.djl.engine.Engine;
import io.sightline.core.CancellationToken;
import io.sightline.core.ModelException;
import io.sightline.core.ProgressListener;
import io.sightline.core.store.ChecksummedFile;
import io.sightline.describer.LstmSequences.Seq;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
  private final LstmNetwork net;
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
    pytorch();
    this.net = new LstmNetwork(schema, params, mean, std);
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
      (i < nVal ? val : train).addAll(
          LstmSequences.sequences(queries.get(i), byQuery.get(queries.get(i)), params.maxLength()));
    }
    int positives = (int) train.stream().filter(Seq::label).count();
    if (positives == 0 || positives == train.size()) {
      throw new ModelException("cannot train the LSTM scorer: " + positives + " of " + train.size()
          + " training sequences are correct; both kinds are needed");
    }
    FeatureSchema schema = FeatureSchema.PER_MENTION;
    float[][] standardisation = LstmSequences.standardisation(train, schema.size());
    pytorch().setRandomSeed((int) params.seed());
    LstmEntityScorer scorer = new LstmEntityScorer(schema, params, standardisation[0], standardisation[1]);
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
    LstmTraining.Outcome o;
    lock.lock();
    try {
      o = new LstmTraining(net, params, schema).run(train, val, positives, threshold, listener, token);
      threshold = o.threshold();
    } finally {
      lock.unlock();
    }
    summary = new TrainingSummary(train.size(), positives, val.size(), o.posWeight(), threshold, o.epochs(),
        o.bestEpoch(), o.trainLoss(), o.valLoss());
    LOG.info("LSTM entity scorer: {} sequences ({} correct), {} held out; {} epochs, best {} (loss {})",
        train.size(), positives, val.size(), o.epochs(), o.bestEpoch(),
        String.format(Locale.ROOT, "%.4f", o.best()));
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
      net.probabilities(rows, out);
    } finally {
      lock.unlock();
    }
    return out;
  }

  /** Native arrays owned by the model's own manager; constant between calls unless a call leaks. */
  int managedArrays() {
    lock.lock();
    try {
      return net.managedArrays();
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
      weights = net.parameterBytes();
    } finally {
      lock.unlock();
    }
    ChecksummedFile.write(file, new ChecksummedFile.Header(KIND, FORMAT, ""),
        out -> LstmScorerFile.write(out, schema, params, threshold, net.mean(), net.std(), weights));
  }

  /**
   * @param file a file written by {@link #save}
   * @return the scorer (close it)
   * @throws ModelException when the file is missing, corrupt, or not an LSTM entity scorer
   */
  public static LstmEntityScorer load(Path file) {
    return EntityScorers.read(file, KIND, FORMAT, "LSTM entity scorer", (h, in) -> {
      LstmScorerFile.Contents c = LstmScorerFile.read(in);
      LstmEntityScorer s = new LstmEntityScorer(c.schema(), c.params(), c.mean(), c.std());
      s.threshold = c.threshold();
      try {
        s.net.loadParameterBytes(c.weights());
      } catch (RuntimeException e) {
        s.close();
        throw new IOException("weights do not fit the architecture: " + e.getMessage(), e);
      }
      return s;
    });
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        net.close();
      }
    } finally {
      lock.unlock();
    }
  }
}
