package io.sightline.models.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import io.sightline.core.onnx.OnnxTextEmbedder;
import io.sightline.models.SightlineModels;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Trains the shipped image encoder ({@code clipart-encoder-v1.onnx}) into the space of the frozen
 * all-MiniLM-L6-v2 text encoder: each openclipart drawing (CC0) is paired with "title. keywords"
 * from its SVG, and a symmetric contrastive loss (in-batch negatives; drawings with the same text
 * count as positives of each other) pulls the image vector towards its text's vector. Views are
 * new shots of the drawing (scale, rotation, mirror, white/plain/photo backgrounds from
 * {@code mate-backgrounds}, light and colour). The test and validation families are never seen.
 *
 * <pre>
 * mvn -B -o -q -pl models test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/models.cp
 * java -Xmx6g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 -Dsightline.debian.root=/tmp/evaldata/x \
 *   -cp models/target/test-classes:models/target/classes:$(cat /tmp/models.cp) \
 *   io.sightline.models.train.ClipartEncoderTraining --epochs 24 --seed 7 \
 *   --out models/src/main/resources/io/sightline/models/clipart-encoder-v1.onnx
 * </pre>
 *
 * Data: Debian {@code openclipart-png}, {@code openclipart-svg} and {@code mate-backgrounds}, found
 * under {@code -Dsightline.debian.root} (a folder of {@code dpkg -x} output) or fetched with
 * {@code apt-get download} + {@code dpkg -x} into {@code target/debian}. Caches (thumbnails, text
 * vectors) go to {@code --cache} (default {@code models/target/train-cache}). The evaluation of the
 * written model is {@link ClipartEncoderEvaluation}.
 */
public final class ClipartEncoderTraining {
  private ClipartEncoderTraining() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    int epochs = Integer.parseInt(o.getOrDefault("epochs", "24"));
    int batch = Integer.parseInt(o.getOrDefault("batch", "128"));
    float lr = Float.parseFloat(o.getOrDefault("lr", "0.002"));
    float scale = Float.parseFloat(o.getOrDefault("logit-scale", "20"));
    long seed = Long.parseLong(o.getOrDefault("seed", "7"));
    int limit = Integer.parseInt(o.getOrDefault("limit", "0"));
    Path out = Path.of(o.getOrDefault("out", "models/target/clipart-encoder-v1.onnx"));
    Path cache = Path.of(o.getOrDefault("cache", "models/target/train-cache"));
    long start = System.nanoTime();

    Data d = Data.load(cache, limit);
    List<Integer> train = d.indices(ClipartCorpus.Split.TRAIN);
    List<Integer> val = d.indices(ClipartCorpus.Split.VALIDATION);
    System.err.printf(Locale.ROOT, "drawings %d: train %d, validation %d, test %d (%.0f s)%n", d.items.size(),
        train.size(), val.size(), d.indices(ClipartCorpus.Split.TEST).size(), (System.nanoTime() - start) / 1e9);

    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    ClipartNet net = new ClipartNet(SightlineModels.DIMENSION);
    int steps = epochs * (train.size() / batch);
    Optimizer opt = Optimizer.adamW().optLearningRateTracker(CosineTracker.builder().setBaseValue(lr)
        .optFinalValue(lr * 0.02f).setMaxUpdates(steps).build()).optWeightDecays(1e-4f).build();
    List<Map<String, Object>> history = new ArrayList<>();
    try (Model model = Model.newInstance("clipart-encoder", "PyTorch")) {
      model.setBlock(net.block);
      DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(opt);
      ExecutorService prep = Executors.newSingleThreadExecutor();
      try (Trainer trainer = model.newTrainer(tc)) {
        int side = ClipartImages.PRESET.inputWidth();
        trainer.initialize(new Shape(batch, 3, side, side));
        for (int epoch = 0; epoch < epochs; epoch++) {
          long t0 = System.nanoTime();
          Random rnd = new Random(seed * 1_000_003L + epoch);
          List<Integer> order = new ArrayList<>(train);
          Collections.shuffle(order, rnd);
          int batches = order.size() / batch;
          double lossSum = 0;
          Future<Batch> next = prep.submit(() -> d.batch(order.subList(0, batch), new Random(rnd.nextLong()), true));
          for (int b = 0; b < batches; b++) {
            Batch cur = next.get();
            if (b + 1 < batches) {
              List<Integer> ids = order.subList((b + 1) * batch, (b + 2) * batch);
              long s = rnd.nextLong();
              next = prep.submit(() -> d.batch(ids, new Random(s), true));
            }
            try (NDManager m = trainer.getManager().newSubManager()) {
              NDArray x = m.create(cur.pixels, new Shape(batch, 3, side, side));
              NDArray t = m.create(cur.texts, new Shape(batch, SightlineModels.DIMENSION));
              NDArray target = m.create(cur.targets, new Shape(batch, batch));
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray e = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray en = e.div(e.norm(new int[] {1}, true).add(1e-6f));
                NDArray logits = en.matMul(t.transpose()).mul(m.full(new Shape(), scale));
                NDArray li = logits.logSoftmax(1).mul(target).sum(new int[] {1}).neg().mean();
                NDArray lt = logits.logSoftmax(0).mul(target).sum(new int[] {0}).neg().mean();
                // a scalar PyTorch allocates: DJL's div(Number) frees its scalar to the garbage collector while
                // autograd still needs it for the backward pass (wrong gradients after a collection)
                NDArray loss = li.add(lt).mul(m.full(new Shape(), 0.5f));
                gc.backward(loss);
                lossSum += loss.getFloat();
              }
              trainer.step();
            }
          }
          double sec = (System.nanoTime() - t0) / 1e9;
          double[] r = recall(net, model, d, val, 64);
          Map<String, Object> h = new LinkedHashMap<>();
          h.put("epoch", epoch + 1);
          h.put("loss", lossSum / batches);
          h.put("valImageToTextR1", r[0]);
          h.put("valImageToTextR5", r[1]);
          h.put("seconds", sec);
          history.add(h);
          System.err.printf(Locale.ROOT, "epoch %d loss %.4f val i2t R@1 %.3f R@5 %.3f  %.1f s (%.0f img/s) load %s%n",
              epoch + 1, lossSum / batches, r[0], r[1], sec, batches * batch / sec, loadAverage());
        }
      } finally {
        prep.shutdownNow();
      }
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.write(out, net.toOnnx());
      double maxDiff = exportCheck(net, model, d, val.subList(0, Math.min(16, val.size())), out);
      System.err.printf(Locale.ROOT, "ONNX export vs DJL on %d validation drawings: max |difference| %.2e%n",
          Math.min(16, val.size()), maxDiff);
      if (!(maxDiff < 1e-3)) {
        throw new IllegalStateException("the ONNX export does not compute what the trained network computes");
      }
      double total = (System.nanoTime() - start) / 1e9;
      Runtime rt = Runtime.getRuntime();
      System.err.printf(Locale.ROOT, "wrote %s (%d bytes) after %.0f s; JVM heap used %.0f MB%n", out, Files.size(out),
          total, (rt.totalMemory() - rt.freeMemory()) / 1e6);
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("epochs", epochs);
      report.put("batch", batch);
      report.put("lr", lr);
      report.put("logitScale", scale);
      report.put("seed", seed);
      report.put("train", train.size());
      report.put("validation", val.size());
      report.put("seconds", total);
      report.put("exportMaxDifference", maxDiff);
      report.put("history", history);
      Files.writeString(Path.of(o.getOrDefault("report", "models/target/clipart-encoder-training.json")),
          new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
    }
  }

  /**
   * Embeds drawings with the written ONNX file through core's {@code OnnxImageEmbedder} (the path
   * users take) and with the trained network; returns the largest difference of unit vectors.
   */
  static double exportCheck(ClipartNet net, Model model, Data d, List<Integer> ids, Path onnx) {
    double max = 0;
    int side = ClipartImages.PRESET.inputWidth();
    try (io.sightline.core.onnx.OnnxImageEmbedder e = io.sightline.core.onnx.OnnxImageEmbedder.builder()
        .preset(ClipartImages.PRESET).modelPath(onnx).dimension(net.dimension).l2Normalize(true).build();
         NDManager m = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      for (int id : ids) {
        float[] viaOnnx = e.embed(d.images.onWhite(id));
        NDArray x = m.create(d.images.plain(id), new Shape(1, 3, side, side));
        float[] viaDjl = net.block.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        normalise(viaDjl);
        for (int k = 0; k < viaDjl.length; k++) {
          max = Math.max(max, Math.abs(viaDjl[k] - viaOnnx[k]));
        }
      }
    }
    return max;
  }

  /** Image→text recall@1 and @5 among the given drawings' texts (same text counts as a hit). */
  static double[] recall(ClipartNet net, Model model, Data d, List<Integer> ids, int chunk) {
    int n = ids.size();
    float[][] img = new float[n][];
    int side = ClipartImages.PRESET.inputWidth();
    try (NDManager m = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      for (int s = 0; s < n; s += chunk) {
        int e = Math.min(n, s + chunk);
        float[] px = new float[(e - s) * 3 * side * side];
        for (int i = s; i < e; i++) {
          System.arraycopy(d.images.plain(ids.get(i)), 0, px, (i - s) * 3 * side * side, 3 * side * side);
        }
        NDArray x = m.create(px, new Shape(e - s, 3, side, side));
        float[] out = net.block.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
        for (int i = s; i < e; i++) {
          img[i] = java.util.Arrays.copyOfRange(out, (i - s) * net.dimension, (i - s + 1) * net.dimension);
          normalise(img[i]);
        }
      }
    }
    int r1 = 0;
    int r5 = 0;
    for (int i = 0; i < n; i++) {
      double own = dot(img[i], d.textVectors[ids.get(i)]);
      int better = 0;
      String mine = d.items.get(ids.get(i)).text();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int j = 0; j < n; j++) {
        String other = d.items.get(ids.get(j)).text();
        if (!other.equals(mine) && seen.add(other) && dot(img[i], d.textVectors[ids.get(j)]) > own) {
          better++;
        }
      }
      r1 += better < 1 ? 1 : 0;
      r5 += better < 5 ? 1 : 0;
    }
    return new double[] {r1 / (double) n, r5 / (double) n};
  }

  static void normalise(float[] v) {
    io.sightline.core.index.Vectors.normalizeInPlace(v);
  }

  static double dot(float[] a, float[] b) {
    return io.sightline.core.index.Vectors.dot(a, b);
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return o;
  }

  /** One prepared batch: pixels, text vectors and soft targets (drawings with equal texts share). */
  record Batch(float[] pixels, float[] texts, float[] targets) {}

  /** The corpus with its thumbnails and text vectors. */
  static final class Data {
    final List<ClipartCorpus.Item> items;
    final ClipartImages images;
    final float[][] textVectors;
    /** Every text variant's vector, by text. */
    final Map<String, float[]> variantVectors;

    private Data(List<ClipartCorpus.Item> items, ClipartImages images, float[][] textVectors,
        Map<String, float[]> variantVectors) {
      this.items = items;
      this.images = images;
      this.textVectors = textVectors;
      this.variantVectors = variantVectors;
    }

    static Data load(Path cache, int limit) throws Exception {
      Path png = Debian.folder("openclipart-png", "usr/share/openclipart/png");
      Path svg = Debian.folder("openclipart-svg", "usr/share/openclipart/svg");
      List<ClipartCorpus.Item> items = ClipartCorpus.load(png, svg, 0.1, 0.05);
      if (limit > 0 && items.size() > limit) {
        List<ClipartCorpus.Item> l = new ArrayList<>(items);
        Collections.shuffle(l, new Random(1));
        items = List.copyOf(l.subList(0, limit));
      }
      List<BufferedImage> backgrounds = backgrounds(Debian.folder("mate-backgrounds", "usr/share/backgrounds"));
      ClipartImages images = ClipartImages.load(items.stream().map(ClipartCorpus.Item::png).toList(),
          cache.resolve("thumbnails-" + items.size() + ".bin.gz"), backgrounds);
      float[][] text = textVectors(items, cache.resolve("minilm-" + items.size() + ".bin"));
      List<String> variants = items.stream().flatMap(i -> i.variants().stream()).distinct().sorted().toList();
      float[][] vv = textVectors(variants, cache.resolve("minilm-variants-" + variants.size() + ".bin"), true);
      Map<String, float[]> byText = new HashMap<>();
      for (int i = 0; i < variants.size(); i++) {
        byText.put(variants.get(i), vv[i]);
      }
      return new Data(items, images, text, byText);
    }

    List<Integer> indices(ClipartCorpus.Split split) {
      List<Integer> l = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).split() == split && images.usable(i)) {
          l.add(i);
        }
      }
      return l;
    }

    Batch batch(List<Integer> ids, Random rnd, boolean augment) {
      int n = ids.size();
      int plane = 3 * ClipartImages.PRESET.inputWidth() * ClipartImages.PRESET.inputHeight();
      float[] px = new float[n * plane];
      float[] tx = new float[n * SightlineModels.DIMENSION];
      float[] tg = new float[n * n];
      String[] chosen = new String[n];
      for (int i = 0; i < n; i++) {
        int id = ids.get(i);
        float[] t = augment ? images.augmented(id, rnd) : images.plain(id);
        System.arraycopy(t, 0, px, i * plane, plane);
        List<String> variants = items.get(id).variants();
        chosen[i] = augment ? variants.get(rnd.nextInt(variants.size())) : items.get(id).text();
        float[] v = augment ? variantVectors.get(chosen[i]) : textVectors[id];
        System.arraycopy(v, 0, tx, i * SightlineModels.DIMENSION, SightlineModels.DIMENSION);
      }
      for (int i = 0; i < n; i++) {
        int same = 0;
        for (int j = 0; j < n; j++) {
          if (chosen[j].equals(chosen[i])) {
            same++;
          }
        }
        for (int j = 0; j < n; j++) {
          if (chosen[j].equals(chosen[i])) {
            tg[i * n + j] = 1f / same;
          }
        }
      }
      return new Batch(px, tx, tg);
    }
  }

  /** MiniLM vectors of every drawing's text, cached. */
  static float[][] textVectors(List<ClipartCorpus.Item> items, Path file) throws Exception {
    return textVectors(items.stream().map(ClipartCorpus.Item::text).toList(), file, true);
  }

  /** MiniLM vectors of texts, cached in a file keyed by their count and hash. */
  static float[][] textVectors(List<String> texts, Path file, boolean log) throws Exception {
    int n = texts.size();
    int dim = SightlineModels.DIMENSION;
    if (Files.isRegularFile(file)) {
      try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
        if (in.readInt() == n && in.readInt() == texts.hashCode()) {
          float[][] v = new float[n][dim];
          for (float[] row : v) {
            for (int k = 0; k < dim; k++) {
              row[k] = in.readFloat();
            }
          }
          return v;
        }
      }
    }
    float[][] v = new float[n][];
    try (OnnxTextEmbedder te = SightlineModels.textEmbedder()) {
      for (int s = 0; s < n; s += 256) {
        List<float[]> part = te.embedAll(texts.subList(s, Math.min(n, s + 256)));
        for (int i = 0; i < part.size(); i++) {
          v[s + i] = part.get(i);
        }
        System.err.printf("texts %d / %d%n", Math.min(n, s + 256), n);
      }
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(n);
      out.writeInt(texts.hashCode());
      for (float[] row : v) {
        for (float x : row) {
          out.writeFloat(x);
        }
      }
    }
    return v;
  }

  /** Photos for training backgrounds, scaled to a 200 px longer side. */
  static List<BufferedImage> backgrounds(Path root) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(p -> p.toString().matches(".*\\.(jpg|jpeg|png)$")).sorted().toList();
    }
    List<BufferedImage> out = new ArrayList<>();
    for (Path f : files) {
      BufferedImage img;
      try {
        img = ImageIO.read(f.toFile());
      } catch (java.io.IOException | RuntimeException e) {
        continue; // a few package files are not plain images (e.g. multi-frame or odd JPEGs)
      }
      if (img == null || img.getWidth() < 64 || img.getHeight() < 64) {
        continue;
      }
      double s = 200.0 / Math.max(img.getWidth(), img.getHeight());
      BufferedImage small = new BufferedImage(Math.max(1, (int) (img.getWidth() * s)),
          Math.max(1, (int) (img.getHeight() * s)), BufferedImage.TYPE_INT_RGB);
      java.awt.Graphics2D g = small.createGraphics();
      g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img.getScaledInstance(small.getWidth(), small.getHeight(), java.awt.Image.SCALE_AREA_AVERAGING), 0, 0,
          null);
      g.dispose();
      out.add(small);
    }
    return out;
  }
}
