package io.sightline.crossmodal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.embed.ImageEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run of {@link CrossModalTrainer}: features, vocabulary and seed library, the split
 * (by image), resume, and the loop. Each step: the contrastive passes (text only, image only) on
 * a batch of distinct pairs, optional hard negatives mined from their similarities, the joint
 * pass with the seed's masking and matching rows, the summed loss, gradient clipping and the
 * scheduled learning rate.
 */
final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(CrossModalTrainer.class);
  private static final String CHECKPOINT_FILE = CrossModalTrainer.CHECKPOINT_FILE;
  private final CrossModalTrainer.Builder b;

  TrainingRun(CrossModalTrainer.Builder b) {
    this.b = b;
  }

  TrainingResult run() {
    List<ImageTextPair> pairs = b.pairs;
    ImageEmbedder embedder = b.embedder;
    FeatureExtractor fx;
    ModelConfig cfg;
    if (b.initialModel != null) {
      cfg = b.initialModel.config;
      fx = b.initialModel.extractor;
    } else {
      cfg = new ModelConfig(b.width, b.layers, b.heads, b.ffnSize > 0 ? b.ffnSize : 4 * b.width,
          b.maxTextUnits, b.maxObjects, b.grid, embedder.dimension(), 3, b.dropout, b.pooling);
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

    // split for early stopping, by image: every pair of a held-out image is held out
    List<ImageTextPair> val = new ArrayList<>();
    List<ImageTextPair> train = new ArrayList<>();
    splitByImage(pairs, b.validationFraction, b.seed, train, val);

    PyTorchThreads.applyDefault();
    Engine.getEngine("PyTorch").setRandomSeed((int) b.seed);
    Device device = b.device != null ? b.device : CrossModalModel.defaultDevice();
    List<String> captions = new ArrayList<>(new LinkedHashSet<>(pairs.stream().map(ImageTextPair::text).toList()));
    CrossModalModel model = new CrossModalModel(cfg, vocab, b.tokenizer, seeds, useSeeds, fx, captions, device);
    // every way out but the returned result closes the model (a failed resume used to leave its
    // native memory to DJL's finalizer)
    boolean handedOver = false;
    int skippedSteps = 0;
    try {
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
      TrainingLosses lossFn = new TrainingLosses(b.maskingTask, b.matchingTask);
      boolean contrastiveOn = b.contrastiveWeight > 0;
      // no masking and no matching task: every step is the contrastive passes alone
      boolean joint = b.maskingTask || b.matchingTask;
      if (!joint && (train.stream().map(ImageTextPair::image).distinct().count() < 2
          || train.stream().map(ImageTextPair::text).distinct().count() < 2)) {
        throw new IllegalArgumentException("training with the contrastive loss alone needs at least 2 "
            + "training pairs with different images and texts, got " + train.size() + " pairs");
      }
      Map<Path, ImageFeatures> queryLayout = new LinkedHashMap<>(feats);
      queryLayout.putAll(gridFeats);
      DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
          .optOptimizer(optimizer)
          .optDevices(new Device[] {device});
      try (Trainer trainer = new Trainer(model.model, tc)) {
        trainer.initialize(model.block.inputShapes(b.batchSize));
        long trainStart = System.nanoTime();
        LearningRateSchedule schedule = b.schedule;
        for (int epoch = startEpoch; epoch < b.epochs; epoch++) {
          long t0 = System.nanoTime();
          Random rnd = new Random(b.seed * 1_000_003L + epoch);
          List<InputEncoder.Row> rows = sampler(enc).samples(train, feats, gridFeats, rnd, true);
          Collections.shuffle(rows, rnd);
          ContrastiveBatches cb = contrastiveOn && train.size() >= 2
              ? new ContrastiveBatches(train, queryLayout, enc, b.contrastiveBatchSize > 0
                  ? b.contrastiveBatchSize : b.batchSize, new Random(b.seed * 31L + epoch), b.wordDropout) : null;
          int batches = joint ? (rows.size() + b.batchSize - 1) / b.batchSize : cb.batches();
          // total, text, objects, match, textAcc, matchAcc, contrastive, batches with a joint pass
          double[] sums = new double[8];
          int counted = 0;
          boolean warmupEpoch = false;
          if (epoch == startEpoch && skipBatches > 0 && state != null && state.partialSums() != null
              && (state.partialSums().length == sums.length || state.partialSums().length == 7)) {
            // the interrupted epoch's figures so far, so its loss (and the best-epoch choice) match
            System.arraycopy(state.partialSums(), 0, sums, 0, state.partialSums().length);
            if (state.partialSums().length == 7) {
              sums[7] = skipBatches; // written before the contrastive warm-up: every batch was joint
            }
            counted = skipBatches;
            warmupEpoch = joint && sums[7] < skipBatches;
          }
          for (int bi = 0; bi < batches; bi++) {
            if (epoch == startEpoch && bi < skipBatches) {
              if (cb != null) {
                cb.next(); // the contrastive pairs of the skipped batch, so later batches match
              }
              continue;
            }
            b.cancel.throwIfCancelled();
            // the engine's random stream (dropout) restarts from (seed, epoch, batch) at every batch,
            // so a run resumed mid-epoch draws the same masks as the uninterrupted one
            Engine.getEngine("PyTorch").setRandomSeed(batchSeed(b.seed, epoch, bi));
            List<InputEncoder.Row> batch = joint ? new ArrayList<>(rows.subList(bi * b.batchSize,
                Math.min(rows.size(), (bi + 1) * b.batchSize))) : new ArrayList<>();
            List<InputEncoder.Row> pos = cb == null ? List.of() : cb.next();
            if (!joint && pos.size() < 2) {
              continue; // no two distinct pairs to contrast (every pair shares one image or text)
            }
            double[] f;
            double progress = (double) (epoch * batches + bi) / Math.max(1, (long) b.epochs * batches);
            if (b.maxDuration != null) {
              progress = Math.max(progress, (System.nanoTime() - trainStart) / (double) b.maxDuration.toNanos());
            }
            // contrastive warm-up: only the cheap text-only and image-only passes
            // (and every step when neither masking nor matching is on)
            boolean inWarmup = joint && progress < b.contrastiveWarmup;
            boolean warmup = (!joint || inWarmup) && pos.size() >= 2;
            warmupEpoch |= warmup && inWarmup;
            try (NDManager m = trainer.getManager().newSubManager()) {
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray contrastive = null;
                if (pos.size() >= 2) {
                  // text-only and image-only passes of the same transformer, in-batch negatives
                  NDList textOut = trainer.forward(enc.inputs(m, pos, InputEncoder.View.TEXT),
                      CrossModalBlock.embeddingsOnly(m, InputEncoder.View.TEXT));
                  NDList imageOut = trainer.forward(enc.inputs(m, pos, InputEncoder.View.IMAGE),
                      CrossModalBlock.embeddingsOnly(m, InputEncoder.View.IMAGE));
                  contrastive = TrainingLosses.contrastive(textOut.get(4), imageOut.get(5), textOut.get(6));
                  if (b.hardNegatives && b.matchingTask && !warmup) {
                    float[] sims = textOut.get(4).matMul(imageOut.get(5).transpose()).toFloatArray();
                    batch.addAll(ContrastiveBatches.hardNegatives(pos, sims));
                  }
                }
                if (warmup) {
                  NDArray weighted = contrastive.mul(Scalars.of(contrastive, b.contrastiveWeight));
                  gc.backward(weighted);
                  float c = contrastive.getFloat();
                  f = new double[] {weighted.getFloat(), 0, 0, 0, 0, 0, c, 0};
                } else {
                  NDList in = enc.inputs(m, batch);
                  NDList tg = enc.targets(m, batch);
                  NDList out = trainer.forward(in, CrossModalBlock.atPositions(tg.get(7)));
                  TrainingLosses.Losses l = lossFn.losses(out, in, tg, cfg);
                  if (contrastive != null) {
                    l.contrastive = contrastive;
                    NDArray weighted = contrastive.mul(Scalars.of(contrastive, b.contrastiveWeight));
                    l.total = l.total == null ? weighted : l.total.add(weighted);
                  } else if (l.total == null) {
                    l.total = l.match.mul(Scalars.of(l.match, 0));
                  }
                  gc.backward(l.total);
                  double[] lf = l.figures();
                  f = java.util.Arrays.copyOf(lf, 8);
                  f[7] = 1;
                }
              }
              if (b.maxDuration != null) { // the schedule follows the clock at the end of the step
                progress = Math.max(progress, (System.nanoTime() - trainStart) / (double) b.maxDuration.toNanos());
              }
              optimizer.setLearningRate((float) (b.learningRate * schedule.factor(progress, b.warmupFraction)));
              float scale = GradientClipping.scaleFor(model.block, b.clipNorm);
              if (Float.isNaN(scale) || !Double.isFinite(f[0])) {
                // a non-finite loss or gradient would turn every weight into NaN: skip the update
                if (skippedSteps++ == 0) {
                  LOG.warn("epoch {} batch {}: non-finite loss or gradient, update skipped", epoch + 1, bi + 1);
                }
                GradientClipping.discard(model.block);
              } else {
                optimizer.setGradientScale(scale);
                trainer.step();
              }
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
          double valLoss = val.isEmpty() ? Double.NaN : validate(model, val, feats, gridFeats, queryLayout, enc, cfg);
          double sec = (System.nanoTime() - t0) / 1e9;
          int c = Math.max(1, counted);
          // the joint figures over the batches that ran the joint pass (NaN: all were warm-up)
          double j = sums[7] > 0 ? sums[7] : Double.NaN;
          EpochStats es = new EpochStats(epoch + 1, sums[0] / c,
              b.maskingTask ? sums[1] / j : Double.NaN, b.maskingTask ? sums[2] / j : Double.NaN,
              b.matchingTask ? sums[3] / j : Double.NaN, sums[4] / j, sums[5] / j, valLoss,
              (long) counted * b.batchSize, sec);
          history.add(es);
          b.listener.onProgress("train", epoch + 1, b.epochs, String.format(Locale.ROOT,
              "loss=%.4f text=%.4f objects=%.4f match=%.4f contrastive=%.4f textAcc=%.3f matchAcc=%.3f "
                  + "val=%.4f %.1f samples/s",
              es.loss(), es.maskedTextLoss(), es.maskedObjectLoss(), es.matchingLoss(), sums[6] / c,
              es.maskedTextAccuracy(), es.matchingAccuracy(), es.validationLoss(), es.samplesPerSecond())
              .replaceAll("\\bNaN\\b", "n/a")); // a loss this run does not compute, or no validation split
          double monitored = Double.isNaN(valLoss) ? es.loss() : valLoss;
          if (warmupEpoch) {
            // a warm-up epoch's loss leaves out the joint losses: never the best epoch, no patience used
          } else if (monitored < best - b.minDelta) {
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
        if (skippedSteps > 0) {
          LOG.warn("{} updates skipped for a non-finite loss or gradient", skippedSteps);
        }
      }
      if (bestParams != null && b.restoreBest) {
        model.loadParameterBytes(bestParams);
      }
      TrainingResult result = new TrainingResult(model, history, stoppedEarly, startEpoch, train.size(),
          val.size(), skippedSteps);
      handedOver = true;
      return result;
    } finally {
      if (!handedOver) {
        model.close();
      }
    }
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

  /**
   * Splits pairs into training and validation by image (shuffled with the seed), so no image of
   * the validation pairs is seen in training.
   */
  static void splitByImage(List<ImageTextPair> pairs, double fraction, long seed,
      List<ImageTextPair> train, List<ImageTextPair> val) {
    Map<Path, List<ImageTextPair>> byImage = new LinkedHashMap<>();
    for (ImageTextPair p : pairs) {
      byImage.computeIfAbsent(p.image(), k -> new ArrayList<>()).add(p);
    }
    List<Path> images = new ArrayList<>(byImage.keySet());
    Collections.shuffle(images, new Random(seed));
    int nVal = fraction > 0 && pairs.size() >= 10 && images.size() >= 2
        ? Math.min(images.size() - 1, Math.max(1, (int) Math.round(images.size() * fraction))) : 0;
    for (int i = 0; i < images.size(); i++) {
      (i < nVal ? val : train).addAll(byImage.get(images.get(i)));
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

  private TrainingSamples sampler(InputEncoder enc) {
    return new TrainingSamples(enc, b.maskingTask, b.matchingTask, b.maskingMode, b.objectMasking,
        b.textMaskProbability, b.spanProbability, b.negatives, b.negativesPerPositive);
  }

  /**
   * The validation loss that picks the best epoch and stops early: the joint losses (masked text,
   * masked objects, matching) on the validation pairs; for a run without joint tasks, the
   * contrastive loss on them. The contrastive loss is left out of a joint run's figure on purpose:
   * on held-out openclipart its validation value rose from about the seventh epoch while retrieval
   * still improved (the learned temperature sharpens), and adding it made the kept epoch earlier
   * and retrieval worse (BENCHMARKS.md, crossmodal, nineteenth session). NaN when nothing can be
   * computed.
   */
  double validate(CrossModalModel model, List<ImageTextPair> val, Map<Path, ImageFeatures> feats,
      Map<Path, ImageFeatures> gridFeats, Map<Path, ImageFeatures> queryLayout, InputEncoder enc, ModelConfig cfg) {
    double total = Double.NaN;
    if (b.maskingTask || b.matchingTask) {
      Random rnd = new Random(b.seed ^ 0x5DEECE66DL);
      List<InputEncoder.Row> rows = sampler(enc).samples(val, feats, gridFeats, rnd, true);
      double sum = 0;
      int n = 0;
      for (int from = 0; from < rows.size(); from += b.batchSize) {
        List<InputEncoder.Row> batch = rows.subList(from, Math.min(rows.size(), from + b.batchSize));
        sum += model.runLocked(m -> {
          NDList in = enc.inputs(m, batch);
          NDList tg = enc.targets(m, batch);
          NDList out = model.block.atPositions(new ai.djl.training.ParameterStore(m, false), in, tg.get(7));
          return new TrainingLosses(b.maskingTask, b.matchingTask).losses(out, in, tg, cfg).figures()[0];
        });
        n++;
      }
      total = n == 0 ? Double.NaN : sum / n;
    }
    if (b.maskingTask || b.matchingTask) {
      return total;
    }
    double contrastive = validationContrastive(model, val, queryLayout, enc);
    return Double.isNaN(contrastive) ? Double.NaN : b.contrastiveWeight * contrastive;
  }

  /** Mean contrastive loss over batches of validation pairs (the query-time layout); NaN when off. */
  private double validationContrastive(CrossModalModel model, List<ImageTextPair> val,
      Map<Path, ImageFeatures> queryLayout, InputEncoder enc) {
    if (!(b.contrastiveWeight > 0) || val.size() < 2) {
      return Double.NaN;
    }
    ContrastiveBatches cb = new ContrastiveBatches(val, queryLayout, enc,
        b.contrastiveBatchSize > 0 ? b.contrastiveBatchSize : b.batchSize, new Random(b.seed ^ 0x5DEECE66DL));
    double sum = 0;
    int n = 0;
    for (int i = 0; i < cb.batches(); i++) {
      List<InputEncoder.Row> pos = cb.next();
      if (pos.size() < 2) {
        continue;
      }
      sum += model.runLocked(m -> {
        ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(m, false);
        NDList text = model.block.embeddings(ps, enc.inputs(m, pos, InputEncoder.View.TEXT), InputEncoder.View.TEXT);
        NDList image = model.block.embeddings(ps, enc.inputs(m, pos, InputEncoder.View.IMAGE),
            InputEncoder.View.IMAGE);
        return (double) TrainingLosses.contrastive(text.get(4), image.get(5), text.get(6)).getFloat();
      });
      n++;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

}
