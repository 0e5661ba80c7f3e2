package io.sightline.crossmodal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.optimizer.Optimizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * AdamW whose state (per-parameter first and second moments and update counts) can be saved in a
 * checkpoint and restored, so that a resumed run continues exactly where the interrupted one
 * stopped instead of restarting the moment estimates.
 *
 * <p>The update is DJL's own: the same bias-corrected learning rate and the same fused engine
 * kernel ({@code NDArrayEx.adamUpdate}, decoupled weight decay) as {@code Optimizer.adamW()}, with
 * the same step count rule (the largest per-parameter count so far). Only the bookkeeping is here.
 * Used by one trainer thread at a time.
 */
final class CheckpointableAdamW extends Optimizer {
  private static final int STATE_VERSION = 1;
  private float learningRate;
  private final float beta1 = 0.9f;
  private final float beta2 = 0.999f;
  private final float epsilon = 1e-8f;
  private final Map<String, NDArray> means = new HashMap<>();
  private final Map<String, NDArray> variances = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();
  /** Restored moments not yet bound to a parameter array (bound at its first update). */
  private final Map<String, float[][]> pending = new HashMap<>();
  /** DJL parameter ids are random per model instance; state is keyed by the stable names. */
  private final Map<String, String> names;
  private int steps;

  /** Builder of the DJL base class (weight decay, gradient rescaling and clipping). */
  static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }

  /**
   * @param learningRate fixed learning rate
   * @param weightDecay decoupled weight decay
   * @param block the block being trained: its parameter names (stable across model instances,
   *     unlike DJL's parameter ids) key the saved state
   */
  CheckpointableAdamW(float learningRate, float weightDecay, ai.djl.nn.Block block) {
    super(new Builder().optWeightDecays(weightDecay));
    this.learningRate = learningRate;
    this.names = new HashMap<>();
    for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : block.getParameters()) {
      names.put(p.getValue().getId(), p.getKey());
    }
  }

  private float gradientScale = 1f;

  /** @param scale factor on the gradients of the next updates (global-norm clipping) */
  void setGradientScale(float scale) {
    this.gradientScale = scale;
  }

  /** @param lr the learning rate of the next updates (the schedule's value for this step) */
  void setLearningRate(float lr) {
    this.learningRate = lr;
  }

  @Override
  public void update(String djlId, NDArray weight, NDArray grad) {
    String parameterId = names.getOrDefault(djlId, djlId);
    int count = counts.merge(parameterId, 1, Integer::sum);
    steps = Math.max(steps, count);
    double coef1 = 1 - Math.pow(beta1, steps);
    double coef2 = 1 - Math.pow(beta2, steps);
    float lrBiasCorrected = (float) (learningRate * Math.sqrt(coef2) / coef1);
    float wd = getWeightDecay();
    NDArray mean = means.computeIfAbsent(parameterId, k -> moment(k, 0, weight));
    NDArray variance = variances.computeIfAbsent(parameterId, k -> moment(k, 1, weight));
    weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, mean, variance), new NDList(weight),
        learningRate, lrBiasCorrected, wd, rescaleGrad * gradientScale, clipGrad, beta1, beta2, epsilon, true, true);
  }

  /** A zero moment, or the restored one, on the weight's manager and device. */
  private NDArray moment(String id, int which, NDArray weight) {
    float[][] restored = pending.get(id);
    if (restored == null) {
      return weight.zerosLike();
    }
    if (restored[which].length != weight.size()) {
      throw new IllegalStateException("optimizer state of " + id + " has " + restored[which].length
          + " values but the parameter has " + weight.size());
    }
    NDArray a = weight.getManager().create(restored[which], weight.getShape());
    if (which == 1) {
      pending.remove(id);
    }
    return a;
  }

  /** @return the state as bytes: version, step, then per parameter its count and both moments */
  byte[] stateBytes() {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bos);
      out.writeInt(STATE_VERSION);
      out.writeInt(steps);
      Map<String, float[][]> all = new TreeMap<>(pending);
      for (Map.Entry<String, NDArray> e : means.entrySet()) {
        all.put(e.getKey(), new float[][] {e.getValue().toFloatArray(), variances.get(e.getKey()).toFloatArray()});
      }
      out.writeInt(all.size());
      for (Map.Entry<String, float[][]> e : all.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(counts.getOrDefault(e.getKey(), 0));
        for (float[] m : e.getValue()) {
          out.writeInt(m.length);
          for (float f : m) {
            out.writeFloat(f);
          }
        }
      }
      out.flush();
      return bos.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Restores a state written by {@link #stateBytes}; the moments are bound to their parameters at
   * their next update.
   *
   * @param bytes the state
   * @throws IOException when the bytes are not such a state
   */
  void restore(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    int version = in.readInt();
    if (version != STATE_VERSION) {
      throw new IOException("unknown optimizer state version " + version);
    }
    int s = in.readInt();
    int n = in.readInt();
    if (s < 0 || n < 0 || n > 1_000_000) {
      throw new IOException("bad optimizer state header");
    }
    Map<String, float[][]> read = new HashMap<>();
    Map<String, Integer> readCounts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = in.readUTF();
      readCounts.put(id, in.readInt());
      float[][] m = new float[2][];
      for (int k = 0; k < 2; k++) {
        int len = in.readInt();
        if (len < 0 || len > 1 << 28) {
          throw new IOException("bad moment length " + len);
        }
        m[k] = new float[len];
        for (int j = 0; j < len; j++) {
          m[k][j] = in.readFloat();
        }
      }
      read.put(id, m);
    }
    means.clear();
    variances.clear();
    pending.clear();
    pending.putAll(read);
    counts.clear();
    counts.putAll(readCounts);
    steps = s;
  }

  /** @return the number of parameters with state */
  int parameters() {
    return means.size() + pending.size();
  }

  /** @return the step count (largest per-parameter update count) */
  int steps() {
    return steps;
  }
}
