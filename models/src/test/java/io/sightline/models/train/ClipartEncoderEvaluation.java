package io.sightline.models.train;

import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.OnnxTextEmbedder;
import io.sightline.models.SightlineModels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Held-out figures of the shipped image encoder, with baselines in the same run: on the test
 * families (never seen in training), image→text and text→image recall@1/5/10 among the test
 * drawings' texts, on the drawings as published and on new shots of them (scaled, turned, on
 * scikit-image photos — backgrounds training never used); zero-shot classification of the
 * top-level category folder; throughput. Baselines: chance, and a ridge regression from the
 * training-free global descriptor to the same text space fitted on the training families.
 *
 * <pre>
 * java -Xmx6g -Dsightline.debian.root=/tmp/evaldata/x -cp models/target/test-classes:models/target/classes:$(cat /tmp/models.cp) \
 *   io.sightline.models.train.ClipartEncoderEvaluation [--model FILE.onnx] [--split test|validation]
 * </pre>
 */
public final class ClipartEncoderEvaluation {
  private ClipartEncoderEvaluation() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = ClipartEncoderTraining.options(args);
    Path cache = Path.of(o.getOrDefault("cache", "models/target/train-cache"));
    ClipartCorpus.Split split = ClipartCorpus.Split.valueOf(o.getOrDefault("split", "test").toUpperCase(Locale.ROOT));
    ClipartEncoderTraining.Data d = ClipartEncoderTraining.Data.load(cache, 0);
    List<Integer> test = d.indices(split);
    List<Integer> train = d.indices(ClipartCorpus.Split.TRAIN);
    List<BufferedImage> photos = ClipartEncoderTraining.backgrounds(
        Debian.folder("python3-skimage", "usr/lib/python3/dist-packages/skimage/data"));
    ClipartImagesView shots = new ClipartImagesView(d, photos);
    Random rnd = new Random(11);
    List<BufferedImage> newShots = new ArrayList<>();
    for (int id : test) {
      newShots.add(shots.newShot(id, rnd));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("split", split.name().toLowerCase(Locale.ROOT));
    report.put("drawings", test.size());
    report.put("uniqueTexts", test.stream().map(i -> d.items.get(i).text()).distinct().count());
    System.out.printf(Locale.ROOT, "%s split: %d drawings, %d distinct texts; load %s%n", split, test.size(),
        report.get("uniqueTexts"), ClipartEncoderTraining.loadAverage());
    System.out.println("| embedder | images | i2t R@1 | R@5 | R@10 | t2i R@1 | R@5 | R@10 |");
    System.out.println("|---|---|---|---|---|---|---|---|");

    // chance
    int distinct = ((Number) report.get("uniqueTexts")).intValue();
    System.out.printf(Locale.ROOT, "| chance | any | %.3f | %.3f | %.3f | | | |%n", 1.0 / distinct, 5.0 / distinct,
        10.0 / distinct);

    // the shipped model, through core's ONNX embedder, on the original files
    Path modelFile = o.containsKey("model") ? Path.of(o.get("model")) : SightlineModels.clipartModelFile();
    try (OnnxImageEmbedder e = OnnxImageEmbedder.builder().preset(ClipartImages.PRESET).modelPath(modelFile)
        .dimension(SightlineModels.DIMENSION).l2Normalize(true).build()) {
      ImageLoader loader = ImageLoader.defaults();
      List<BufferedImage> originals = new ArrayList<>();
      for (int id : test) {
        originals.add(loader.load(d.items.get(id).png()));
      }
      float[][] v = embed(e, originals);
      report.put("model.published", row("shipped model", "as published", d, test, v));
      report.put("model.newShots", row("shipped model", "new shots", d, test, embed(e, newShots)));
      report.put("zeroShotCategory", zeroShot(d, test, v));
      report.put("speed", speed(e, originals));
    }

    // baseline: ridge map from the global descriptor into the text space
    GlobalDescriptorEmbedder g = new GlobalDescriptorEmbedder();
    float[][] xTrain = new float[train.size()][];
    float[][] yTrain = new float[train.size()][];
    for (int i = 0; i < train.size(); i++) {
      xTrain[i] = g.embed(d.images.onWhite(train.get(i)));
      yTrain[i] = d.textVectors[train.get(i)];
    }
    Ridge ridge = Ridge.fit(xTrain, yTrain, 1.0);
    List<BufferedImage> plain = new ArrayList<>();
    for (int id : test) {
      plain.add(d.images.onWhite(id));
    }
    report.put("ridge.published", row("descriptor + ridge", "as published", d, test, ridge.map(g, plain)));
    report.put("ridge.newShots", row("descriptor + ridge", "new shots", d, test, ridge.map(g, newShots)));
    Path out = Path.of(o.getOrDefault("report", "models/target/clipart-encoder-evaluation.json"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(report));
    System.out.println("report: " + out);
  }

  static float[][] embed(OnnxImageEmbedder e, List<BufferedImage> images) {
    List<float[]> v = e.embedAll(images);
    return v.toArray(new float[0][]);
  }

  /** Recall of both directions, printed as a table row. */
  static Map<String, Double> row(String name, String images, ClipartEncoderTraining.Data d, List<Integer> ids,
      float[][] img) {
    int n = ids.size();
    List<String> texts = new ArrayList<>();
    Map<String, Integer> textIndex = new LinkedHashMap<>();
    int[] textOf = new int[n];
    for (int i = 0; i < n; i++) {
      String t = d.items.get(ids.get(i)).text();
      Integer k = textIndex.get(t);
      if (k == null) {
        k = texts.size();
        textIndex.put(t, k);
        texts.add(t);
      }
      textOf[i] = k;
    }
    float[][] tv = new float[texts.size()][];
    for (int i = 0; i < n; i++) {
      tv[textOf[i]] = d.textVectors[ids.get(i)];
    }
    double[] i2t = new double[3];
    int[] ks = {1, 5, 10};
    for (int i = 0; i < n; i++) {
      double own = ClipartEncoderTraining.dot(img[i], tv[textOf[i]]);
      int better = 0;
      for (int t = 0; t < tv.length; t++) {
        if (t != textOf[i] && ClipartEncoderTraining.dot(img[i], tv[t]) > own) {
          better++;
        }
      }
      for (int k = 0; k < 3; k++) {
        i2t[k] += better < ks[k] ? 1 : 0;
      }
    }
    double[] t2i = new double[3];
    for (int t = 0; t < tv.length; t++) {
      double bestOwn = -2;
      for (int i = 0; i < n; i++) {
        if (textOf[i] == t) {
          bestOwn = Math.max(bestOwn, ClipartEncoderTraining.dot(img[i], tv[t]));
        }
      }
      int better = 0;
      for (int i = 0; i < n; i++) {
        if (textOf[i] != t && ClipartEncoderTraining.dot(img[i], tv[t]) > bestOwn) {
          better++;
        }
      }
      for (int k = 0; k < 3; k++) {
        t2i[k] += better < ks[k] ? 1 : 0;
      }
    }
    Map<String, Double> r = new LinkedHashMap<>();
    String[] names = {"R@1", "R@5", "R@10"};
    for (int k = 0; k < 3; k++) {
      r.put("imageToText" + names[k], i2t[k] / n);
      r.put("textToImage" + names[k], t2i[k] / tv.length);
    }
    System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |%n", name, images,
        i2t[0] / n, i2t[1] / n, i2t[2] / n, t2i[0] / tv.length, t2i[1] / tv.length, t2i[2] / tv.length);
    return r;
  }

  /** Top-level category folder by the cosine to "a drawing of CATEGORY", against the majority class. */
  static Map<String, Object> zeroShot(ClipartEncoderTraining.Data d, List<Integer> ids, float[][] img) {
    Map<String, Integer> counts = new TreeMap<>();
    for (int id : ids) {
      counts.merge(top(d.items.get(id).category()), 1, Integer::sum);
    }
    List<String> cats = new ArrayList<>(counts.keySet());
    Map<String, Object> r = new LinkedHashMap<>();
    try (OnnxTextEmbedder te = SightlineModels.textEmbedder()) {
      List<float[]> cv = te.embedAll(cats.stream().map(c -> "a drawing of " + c.replace('_', ' ')).toList());
      int right = 0;
      for (int i = 0; i < ids.size(); i++) {
        int best = 0;
        for (int c = 1; c < cats.size(); c++) {
          if (ClipartEncoderTraining.dot(img[i], cv.get(c)) > ClipartEncoderTraining.dot(img[i], cv.get(best))) {
            best = c;
          }
        }
        right += cats.get(best).equals(top(d.items.get(ids.get(i)).category())) ? 1 : 0;
      }
      int majority = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      r.put("categories", cats.size());
      r.put("accuracy", right / (double) ids.size());
      r.put("majorityClass", majority / (double) ids.size());
      System.out.printf(Locale.ROOT, "zero-shot top-level category (%d classes): accuracy %.3f, majority class %.3f%n",
          cats.size(), right / (double) ids.size(), majority / (double) ids.size());
    }
    return r;
  }

  static String top(String category) {
    int s = category.indexOf('/');
    return s < 0 ? category : category.substring(0, s);
  }

  /** Images per second through the embedder at batch 1 and 32 (decoding excluded). */
  static Map<String, Object> speed(OnnxImageEmbedder e, List<BufferedImage> images) {
    List<BufferedImage> some = images.subList(0, Math.min(256, images.size()));
    e.embedAll(some.subList(0, Math.min(32, some.size())));
    long t0 = System.nanoTime();
    for (BufferedImage b : some) {
      e.embed(b);
    }
    double one = some.size() / ((System.nanoTime() - t0) / 1e9);
    t0 = System.nanoTime();
    for (int s = 0; s < some.size(); s += 32) {
      e.embedAll(some.subList(s, Math.min(some.size(), s + 32)));
    }
    double b32 = some.size() / ((System.nanoTime() - t0) / 1e9);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("imagesPerSecondBatch1", one);
    r.put("imagesPerSecondBatch32", b32);
    r.put("loadAverage", ClipartEncoderTraining.loadAverage());
    System.out.printf(Locale.ROOT, "speed: %.0f images/s at batch 1, %.0f at batch 32 (load %s)%n", one, b32,
        ClipartEncoderTraining.loadAverage());
    return r;
  }

  /** New shots with their own background photos. */
  static final class ClipartImagesView {
    private final ClipartEncoderTraining.Data d;
    private final ClipartImages withPhotos;

    ClipartImagesView(ClipartEncoderTraining.Data d, List<BufferedImage> photos) throws Exception {
      this.d = d;
      this.withPhotos = d.images.withBackgrounds(photos);
    }

    BufferedImage newShot(int id, Random rnd) {
      return withPhotos.newShot(id, rnd);
    }
  }

  /** Multi-output ridge regression, solved by Cholesky on the normal equations. */
  record Ridge(double[][] w, int dIn, int dOut) {
    static Ridge fit(float[][] x, float[][] y, double lambda) {
      int n = x.length;
      int p = x[0].length + 1;
      int q = y[0].length;
      double[][] a = new double[p][p];
      double[][] b = new double[p][q];
      double[] row = new double[p];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < p - 1; j++) {
          row[j] = x[i][j];
        }
        row[p - 1] = 1;
        for (int j = 0; j < p; j++) {
          for (int k = j; k < p; k++) {
            a[j][k] += row[j] * row[k];
          }
          for (int k = 0; k < q; k++) {
            b[j][k] += row[j] * y[i][k];
          }
        }
      }
      for (int j = 0; j < p; j++) {
        for (int k = 0; k < j; k++) {
          a[j][k] = a[k][j];
        }
        a[j][j] += lambda;
      }
      // Cholesky a = L L^T
      double[][] l = new double[p][p];
      for (int i = 0; i < p; i++) {
        for (int j = 0; j <= i; j++) {
          double s = a[i][j];
          for (int k = 0; k < j; k++) {
            s -= l[i][k] * l[j][k];
          }
          l[i][j] = i == j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j][j];
        }
      }
      double[][] w = new double[p][q];
      for (int c = 0; c < q; c++) {
        double[] z = new double[p];
        for (int i = 0; i < p; i++) {
          double s = b[i][c];
          for (int k = 0; k < i; k++) {
            s -= l[i][k] * z[k];
          }
          z[i] = s / l[i][i];
        }
        for (int i = p - 1; i >= 0; i--) {
          double s = z[i];
          for (int k = i + 1; k < p; k++) {
            s -= l[k][i] * w[k][c];
          }
          w[i][c] = s / l[i][i];
        }
      }
      return new Ridge(w, p - 1, q);
    }

    float[][] map(GlobalDescriptorEmbedder g, List<BufferedImage> images) {
      float[][] out = new float[images.size()][];
      for (int i = 0; i < images.size(); i++) {
        float[] x = g.embed(images.get(i));
        float[] v = new float[dOut];
        for (int c = 0; c < dOut; c++) {
          double s = w[dIn][c];
          for (int j = 0; j < dIn; j++) {
            s += x[j] * w[j][c];
          }
          v[c] = (float) s;
        }
        ClipartEncoderTraining.normalise(v);
        out[i] = v;
      }
      return out;
    }
  }
}
