package io.sightline.describer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.util.PairList;
import io.sightline.core.StoreException;
import io.sightline.describer.LstmSequences.Seq;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The network of an {@link LstmEntityScorer}: the native DJL model and its {@link SequenceBlock},
 * the training set's standardisation, the forward pass, and the weights as bytes.
 *
 * <p>Not thread-safe: the owning scorer serialises every call on its lock. Closing it frees the
 * native model.
 */
final class LstmNetwork {
  private final FeatureSchema schema;
  private final LstmEntityScorer.Params params;
  private final float[] mean;
  private final float[] std;
  private final Model model;
  private final SequenceBlock block;

  /** Builds and initialises the network; the caller has checked that DJL's PyTorch engine is there. */
  LstmNetwork(FeatureSchema schema, LstmEntityScorer.Params params, float[] mean, float[] std) {
    this.schema = schema;
    this.params = params;
    this.mean = mean.clone();
    this.std = std.clone();
    this.block = new SequenceBlock(params.hiddenSize());
    this.model = Model.newInstance("describer-lstm", Device.cpu(), "PyTorch");
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, schema.size()), new Shape(1, 1));
  }

  /** @return the feature means of the training set (not a copy) */
  float[] mean() {
    return mean;
  }

  /** @return the feature standard deviations of the training set, 1 for constant features (not a copy) */
  float[] std() {
    return std;
  }

  /** @return a trainer of the model (close it) */
  Trainer newTrainer(TrainingConfig tc) {
    return model.newTrainer(tc);
  }

  /** Logits of training sequences, in batches of 512, without gradients. */
  double[] logits(List<Seq> seqs) {
    double[] out = new double[seqs.size()];
    for (int from = 0; from < seqs.size(); from += 512) {
      List<Seq> batch = seqs.subList(from, Math.min(seqs.size(), from + 512));
      try (NDManager m = model.getNDManager().newSubManager()) {
        float[] z = block.forward(new ParameterStore(m, false), inputs(m, LstmSequences.rowsOf(batch)), false)
            .singletonOrThrow().toFloatArray();
        for (int i = 0; i < z.length; i++) {
          out[from + i] = z[i];
        }
      }
    }
    return out;
  }

  /** Writes the probabilities of the sequences (each at most {@code maxLength} rows) to {@code out}. */
  void probabilities(List<List<double[]>> rows, double[] out) {
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
  }

  /** Standardised rows padded to the batch's longest sequence, and the mask of valid steps. */
  NDList inputs(NDManager m, List<List<double[]>> batch) {
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

  /** Native arrays owned by the model's own manager. */
  int managedArrays() {
    return model.getNDManager().getManagedArrays().size();
  }

  byte[] parameterBytes() {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      block.saveParameters(new DataOutputStream(bos));
      return bos.toByteArray();
    } catch (IOException e) {
      throw new StoreException("cannot serialise the LSTM weights: " + e.getMessage(), e);
    }
  }

  void loadParameterBytes(byte[] bytes) {
    try {
      block.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | MalformedModelException e) {
      throw new StoreException("cannot load the LSTM weights: " + e.getMessage(), e);
    }
  }

  /** Frees the native model; call once. */
  void close() {
    model.close();
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
