package io.sightline.crossmodal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.sightline.core.CancellationToken;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InputFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.image.ImageLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the single-stream image–text semantic model of EP 3 889 830 A1.
 *
 * <ol>
 *   <li>Sample set: image–text pairs (API or {@link PairsFile}).</li>
 *   <li>Training samples (claim 4): every pair as a positive sample, plus negatives made of a fixed
 *       text with a random image and/or a fixed image with a random text
 *       ({@link NegativeSampling}), {@code negativesPerPositive} of them per positive.</li>
 *   <li>Input feature (claims 2, 6, 8): [CLS] + text features + image features; objects from given
 *       boxes, a detector or a grid; seed-library fusions (claims 7, 9) when the pairs carry
 *       labelled boxes or a library is given.</li>
 *   <li>Task 1, masking (claims 2, 3): whole words / spans of text units and/or an overlapping
 *       object group or an isolated object are masked and predicted (units over the vocabulary,
 *       objects by label and by visual feature). Task 2, matching (claim 5): the CLS output
 *       predicts whether text and image match. Both losses are summed (seed [0159]).</li>
 * </ol>
 *
 * <p>Training runs on the DJL PyTorch engine on CPU, or on the first GPU when PyTorch reports one.
 * Progress goes to the listener: task {@code "features"} per image, {@code "batch"} per batch
 * (with its loss) and {@code "train"} per epoch (losses, accuracies, samples/s); a
 * {@link CancellationToken} stops it at the next batch leaving the last checkpoint intact. With a
 * checkpoint folder a checkpoint is written every {@code checkpointEvery} batches and after each
 * epoch, and {@link Builder#resume(boolean)} continues from it (same data order, since every epoch's
 * order derives from the seed). A fixed seed gives repeatable runs on CPU; training sets the
 * PyTorch engine's (process-wide) random seed from it.
 *
 * <p>A built trainer is used once; {@link #train()} is not reentrant.
 */
public final class CrossModalTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(CrossModalTrainer.class);
  /** Checkpoint file name inside the checkpoint folder. */
  public static final String CHECKPOINT_FILE = "checkpoint.model";

  private final Builder b;

  private CrossModalTrainer(Builder b) {
    this.b = b;
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs training.
   *
   * @return the model and the figures
   * @throws InputFormatException on bad pairs
   * @throws io.sightline.core.CancelledException when cancelled
   * @throws IncompatibleFormatException when resuming from a checkpoint of another vocabulary,
   *     width or embedder
   */
  public TrainingResult train() {
    List<ImageTextPair> pairs = b.pairs;
    ImageEmbedder embedder = b.embedder;
    FeatureExtractor fx;
    ModelConfig cfg;
    if (b.initialModel != null) {
      cfg = b.initialModel.config;
      fx = b.initialModel.extractor;
    } else {
      cfg = new ModelConfig(b.width, b.layers, b.heads, b.ffnSize > 0 ? b.ffnSize : 4 * b.width,
          b.maxTextUnits, b.maxObjects, b.grid, embedder.dimension(), 3, b.dropout);
      fx = new FeatureExtractor(embedder, b.detector, b.loader, b.grid, b.maxObjects, b.minDetectionScore);
    }

    // image features, once per image
    Map<Path, ImageFeatures> feats = new LinkedHashMap<>();
    Map<Path, List<LabeledBox>> boxes = new LinkedHashMap<>();
    for (ImageTextPair p : pairs) {
      boxes.merge(p.image(), p.objects(), (a, c) -> a.isEmpty() ? c : a);
    }
    Map<Path, ImageFeatures> gridFeats = new LinkedHashMap<>();
    int done = 0;
    for (Map.Entry<Path, List<LabeledBox>> e : boxes.entrySet()) {
      b.cancel.throwIfCancelled();
      if (e.getValue().isEmpty() && b.featureCache != null && b.featureCache.containsKey(e.getKey())) {
        feats.put(e.getKey(), b.featureCache.get(e.getKey()));
        b.listener.onProgress("features", ++done, boxes.size(), e.getKey().getFileName().toString());
        continue;
      }
      java.awt.image.BufferedImage img = b.loader.load(e.getKey());
      feats.put(e.getKey(), fx.extract(img, e.getValue()));
      if (e.getValue().isEmpty() && b.featureCache != null) {
        b.featureCache.put(e.getKey(), feats.get(e.getKey()));
      }
      if (b.layoutAugmentation && !e.getValue().isEmpty()) {
        gridFeats.put(e.getKey(), fx.extract(img, List.of()));
      }
      b.listener.onProgress("features", ++done, boxes.size(), e.getKey().getFileName().toString());
    }

    // vocabulary and seed library
    Vocabulary vocab;
    SeedLibrary seeds;
    if (b.initialModel != null) {
      vocab = b.initialModel.vocab;
      seeds = b.initialModel.seeds;
    } else {
      List<String> corpus = new ArrayList<>();
      for (ImageTextPair p : pairs) {
        corpus.add(p.text());
        for (LabeledBox lb : p.objects()) {
          if (lb.label() != null) {
            corpus.add(lb.label());
          }
        }
      }
      if (b.seedLibrary != null) {
        corpus.addAll(b.seedLibrary.standardTexts());
      }
      vocab = Vocabulary.build(corpus, b.tokenizer, b.minUnitCount, b.maxVocabulary);
      seeds = buildSeeds(feats, b.seedLibrary, embedder.dimension());
    }
    boolean useSeeds = b.initialModel != null ? b.initialModel.useSeeds : b.useSeedLibrary;

    // split for early stopping
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(b.seed));
    int nVal = b.validationFraction > 0 && pairs.size() >= 10
        ? Math.max(1, (int) Math.round(pairs.size() * b.validationFraction)) : 0;
    List<ImageTextPair> val = new ArrayList<>();
    List<ImageTextPair> train = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      (i < nVal ? val : train).add(pairs.get(order.get(i)));
    }

    PyTorchThreads.applyDefault();
    Engine.getEngine("PyTorch").setRandomSeed((int) b.seed);
    Device device = b.device != null ? b.device : CrossModalModel.defaultDevice();
    List<String> captions = new ArrayList<>(new LinkedHashSet<>(pairs.stream().map(ImageTextPair::text).toList()));
    CrossModalModel model = new CrossModalModel(cfg, vocab, b.tokenizer, seeds, useSeeds, fx, captions, device);
    if (b.initialModel != null) {
      model.loadParameterBytes(b.initialModel.parameterBytes());
    }

    // resume
    Path ckpt = b.checkpointDir == null ? null : b.checkpointDir.resolve(CHECKPOINT_FILE);
    TrainingState state = null;
    if (b.resume && ckpt != null && Files.isRegularFile(ckpt)) {
      ModelFile.Meta meta = ModelFile.readMeta(ckpt);
      checkCompatible(ckpt, meta, model);
      model.loadParameterBytes(meta.parameters());
      state = meta.state();
      LOG.info("resuming from {} after {} epochs and {} batches", ckpt,
          state == null ? 0 : state.epochsDone(), state == null ? 0 : state.batchesDone());
    }
    int startEpoch = state == null ? 0 : state.epochsDone();
    int skipBatches = state == null ? 0 : state.batchesDone();
    List<EpochStats> history = new ArrayList<>(state == null ? List.of() : state.history());
    double best = state == null ? Double.POSITIVE_INFINITY : state.bestValidation();
    int bad = state == null ? 0 : state.epochsWithoutGain();
    byte[] bestParams = state == null ? null : state.bestParameters();
    boolean stoppedEarly = false;

    InputEncoder enc = model.encoder;
    // AdamW (DJL's update kernel) whose moments go into every checkpoint, so a resumed run
    // continues with the interrupted run's optimizer state instead of fresh moments
    CheckpointableAdamW optimizer = new CheckpointableAdamW(b.learningRate, 0.01f, model.block);
    if (state != null && state.optimizerState() != null) {
      try {
        optimizer.restore(state.optimizerState());
      } catch (java.io.IOException e) {
        throw new io.sightline.core.StoreException(ckpt + ": unreadable optimizer state: " + e.getMessage(), e);
      }
    } else if (state != null) {
      LOG.warn("{} holds no optimizer state (older format): the AdamW moments restart", ckpt);
    }
    DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
        .optOptimizer(optimizer)
        .optDevices(new Device[] {device});
    try (Trainer trainer = new Trainer(model.model, tc)) {
      trainer.initialize(model.block.inputShapes(b.batchSize));
      long trainStart = System.nanoTime();
      for (int epoch = startEpoch; epoch < b.epochs; epoch++) {
        long t0 = System.nanoTime();
        Random rnd = new Random(b.seed * 1_000_003L + epoch);
        List<InputEncoder.Row> rows = samples(train, feats, gridFeats, enc, rnd, true);
        Collections.shuffle(rows, rnd);
        int batches = (rows.size() + b.batchSize - 1) / b.batchSize;
        double[] sums = new double[7];
        int counted = 0;
        if (epoch == startEpoch && skipBatches > 0 && state != null && state.partialSums() != null
            && state.partialSums().length == sums.length) {
          // the interrupted epoch's figures so far, so its loss (and the best-epoch choice) match
          System.arraycopy(state.partialSums(), 0, sums, 0, sums.length);
          counted = skipBatches;
        }
        for (int bi = 0; bi < batches; bi++) {
          if (epoch == startEpoch && bi < skipBatches) {
            continue;
          }
          b.cancel.throwIfCancelled();
          // the engine's random stream (dropout) restarts from (seed, epoch, batch) at every batch,
          // so a run resumed mid-epoch draws the same masks as the uninterrupted one
          Engine.getEngine("PyTorch").setRandomSeed(batchSeed(b.seed, epoch, bi));
          List<InputEncoder.Row> batch = rows.subList(bi * b.batchSize,
              Math.min(rows.size(), (bi + 1) * b.batchSize));
          double[] f;
          try (NDManager m = trainer.getManager().newSubManager()) {
            NDList in = enc.inputs(m, batch);
            NDList tg = enc.targets(m, batch);
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList out = trainer.forward(in);
              Losses l = losses(out, in, tg, cfg);
              gc.backward(l.total);
              f = l.figures();
            }
            trainer.step();
          }
          for (int i = 0; i < sums.length; i++) {
            sums[i] += f[i];
          }
          counted++;
          if (ckpt != null && b.checkpointEvery > 0 && (bi + 1) % b.checkpointEvery == 0
              && bi + 1 < batches) {
            ModelFile.write(ckpt, model, new TrainingState(epoch, bi + 1, b.seed, best, bad,
                List.copyOf(history), bestParams, optimizer.stateBytes(), sums.clone()));
          }
          b.listener.onProgress("batch", bi + 1, batches,
              String.format(Locale.ROOT, "epoch %d loss=%.4f", epoch + 1, f[0]));
        }
        skipBatches = 0;
        double valLoss = val.isEmpty() ? Double.NaN : validate(model, val, feats, gridFeats, enc, cfg);
        double sec = (System.nanoTime() - t0) / 1e9;
        int c = Math.max(1, counted);
        EpochStats es = new EpochStats(epoch + 1, sums[0] / c,
            b.maskingTask ? sums[1] / c : Double.NaN, b.maskingTask ? sums[2] / c : Double.NaN,
            b.matchingTask ? sums[3] / c : Double.NaN, sums[4] / c, sums[5] / c, valLoss,
            (long) counted * b.batchSize, sec);
        history.add(es);
        b.listener.onProgress("train", epoch + 1, b.epochs, String.format(Locale.ROOT,
            "loss=%.4f text=%.4f objects=%.4f match=%.4f textAcc=%.3f matchAcc=%.3f val=%.4f %.1f samples/s",
            es.loss(), es.maskedTextLoss(), es.maskedObjectLoss(), es.matchingLoss(),
            es.maskedTextAccuracy(), es.matchingAccuracy(), es.validationLoss(), es.samplesPerSecond()));
        double monitored = Double.isNaN(valLoss) ? es.loss() : valLoss;
        if (monitored < best - b.minDelta) {
          best = monitored;
          bad = 0;
          bestParams = model.parameterBytes();
        } else {
          bad++;
        }
        boolean stop = b.patience > 0 && bad >= b.patience;
        boolean outOfTime = b.maxDuration != null
            && System.nanoTime() - trainStart > b.maxDuration.toNanos();
        if (ckpt != null) {
          ModelFile.write(ckpt, model, new TrainingState(epoch + 1, 0, b.seed, best, bad, history,
              bestParams, optimizer.stateBytes(), null));
        }
        if (stop) {
          stoppedEarly = true;
          LOG.info("early stopping after epoch {}: no gain for {} epochs", epoch + 1, bad);
          break;
        }
        if (outOfTime) {
          LOG.info("time budget {} spent after epoch {}", b.maxDuration, epoch + 1);
          break;
        }
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    if (bestParams != null && b.restoreBest) {
      model.loadParameterBytes(bestParams);
    }
    return new TrainingResult(model, history, stoppedEarly, startEpoch, train.size(), val.size());
  }

  /** A 31-bit seed for one batch, mixed from the training seed, the epoch and the batch. */
  static int batchSeed(long seed, int epoch, int batch) {
    long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + batch * 0x165667B19E3779F9L;
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 29;
    return (int) (h & 0x7FFFFFFF);
  }

  private static void checkCompatible(Path ckpt, ModelFile.Meta meta, CrossModalModel model) {
    if (!meta.embedderId().equals(model.embedderId())) {
      throw new IncompatibleFormatException(ckpt + ": checkpoint was made with embedder '"
          + meta.embedderId() + "', training uses '" + model.embedderId() + "'");
    }
    if (!meta.config().equals(model.config)) {
      throw new IncompatibleFormatException(ckpt + ": checkpoint architecture " + meta.config()
          + " differs from this training's " + model.config);
    }
    if (!meta.vocab().tokens().equals(model.vocab.tokens())) {
      throw new IncompatibleFormatException(ckpt + ": checkpoint vocabulary ("
          + meta.vocab().size() + " units) differs from this corpus's vocabulary ("
          + model.vocab.size() + " units); use a new checkpoint folder");
    }
  }

  private static SeedLibrary buildSeeds(Map<Path, ImageFeatures> feats, SeedLibrary given, int dim) {
    SeedLibrary.Builder sb = SeedLibrary.builder(dim);
    if (given != null) {
      if (given.dimension() != dim) {
        throw new IllegalArgumentException("seed library dimension " + given.dimension()
            + " differs from the embedder's " + dim);
      }
      for (String t : given.standardTexts()) {
        for (float[] v : given.standardImages(t)) {
          sb.add(t, v);
        }
      }
    }
    for (ImageFeatures f : feats.values()) {
      for (int i = 0; i < f.size(); i++) {
        ImageObject o = f.objects().get(i);
        if (o.source() == RegionSource.GIVEN && o.label() != null) {
          sb.add(o.label(), f.visual()[i]);
        }
      }
    }
    return sb.build();
  }

  /** The image's features: its given boxes, or (grid augmentation, half the time) the grid layout. */
  private ImageFeatures pick(ImageTextPair p, Map<Path, ImageFeatures> feats,
      Map<Path, ImageFeatures> gridFeats, Random rnd) {
    ImageFeatures g = gridFeats.get(p.image());
    return g != null && rnd.nextBoolean() ? g : feats.get(p.image());
  }

  private List<InputEncoder.Row> samples(List<ImageTextPair> pairs, Map<Path, ImageFeatures> feats,
      Map<Path, ImageFeatures> gridFeats, InputEncoder enc, Random rnd, boolean mask) {
    List<InputEncoder.Row> rows = new ArrayList<>();
    int n = pairs.size();
    int negCounter = 0;
    for (int i = 0; i < n; i++) {
      ImageTextPair p = pairs.get(i);
      InputEncoder.Text t = enc.text(p.text());
      if (t.length() == 0) {
        continue;
      }
      ImageFeatures img = pick(p, feats, gridFeats, rnd);
      if (mask && b.maskingTask) {
        int[] targets = new int[t.length()];
        int[] ids = t.ids().clone();
        java.util.Arrays.fill(targets, -1);
        boolean[] objMasked = new boolean[enc.objects(img)];
        MaskingMode mode = b.maskingMode == MaskingMode.MIXED
            ? MaskingMode.values()[rnd.nextInt(3)] : b.maskingMode;
        if (mode == MaskingMode.TEXT || mode == MaskingMode.BOTH) {
          ids = enc.maskText(t, b.textMaskProbability, b.spanProbability, rnd, targets);
        }
        if (mode == MaskingMode.OBJECTS || mode == MaskingMode.BOTH) {
          objMasked = enc.maskObjects(img, b.objectMasking, rnd);
        }
        rows.add(new InputEncoder.Row(ids, targets, img, objMasked, true, 1f, 0f));
      }
      if (b.matchingTask) {
        ImageFeatures pi = pick(p, feats, gridFeats, rnd);
        rows.add(enc.plain(t, pi));
      }
      if (!b.matchingTask || n < 2) {
        continue;
      }
      double want = b.negativesPerPositive;
      int k = (int) Math.floor(want) + (rnd.nextDouble() < want - Math.floor(want) ? 1 : 0);
      for (int j = 0; j < k; j++) {
        NegativeSampling ns = b.negatives == NegativeSampling.BOTH
            ? (negCounter++ % 2 == 0 ? NegativeSampling.RANDOM_IMAGE : NegativeSampling.RANDOM_TEXT)
            : b.negatives;
        ImageTextPair other = pairs.get(otherIndex(pairs, i, rnd));
        if (ns == NegativeSampling.RANDOM_IMAGE) {
          ImageFeatures oi = pick(other, feats, gridFeats, rnd);
          int[] nt = new int[t.length()];
          java.util.Arrays.fill(nt, -1);
          rows.add(new InputEncoder.Row(t.ids().clone(), nt, oi, new boolean[enc.objects(oi)], false, 0f, 1f));
        } else {
          InputEncoder.Text ot = enc.text(other.text());
          if (ot.length() == 0) {
            continue;
          }
          int[] nt = new int[ot.length()];
          java.util.Arrays.fill(nt, -1);
          ImageFeatures fi = pick(p, feats, gridFeats, rnd);
          rows.add(new InputEncoder.Row(ot.ids().clone(), nt, fi, new boolean[enc.objects(fi)], false, 0f, 1f));
        }
      }
    }
    return rows;
  }

  /** A random pair index whose image and text both differ from pair i (falls back to any other). */
  private static int otherIndex(List<ImageTextPair> pairs, int i, Random rnd) {
    ImageTextPair p = pairs.get(i);
    for (int tries = 0; tries < 20; tries++) {
      int j = rnd.nextInt(pairs.size());
      ImageTextPair q = pairs.get(j);
      if (j != i && !q.image().equals(p.image()) && !q.text().equals(p.text())) {
        return j;
      }
    }
    int j = rnd.nextInt(pairs.size() - 1);
    return j >= i ? j + 1 : j;
  }

  private double validate(CrossModalModel model, List<ImageTextPair> val, Map<Path, ImageFeatures> feats,
      Map<Path, ImageFeatures> gridFeats, InputEncoder enc, ModelConfig cfg) {
    Random rnd = new Random(b.seed ^ 0x5DEECE66DL);
    List<InputEncoder.Row> rows = samples(val, feats, gridFeats, enc, rnd, true);
    double sum = 0;
    int n = 0;
    for (int from = 0; from < rows.size(); from += b.batchSize) {
      List<InputEncoder.Row> batch = rows.subList(from, Math.min(rows.size(), from + b.batchSize));
      sum += model.runLocked(m -> {
        NDList in = enc.inputs(m, batch);
        NDList tg = enc.targets(m, batch);
        NDList out = model.block.forward(new ai.djl.training.ParameterStore(m, false), in, false);
        return losses(out, in, tg, cfg).figures()[0];
      });
      n++;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private final class Losses {
    NDArray total;
    NDArray text;
    NDArray objects;
    NDArray match;
    NDArray textAcc;
    NDArray matchAcc;

    double[] figures() {
      return new double[] {total.getFloat(), text.getFloat(), objects.getFloat(), match.getFloat(),
          textAcc.getFloat(), matchAcc.getFloat(), 0};
    }
  }

  private Losses losses(NDList out, NDList in, NDList tg, ModelConfig cfg) {
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
    NDArray logp = unitLogits.logSoftmax(2);
    NDArray textLogp = logp.get(new NDIndex(":, 1:{}, :", 1 + t));
    NDArray objLogp = logp.get(new NDIndex(":, {}:, :", 1 + t));
    NDArray pickedText = textLogp.gather(textTarget.expandDims(2), 2).squeeze(2);
    NDArray tw = textWeight.sum().maximum(1f);
    l.text = pickedText.mul(textWeight).sum().neg().div(tw);
    NDArray pickedObj = objLogp.gather(objLabel.expandDims(2), 2).squeeze(2);
    NDArray labelLoss = pickedObj.mul(objLabelWeight).sum().neg().div(objLabelWeight.sum().maximum(1f));
    // 1 - cosine between the predicted and the true visual feature of each masked object
    NDArray target = in.get(3);
    NDArray cos = featPred.mul(target).sum(new int[] {2}).div(
        featPred.norm(new int[] {2}).mul(target.norm(new int[] {2})).maximum(1e-6f));
    NDArray featErr = cos.neg().add(1f);
    NDArray featLoss = featErr.mul(objFeatWeight).sum().div(objFeatWeight.sum().maximum(1f));
    l.objects = labelLoss.add(featLoss);
    NDArray x = matchLogit;
    // binary cross-entropy with logits: max(x,0) - x*y + log(1 + exp(-|x|))
    l.match = x.maximum(0f).sub(x.mul(match)).add(x.abs().neg().exp().add(1f).log())
        .mul(matchWeight).sum().div(matchWeight.sum().maximum(1f));
    NDArray total = null;
    if (b.maskingTask) {
      total = l.text.add(l.objects);
    }
    if (b.matchingTask) {
      total = total == null ? l.match : total.add(l.match);
    }
    l.total = total;
    NDArray predicted = textLogp.argMax(2);
    NDArray hit = predicted.eq(textTarget).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
        .mul(textWeight.gt(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false));
    l.textAcc = hit.sum().div(textWeight.gt(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
        .sum().maximum(1f));
    l.matchAcc = x.gt(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).eq(match)
        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mul(matchWeight).sum()
        .div(matchWeight.sum().maximum(1f));
    return l;
  }

  /** Configures a training run. Required: pairs. Not thread-safe. */
  public static final class Builder {
    private List<ImageTextPair> pairs;
    private Path pairsFile;
    private ImageEmbedder embedder;
    private ObjectDetector detector;
    private TextTokenizer tokenizer;
    private ImageLoader loader = ImageLoader.defaults();
    private SeedLibrary seedLibrary;
    private boolean useSeedLibrary = true;
    private boolean layoutAugmentation = true;
    private CrossModalModel initialModel;
    private int width = 64;
    private int layers = 2;
    private int heads = 4;
    private int ffnSize = 0;
    private int maxTextUnits = 16;
    private int maxObjects = 6;
    private int grid = 2;
    private float dropout = 0.0f;
    private float minDetectionScore = 0.3f;
    private int minUnitCount = 1;
    private int maxVocabulary = 30_000;
    private int epochs = 10;
    private int batchSize = 32;
    private float learningRate = 1e-3f;
    private long seed = 42;
    private double negativesPerPositive = 1.0;
    private NegativeSampling negatives = NegativeSampling.BOTH;
    private MaskingMode maskingMode = MaskingMode.MIXED;
    private ObjectMasking objectMasking = ObjectMasking.AUTO;
    private double textMaskProbability = 0.3;
    private double spanProbability = 0.5;
    private boolean maskingTask = true;
    private boolean matchingTask = true;
    private double validationFraction = 0.0;
    private int patience = 0;
    private double minDelta = 1e-4;
    private boolean restoreBest = true;
    private Path checkpointDir;
    private int checkpointEvery = 0;
    private boolean resume = false;
    private Device device;
    private java.time.Duration maxDuration;
    private Map<Path, ImageFeatures> featureCache;
    private ProgressListener listener = ProgressListener.NONE;
    private CancellationToken cancel = CancellationToken.NONE;

    private Builder() {}

    /** @param pairs the sample set @return this builder */
    public Builder pairs(List<ImageTextPair> pairs) {
      this.pairs = List.copyOf(Objects.requireNonNull(pairs, "pairs"));
      return this;
    }

    /** @param file a pairs.jsonl file (read and checked in build()) @return this builder */
    public Builder pairsFile(Path file) {
      this.pairsFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** @param embedder visual features of regions (default: GlobalDescriptorEmbedder) @return this builder */
    public Builder embedder(ImageEmbedder embedder) {
      this.embedder = embedder;
      return this;
    }

    /** @param detector object regions when pairs carry no boxes (default: none, grid) @return this builder */
    public Builder detector(ObjectDetector detector) {
      this.detector = detector;
      return this;
    }

    /** @param tokenizer text units (default: {@link WordTokenizer}) @return this builder */
    public Builder tokenizer(TextTokenizer tokenizer) {
      this.tokenizer = tokenizer;
      return this;
    }

    /** @param loader image decoding limits @return this builder */
    public Builder imageLoader(ImageLoader loader) {
      this.loader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /** @param library extra seed-library entries, merged with the labelled boxes of the pairs @return this builder */
    public Builder seedLibrary(SeedLibrary library) {
      this.seedLibrary = library;
      return this;
    }

    /** @param on whether to fuse seed-library content into the features (default true) @return this builder */
    public Builder useSeedLibrary(boolean on) {
      this.useSeedLibrary = on;
      return this;
    }

    /**
     * @param on for images with given boxes, also use the layout seen at query time (detector or
     *     grid) in half of the samples, so the model does not depend on hand-made boxes (default true)
     * @return this builder
     */
    public Builder layoutAugmentation(boolean on) {
      this.layoutAugmentation = on;
      return this;
    }

    /**
     * Fine-tunes an existing model instead of a new one: its architecture, vocabulary, seed
     * library and parameters are the starting point (unknown units of the new texts map to [UNK]).
     *
     * @param model the model to continue from
     * @return this builder
     */
    public Builder fineTune(CrossModalModel model) {
      this.initialModel = model;
      return this;
    }

    /** @param width model width (default 64) @return this builder */
    public Builder width(int width) {
      this.width = width;
      return this;
    }

    /** @param layers encoder layers (default 2) @return this builder */
    public Builder layers(int layers) {
      this.layers = layers;
      return this;
    }

    /** @param heads attention heads (default 4) @return this builder */
    public Builder heads(int heads) {
      this.heads = heads;
      return this;
    }

    /** @param size feed-forward hidden size (default 4 x width) @return this builder */
    public Builder ffnSize(int size) {
      this.ffnSize = size;
      return this;
    }

    /** @param n most text units per text (default 16) @return this builder */
    public Builder maxTextUnits(int n) {
      this.maxTextUnits = n;
      return this;
    }

    /** @param n most objects per image, whole image included (default 6) @return this builder */
    public Builder maxObjects(int n) {
      this.maxObjects = n;
      return this;
    }

    /** @param cells fallback grid cells per side (default 2) @return this builder */
    public Builder grid(int cells) {
      this.grid = cells;
      return this;
    }

    /** @param p dropout (default 0; raise it for large data sets) @return this builder */
    public Builder dropout(float p) {
      this.dropout = p;
      return this;
    }

    /** @param score least detection score kept (default 0.3) @return this builder */
    public Builder minDetectionScore(float score) {
      this.minDetectionScore = score;
      return this;
    }

    /** @param count units seen fewer times become [UNK] (default 1) @return this builder */
    public Builder minUnitCount(int count) {
      this.minUnitCount = count;
      return this;
    }

    /** @param epochs most epochs (default 10) @return this builder */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** @param size samples per batch (default 32) @return this builder */
    public Builder batchSize(int size) {
      this.batchSize = size;
      return this;
    }

    /** @param lr AdamW learning rate (default 1e-3) @return this builder */
    public Builder learningRate(float lr) {
      this.learningRate = lr;
      return this;
    }

    /** @param seed seed of every random choice (default 42) @return this builder */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** @param ratio negative samples per positive, may be fractional (default 1) @return this builder */
    public Builder negativesPerPositive(double ratio) {
      this.negativesPerPositive = ratio;
      return this;
    }

    /** @param mode how negatives are made (default BOTH) @return this builder */
    public Builder negativeSampling(NegativeSampling mode) {
      this.negatives = Objects.requireNonNull(mode);
      return this;
    }

    /** @param mode what is masked (default MIXED) @return this builder */
    public Builder maskingMode(MaskingMode mode) {
      this.maskingMode = Objects.requireNonNull(mode);
      return this;
    }

    /** @param mode which objects are masked together (default AUTO) @return this builder */
    public Builder objectMasking(ObjectMasking mode) {
      this.objectMasking = Objects.requireNonNull(mode);
      return this;
    }

    /** @param p share of words masked (default 0.3, at least one word) @return this builder */
    public Builder textMaskProbability(double p) {
      this.textMaskProbability = p;
      return this;
    }

    /** @param p chance that masked words form one contiguous span (default 0.5) @return this builder */
    public Builder spanProbability(double p) {
      this.spanProbability = p;
      return this;
    }

    /** @param on train the masking task (default true) @return this builder */
    public Builder maskingTask(boolean on) {
      this.maskingTask = on;
      return this;
    }

    /** @param on train the matching task (default true) @return this builder */
    public Builder matchingTask(boolean on) {
      this.matchingTask = on;
      return this;
    }

    /** @param fraction share of pairs held out to monitor early stopping (default 0) @return this builder */
    public Builder validationFraction(double fraction) {
      this.validationFraction = fraction;
      return this;
    }

    /** @param epochs stop after this many epochs without gain; 0 never (default 0) @return this builder */
    public Builder earlyStoppingPatience(int epochs) {
      this.patience = epochs;
      return this;
    }

    /** @param on keep the parameters of the best monitored epoch (default true) @return this builder */
    public Builder restoreBest(boolean on) {
      this.restoreBest = on;
      return this;
    }

    /** @param dir folder for {@value #CHECKPOINT_FILE} (default none) @return this builder */
    public Builder checkpointDir(Path dir) {
      this.checkpointDir = dir;
      return this;
    }

    /** @param batches also checkpoint every this many batches inside an epoch; 0 only per epoch @return this builder */
    public Builder checkpointEvery(int batches) {
      this.checkpointEvery = batches;
      return this;
    }

    /** @param on continue from the checkpoint in the checkpoint folder when there is one @return this builder */
    public Builder resume(boolean on) {
      this.resume = on;
      return this;
    }

    /** @param device DJL device (default: first GPU if PyTorch sees one, else CPU) @return this builder */
    public Builder device(Device device) {
      this.device = device;
      return this;
    }

    /**
     * @param budget stop after the first epoch that ends past this training time (default: none)
     * @return this builder
     */
    public Builder maxDuration(java.time.Duration budget) {
      this.maxDuration = budget;
      return this;
    }

    /**
     * @param cache caller-owned map of image features for images without given boxes; read and
     *     filled by training (share it between runs on the same images and extractor settings)
     * @return this builder
     */
    public Builder featureCache(Map<Path, ImageFeatures> cache) {
      this.featureCache = cache;
      return this;
    }

    /** @param listener progress ("features", "train") @return this builder */
    public Builder progress(ProgressListener listener) {
      this.listener = listener == null ? ProgressListener.NONE : listener;
      return this;
    }

    /** @param token cancellation @return this builder */
    public Builder cancellation(CancellationToken token) {
      this.cancel = token == null ? CancellationToken.NONE : token;
      return this;
    }

    /**
     * @return the trainer
     * @throws IllegalStateException when pairs are missing or options are out of range
     * @throws InputFormatException when the pairs file has bad records
     */
    public CrossModalTrainer build() {
      if (pairs == null && pairsFile == null) {
        throw new IllegalStateException("pairs missing: call pairs(...) or pairsFile(...)");
      }
      if (pairs == null) {
        pairs = PairsFile.read(pairsFile);
      }
      if (pairs.isEmpty()) {
        throw new IllegalStateException("pairs is empty");
      }
      for (ImageTextPair p : pairs) {
        if (!Files.isRegularFile(p.image())) {
          throw new InputFormatException(null, 0, "image not found: " + p.image());
        }
      }
      if (embedder == null) {
        embedder = initialModel != null ? initialModel.extractor.embedder() : new GlobalDescriptorEmbedder();
      }
      if (tokenizer == null) {
        tokenizer = initialModel != null ? initialModel.tokenizer : new WordTokenizer();
      }
      if (initialModel != null && !initialModel.tokenizerId().equals(tokenizer.id())) {
        throw new IllegalStateException("fine-tuning needs the model's tokenizer " + initialModel.tokenizerId());
      }
      if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || negativesPerPositive < 0
          || textMaskProbability <= 0 || textMaskProbability > 1 || spanProbability < 0
          || spanProbability > 1 || validationFraction < 0 || validationFraction >= 1
          || patience < 0 || checkpointEvery < 0) {
        throw new IllegalStateException("an option is out of range (epochs, batchSize, learningRate, "
            + "negativesPerPositive, textMaskProbability, spanProbability, validationFraction, patience, "
            + "checkpointEvery)");
      }
      if (!maskingTask && !matchingTask) {
        throw new IllegalStateException("no training task: enable maskingTask and/or matchingTask");
      }
      if (resume && checkpointDir == null) {
        throw new IllegalStateException("resume needs checkpointDir(...)");
      }
      if (width % heads != 0) {
        throw new IllegalStateException("width " + width + " is not divisible by heads " + heads);
      }
      return new CrossModalTrainer(this);
    }
  }
}
