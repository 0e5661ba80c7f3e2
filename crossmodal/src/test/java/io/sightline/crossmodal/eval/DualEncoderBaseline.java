package io.sightline.crossmodal.eval;

import ai.djl.Device;
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
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import io.sightline.crossmodal.TextTokenizer;
import io.sightline.crossmodal.TextUnit;
import io.sightline.crossmodal.Vocabulary;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The comparison model for the evaluation: a dual encoder (two towers, no cross-attention), trained
 * contrastively (symmetric InfoNCE over the batch) on the same pairs and the same image vectors.
 * Text tower: mean of unit embeddings, then a linear layer; image tower: a two-layer MLP over the
 * whole-image vector; both L2-normalised, score = cosine.
 */
final class DualEncoderBaseline implements AutoCloseable {
  private final Vocabulary vocab;
  private final TextTokenizer tokenizer;
  private final int maxUnits;
  private final int visualDim;
  private final Model model;
  private final Towers block;
  long samplesSeen;
  long steps;
  double seconds;

  DualEncoderBaseline(Vocabulary vocab, TextTokenizer tokenizer, int maxUnits, int visualDim, int width) {
    this.vocab = vocab;
    this.tokenizer = tokenizer;
    this.maxUnits = maxUnits;
    this.visualDim = visualDim;
    this.block = new Towers(vocab.size(), width);
    this.model = Model.newInstance("dual-encoder", Device.cpu(), "PyTorch");
    model.setBlock(block);
  }

  /** Trains for about {@code seconds} on (text, image vector) pairs. */
  void train(List<String> texts, List<float[]> images, double seconds, int batch, float lr, long seed) {
    train(texts, images, seconds, batch, lr, seed, 0);
  }

  /**
   * Trains for about {@code seconds}; {@code wordDropout} leaves each word of a training text out
   * with that chance (at least one stays), as {@code CrossModalTrainer.contrastiveWordDropout} does.
   */
  void train(List<String> texts, List<float[]> images, double seconds, int batch, float lr, long seed,
      double wordDropout) {
    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l2Loss())
        .optOptimizer(Optimizer.adamW().optLearningRateTracker(Tracker.fixed(lr)).build())
        .optDevices(new Device[] {Device.cpu()});
    Random rnd = new Random(seed);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      order.add(i);
    }
    long t0 = System.nanoTime();
    try (Trainer trainer = new Trainer(model, tc)) {
      trainer.initialize(new Shape(batch, maxUnits), new Shape(batch, maxUnits), new Shape(batch, visualDim));
      outer:
      while (true) {
        Collections.shuffle(order, rnd);
        for (int from = 0; from + 2 <= order.size(); from += batch) {
          List<Integer> idx = order.subList(from, Math.min(order.size(), from + batch));
          try (NDManager m = trainer.getManager().newSubManager()) {
            NDList in = inputs(m, idx.stream().map(texts::get).toList(),
                idx.stream().map(images::get).toList(), wordDropout, rnd);
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList out = trainer.forward(in);
              NDArray logits = out.get(0).matMul(out.get(1).transpose()).div(scalar(out.get(0), 0.07));
              NDArray eye = m.eye(idx.size());
              NDArray l1 = logits.logSoftmax(1).mul(eye).sum(new int[] {1}).neg().mean();
              NDArray l2 = logits.logSoftmax(0).mul(eye).sum(new int[] {0}).neg().mean();
              gc.backward(l1.add(l2).div(scalar(l1, 2)));
            }
            trainer.step();
          }
          samplesSeen += idx.size();
          steps++;
          if ((System.nanoTime() - t0) / 1e9 > seconds) {
            break outer;
          }
        }
      }
    }
    this.seconds = (System.nanoTime() - t0) / 1e9;
  }

  private NDList inputs(NDManager m, List<String> texts, List<float[]> images) {
    return inputs(m, texts, images, 0, null);
  }

  private NDList inputs(NDManager m, List<String> texts, List<float[]> images, double wordDropout, Random rnd) {
    int b = texts.size();
    int[] ids = new int[b * maxUnits];
    float[] w = new float[b * maxUnits];
    float[] img = new float[b * visualDim];
    for (int r = 0; r < b; r++) {
      List<TextUnit> units = tokenizer.tokenize(texts.get(r));
      if (wordDropout > 0 && units.size() > 1) {
        List<TextUnit> kept = new ArrayList<>();
        for (TextUnit u : units) {
          if (rnd.nextDouble() >= wordDropout) {
            kept.add(u);
          }
        }
        units = kept.isEmpty() ? List.of(units.get(rnd.nextInt(units.size()))) : kept;
      }
      int n = Math.min(maxUnits, units.size());
      for (int i = 0; i < n; i++) {
        ids[r * maxUnits + i] = vocab.id(units.get(i).token());
        w[r * maxUnits + i] = 1f / Math.max(1, n);
      }
      System.arraycopy(images.get(r), 0, img, r * visualDim, visualDim);
    }
    return new NDList(m.create(IntBuffer.wrap(ids), new Shape(b, maxUnits)),
        m.create(FloatBuffer.wrap(w), new Shape(b, maxUnits)),
        m.create(FloatBuffer.wrap(img), new Shape(b, visualDim)));
  }

  /** @return score[t][i] = cosine(text t, image i); the two lists may differ in length */
  float[][] scores(List<String> texts, List<float[]> images) {
    int n = Math.max(texts.size(), images.size());
    List<String> tl = new ArrayList<>(n);
    List<float[]> il = new ArrayList<>(n);
    for (int r = 0; r < n; r++) { // the towers are independent: pad the shorter list by cycling it
      tl.add(texts.get(r % texts.size()));
      il.add(images.get(r % images.size()));
    }
    try (NDManager m = model.getNDManager().newSubManager()) {
      NDList out = block.forward(new ParameterStore(m, false), inputs(m, tl, il), false);
      NDArray te = out.get(0).get(new ai.djl.ndarray.index.NDIndex("0:{}", texts.size()));
      NDArray ie = out.get(1).get(new ai.djl.ndarray.index.NDIndex("0:{}", images.size()));
      float[] flat = te.matMul(ie.transpose()).toFloatArray();
      float[][] s = new float[texts.size()][images.size()];
      for (int t = 0; t < texts.size(); t++) {
        System.arraycopy(flat, t * images.size(), s[t], 0, images.size());
      }
      return s;
    }
  }

  @Override
  public void close() {
    model.close();
  }

  /** Inputs: ids [B,T], weights [B,T], image [B,Dv]; outputs: text [B,E], image [B,E], normalised. */
  static final class Towers extends AbstractBlock {
    private final IdEmbedding units;
    private final Linear textProj;
    private final Linear img1;
    private final Linear img2;

    Towers(int vocab, int width) {
      units = addChildBlock("units", new IdEmbedding.Builder().setDictionarySize(vocab).setEmbeddingSize(width).build());
      textProj = addChildBlock("textProj", Linear.builder().setUnits(width).build());
      img1 = addChildBlock("img1", Linear.builder().setUnits(2 * width).build());
      img2 = addChildBlock("img2", Linear.builder().setUnits(width).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training,
        PairList<String, Object> params) {
      NDArray e = units.forward(ps, new NDList(in.get(0)), training).singletonOrThrow();
      NDArray t = e.mul(in.get(1).expandDims(2)).sum(new int[] {1});
      t = textProj.forward(ps, new NDList(t), training).singletonOrThrow();
      NDArray v = in.get(2).mul(scalar(in.get(2), Math.sqrt(in.get(2).getShape().get(1))));
      v = Activation.gelu(img1.forward(ps, new NDList(v), training).singletonOrThrow());
      v = img2.forward(ps, new NDList(v), training).singletonOrThrow();
      return new NDList(normalize(t), normalize(v));
    }

    private static NDArray normalize(NDArray x) {
      NDArray norm = x.norm(new int[] {1}, true);
      return x.div(norm.maximum(scalar(norm, 1e-6)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      return new Shape[] {in[0], in[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
      long b = in[0].get(0);
      units.initialize(manager, dataType, in[0]);
      textProj.initialize(manager, dataType, new Shape(b, units.getOutputShapes(new Shape[] {in[0]})[0].get(2)));
      img1.initialize(manager, dataType, in[2]);
      img2.initialize(manager, dataType, new Shape(b, img1.getOutputShapes(new Shape[] {in[2]})[0].get(1)));
    }
  }

  /** A scalar PyTorch allocates (DJL's Number operands are freed before the backward pass needs them). */
  private static NDArray scalar(NDArray like, double v) {
    return like.getManager().full(new Shape(), (float) v);
  }
}
